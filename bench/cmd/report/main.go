// Command report turns the files under results/ into RESULTS.md and the
// benchmark table of lull's README (the region between
// <!-- bench:start --> and <!-- bench:end -->). Every number it writes comes
// from those files: idle-<arch>.json from cmd/idle, benchstat.csv from
// `go tool benchstat -format csv bench.txt`, the runs of bench.txt for the
// p-values of the comparisons, and env.json, which `report -record-env`
// writes before the throughput run (the same for make bench-spell's
// spell.csv, spell.txt and spell-env.json).
//
// Run it from the bench module: go run ./cmd/report.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/lullgo/lull/bench/internal/idle"
	"github.com/lullgo/lull/bench/internal/machine"
	"github.com/lullgo/lull/bench/internal/report"
)

const (
	beginMarker = "<!-- bench:start -->"
	endMarker   = "<!-- bench:end -->"
)

// env is what -record-env saves about the throughput run.
type env struct {
	Date      string `json:"date"`
	Host      string `json:"host"`
	GoVersion string `json:"go_version"`
	Lull      string `json:"lull_revision"`
	// Make is the make command line the run was started with, with the
	// values of the variables that set its counts.
	Make     string   `json:"make,omitempty"`
	Commands []string `json:"commands"`
}

func main() {
	var (
		dir        = flag.String("results", "results", "directory holding the raw results")
		out        = flag.String("out", "RESULTS.md", "report to write")
		readme     = flag.String("readme", "../README.md", `README whose bench region to replace ("" to leave it alone)`)
		recordEnv  = flag.String("record-env", "", "write the host, date, Go version and lull revision to this file, with -make and the remaining arguments as the commands run, and exit")
		makeLine   = flag.String("make", "", "with -record-env: the make command line of the run")
		preflight  = flag.Bool("preflight", false, "say which of the files named by the arguments git will see changed, refuse (exit 1) if the measured code has uncommitted changes and the run writes files git tracks, and exit")
		allowDirty = flag.Bool("allow-dirty", false, "with -preflight: warn about uncommitted changes instead of refusing")
	)
	flag.Parse()
	switch {
	case *recordEnv != "":
		e := env{
			Date:      time.Now().UTC().Format("2006-01-02 15:04 MST"),
			Host:      machine.Describe(),
			GoVersion: runtime.Version(),
			Lull:      machine.LullRevision(),
			Make:      *makeLine,
			Commands:  flag.Args(),
		}
		b, _ := json.MarshalIndent(e, "", "  ")
		if err := os.WriteFile(*recordEnv, append(b, '\n'), 0o644); err != nil {
			fatal(err)
		}
	case *preflight:
		commit, dirty := machine.Revision()
		if err := checkRun(os.Stdout, flag.Args(), gitIgnores, commit, dirty, *allowDirty); err != nil {
			fatal(err)
		}
	default:
		if err := run(*dir, *out, *readme); err != nil {
			fatal(err)
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}

// inputs is everything read from the results directory; missing parts are
// nil and their sections say so.
type inputs struct {
	idle  map[string]*idle.Result // by -arch: native, arm, arm64
	stats *report.Stats
	env   *env
	// spell and spellEnv are the run of make bench-spell: spell.csv and
	// spell-env.json.
	spell    *report.Stats
	spellEnv *env
}

func load(dir string) (inputs, error) {
	in := inputs{idle: map[string]*idle.Result{}}
	for _, arch := range []string{"native", "arm", "arm64"} {
		var r idle.Result
		if err := readJSON(filepath.Join(dir, "idle-"+arch+".json"), &r); err == nil {
			in.idle[arch] = &r
		} else if !errors.Is(err, fs.ErrNotExist) {
			return in, err
		}
	}
	var err error
	if in.stats, err = readStats(filepath.Join(dir, "benchstat.csv"), filepath.Join(dir, "bench.txt")); err != nil {
		return in, err
	}
	if in.env, err = readEnv(filepath.Join(dir, "env.json")); err != nil {
		return in, err
	}
	if in.spell, err = readStats(filepath.Join(dir, "spell.csv"), filepath.Join(dir, "spell.txt")); err != nil {
		return in, err
	}
	if in.spellEnv, err = readEnv(filepath.Join(dir, "spell-env.json")); err != nil {
		return in, err
	}
	return in, nil
}

// readStats parses the benchstat CSV at path, or returns nil if there is
// no such file, with the samples of the raw output it was made from, at
// raw, which must then exist.
func readStats(path, raw string) (*report.Stats, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := report.ParseCSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, err := os.Open(raw)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if err := s.AddSamples(r, raw); err != nil {
		return nil, err
	}
	return &s, nil
}

// readEnv reads the env.json at path, or returns nil if there is no such
// file.
func readEnv(path string) (*env, error) {
	var e env
	if err := readJSON(path, &e); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &e, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func run(dir, out, readme string) error {
	in, err := load(dir)
	if err != nil {
		return err
	}
	if len(in.idle) == 0 && in.stats == nil && in.spell == nil {
		return fmt.Errorf("no results in %s: run make bench first", dir)
	}
	doc := results(in, dir)
	if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
		return err
	}
	if readme == "" {
		return nil
	}
	b, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	updated, err := report.Replace(string(b), beginMarker, endMarker, headline(in))
	if err != nil {
		return fmt.Errorf("%s: %w", readme, err)
	}
	return os.WriteFile(readme, []byte(updated), 0o644)
}

func results(in inputs, dir string) string {
	var b strings.Builder
	b.WriteString("# lull benchmark results\n\n")
	b.WriteString("Generated by `go run ./cmd/report` from the raw files in [results/](results/); do not edit by hand. ")
	b.WriteString("`make bench` in this directory measures everything again and regenerates this file and the table in lull's README.\n\n")

	b.WriteString("## Setup\n\n")
	if in.env != nil {
		fmt.Fprintf(&b, "- Throughput run: %s on %s, %s, lull at %s.\n", in.env.Date, in.env.Host, in.env.GoVersion, in.env.Lull)
		if in.env.Make != "" {
			fmt.Fprintf(&b, "- Taken with `%s`, which ran these commands (each `go test` prints into results/bench.txt):\n\n```sh\n", in.env.Make)
		} else {
			b.WriteString("- Commands:\n\n```sh\n")
		}
		for _, c := range in.env.Commands {
			b.WriteString(c + "\n")
		}
		b.WriteString("```\n")
	}
	if in.stats != nil {
		b.WriteString(hostCheck(*in.stats))
	}
	for _, arch := range []string{"native", "arm", "arm64"} {
		if r := in.idle[arch]; r != nil {
			fmt.Fprintf(&b, "- Idle run (%s): %s on %s, %s, lull at %s: `%s`\n", arch, r.Date, r.Host, r.GoVersion, r.Lull, r.Command)
		}
	}
	b.WriteString("- Pinned versions (bench/go.mod; lull itself is the checkout, via replace):\n\n")
	b.WriteString(versions())
	b.WriteString("\n`github.com/Jeffail/tunny` is not compared: the Go module proxy reachable here refuses it (403), so it cannot be pinned.\n\n")

	if r := in.idle["native"]; r != nil {
		b.WriteString("## Idle: 1,000 parked workers\n\n")
		b.WriteString(idle.Markdown(r) + "\n" + idle.Caption(r) + "\n\n")
		b.WriteString("![futex calls per idle window](idle.svg)\n\n")
		b.WriteString(implDocs(r))
	}
	for _, arch := range []string{"arm", "arm64"} {
		r := in.idle[arch]
		if r == nil {
			continue
		}
		fmt.Fprintf(&b, "## Idle under emulation: %s\n\n", arch)
		b.WriteString(idle.Markdown(r) + "\n" + idle.Caption(r) + "\n\n")
		fmt.Fprintf(&b, "![futex calls per idle window, %s](idle-%s.svg)\n\n", arch, arch)
	}

	if in.stats == nil {
		b.WriteString("## Throughput\n\nNot measured: results/benchstat.csv is missing.\n\n")
	} else {
		b.WriteString(throughput(*in.stats))
	}
	b.WriteString(spellSection(in.spell, in.spellEnv, in.stats))
	return b.String()
}

// slowSpell is the BenchmarkPingPong reading, in ns, above which the host
// is taken to be in a slow spell: quiet runs of the 2-vCPU hosts this suite
// was built on read 80-130 ns, slow spells about 400.
const slowSpell = 250

// hostCheck returns the Setup line with the BenchmarkPingPong readings of a
// throughput run (see host_test.go), with a warning if one of them is above
// slowSpell, or "" if the run has none.
func hostCheck(s report.Stats) string {
	g := s.Family("PingPong", "sec/op", nil)
	if len(g.Impls) == 0 {
		return ""
	}
	var at []string
	slow := false
	for _, impl := range g.Impls {
		ns := g.Cells[impl][""].Median * 1e9
		slow = slow || ns > slowSpell
		at = append(at, fmt.Sprintf("%s %s ns", strings.TrimPrefix(impl, "at="), report.FormatValue(ns)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "- Host check (BenchmarkPingPong: one round trip of a cache line between two threads, taken before each family and at the end): %s. ", strings.Join(at, ", "))
	b.WriteString("Quiet runs of the hosts this suite was built on read 80-130 ns; slow spells, about 400.")
	if slow {
		fmt.Fprintf(&b, " **A reading above %d ns: the host was in a slow spell during this run, which slows every row, by its own measure; read the tables next to it with care (README.md, \"Slow spells\", and the section \"Under load\" below, if the run has one).**", slowSpell)
	}
	b.WriteString("\n")
	return b.String()
}

func implDocs(r *idle.Result) string {
	var b strings.Builder
	b.WriteString("What each implementation is:\n\n")
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "- **%s**: %s\n", row.Impl, row.Doc)
	}
	b.WriteString("\n")
	return b.String()
}

// versions lists the bench module's direct requirements as go list sees
// them.
func versions() string {
	out, err := goList("-m", "-f", "{{if not .Indirect}}{{if not .Main}}{{.Path}} {{.Version}}{{end}}{{end}}", "all")
	if err != nil {
		return "  (go list -m failed: " + err.Error() + ")\n"
	}
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "github.com/lullgo/lull ") {
			continue
		}
		fmt.Fprintf(&b, "  - `%s`\n", line)
	}
	b.WriteString("  - `golang.org/x/perf/cmd/benchstat` (tool) " + toolVersion() + "\n")
	return b.String()
}

// goList runs go list in this module alone (GOWORK=off): in a workspace,
// "all" would take in the other modules' requirements too.
func goList(args ...string) ([]byte, error) {
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	return cmd.Output()
}

func toolVersion() string {
	out, err := goList("-m", "-f", "{{.Version}}", "golang.org/x/perf")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// headline is the README region: the native idle figures next to the
// per-task cost at 64 workers and 4 submitters.
func headline(in inputs) string {
	var b strings.Builder
	b.WriteString("<!-- Generated by `make bench` (bench/cmd/report); do not edit. -->\n")
	r := in.idle["native"]
	var g report.Grid
	if in.stats != nil {
		g = in.stats.Family("Submit", "sec/op", tableOrder).PickDefault("ctx", "background")
	}
	const conf = "workers=64/submitters=4"
	base := baselineOf(g, "lull-pool", "lull-queue")
	if r != nil {
		fmt.Fprintf(&b, "Cost of %s parked workers over a %s idle window (median of %d runs on %s)", thousands(r.Workers), r.Window, r.Runs, r.Host)
		if g.Cells != nil {
			b.WriteString(", next to the cost of one tiny task with 64 workers and 4 submitters")
		}
		b.WriteString(":\n\n")
		b.WriteString("| implementation | futex calls | CPU ms | goroutines |")
		if g.Cells != nil {
			b.WriteString(" ns/task | ns/task vs " + base + " |")
		}
		b.WriteString("\n|---|--:|--:|--:|")
		if g.Cells != nil {
			b.WriteString("--:|--:|")
		}
		b.WriteString("\n")
		for _, row := range r.Rows {
			futex := "n/a"
			if row.Futex != nil {
				futex = fmt.Sprintf("%.0f", *row.Futex)
			}
			fmt.Fprintf(&b, "| %s | %s | %.1f | %.0f |", row.Impl, futex, row.CPUms, row.Goroutines)
			if g.Cells != nil {
				st, ok := g.Cells[row.Impl][conf]
				bs, bok := g.Cells[base][conf]
				switch {
				case !ok:
					b.WriteString(" – | – |")
				case !bok:
					fmt.Fprintf(&b, " %s | – |", report.FormatValue(st.Median*1e9))
				default:
					fmt.Fprintf(&b, " %s | %s |", report.FormatValue(st.Median*1e9), report.FormatRatio(st.Median/bs.Median))
				}
			}
			b.WriteString("\n")
		}
		b.WriteString("\n![futex calls per idle window](bench/idle.svg)\n\n")
	}
	b.WriteString(provenance(in))
	b.WriteString("Method, every table (Submit, Queue, Future, Resize, MapReduce, ARM under qemu) and pinned versions: [bench/RESULTS.md](bench/RESULTS.md). Numbers from a shared 2-CPU host; rerun `make bench` in bench/ on yours.\n")
	return b.String()
}

// provenance says which lull commit the README's figures come from: one
// commit when the idle and throughput runs measured the same, or each run's
// when they did not.
func provenance(in inputs) string {
	type source struct{ what, rev, date string }
	var runs []source
	if r := in.idle["native"]; r != nil {
		runs = append(runs, source{"idle", r.Lull, r.Date})
	}
	if in.env != nil && in.stats != nil {
		what := "throughput"
		if in.env.Make != "" {
			what += " (`" + in.env.Make + "`)"
		}
		runs = append(runs, source{what, in.env.Lull, in.env.Date})
	}
	switch {
	case len(runs) == 0:
		return ""
	case len(runs) == 1 || runs[0].rev == runs[1].rev:
		var dates []string
		for _, r := range runs {
			dates = append(dates, r.what+" run "+r.date)
		}
		return fmt.Sprintf("From lull at commit %s: %s.\n\n", runs[0].rev, strings.Join(dates, ", "))
	}
	return fmt.Sprintf("**From two commits**: the idle figures from lull at %s (%s), the ns/task figures from lull at %s (%s, %s run).\n\n",
		runs[0].rev, runs[0].date, runs[1].rev, runs[1].date, runs[1].what)
}

// thousands formats n with commas, e.g. 1,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
