package pool_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// TestAttackStopMidFastPath stops small-ring pools (capacity 1 to 4) while
// submitters are in the middle of the fast path, sometimes after Resize(0),
// sometimes after a Close that has not finished. Every accepted Submit or
// TrySubmit task ran once or came back from Stop (never both), every
// accepted Go function ran once (its Future then holds its value) or
// never (ErrClosed), and nothing refused ran.
func TestAttackStopMidFastPath(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	for round := range 3000 {
		r := rand.New(rand.NewPCG(uint64(round), 3))
		p := pool.New(1+r.IntN(2), pool.WithQueueSize(1+r.IntN(4)))
		const submitters, per = 3, 60
		const n = submitters * per
		var accepted [n]atomic.Bool
		var ran, back [n]atomic.Int32
		var handedBack atomic.Bool
		futs := make([]*pool.Future[int], n)
		var wg sync.WaitGroup
		var count atomic.Int64
		mid := make(chan struct{})
		at := int64(r.IntN(n/2) + 1)
		var once sync.Once
		for s := range submitters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range per {
					id := s*per + i
					body := func() {
						if handedBack.Load() {
							back[id].Add(1)
						} else {
							ran[id].Add(1)
						}
					}
					var err error
					switch id % 3 {
					case 0:
						futs[id], err = pool.Go(context.Background(), p, func(context.Context) (int, error) { body(); return id, nil })
					case 1:
						err = p.TrySubmit(func(context.Context) { body() })
					default:
						err = p.Submit(context.Background(), func(context.Context) { body() })
					}
					if err == nil {
						accepted[id].Store(true)
					} else if !errors.Is(err, pool.ErrClosed) && !errors.Is(err, pool.ErrFull) {
						t.Errorf("submit: %v", err)
					}
					if count.Add(1) == at {
						once.Do(func() { close(mid) })
					}
				}
			}()
		}
		select {
		case <-mid:
		case <-watchdog.Ctx(t).Done():
			t.Fatal("no submits")
		}
		switch round % 3 {
		case 1:
			p.Resize(0)
		case 2:
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_ = p.Close(ctx) // closes, does not wait
		}
		tasks, err := p.Stop(watchdog.Ctx(t))
		if err != nil {
			t.Fatalf("Stop: %v", err)
		}
		wg.Wait()
		handedBack.Store(true)
		for _, task := range tasks {
			task(context.Background())
		}
		for id := range n {
			got, b := ran[id].Load(), back[id].Load()
			if !accepted[id].Load() {
				if got+b != 0 {
					t.Fatalf("round %d: refused task %d ran", round, id)
				}
				continue
			}
			if id%3 == 0 {
				v, err := futs[id].Get(watchdog.Ctx(t))
				switch {
				case err == nil && v == id && got == 1 && b == 0:
				case errors.Is(err, pool.ErrClosed) && got == 0 && b == 0:
				default:
					t.Fatalf("round %d: Go %d: %d, %v; ran %d, handed back and ran %d", round, id, v, err, got, b)
				}
				continue
			}
			if got+b != 1 {
				t.Fatalf("round %d: task %d ran %d times and %d after Stop", round, id, got, b)
			}
		}
		if round%500 == 0 {
			t.Logf("round %d: %d handed back, %v", round, len(tasks), p.Stats())
		}
		if st := p.Stats(); st.Workers != 0 || st.Busy != 0 || st.Idle != 0 || st.Queued != 0 {
			t.Fatalf("round %d: after Stop: %v", round, st)
		}
	}
}
