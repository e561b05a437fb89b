// Command idle measures what pools of parked workers cost while nothing
// happens. For each implementation it builds cmd/idleprog with that
// implementation alone linked in, runs it -runs times plainly (for CPU time
// and context switches from getrusage) and -runs times under a tracer (for
// futex calls and all syscalls between the program's two markers), and
// prints the medians as a markdown table. It also writes the results as
// JSON, for cmd/report, and the futex counts as an SVG bar chart.
//
// With -arch arm (GOARM=7, a Raspberry Pi 2B) or -arch arm64 it
// cross-compiles the program with CGO_ENABLED=0 and GOMAXPROCS=4 and, unless
// the host is that architecture, runs it under qemu-arm-static or
// qemu-aarch64-static, whose -strace output is counted instead of strace's.
//
// Run it from the bench module: go run ./cmd/idle [-impl a,b] [-window 10s].
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/lullgo/lull/bench/internal/idle"
	"github.com/lullgo/lull/bench/internal/machine"
	"github.com/lullgo/lull/bench/internal/trace"
)

// armDefault is the subset run under emulation unless -impl says otherwise:
// emulated runs of busy, timer-heavy pools take long and say little.
var armDefault = []string{"runtime-floor", "channel", "lull-pool", "lull-pool-auto", "lull-queue", "ants", "poll-1s"}

type config struct {
	impls    []string
	arch     string
	window   time.Duration
	settle   time.Duration
	runs     int
	workers  int
	noTrace  bool
	jsonPath string
	mdPath   string
	svgPath  string
}

func main() {
	var c config
	var impls string
	flag.StringVar(&impls, "impl", "", "comma-separated implementations (default: all; under -arch, a subset)")
	flag.StringVar(&c.arch, "arch", "native", "native, arm (GOARM=7) or arm64")
	flag.DurationVar(&c.window, "window", 10*time.Second, "measured idle window")
	flag.DurationVar(&c.settle, "settle", time.Second, "pause between warm-up and window")
	flag.IntVar(&c.runs, "runs", 3, "runs per implementation (each plain and traced); the median is kept")
	flag.IntVar(&c.workers, "workers", 1000, "workers per pool")
	flag.BoolVar(&c.noTrace, "notrace", false, "skip the traced runs")
	flag.StringVar(&c.jsonPath, "json", "", "JSON output (default results/idle-<arch>.json)")
	flag.StringVar(&c.mdPath, "md", "", "markdown output (default results/idle-<arch>.md)")
	flag.StringVar(&c.svgPath, "svg", "", "SVG chart output (default idle.svg for native, idle-<arch>.svg otherwise)")
	flag.Parse()
	if impls != "" {
		c.impls = strings.Split(impls, ",")
	}
	if c.jsonPath == "" {
		c.jsonPath = "results/idle-" + c.arch + ".json"
	}
	if c.mdPath == "" {
		c.mdPath = "results/idle-" + c.arch + ".md"
	}
	if c.svgPath == "" {
		c.svgPath = "idle.svg"
		if c.arch != "native" {
			c.svgPath = "idle-" + c.arch + ".svg"
		}
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "idle:", err)
		os.Exit(1)
	}
}

// target is how the measured program is built and run.
type target struct {
	goarch, goarm string
	env           []string // build environment additions
	runEnv        []string // run environment additions
	emulator      string   // qemu binary, or "" to run natively
	tracer        string   // description for the report, or "" if none
	tracerNote    string   // why there is no tracer
}

func newTarget(arch string, noTrace bool) (target, error) {
	var t target
	switch arch {
	case "native":
		t.goarch = runtime.GOARCH
	case "arm":
		t.goarch, t.goarm = "arm", "7"
		t.env = []string{"GOARCH=arm", "GOARM=7", "CGO_ENABLED=0"}
		t.runEnv = []string{"GOMAXPROCS=4"}
	case "arm64":
		t.goarch = "arm64"
		t.env = []string{"GOARCH=arm64", "CGO_ENABLED=0"}
		t.runEnv = []string{"GOMAXPROCS=4"}
	default:
		return t, fmt.Errorf("unknown -arch %q (want native, arm or arm64)", arch)
	}
	if t.goarch != runtime.GOARCH {
		q := map[string]string{"arm": "qemu-arm-static", "arm64": "qemu-aarch64-static"}[t.goarch]
		path, err := exec.LookPath(q)
		if err != nil {
			return t, fmt.Errorf("%s not found: install Debian's qemu-user-static, or run on an %s host", q, t.goarch)
		}
		t.emulator = path
		if !noTrace {
			t.tracer = filepath.Base(path) + " -strace"
		}
		return t, nil
	}
	switch {
	case noTrace:
		t.tracerNote = "tracing turned off with -notrace"
	default:
		if _, err := exec.LookPath("strace"); err != nil {
			t.tracerNote = "strace is not installed on this host"
		} else {
			t.tracer = "strace -f"
		}
	}
	return t, nil
}

func run(c config) error {
	t, err := newTarget(c.arch, c.noTrace)
	if err != nil {
		return err
	}
	if t.tracer == "" && t.emulator == "" {
		fmt.Fprintf(os.Stderr, "idle: %s: futex and syscall columns will read n/a\n", t.tracerNote)
	}
	tmp, err := os.MkdirTemp("", "lull-idle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// A native build with every adapter lists them; only -list runs it.
	lister := filepath.Join(tmp, "idleprog-all")
	if err := build(lister, nil, nil); err != nil {
		return err
	}
	out, err := exec.Command(lister, "-list").Output()
	if err != nil {
		return fmt.Errorf("idleprog -list: %w", err)
	}
	var all []idle.ImplInfo
	if err := json.Unmarshal(out, &all); err != nil {
		return err
	}
	want := c.impls
	if want == nil && c.arch != "native" {
		want = armDefault
	}
	var chosen []idle.ImplInfo
	for _, i := range all {
		if want == nil || slices.Contains(want, i.Name) {
			chosen = append(chosen, i)
		}
	}
	for _, w := range want {
		if !slices.ContainsFunc(all, func(i idle.ImplInfo) bool { return i.Name == w }) {
			return fmt.Errorf("unknown implementation %q", w)
		}
	}

	gomaxprocs := fmt.Sprintf("%d (all CPUs)", runtime.NumCPU())
	for _, e := range t.runEnv {
		if v, ok := strings.CutPrefix(e, "GOMAXPROCS="); ok {
			gomaxprocs = v
		}
	}
	res := &idle.Result{
		GOARCH: t.goarch, GOARM: t.goarm, Emulator: filepath.Base(t.emulator),
		Tracer: t.tracer, TracerNote: t.tracerNote, GOMAXPROCS: gomaxprocs,
		Workers: c.workers, Window: c.window.String(), Settle: c.settle.String(), Runs: c.runs,
		Command: "go run ./cmd/idle " + strings.Join(os.Args[1:], " "),
		Date:    time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Host:    machine.Describe(), GoVersion: runtime.Version(), Lull: machine.LullRevision(),
	}
	if t.emulator == "" {
		res.Emulator = ""
	}

	built := map[string]string{}
	for _, info := range chosen {
		bin, ok := built[info.Tag]
		if !ok {
			bin = filepath.Join(tmp, "idleprog-"+info.Tag)
			if err := build(bin, []string{"solo", "solo_" + info.Tag}, t.env); err != nil {
				return err
			}
			built[info.Tag] = bin
		}
		row := idle.Row{Impl: info.Name, Doc: info.Doc}
		for r := range c.runs {
			s, err := runOnce(c, t, bin, info.Name, tmp, r, false)
			if err != nil {
				return fmt.Errorf("%s run %d: %w", info.Name, r+1, err)
			}
			row.Samples = append(row.Samples, s)
			if t.tracer != "" {
				s, err := runOnce(c, t, bin, info.Name, tmp, r, true)
				if err != nil {
					return fmt.Errorf("%s traced run %d: %w", info.Name, r+1, err)
				}
				row.Samples = append(row.Samples, s)
			}
		}
		row.Summarize()
		fmt.Fprintf(os.Stderr, "idle: %-15s goroutines %4.0f  cpu %7.1f ms  futex %s  top %v\n",
			info.Name, row.Goroutines, row.CPUms, fmtOpt(row.Futex), row.Top)
		res.Rows = append(res.Rows, row)
	}

	md := idle.Markdown(res) + "\n" + idle.Caption(res) + "\n"
	fmt.Print(md)
	if err := writeFile(c.mdPath, md); err != nil {
		return err
	}
	j, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(c.jsonPath, string(j)+"\n"); err != nil {
		return err
	}
	if bars := idle.FutexBars(res); len(bars) > 0 {
		title := fmt.Sprintf("futex calls while %d workers idle for %s (GOARCH=%s%s)", c.workers, c.window, t.goarch, map[bool]string{true: ", under " + res.Emulator}[t.emulator != ""])
		sub := fmt.Sprintf("median of %d runs, counted by %s; log scale; fewer is better", c.runs, t.tracer)
		if err := writeFile(c.svgPath, idle.SVG(title, sub, bars)); err != nil {
			return err
		}
	}
	return nil
}

func fmtOpt(f *float64) string {
	if f == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.0f", *f)
}

func writeFile(path, s string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

// build compiles cmd/idleprog into out with the given tags and environment.
func build(out string, tags, env []string) error {
	args := []string{"build", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	args = append(args, "./cmd/idleprog")
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

// runOnce runs bin once for impl and returns its sample. When traced, the
// program runs under the tracer and the sample carries the counts between
// its markers; its getrusage figures are then dropped by Summarize.
func runOnce(c config, t target, bin, impl, tmp string, run int, traced bool) (idle.Sample, error) {
	mark := filepath.Join(tmp, fmt.Sprintf("mark-%s-%d-%v", impl, run, traced))
	args := []string{bin, "-impl", impl, "-workers", fmt.Sprint(c.workers),
		"-settle", c.settle.String(), "-window", c.window.String(), "-mark", mark}
	traceFile := filepath.Join(tmp, "trace.txt")
	format := trace.Strace
	switch {
	case t.emulator != "" && traced:
		args = append([]string{t.emulator, "-strace"}, args...)
		format = trace.Qemu
	case t.emulator != "":
		args = append([]string{t.emulator}, args...)
	case traced:
		args = append([]string{"strace", "-f", "-qq", "-o", traceFile}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.window+c.settle+5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), t.runEnv...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	// qemu prints its trace on stderr; send it to the file too.
	errFile, err := os.Create(filepath.Join(tmp, "stderr.txt"))
	if err != nil {
		return idle.Sample{}, err
	}
	defer errFile.Close()
	cmd.Stderr = errFile
	if err := cmd.Run(); err != nil {
		tail, _ := os.ReadFile(errFile.Name())
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return idle.Sample{}, fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, tail)
	}
	var s idle.Sample
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		return s, fmt.Errorf("reading idleprog output %q: %w", stdout.String(), err)
	}
	if !traced {
		return s, nil
	}
	src := traceFile
	if format == trace.Qemu {
		src = errFile.Name()
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return s, err
	}
	counts, err := trace.Count(string(b), format, t.goarch, mark+".begin", mark+".end")
	if err != nil {
		return s, err
	}
	s.Traced = true
	s.Futex = counts.Futex()
	s.Syscalls = counts.TotalNoClock()
	s.Top = counts.Top(5)
	return s, nil
}
