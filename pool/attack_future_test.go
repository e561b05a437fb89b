package pool_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// TestAttackFutureGetDoneRaceCompletion races, for each Future, Done, Get
// with a ctx that can end, and Get with one that cannot, against the
// function's completion on the fast paths (a backlog of 2, so that most
// Futures are taken from the ring by busy workers), with some functions
// panicking or calling runtime.Goexit, and a Stop in the middle. Every
// reader of a Future must see the same result, Done must be closed once Get
// returned, and a Future must end with its value, its panic, ErrGoexit, or
// ErrClosed when Stop took it.
func TestAttackFutureGetDoneRaceCompletion(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	for round := range 300 {
		p := pool.New(2, pool.WithQueueSize(2))
		const n = 64
		futs := make([]*pool.Future[int], 0, n)
		var readers sync.WaitGroup
		results := make([][3]error, n)
		values := make([][3]int, n)
		stopAt := round % n
		var back []pool.Task
		for i := range n {
			if i == stopAt {
				var err error
				back, err = p.Stop(watchdog.Ctx(t))
				if err != nil {
					t.Fatalf("Stop: %v", err)
				}
			}
			fu, err := pool.Go(context.Background(), p, func(context.Context) (int, error) {
				switch i % 5 {
				case 3:
					panic(i)
				case 4:
					runtime.Goexit()
				}
				return i, nil
			})
			if err != nil {
				if !errors.Is(err, pool.ErrClosed) || i < stopAt {
					t.Fatalf("round %d: Go %d: %v", round, i, err)
				}
				continue
			}
			futs = append(futs, fu)
			readers.Add(3)
			go func() {
				defer readers.Done()
				<-fu.Done()
				values[i][0], results[i][0] = fu.Get(context.Background())
			}()
			go func() {
				defer readers.Done()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				values[i][1], results[i][1] = fu.Get(ctx)
				select {
				case <-fu.Done():
				default:
					t.Errorf("round %d: future %d: Get returned, Done not closed", round, i)
				}
			}()
			go func() {
				defer readers.Done()
				values[i][2], results[i][2] = fu.Get(context.Background())
			}()
		}
		if len(back) != 0 {
			t.Fatalf("Stop handed back %d Go functions", len(back))
		}
		watchdog.Within(t, watchdog.Limit, "the readers of the Futures", readers.Wait)
		for i := range len(futs) {
			r, v := results[i], values[i]
			if !(errors.Is(r[0], r[1]) && errors.Is(r[1], r[2])) && !(r[0] != nil && r[1] != nil && r[2] != nil && r[0].Error() == r[1].Error() && r[1].Error() == r[2].Error()) || v[0] != v[1] || v[1] != v[2] {
				t.Fatalf("round %d: future %d: readers disagree: %v %v", round, i, r, v)
			}
			var pe *pool.PanicError
			switch {
			case r[0] == nil:
				if v[0] != i {
					t.Fatalf("round %d: future %d returned %d", round, i, v[0])
				}
			case errors.As(r[0], &pe):
				if i%5 != 3 {
					t.Fatalf("round %d: future %d: %v", round, i, r[0])
				}
			case errors.Is(r[0], pool.ErrGoexit):
				if i%5 != 4 {
					t.Fatalf("round %d: future %d: %v", round, i, r[0])
				}
			case errors.Is(r[0], pool.ErrClosed):
			default:
				t.Fatalf("round %d: future %d: %v", round, i, r[0])
			}
		}
	}
}
