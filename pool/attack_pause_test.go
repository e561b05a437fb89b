package pool_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// TestAttackResize0UnderFastPathStorm pauses a pool whose workers take
// short tasks from the ring on the fast path while Submits fill it on
// theirs. A worker may have claimed a task just before Resize(0) took
// effect and start it just after Resize(0) returned; but no worker may
// start a second one after that, so at most as many tasks as there were
// workers start once Resize(0) returned. Stop then hands back the rest,
// and the ledger must balance: every accepted task ran once or came back.
func TestAttackResize0UnderFastPathStorm(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	const workers, submitters, n = 4, 4, 4000
	for round := range 200 {
		p := pool.New(workers, pool.WithQueueSize(1+round%64))
		var paused atomic.Bool
		var late, ran atomic.Int64
		var accepted atomic.Int64
		var startedN atomic.Int64
		warm := make(chan struct{})
		var once sync.Once
		task := func(context.Context) {
			if paused.Load() {
				late.Add(1)
			}
			ran.Add(1)
			for range 50 {
				runtime.Gosched()
			}
			if startedN.Add(1) == 200 {
				once.Do(func() { close(warm) })
			}
		}
		ctx, cancel := context.WithCancel(watchdog.Ctx(t))
		var wg sync.WaitGroup
		for range submitters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range n / submitters {
					err := p.Submit(ctx, task)
					if err == nil {
						accepted.Add(1)
						continue
					}
					if !errors.Is(err, context.Canceled) && !errors.Is(err, pool.ErrClosed) {
						t.Errorf("Submit: %v", err)
					}
					return
				}
			}()
		}
		watchdog.Recv(t, "200 tasks to start", warm)
		p.Resize(0)
		paused.Store(true)
		cancel()
		wg.Wait()
		back, err := p.Stop(watchdog.Ctx(t))
		if err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if round%40 == 0 {
			t.Logf("round %d: accepted %d ran %d back %d late %d", round, accepted.Load(), ran.Load(), len(back), late.Load())
		}
		if l := late.Load(); l > workers {
			t.Fatalf("round %d: %d tasks started after Resize(0) returned, with %d workers", round, l, workers)
		}
		if got := ran.Load() + int64(len(back)); got != accepted.Load() {
			t.Fatalf("round %d: %d accepted, %d ran and %d came back", round, accepted.Load(), ran.Load(), len(back))
		}
	}
}
