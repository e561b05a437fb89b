// Command snmppoller polls SNMPv2c agents for their interface table through
// a [pool.Pool] whose size can change while it runs.
//
// With no -targets it starts a simulated fleet of 700 agents on 127.0.0.1
// inside the process and polls that, so it runs with no setup:
//
//	go run ./examples/snmppoller
//
// In a terminal it shows a progress bar, then a summary: devices polled and
// failed by reason, interfaces up and down, the busiest interfaces, time
// and CPU. Each device gives one JSON line, written to -o FILE, or to
// stdout when stdout is not a terminal: its interfaces with names, status,
// 64-bit octet counters and, with -interval, bit rates, or the reason it
// failed. See README.md, or -h, for the flags, signals and exit codes.
//
// poller.go is the part that uses the pool: a scan is a [pool.Group] of
// one poll per device, and SIGUSR1/SIGUSR2 resize the pool while it runs.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/rate"
	"github.com/lullgo/lull/examples/snmppoller/internal/report"
	"github.com/lullgo/lull/examples/snmppoller/internal/simagent"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
	"github.com/lullgo/lull/pool"
)

// Exit codes, as -h and README.md list them.
const (
	exitOK         = 0
	exitFailure    = 1 // the run could not be done: fleet, output, snmpbulkwalk
	exitUsage      = 2 // bad flags, targets file or output path
	exitSomeFailed = 3 // some devices failed
	exitAllFailed  = 4 // every device polled failed
)

func main() {
	tuneGC()
	// Signals are subscribed here, not in run, so tests can drive run with
	// a channel of their own.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP)
	code := run(os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, sigs: sigs, isTerminal: isTerminal})
	signal.Stop(sigs)
	os.Exit(code)
}

// env is what run gets from the process; tests give their own.
type env struct {
	stdout, stderr io.Writer
	// sigs delivers the signals main subscribed to; run reads it until it
	// returns.
	sigs <-chan os.Signal
	// isTerminal reports whether a writer is a terminal.
	isTerminal func(io.Writer) bool
}

// run is the whole program; it returns the exit code.
func run(args []string, e env) int {
	log := &logger{w: e.stderr}
	o, err := parseFlags(args, e.stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printHelp(e.stdout)
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage // the flag package said why
	case err != nil:
		log.printf("%v", err)
		return exitUsage
	}
	nofile := raiseNoFile(log.printf)
	if o.serveSim != "" {
		return serveSim(o, e.sigs, log.printf)
	}
	pl, code := prepare(o, e, log, nofile)
	if pl == nil {
		return code
	}
	defer pl.close()
	return pl.run(e.sigs)
}

// poller is a prepared run: what to poll, how, and where the results go.
type poller struct {
	o       options
	targets []target.Target
	fleet   *simagent.Fleet // the simulated fleet, or nil with -targets
	poll    poll.Func
	// ceiling is the most workers the open-files limit allows.
	ceiling int
	out     outputs
	lines   *report.LineWriter // nil when no JSON lines are written
	// jsonFile and summaryFile are the -o and -summary-json files, or nil.
	jsonFile, summaryFile *os.File
	log                   *logger
}

// prepare checks and sets up everything a run needs, in an order that
// fails early: the targets, the way to poll, the open-files limit, the
// output files, and only then the simulated fleet. It returns nil and the
// exit code if something is wrong.
func prepare(o options, e env, log *logger, nofile int) (*poller, int) {
	pl := &poller{o: o, log: log}
	var err error
	if o.targetsFile != "" {
		if pl.targets, err = target.Load(o.targetsFile); err != nil {
			log.printf("%v", err)
			return nil, exitUsage
		}
	}

	perDeviceFDs := 1 // gosnmp: one UDP socket per device polled
	if o.mode == "exec" {
		if pl.poll, err = poll.Exec(o.poll); err != nil {
			log.printf("%v", err)
			return nil, exitFailure
		}
		// Per running snmpbulkwalk the poller holds a stdout pipe, a
		// stderr pipe and a pidfd, and briefly a few more while starting it.
		perDeviceFDs = 6
	} else {
		pl.poll = poll.GoSNMP(o.poll)
	}

	// Every device polled at once holds descriptors; so does every agent of
	// an in-process fleet. Check before the first socket rather than fail
	// half way through a scan.
	simFDs := 0
	if o.targetsFile == "" {
		simFDs = o.sim
	}
	pl.ceiling = fdBudget(nofile, simFDs, perDeviceFDs)
	if want := max(o.workers, o.maxWorkers); want > pl.ceiling {
		log.printf("the open-files limit (RLIMIT_NOFILE %d) allows about %d devices polled at once next to %d simulated agents; -workers/-max-workers asks for %d: lower them", nofile, pl.ceiling, simFDs, want)
		return nil, exitUsage
	}

	if pl.jsonFile, pl.summaryFile, err = createOutputs(o); err != nil {
		log.printf("%v", err)
		return nil, exitUsage
	}
	pl.out = chooseOutputs(o.progress, pl.jsonFile, e.stdout, e.stderr, e.isTerminal)
	if pl.out.json != nil {
		pl.lines = report.NewLineWriter(pl.out.json)
	}

	if o.targetsFile == "" {
		if pl.fleet, err = simagent.Start(o.sim, simagent.Config{Delay: o.simDelay}); err != nil {
			log.printf("starting the simulated fleet: %v", err)
			pl.close()
			return nil, exitFailure
		}
		pl.targets = pl.fleet.Targets()
		log.printf("simulated fleet: %d agents on 127.0.0.1, %d interfaces each, reply delay %v", o.sim, 48, o.simDelay)
	}
	if pl.out.bar != nil {
		log.clear = "\r\x1b[K"
	}
	return pl, 0
}

// close stops the simulated fleet and closes the output files that run
// has not closed (after an error, those are incomplete anyway).
func (pl *poller) close() {
	if pl.fleet != nil {
		pl.fleet.Close()
	}
	for _, f := range []*os.File{pl.jsonFile, pl.summaryFile} {
		if f != nil {
			f.Close()
		}
	}
}

// run polls the targets, once or every -interval, reports, and returns
// the exit code.
func (pl *poller) run(sigs <-chan os.Signal) int {
	o := pl.o
	before := cpuUsage()
	var (
		total   report.Summary
		scans   int
		scanErr error
		peak    atomic.Int64 // the most workers seen, for -max-workers
		rates   *rate.Tracker
	)
	peak.Store(int64(o.workers))
	if o.interval > 0 {
		rates = new(rate.Tracker)
	}
	closeErr := runScans(o.workers, o.maxWorkers, o.idleTimeout, o.interval, pl.ceiling, sigs, pl.log.printf,
		func(n int, p *pool.Pool, stop, cancel context.Context) bool {
			scans = n
			sum, err := pl.scan(n, p, stop, cancel, rates, &peak)
			total.Add(sum)
			printScan(pl.out.report, n, sum, p.Size(), int(peak.Load()))
			if err != nil {
				scanErr = err
				return false
			}
			return pl.lines == nil || pl.lines.Err() == nil
		})
	cpu := cpuUsage().sub(before)
	printTotals(pl.out.report, o, total, scans, cpu, pl.fleet != nil, pl.out.jsonTo)

	failed := false
	if scanErr != nil {
		pl.log.printf("a poll panicked: %v", scanErr)
		failed = true
	}
	if pl.lines != nil && pl.lines.Err() != nil {
		pl.log.printf("writing the JSON lines: %v", pl.lines.Err())
		failed = true
	}
	if closeErr != nil {
		pl.log.printf("closing the pool: %v", closeErr)
		failed = true
	}
	if f := pl.jsonFile; f != nil {
		pl.jsonFile = nil
		if err := f.Close(); err != nil {
			pl.log.printf("-o: %v", err)
			failed = true
		}
	}
	if f := pl.summaryFile; f != nil {
		pl.summaryFile = nil
		if err := writeSummaryJSON(f, o, total, scans, cpu, int(peak.Load())); err != nil {
			pl.log.printf("-summary-json: %v", err)
			failed = true
		}
	}
	return exitCode(total, failed)
}

// scan polls every target once through p, as scan n, and returns what it
// found. rates, if not nil, sets the bit rates from the previous scan.
func (pl *poller) scan(n int, p *pool.Pool, stop, cancel context.Context, rates *rate.Tracker, peak *atomic.Int64) (report.Summary, error) {
	if pl.fleet != nil && n > 1 {
		pl.fleet.Advance() // the simulated traffic of one interval
	}
	bar := pl.out.newBar(n, len(pl.targets))
	tally := report.NewTally(len(pl.targets))
	var seen atomic.Int64
	start := time.Now()
	err := scanFleet(stop, cancel, p, pl.targets, pl.poll, func(r poll.Result) {
		r.Scan = n
		if rates != nil {
			rates.Update(&r)
		}
		if pl.lines != nil {
			_ = pl.lines.Write(r) // the first error is reported once, at the end
		}
		tally.Add(r)
		if bar != nil {
			_ = bar.Add(1)
		}
		// Sample the pool's size now and then, to report how far
		// autoscaling went; Stats takes the pool's lock, so not for every
		// device.
		if seen.Add(1)%8 == 0 {
			storeMax(peak, int64(p.Stats().Workers))
		}
	})
	if bar != nil {
		_ = bar.Finish()
	}
	return tally.Summary(time.Since(start)), err
}

// exitCode returns the exit code of a run that found total; failed says
// the run itself went wrong (output, pool, a panic).
func exitCode(total report.Summary, failed bool) int {
	switch {
	case failed:
		return exitFailure
	case total.Failed > 0 && total.OK == 0:
		return exitAllFailed
	case total.Failed > 0:
		return exitSomeFailed
	}
	return exitOK
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
