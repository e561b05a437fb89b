package main

// This file is the part of snmppoller that uses the pool, and the one to
// read to learn how: make a pool, poll every target through it, get each
// result back, resize it on a signal while a scan runs, close it at the
// end. The rest of the program reads flags and targets, writes the results
// and reports.

import (
	"context"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
	"github.com/lullgo/lull/pool"
)

// newPool returns the pool that polls the devices: its size is the number
// of devices polled at once. With maxWorkers above workers it grows by
// itself, up to maxWorkers, while devices wait for a worker, and the extra
// workers exit once idle for idleTimeout. The caller closes it.
func newPool(workers, maxWorkers int, idleTimeout time.Duration) *pool.Pool {
	if maxWorkers <= workers {
		return pool.New(workers)
	}
	return pool.New(workers, pool.WithMaxWorkers(maxWorkers), pool.WithIdleTimeout(idleTimeout))
}

// runScans makes the pool and serves the signals while scan runs: once,
// or with interval > 0 again every interval, start to start, until the
// first stop signal or until scan returns false. Then it closes the pool,
// which waits for its workers to exit, and returns Close's error.
//
// scan gets the pool and the two contexts of a shutdown, which it passes
// to [scanFleet].
func runScans(workers, maxWorkers int, idleTimeout, interval time.Duration, ceiling int,
	sigs <-chan os.Signal, logf func(string, ...any),
	scan func(scanNo int, p *pool.Pool, stop, cancel context.Context) (more bool)) error {
	p := newPool(workers, maxWorkers, idleTimeout)
	stop, stopNow := context.WithCancel(context.Background())
	defer stopNow()
	cancel, cancelNow := context.WithCancel(context.Background())
	defer cancelNow()

	done := make(chan struct{})
	var handler sync.WaitGroup
	handler.Go(func() { handleSignals(sigs, done, p, ceiling, stopNow, cancelNow, logf) })

	for n := 1; ; n++ {
		start := time.Now()
		if !scan(n, p, stop, cancel) || interval == 0 || !sleepUntil(stop, start.Add(interval)) {
			break
		}
	}
	// Every scan has ended, so Close has nothing left to run: it waits for
	// the workers to exit. The handler still serves signals meanwhile.
	err := p.Close(context.Background())
	close(done)
	handler.Wait()
	return err
}

// scanFleet polls every target once with fn on p's workers, and passes
// each result to emit, from the worker that polled it: emit must be safe
// for concurrent use. It returns when every poll it started has ended.
//
// A shutdown has two steps, and scanFleet takes a ctx for each:
//   - once stop is done, no poll starts; those running finish, or time
//     out (-device-timeout), and their results come whole;
//   - once cancel is done, the polls running are cancelled too, and
//     report [poll.KindCanceled].
//
// A device's failure is part of its Result, not an error: the error
// scanFleet returns is a panic of fn (a *pool.PanicError with its stack).
func scanFleet(stop, cancel context.Context, p *pool.Pool, targets []target.Target, fn poll.Func, emit func(poll.Result)) error {
	// The group's functions run on p's workers, each in the group's ctx,
	// which cancel's end cancels. Go blocks while p's backlog is full, so
	// a fleet larger than the backlog waits for workers, not in memory.
	g, _ := p.Group(cancel)
	for _, t := range targets {
		if stop.Err() != nil {
			break
		}
		err := g.Go(func(ctx context.Context) error {
			// A poll queued before stop that starts after it is skipped.
			// One that passes this check just before stop runs to its
			// end: stop only promises that nothing starts once it is seen.
			if stop.Err() != nil {
				return nil
			}
			emit(fn(ctx, t))
			return nil
		})
		if err != nil {
			break // cancel is done: the rest of the fleet is not polled
		}
	}
	return g.Wait()
}

// handleSignals serves the signals of a running poller until done is
// closed, and then those already delivered, so that none is lost to the
// end of the last scan.
//
// SIGUSR1 doubles the pool and SIGUSR2 halves it, within [1, ceiling].
// The first SIGINT, SIGTERM or SIGHUP calls stop: no new poll starts. The
// second calls cancel: the polls in flight are cancelled.
func handleSignals(sigs <-chan os.Signal, done <-chan struct{}, p *pool.Pool, ceiling int, stop, cancel func(), logf func(string, ...any)) {
	interrupted := false
	for {
		var s os.Signal
		select {
		case <-done:
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
			// Resize returns at once: new workers start polling waiting
			// devices now, and surplus ones exit when their poll ends.
			p.Resize(n)
			logf("%s: workers %d -> %d", sigName(s), old, n)
		case syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP:
			if !interrupted {
				interrupted = true
				busy := p.Stats().Busy
				stop()
				logf("%s: stopping; %d polls in flight finish or time out, nothing new starts (signal again to cancel them)", sigName(s), busy)
				continue
			}
			logf("%s: cancelling the polls in flight", sigName(s))
			cancel()
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

// sleepUntil waits until t or until stop is done, and reports whether t
// came first.
func sleepUntil(stop context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return stop.Err() == nil
	case <-stop.Done():
		return false
	}
}
