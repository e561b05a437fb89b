// Command rounds takes the samples of a family of benchmarks in rounds, each
// sample in a process of its own:
//
//	go run ./cmd/rounds -bench '^BenchmarkQueue$' -benchtime 1000000x -count 10 [-seed N] [package]
//
// It builds the package's test binary once, lists the configurations that
// -bench selects (every leaf benchmark, run once at -benchtime 1x), and then
// runs count rounds. Each round runs every configuration once, one process
// each, in an order shuffled afresh for the round (the seed, printed on
// stderr, gives the orders again), and then writes what the processes
// printed, in the order of the list: go test's output, as benchstat reads
// it, with the configurations in the order the benchmarks declare them.
//
// One process per sample makes the samples independent of each other. In one
// process that runs a whole family, a configuration is measured after the
// ones before it, always the same ones, in a heap and a scheduler they left
// behind: in the Queue family, lull-priority's ctx=cancel row read 21-37%
// above its ctx=background row in four runs of the family so taken, and
// 0.5% below it in 30 processes that each ran one of the two. The shuffle
// puts no configuration always before or after another.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lullgo/lull/bench/internal/report"
)

func main() {
	bench := flag.String("bench", "", "the benchmarks to run, as go test's -bench")
	benchtime := flag.String("benchtime", "1s", "go test's -benchtime of each sample")
	count := flag.Int("count", 10, "rounds: samples of each configuration")
	seed := flag.Uint64("seed", 0, "the seed of the rounds' orders (0: from the clock, and printed)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: rounds -bench regexp [-benchtime t] [-count n] [-seed n] [package]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	pkg := "."
	switch flag.NArg() {
	case 0:
	case 1:
		pkg = flag.Arg(0)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if *bench == "" || *count < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	if err := run(os.Stdout, pkg, *bench, *benchtime, *count, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "rounds:", err)
		os.Exit(1)
	}
}

// run builds pkg's test binary and runs the rounds, writing the samples to w.
func run(w io.Writer, pkg, bench, benchtime string, count int, seed uint64) error {
	dir, err := os.MkdirTemp("", "rounds")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bench.test")
	build := exec.Command("go", "test", "-c", "-o", bin, pkg)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the test binary of %s: %w", pkg, err)
	}
	out, err := runBench(bin, bench, "1x")
	if err != nil {
		return fmt.Errorf("listing the configurations: %w", err)
	}
	names, err := configurations(out)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("-bench %q selects no benchmark", bench)
	}
	fmt.Fprintf(os.Stderr, "rounds: %d configurations, %d rounds, seed %d\n", len(names), count, seed)
	for round := range count {
		outs := make(map[string][]byte, len(names))
		for _, name := range order(names, seed, round) {
			out, err := runBench(bin, anchor(name), benchtime)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", round+1, name, err)
			}
			if got, err := configurations(out); err != nil || len(got) != 1 || got[0] != name {
				return fmt.Errorf("round %d, %s: the process ran %q, not that configuration alone", round+1, name, got)
			}
			outs[name] = out
		}
		// In the listed order, whatever order they ran in: benchstat
		// and the report lay their tables out in the order of the
		// first round's results.
		for _, name := range names {
			if _, err := w.Write(outs[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

// runBench runs the benchmarks of bin that pattern selects, once each, and
// returns what they printed on stdout (stderr goes to this process's).
func runBench(bin, pattern, benchtime string) ([]byte, error) {
	cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", benchtime, "-test.count", "1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		os.Stderr.Write(out.Bytes())
		return nil, err
	}
	return out.Bytes(), nil
}

// configurations returns the names of the benchmarks whose results out
// holds, in order, with "Benchmark" in front as -bench matches them. A name
// that comes twice is an error: its configurations could not be told apart.
func configurations(out []byte) ([]string, error) {
	names, err := report.Names(bytes.NewReader(out), "go test output")
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(names))
	for i, name := range names {
		if seen[name] {
			return nil, fmt.Errorf("benchmark %s ran twice in one process", name)
		}
		seen[name] = true
		names[i] = "Benchmark" + name
	}
	return names, nil
}

// anchor returns the -bench pattern that selects the benchmark name alone:
// each element of the name, between slashes, matched whole.
func anchor(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// order returns names shuffled for the given round: the same seed and round
// give the same order.
func order(names []string, seed uint64, round int) []string {
	out := slices.Clone(names)
	r := rand.New(rand.NewPCG(seed, uint64(round)))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
