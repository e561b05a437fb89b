// Command snmppoller polls SNMPv2c agents for their interface table through
// a [pool.Pool] whose size can change while it runs.
//
// With no -targets it starts a simulated fleet of 700 agents on 127.0.0.1
// inside the process and polls that, so it runs with no setup:
//
//	go run ./examples/snmppoller
//
// Each device gives one JSON line (stdout, or -o FILE): its interfaces with
// names, status and 64-bit octet counters, or the reason it failed. A
// summary goes to stderr, with the poller's own CPU time and that of its
// child processes (exec mode). See README.md for the flags and the
// benchmark against the original snmpbulkwalk-per-device design.
//
// Signals: SIGUSR1 doubles the pool, SIGUSR2 halves it. SIGINT or SIGTERM
// stops cleanly: nothing new starts and the polls in flight finish or time
// out; a second one cancels them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/scan"
	"github.com/lullgo/lull/examples/snmppoller/internal/simagent"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
	"github.com/lullgo/lull/pool"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the run could not be done: fleet, output, snmpbulkwalk
	exitUsage   = 2 // bad flags or targets file
)

func main() {
	tuneGC()
	// Signals are subscribed here, not in run, so tests can drive run with
	// a channel of their own.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP)
	code := run(os.Args[1:], os.Stdout, os.Stderr, sigs)
	signal.Stop(sigs)
	os.Exit(code)
}

// gcPercent is the GOGC the poller runs with unless the environment sets
// one; see tuneGC.
const gcPercent = 400

// tuneGC makes the garbage collector run less often than Go's default,
// unless GOGC is set. The poller is a batch program whose garbage far
// outweighs what it keeps: polling one device allocates about 430 KB,
// nearly all of it gosnmp decoding 720 varbinds and its 64 KiB receive
// buffer, while the live heap is only the buffers and tables of the
// devices being polled: 1-3 MB at 27 workers, about 15 MB at 256. With the
// default GOGC=100 a scan of 700 devices runs the collector about 110
// times at 27 workers (the heap goal never leaves its 4 MB floor) and 16
// times at 256; at 400, 20 and 4 times, for a heap of at most five times
// the live one (about 110 MB at 256 workers). That saves about a quarter
// of the poller's CPU time at 27 workers; past 400 it saves no more, as
// the time goes to faulting in fresh memory instead.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// options are the parsed command-line flags.
type options struct {
	targetsFile string
	outFile     string
	mode        string
	workers     int
	maxWorkers  int
	idleTimeout time.Duration
	interval    time.Duration
	poll        poll.Config
	sim         int
	simDelay    time.Duration
	serveSim    string
	summaryJSON string
	progress    string
}

// usageError is a problem with the command line or the targets file.
type usageError struct{ error }

// Unwrap returns the underlying error, so errors.Is finds flag.ErrHelp.
func (e usageError) Unwrap() error { return e.error }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{poll: poll.DefaultConfig()}
	fs := flag.NewFlagSet("snmppoller", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.targetsFile, "targets", "", "`file` of agents, one host:port[,community] a line (default: a simulated fleet, see -sim)")
	fs.StringVar(&o.outFile, "o", "", "write JSON lines to `file` (default stdout)")
	fs.StringVar(&o.mode, "mode", "gosnmp", "how to poll: gosnmp (in process) or exec (one snmpbulkwalk per device and table)")
	fs.IntVar(&o.workers, "workers", 32, "devices polled at once, to start with")
	fs.IntVar(&o.maxWorkers, "max-workers", 0, "let the pool grow up to `n` workers while devices wait (0: fixed size)")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", 2*time.Second, "with -max-workers, extra workers idle this long exit")
	fs.DurationVar(&o.interval, "interval", 0, "repeat scans every `d`, start to start, until SIGINT (0: one scan)")
	fs.DurationVar(&o.poll.Timeout, "timeout", o.poll.Timeout, "timeout of one SNMP request")
	fs.IntVar(&o.poll.Retries, "retries", o.poll.Retries, "retries of a request that timed out")
	fs.DurationVar(&o.poll.DeviceTimeout, "device-timeout", o.poll.DeviceTimeout, "bound on the whole poll of one device")
	fs.IntVar(&o.poll.MaxRepetitions, "max-repetitions", o.poll.MaxRepetitions, "rows per GetBulk (halved on tooBig)")
	fs.IntVar(&o.sim, "sim", 700, "size of the simulated fleet used when no -targets is given")
	fs.DurationVar(&o.simDelay, "sim-delay", 0, "latency the simulated agents add to each reply")
	fs.StringVar(&o.serveSim, "serve-sim", "", "only run the simulated fleet (-sim agents) and write its targets to `file`; stop with SIGINT (SIGHUP advances the counters)")
	fs.StringVar(&o.summaryJSON, "summary-json", "", "also write the final summary as JSON to `file`")
	fs.StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always or never")
	if err := fs.Parse(args); err != nil {
		return o, usageError{err}
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Errorf("unexpected argument %q (flags go before, targets go in -targets FILE)", fs.Arg(0))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	switch {
	case o.workers < 1:
		err = fmt.Errorf("-workers must be at least 1, got %d", o.workers)
	case o.maxWorkers != 0 && o.maxWorkers < o.workers:
		err = fmt.Errorf("-max-workers (%d) must be 0 or at least -workers (%d)", o.maxWorkers, o.workers)
	case o.maxWorkers < 0:
		err = fmt.Errorf("-max-workers must be 0 or more, got %d", o.maxWorkers)
	case o.idleTimeout <= 0:
		err = fmt.Errorf("-idle-timeout must be positive, got %v", o.idleTimeout)
	case o.interval < 0:
		err = fmt.Errorf("-interval must be 0 or more, got %v", o.interval)
	case o.mode != "gosnmp" && o.mode != "exec":
		err = fmt.Errorf("-mode must be gosnmp or exec, got %q", o.mode)
	case o.sim < 1:
		err = fmt.Errorf("-sim must be at least 1, got %d", o.sim)
	case o.simDelay < 0:
		err = fmt.Errorf("-sim-delay must be 0 or more, got %v", o.simDelay)
	case o.targetsFile != "" && (set["sim"] || set["sim-delay"]):
		err = errors.New("-sim and -sim-delay simulate a fleet, which -targets replaces: give one or the other")
	case o.targetsFile != "" && o.serveSim != "":
		err = errors.New("-serve-sim runs a fleet for another poller; it does not poll -targets")
	case o.progress != "auto" && o.progress != "always" && o.progress != "never":
		err = fmt.Errorf("-progress must be auto, always or never, got %q", o.progress)
	default:
		if e := o.poll.Check(); e != nil {
			err = fmt.Errorf("bad poll settings: %w", e)
		}
	}
	if err != nil {
		return o, usageError{err}
	}
	return o, nil
}

// run is the whole program; it returns the exit code. sigs delivers the
// signals main subscribed to; run reads it until it returns.
func run(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	// clearLine is set before any goroutine that logs starts, and read
	// only after: it erases the progress bar's line so a log line does
	// not land at its end (the bar redraws itself on its next update).
	clearLine := ""
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, clearLine+"snmppoller: "+format+"\n", a...) }
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK // -h: the flag package printed the usage
	}
	if err != nil {
		logf("%v", err)
		return exitUsage
	}
	nofile := raiseNoFile(logf)

	if o.serveSim != "" {
		return serveSim(o, sigs, logf)
	}

	var targets []target.Target
	var fleet *simagent.Fleet
	if o.targetsFile != "" {
		if targets, err = target.Load(o.targetsFile); err != nil {
			logf("%v", err)
			return exitUsage
		}
	}

	var pollFn poll.Func
	perDeviceFDs := 1 // gosnmp: one UDP socket per device polled
	if o.mode == "exec" {
		if pollFn, err = poll.Exec(o.poll); err != nil {
			logf("%v", err)
			return exitFailure
		}
		// Per running snmpbulkwalk the poller holds a stdout pipe, a
		// stderr pipe and a pidfd, and briefly a few more while starting it.
		perDeviceFDs = 6
	} else {
		pollFn = poll.GoSNMP(o.poll)
	}

	// Every device polled at once holds descriptors; so does every agent of
	// an in-process fleet. Check before the first socket rather than fail
	// half way through a scan.
	simFDs := 0
	if o.targetsFile == "" {
		simFDs = o.sim
	}
	maxConc := max(o.workers, o.maxWorkers)
	budget := fdBudget(nofile, simFDs, perDeviceFDs)
	if maxConc > budget {
		logf("the open-files limit (RLIMIT_NOFILE %d) allows about %d devices polled at once next to %d simulated agents; -workers/-max-workers asks for %d: lower them", nofile, budget, simFDs, maxConc)
		return exitUsage
	}

	if o.targetsFile == "" {
		fleet, err = simagent.Start(o.sim, simagent.Config{Delay: o.simDelay})
		if err != nil {
			logf("starting the simulated fleet: %v", err)
			return exitFailure
		}
		defer fleet.Close()
		targets = fleet.Targets()
		logf("simulated fleet: %d agents on 127.0.0.1, %d interfaces each, reply delay %v", o.sim, 48, o.simDelay)
	}

	out := stdout
	if o.outFile != "" {
		f, err := os.Create(o.outFile)
		if err != nil {
			logf("output: %v", err)
			return exitFailure
		}
		defer f.Close()
		out = f
	}
	lines := scan.NewLineWriter(out)

	opts := []pool.Option{}
	if o.maxWorkers > o.workers {
		opts = append(opts, pool.WithMaxWorkers(o.maxWorkers), pool.WithIdleTimeout(o.idleTimeout))
	}
	p := pool.New(o.workers, opts...)

	// stop is cancelled by the first SIGINT/SIGTERM: no new poll starts.
	stop, cancelStop := context.WithCancel(context.Background())
	defer cancelStop()
	var peak atomic.Int64
	peak.Store(int64(o.workers))
	showBar := o.progress == "always" || o.progress == "auto" && isTerminal(stderr)
	if showBar {
		clearLine = "\r\x1b[K"
	}
	done := make(chan struct{})
	var handlerWG sync.WaitGroup
	handlerWG.Go(func() { handleSignals(sigs, done, p, cancelStop, budget, logf) })

	before := usage()
	var total scan.Summary
	scans := 0
	for {
		scans++
		if fleet != nil && scans > 1 {
			fleet.Advance()
		}
		var bar *progressbar.ProgressBar
		if showBar {
			bar = progressbar.NewOptions(len(targets),
				progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription(fmt.Sprintf("scan %d", scans)),
				progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
		}
		var seen atomic.Int64
		sum := scan.Run(stop, p, targets, scans, pollFn, func(r poll.Result) {
			_ = lines.Write(r) // the first error is reported once, below
			if bar != nil {
				_ = bar.Add(1)
			}
			// Sample the pool's size now and then, to report how far
			// autoscaling went; Stats takes the pool's lock, so not for
			// every device.
			if seen.Add(1)%8 == 0 {
				storeMax(&peak, int64(p.Stats().Workers))
			}
		})
		if bar != nil {
			_ = bar.Finish()
		}
		total.Add(sum)
		printScan(stderr, scans, sum, p.Size(), int(peak.Load()))
		if err := lines.Err(); err != nil {
			logf("writing output: %v", err)
			break
		}
		if o.interval == 0 || stop.Err() != nil {
			break
		}
		if !sleepUntil(stop, time.Now().Add(o.interval-sum.Wall)) {
			break
		}
	}

	// Close runs nothing new (stop is done or every scan ended) and waits
	// for the workers to exit. A second SIGINT meanwhile makes the handler
	// call Stop, which cancels polls in flight; Close then returns too.
	closeErr := p.Close(context.Background())
	close(done)
	handlerWG.Wait()
	after := usage()

	cpu := after.sub(before)
	printTotals(stderr, o, total, scans, cpu, fleet != nil, int(peak.Load()))
	if o.summaryJSON != "" {
		if err := writeSummaryJSON(o, total, scans, cpu, int(peak.Load())); err != nil {
			logf("summary: %v", err)
			return exitFailure
		}
	}
	if closeErr != nil {
		logf("closing the pool: %v", closeErr)
		return exitFailure
	}
	if lines.Err() != nil {
		return exitFailure
	}
	return exitOK
}

// handleSignals serves the signals of a running poller until done is
// closed, and then those already delivered. SIGUSR1 doubles the pool and
// SIGUSR2 halves it, within [1, ceiling]; the first SIGINT, SIGTERM or SIGHUP
// calls cancelStop, the second stops the pool.
func handleSignals(sigs <-chan os.Signal, done <-chan struct{}, p *pool.Pool, cancelStop func(), ceiling int, logf func(string, ...any)) {
	interrupted := false
	for {
		var s os.Signal
		select {
		case <-done:
			// Serve what was delivered before done, so a signal sent
			// during the last scan is never lost to select's random pick.
			select {
			case s = <-sigs:
			default:
				return
			}
		case s = <-sigs:
		}
		switch s {
		case syscall.SIGUSR1, syscall.SIGUSR2:
			old := p.Size()
			n := old * 2
			if s == syscall.SIGUSR2 {
				n = max(old/2, 1)
			}
			if n > ceiling {
				logf("%s: not growing past %d workers: the open-files limit would be hit", sigName(s), ceiling)
				n = ceiling
			}
			// Resize returns at once: new workers start now, and surplus
			// ones exit when their current poll ends.
			p.Resize(n)
			logf("%s: workers %d -> %d", sigName(s), old, n)
		case syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP:
			if !interrupted {
				interrupted = true
				st := p.Stats()
				logf("%s: stopping; %d polls in flight finish or time out, nothing new starts (signal again to cancel them)", sigName(s), st.Busy)
				cancelStop()
				continue
			}
			logf("%s: cancelling the polls in flight", sigName(s))
			// Stop cancels the running tasks' ctx and hands back those not
			// started. Running them lets scan.Run count them as skipped:
			// stop is done, so they return without polling.
			tasks, _ := p.Stop(context.Background())
			for _, t := range tasks {
				t(context.Background())
			}
		}
	}
}

// storeMax raises v to n if n is larger. A plain load-compare-store could
// let a worker with an older, smaller sample overwrite a newer peak.
func storeMax(v *atomic.Int64, n int64) {
	for {
		cur := v.Load()
		if n <= cur || v.CompareAndSwap(cur, n) {
			return
		}
	}
}

// sigName returns the usual name of the signals the poller handles; Go's
// String gives "user defined signal 1" for SIGUSR1.
func sigName(s os.Signal) string {
	names := map[os.Signal]string{
		syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM", syscall.SIGHUP: "SIGHUP",
		syscall.SIGUSR1: "SIGUSR1", syscall.SIGUSR2: "SIGUSR2",
	}
	if n, ok := names[s]; ok {
		return n
	}
	return s.String()
}

// serveSim runs the simulated fleet alone until SIGINT/SIGTERM, for a
// poller in another process (the benchmark keeps the fleet's CPU time out
// of the measured poller's this way).
func serveSim(o options, sigs <-chan os.Signal, logf func(string, ...any)) int {
	fleet, err := simagent.Start(o.sim, simagent.Config{Delay: o.simDelay})
	if err != nil {
		logf("starting the simulated fleet: %v", err)
		return exitFailure
	}
	defer fleet.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "# %d simulated agents, written by snmppoller -serve-sim\n", fleet.Len())
	for _, t := range fleet.Targets() {
		b.WriteString(t.String() + "\n")
	}
	// Write then rename, so a reader waiting for the file never sees half
	// of it.
	tmp := o.serveSim + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		logf("writing targets: %v", err)
		return exitFailure
	}
	if err := os.Rename(tmp, o.serveSim); err != nil {
		logf("writing targets: %v", err)
		return exitFailure
	}
	logf("serving %d simulated agents on 127.0.0.1 (reply delay %v); targets in %s; SIGINT stops", fleet.Len(), o.simDelay, o.serveSim)
	for s := range sigs {
		switch s {
		case syscall.SIGHUP:
			fleet.Advance()
			logf("SIGHUP: counters advanced to epoch %d", fleet.Epoch())
		case syscall.SIGINT, syscall.SIGTERM:
			logf("%s: stopping the fleet", sigName(s))
			return exitOK
		}
	}
	return exitOK
}

// raiseNoFile lifts the soft open-files limit to the hard one: each device
// polled at once holds a socket, and the simulated fleet one per agent.
// It returns the soft limit in force afterwards.
func raiseNoFile(logf func(string, ...any)) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		logf("reading RLIMIT_NOFILE: %v", err)
		return 1024
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			logf("raising RLIMIT_NOFILE from %d to %d: %v", lim.Cur, lim.Max, err)
		} else {
			lim = want
		}
	}
	return int(min(lim.Cur, 1<<30))
}

// fdBudget estimates how many devices can be polled at once without
// running out of descriptors, keeping 64 for stdio, the output file, the
// runtime's poller and the like.
func fdBudget(nofile, simAgents, perDevice int) int {
	return max((nofile-simAgents-64)/perDevice, 0)
}

// cpuTimes is the CPU time used by the process and by its waited-for
// children.
type cpuTimes struct {
	user, sys, childUser, childSys time.Duration
}

func usage() cpuTimes {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	return cpuTimes{
		user:      time.Duration(self.Utime.Nano()),
		sys:       time.Duration(self.Stime.Nano()),
		childUser: time.Duration(kids.Utime.Nano()),
		childSys:  time.Duration(kids.Stime.Nano()),
	}
}

func (a cpuTimes) sub(b cpuTimes) cpuTimes {
	return cpuTimes{a.user - b.user, a.sys - b.sys, a.childUser - b.childUser, a.childSys - b.childSys}
}

func printScan(w io.Writer, n int, s scan.Summary, size, peak int) {
	fmt.Fprintf(w, "scan %d: %d devices: %d ok, %d failed", n, s.Devices, s.OK, s.Failed)
	if s.Skipped > 0 {
		fmt.Fprintf(w, ", %d skipped (stopped)", s.Skipped)
	}
	fmt.Fprintf(w, "; %d varbinds in %.2fs; pool size %d, peak workers %d\n", s.Varbinds, s.Wall.Seconds(), size, peak)
	for _, k := range s.FailureKinds() {
		fmt.Fprintf(w, "  failed with %s: %d\n", k, s.Failures[k])
	}
}

func printTotals(w io.Writer, o options, s scan.Summary, scans int, cpu cpuTimes, simInProcess bool, peak int) {
	fmt.Fprintf(w, "summary: mode %s, %d scan(s), devices ok %d, failed %d", o.mode, scans, s.OK, s.Failed)
	if s.Skipped > 0 {
		fmt.Fprintf(w, ", skipped %d", s.Skipped)
	}
	fmt.Fprintf(w, ", varbinds %d, wall %.2fs, workers %d", s.Varbinds, s.Wall.Seconds(), o.workers)
	if o.maxWorkers > 0 {
		fmt.Fprintf(w, " (max %d, peak %d)", o.maxWorkers, peak)
	}
	fmt.Fprintf(w, "\ncpu: poller user %.2fs sys %.2fs; children user %.2fs sys %.2fs\n",
		cpu.user.Seconds(), cpu.sys.Seconds(), cpu.childUser.Seconds(), cpu.childSys.Seconds())
	if simInProcess {
		fmt.Fprintln(w, "note: the simulated fleet runs inside this process, so its CPU time is in the poller's; use -serve-sim to measure apart")
	}
}

// summaryJSON is the machine-readable summary -summary-json writes.
type summaryJSON struct {
	Mode                string         `json:"mode"`
	Workers             int            `json:"workers"`
	MaxWorkers          int            `json:"max_workers"`
	PeakWorkers         int            `json:"peak_workers"`
	Scans               int            `json:"scans"`
	Devices             int            `json:"devices"`
	OK                  int            `json:"ok"`
	Failed              int            `json:"failed"`
	Skipped             int            `json:"skipped"`
	Failures            map[string]int `json:"failures"`
	Varbinds            int64          `json:"varbinds"`
	WallSeconds         float64        `json:"wall_seconds"`
	UserSeconds         float64        `json:"user_cpu_seconds"`
	SysSeconds          float64        `json:"sys_cpu_seconds"`
	ChildrenUserSeconds float64        `json:"children_user_cpu_seconds"`
	ChildrenSysSeconds  float64        `json:"children_sys_cpu_seconds"`
}

func writeSummaryJSON(o options, s scan.Summary, scans int, cpu cpuTimes, peak int) error {
	if s.Failures == nil {
		s.Failures = map[string]int{}
	}
	b, err := json.MarshalIndent(summaryJSON{
		Mode: o.mode, Workers: o.workers, MaxWorkers: o.maxWorkers, PeakWorkers: peak,
		Scans: scans, Devices: s.Devices, OK: s.OK, Failed: s.Failed, Skipped: s.Skipped, Failures: s.Failures,
		Varbinds: s.Varbinds, WallSeconds: s.Wall.Seconds(),
		UserSeconds: cpu.user.Seconds(), SysSeconds: cpu.sys.Seconds(),
		ChildrenUserSeconds: cpu.childUser.Seconds(), ChildrenSysSeconds: cpu.childSys.Seconds(),
	}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Clean(o.summaryJSON), append(b, '\n'), 0o644)
}

// isTerminal reports whether w is a terminal, where a progress bar makes
// sense; a file or a pipe would only collect its escape codes.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// sleepUntil waits until t or until stop is done, and reports whether t
// came first.
func sleepUntil(stop context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return stop.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-stop.Done():
		return false
	}
}
