package pool_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// TestAttackAutoscaleBurstWhileRetiring sends, to an autoscaled pool whose
// extra workers time out after a millisecond, bursts of max tasks that each
// wait until all of them have started: a burst completes only if the pool
// grows to its maximum for it. The bursts come from several goroutines, and
// between bursts the test waits about the idle timeout (spinning, with a
// random part), so that the idle timer retires workers while a burst
// arrives. A task left in the backlog behind busy workers while the pool
// could start another worker hangs the burst.
func TestAttackAutoscaleBurstWhileRetiring(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	for _, c := range []struct{ size, max, queue, submitters int }{
		{1, 2, 1, 1}, {1, 3, 2, 2}, {2, 4, 4, 2}, {1, 4, 64, 4},
	} {
		t.Run(fmt.Sprintf("size=%d,max=%d,queue=%d,submitters=%d", c.size, c.max, c.queue, c.submitters), func(t *testing.T) {
			p := pool.New(c.size, pool.WithMaxWorkers(c.max), pool.WithIdleTimeout(time.Millisecond), pool.WithQueueSize(c.queue))
			defer func() {
				closeWithin(t, p)
			}()
			r := rand.New(rand.NewPCG(uint64(c.max), uint64(c.queue)))
			rounds := attackRounds(1500, 150)
			for round := range rounds {
				ctx, cancel := context.WithTimeout(context.Background(), watchdog.Limit)
				var startedN atomic.Int64
				all := make(chan struct{})
				var done sync.WaitGroup
				done.Add(c.max)
				task := func(context.Context) {
					defer done.Done()
					if startedN.Add(1) == int64(c.max) {
						close(all)
					}
					select {
					case <-all:
					case <-ctx.Done():
					}
				}
				var subs sync.WaitGroup
				for s := range c.submitters {
					subs.Add(1)
					go func() {
						defer subs.Done()
						for range c.max/c.submitters + boolInt(s < c.max%c.submitters) {
							if err := p.Submit(ctx, task); err != nil {
								t.Errorf("round %d: Submit: %v", round, err)
							}
						}
					}()
				}
				subs.Wait()
				done.Wait()
				if ctx.Err() != nil {
					cancel()
					t.Fatalf("round %d: the %d tasks of the burst did not all run at once (%d started): %v", round, c.max, startedN.Load(), p.Stats())
				}
				cancel()
				// Idle around the timeout, so that the next burst meets
				// the timer.
				d := 700*time.Microsecond + time.Duration(r.IntN(600))*time.Microsecond
				for start := time.Now(); time.Since(start) < d; {
				}
			}
		})
	}
}
