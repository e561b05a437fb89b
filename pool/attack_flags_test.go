package pool_test

import (
	"context"
	"flag"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// attackLong runs the adversarial tests (attack_*_test.go) for their full
// rounds, as when they were written to find the races they check: minutes
// on 2 CPUs. By default they run a tenth or less, which keeps make test
// and the emulated ARM runs short and still fails within a few runs if a
// race comes back.
var attackLong = flag.Bool("attack.long", false, "run the adversarial tests' full rounds")

// attackRounds returns full with -attack.long, and short otherwise.
func attackRounds(full, short int) int {
	if *attackLong {
		return full
	}
	return short
}

// closeWithin closes p, ignoring its error, and fails t if Close has not
// returned within watchdog.Limit: the end of a round whose checks are done.
func closeWithin(t *testing.T, p *pool.Pool) {
	t.Helper()
	watchdog.Within(t, watchdog.Limit, "Close", func() { _ = p.Close(context.Background()) })
}

// racedSubmit submits t to p from a goroutine that spins until released,
// releases it, yields round%7 times and calls do, so that rounds in a row
// shift do against the Submit; it returns Submit's error once both are done.
func racedSubmit(p *pool.Pool, t pool.Task, round int, do func()) error {
	var err error
	var start atomic.Bool
	var ready, done sync.WaitGroup
	ready.Add(1)
	done.Add(1)
	go func() {
		defer done.Done()
		ready.Done()
		for !start.Load() {
		}
		err = p.Submit(context.Background(), t)
	}()
	ready.Wait()
	start.Store(true)
	for range round % 7 {
		runtime.Gosched()
	}
	do()
	done.Wait()
	return err
}
