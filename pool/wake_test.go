package pool_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// TestWakeChain submits, in a burst, as many tasks as a warm pool has idle
// workers, each of which waits until all of them have started: they finish
// only if every one of them runs at once. Submits that come faster than the
// workers they wake get to run leave their tasks in the backlog for the
// woken worker to pass on (see the pool's file comment, Waking); a task left
// for a busy worker while another was idle would hang the round. The
// rounds run at GOMAXPROCS 1, 2 and 8, so that woken workers run late.
func TestWakeChain(t *testing.T) {
	for _, procs := range []int{1, 2, 8} {
		t.Run(fmt.Sprintf("procs=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			for _, size := range []int{2, 3, 8, 33} {
				for _, qs := range []int{1, 4, 64} {
					p := pool.New(size, pool.WithQueueSize(qs))
					for round := range 40 {
						wakeChainRound(t, p, size, round)
					}
					watchdog.Within(t, watchdog.Limit, "Close", func() {
						if err := p.Close(context.Background()); err != nil {
							t.Error(err)
						}
					})
				}
			}
		})
	}
}

func wakeChainRound(t *testing.T, p *pool.Pool, size, round int) {
	t.Helper()
	ctx := watchdog.Ctx(t)
	var startedN atomic.Int64
	all := make(chan struct{}) // closed once every task has started
	done := make(chan struct{}, size)
	for range size {
		// With fewer than size workers running, the tasks that started
		// wait forever.
		task := func(context.Context) {
			if startedN.Add(1) == int64(size) {
				close(all)
			}
			select {
			case <-all:
			case <-ctx.Done():
			}
			done <- struct{}{}
		}
		if err := p.Submit(ctx, task); err != nil {
			t.Fatalf("round %d: Submit: %v", round, err)
		}
	}
	for range size {
		select {
		case <-done:
		case <-ctx.Done():
			t.Fatalf("size %d, round %d: the tasks did not all run at once: %v", size, round, p.Stats())
		}
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("round %d: Wait: %v (%v)", round, err, p.Stats())
	}
	if s := p.Stats(); s.Idle != size || s.Busy != 0 {
		t.Fatalf("round %d: after Wait, %v; want %d idle", round, s, size)
	}
}
