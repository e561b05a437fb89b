package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lullgo/lull/bench/internal/idle"
	"github.com/lullgo/lull/bench/internal/report"
)

// TestRun feeds run a small results directory and checks that the numbers
// it holds, and only those, reach RESULTS.md and the README region.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	f := func(x float64) *float64 { return &x }
	res := idle.Result{
		GOARCH: "amd64", GOMAXPROCS: "2", Workers: 1000, Window: "10s", Settle: "1s", Runs: 3,
		Tracer: "strace -f", Host: "Test CPU, 2 CPUs", Date: "2026-11-25 20:00 UTC", Command: "go run ./cmd/idle",
		Rows: []idle.Row{
			{Impl: "channel", Doc: "the floor", Goroutines: 1001, CPUms: 0.3, Futex: f(4), Syscalls: f(9)},
			{Impl: "lull-pool", Doc: "lull", Goroutines: 1001, CPUms: 0.9, Futex: f(5), Syscalls: f(12)},
			{Impl: "poll-100ms", Doc: "polling", Goroutines: 1001, CPUms: 390, Futex: f(1234), Syscalls: f(5000)},
		},
	}
	res.Lull = "abc1234"
	writeJSON(t, filepath.Join(dir, "idle-native.json"), res)
	writeJSON(t, filepath.Join(dir, "env.json"), env{Date: "2026-11-25 20:10 UTC", Host: "Test CPU", GoVersion: "go1.26.8", Lull: "abc1234",
		Make: "make bench-throughput COUNT=10", Commands: []string{"go test -bench X"}})
	csv := ",bench.txt,\n,sec/op,CI\n" +
		"Submit/lull-pool/workers=64/submitters=4/ctx=background-2,2e-07,3%\n" +
		"Submit/lull-pool/workers=64/submitters=4/ctx=cancel-2,2.2e-07,3%\n" +
		"Submit/channel/workers=64/submitters=4/ctx=background-2,1e-07,2%\n" +
		"Queue/lull-queue/producers=1/consumers=1-2,5e-08,1%\n" +
		"PingPong/at=submit-2,9.5e-08,2%\n" +
		"PingPong/at=end-2,4.1e-07,3%\n" +
		"geomean,1e-07,\n"
	if err := os.WriteFile(filepath.Join(dir, "benchstat.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	// The runs benchstat summed up, for the p-values: six each, around
	// the medians above, for the two lull-pool rows and the channel.
	raw := "goos: linux\ngoarch: amd64\npkg: github.com/lullgo/lull/bench\n"
	for i := range 6 {
		raw += fmt.Sprintf("BenchmarkSubmit/lull-pool/workers=64/submitters=4/ctx=background-2 1000 %d ns/op\n", 197+i)
		raw += fmt.Sprintf("BenchmarkSubmit/lull-pool/workers=64/submitters=4/ctx=cancel-2 1000 %d ns/op\n", 217+i)
		raw += fmt.Sprintf("BenchmarkSubmit/channel/workers=64/submitters=4/ctx=background-2 1000 %d ns/op\n", 97+i)
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.txt"), []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(dir, "README.md")
	before := "# lull\n\nintro\n\n" + beginMarker + "\nstale\n" + endMarker + "\n\n## Stability\n"
	if err := os.WriteFile(readme, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "RESULTS.md")
	if err := run(dir, out, readme); err != nil {
		t.Fatalf("run: %v", err)
	}

	b, _ := os.ReadFile(readme)
	got := string(b)
	if !strings.HasPrefix(got, "# lull\n\nintro\n\n"+beginMarker+"\n") || !strings.HasSuffix(got, endMarker+"\n\n## Stability\n") {
		t.Errorf("text outside the markers changed:\n%s", got)
	}
	if strings.Contains(got, "stale") {
		t.Errorf("old region kept:\n%s", got)
	}
	containsAll(t, "README region", got,
		"| lull-pool | 5 | 0.9 | 1001 | 200 | ×1.00 |",
		"| channel | 4 | 0.3 | 1001 | 100 | ×0.50 |",
		"| poll-100ms | 1234 | 390.0 | 1001 | – | – |",
		"bench/idle.svg", "bench/RESULTS.md", "Cost of 1,000 parked workers",
		"From lull at commit abc1234: idle run 2026-11-25 20:00 UTC, throughput (`make bench-throughput COUNT=10`) run 2026-11-25 20:10 UTC.",
	)

	b, _ = os.ReadFile(out)
	doc := string(b)
	containsAll(t, "RESULTS.md", doc,
		"Test CPU", "go test -bench X", "go run ./cmd/idle", "Taken with `make bench-throughput COUNT=10`, which ran these commands",
		"| lull-pool | 1001→0 | 0.9 |",
		"| lull-pool | 200 ns ±3% (×1.00) | ×1.00 |",
		"| channel | 100 ns ±2% (×0.50) | ×0.50 |",
		"Rows whose median beat lull-pool's by more than 5% (every row of the table compared, lull's own variants included)",
		"- workers=64, submitters=4: channel (×0.50)",
		// Every run of lull-pool above every channel run, every cancel run
		// below every background run times 1.2: p = 2/924 both ways.
		"| lull-pool / channel | workers=64, submitters=4, ctx=background | 200 ns ±3% | 100 ns ±2% | ×2.00 | ≤ ×1.00 | **no** | 0.002 |",
		"| lull-pool: ctx=cancel / ctx=background | workers=64, submitters=4 | 220 ns ±3% | 200 ns ±3% | ×1.10 | ≤ ×1.20 | yes | 0.002 |",
		"| lull-queue | 50.0 ns ±1% (×1.00) | ×1.00 |",
		"No BenchmarkMapReduce results",
		"taken before each family and at the end): submit 95.0 ns, end 410 ns.",
		"A reading above 250 ns: the host was in a slow spell",
		"github.com/panjf2000/ants/v2 v2.12.1",
	)
	if strings.Contains(doc, "## Idle under emulation") {
		t.Error("RESULTS.md has an emulation section without emulated results")
	}
}

func TestRunWithoutResults(t *testing.T) {
	if err := run(t.TempDir(), filepath.Join(t.TempDir(), "R.md"), ""); err == nil {
		t.Error("run on an empty directory succeeded, want an error")
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHostCheck checks the host line: the readings in order, the warning only
// past slowSpell, and nothing for a run without BenchmarkPingPong.
func TestHostCheck(t *testing.T) {
	parse := func(csv string) report.Stats {
		return mustParse(t, ",bench.txt,\n,sec/op,CI\n"+csv)
	}
	quiet := hostCheck(parse("PingPong/at=submit-2,9e-08,1%\nPingPong/at=queue-2,1.2e-07,1%\n"))
	if !strings.Contains(quiet, "): submit 90.0 ns, queue 120 ns.") || strings.Contains(quiet, "slow spell during") {
		t.Errorf("quiet run: got %q", quiet)
	}
	slow := hostCheck(parse("PingPong/at=submit-2,9e-08,1%\nPingPong/at=end-2,2.6e-07,1%\n"))
	if !strings.Contains(slow, "the host was in a slow spell during this run") {
		t.Errorf("run with a reading of 260 ns: got %q, want the warning", slow)
	}
	if got := hostCheck(parse("Submit/lull-pool/workers=2/submitters=1-2,4e-08,1%\n")); got != "" {
		t.Errorf("run without PingPong: got %q, want none", got)
	}
}

// containsAll reports each of wants that doc, called name, lacks, and doc
// itself if one is missing.
func containsAll(t *testing.T, name, doc string, wants ...string) {
	t.Helper()
	missing := false
	for _, w := range wants {
		if !strings.Contains(doc, w) {
			t.Errorf("%s lacks %q", name, w)
			missing = true
		}
	}
	if missing {
		t.Logf("%s:\n%s", name, doc)
	}
}
