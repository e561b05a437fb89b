package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/lullgo/lull/bench/internal/report"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConfigurations(t *testing.T) {
	out := []byte("goos: linux\n" +
		"BenchmarkQueue/channel/producers=1/ctx=cancel-2 \t 1000\t 31.5 ns/op\t 0 B/op\n" +
		"BenchmarkQueue/lull-queue/producers=1/ctx=cancel-2 \t 1000\t 30.1 ns/op\n" +
		"BenchmarkSolo \t 10\t 5.0 ns/op\n" + // GOMAXPROCS=1: no suffix
		"BenchmarkQueue/lull-queue\n" + // a parent's line under -v: no result
		"PASS\n")
	got, err := configurations(out)
	want := []string{"BenchmarkQueue/channel/producers=1/ctx=cancel", "BenchmarkQueue/lull-queue/producers=1/ctx=cancel", "BenchmarkSolo"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	if _, err := configurations([]byte("BenchmarkA-2 1 1 ns/op\nBenchmarkA-2 1 2 ns/op\n")); err == nil {
		t.Error("a configuration that ran twice: no error")
	}
}

func TestAnchor(t *testing.T) {
	if got, want := anchor("BenchmarkA/x.y/n=1"), `^BenchmarkA$/^x\.y$/^n=1$`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestOrder(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	differ := false
	for round := range 5 {
		o := order(names, 42, round)
		if !slices.Equal(o, order(names, 42, round)) {
			t.Fatalf("round %d: two orders from one seed", round)
		}
		if s := slices.Sorted(slices.Values(o)); !slices.Equal(s, names) {
			t.Fatalf("round %d: %q is not a permutation of %q", round, o, names)
		}
		differ = differ || !slices.Equal(o, order(names, 42, 0))
	}
	if !differ {
		t.Error("five rounds in the same order")
	}
	if names[0] != "a" || names[7] != "h" {
		t.Error("order shuffled its argument")
	}
}

// TestRun takes 3 rounds of testdata/fake's benchmarks: each configuration
// once a round, each in a process of its own, selected alone even where a
// name holds a regexp's metacharacter (x.y must not select xzy), and each
// round's results written in the order of the list.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a test binary")
	}
	var out bytes.Buffer
	if err := run(&out, "./testdata/fake", "^Benchmark(A|B)$", "3x", 3, 1); err != nil {
		t.Fatal(err)
	}
	names, err := report.Names(bytes.NewReader(out.Bytes()), "output")
	if err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, n := range names {
		seq = append(seq, "Benchmark"+n)
	}
	pids := map[string]bool{}
	for line := range strings.Lines(out.String()) {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		i := slices.Index(f, "pid")
		if i < 1 || pids[f[i-1]] {
			t.Errorf("%s: no pid, or one seen before: %q", f[0], line)
		}
		pids[f[i-1]] = true
	}
	// Each round written in the order the benchmarks declare them.
	round := []string{"BenchmarkA/x/n=1", "BenchmarkA/x/n=2", "BenchmarkA/x.y/n=1", "BenchmarkA/x.y/n=2", "BenchmarkA/xzy/n=1", "BenchmarkA/xzy/n=2", "BenchmarkB"}
	if want := slices.Concat(round, round, round); !slices.Equal(seq, want) {
		t.Errorf("results:\n%q\nwant\n%q", seq, want)
	}
	if err := run(&out, "./testdata/fake", "^BenchmarkNone$", "1x", 1, 1); err == nil {
		t.Error("a pattern that selects nothing: no error")
	}
}
