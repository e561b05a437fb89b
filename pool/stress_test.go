package pool_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullgo/lull/pool"
)

// TestStress mixes Submit, TrySubmit, Go and Group.Go with panics, Goexits,
// cancelled submissions and Resizes many times over, then ends with Close or
// Stop, and checks that every accepted task ran exactly once or was handed
// back, and that no refused task ran. A Go function whose ctx ended before it
// started, or that Stop took from the backlog, never runs: its Future says so
// (ctx.Err() or ErrClosed). A Group function that Stop took fails the group
// with ErrClosed instead, so under Stop a group function runs at most once.
//
// The rounds run on four configurations: an autoscaled pool with a small
// backlog; the same whose extra workers time out after a millisecond, so
// that the idle timer retires workers in the middle of everything else; a
// pool with no backlog; and a fixed pool with a backlog large enough that
// most Submits and most workers take the ring's fast paths. Half of them
// run at GOMAXPROCS 8, above the number of CPUs, so that the OS preempts
// goroutines in the middle of an operation.
func TestStress(t *testing.T) {
	configs := []struct {
		name string
		opts []pool.Option
	}{
		{"auto", []pool.Option{pool.WithQueueSize(4), pool.WithMaxWorkers(6)}},
		{"auto-timeout", []pool.Option{pool.WithQueueSize(4), pool.WithMaxWorkers(6), pool.WithIdleTimeout(time.Millisecond)}},
		{"no-backlog", []pool.Option{pool.WithQueueSize(0)}},
		{"fast-paths", []pool.Option{pool.WithQueueSize(64)}},
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			for round := range 8 {
				if round == 4 {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
				}
				stop := round%2 == 1
				stressRound(t, uint64(round), stop, c.opts)
			}
		})
	}
}

// sharedCtxs hands out a few ctxs that several submitters use at once, each
// made anew once cancelled: so that Submits park under one ctx, and wait for
// it through one link (see internal/wait.Links), when it ends.
type sharedCtxs struct {
	mu      sync.Mutex
	ctxs    [2]context.Context
	cancels [2]context.CancelFunc
}

func (s *sharedCtxs) get(r *rand.Rand) (context.Context, context.CancelFunc) {
	i := r.IntN(len(s.ctxs))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctxs[i] == nil || s.ctxs[i].Err() != nil {
		s.ctxs[i], s.cancels[i] = context.WithCancel(context.Background())
	}
	return s.ctxs[i], s.cancels[i]
}

func (s *sharedCtxs) cancelAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.cancels {
		if c != nil {
			c()
		}
	}
}

func stressRound(t *testing.T, seed uint64, stop bool, opts []pool.Option) {
	const submitters, perSubmitter = 4, 300
	const n = submitters * perSubmitter
	var panics atomic.Int64
	p := pool.New(2, append(opts, pool.WithPanicHandler(func(*pool.PanicError) { panics.Add(1) }))...)

	var (
		accepted   [n]atomic.Bool
		isGroup    [n]atomic.Bool
		ran        [n]atomic.Int32
		handedBack atomic.Bool // set once Stop returned: what runs then was handed back
		backRan    [n]atomic.Int32
	)
	// body is what task id does, however it was submitted.
	body := func(id int, r uint64) {
		if handedBack.Load() {
			backRan[id].Add(1)
		} else {
			ran[id].Add(1)
		}
		switch r % 16 {
		case 0:
			panic("task panic")
		case 1:
			runtime.Goexit()
		}
	}

	g, _ := p.Group(context.Background())
	shared := &sharedCtxs{}
	defer shared.cancelAll()
	var wg sync.WaitGroup
	var futures sync.Map // id -> *pool.Future[int]
	for s := range submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(s)))
			for i := range perSubmitter {
				id := s*perSubmitter + i
				kind, fate := r.IntN(8), r.Uint64()
				ctx, cancel := context.WithCancel(context.Background())
				end := cancel
				if r.IntN(3) == 0 {
					// Under a ctx that other Submits share, and that
					// outlives this one unless cancelled below.
					cancel()
					ctx, cancel = shared.get(r)
					end = func() {}
				}
				if r.IntN(4) == 0 {
					go func() { runtime.Gosched(); cancel() }()
				}
				var err error
				switch kind {
				case 0:
					err = p.TrySubmit(func(context.Context) { body(id, fate) })
				case 1:
					var fu *pool.Future[int]
					fu, err = pool.Go(ctx, p, func(context.Context) (int, error) { body(id, fate); return id, nil })
					if err == nil {
						futures.Store(id, fu)
					}
				case 2:
					isGroup[id].Store(true)
					err = g.Go(func(context.Context) error {
						body(id, fate%14+2) // no panic or Goexit: the group would fail
						return nil
					})
				default:
					err = p.Submit(ctx, func(context.Context) { body(id, fate) })
				}
				end()
				switch {
				case err == nil:
					accepted[id].Store(true)
				case errors.Is(err, pool.ErrClosed), errors.Is(err, pool.ErrFull), errors.Is(err, context.Canceled):
				default:
					t.Errorf("submit: unexpected error %v", err)
				}
			}
		}()
	}
	resized := make(chan struct{})
	go func() {
		defer close(resized)
		r := rand.New(rand.NewPCG(seed, 99))
		for range 200 {
			p.Resize(r.IntN(8))
			runtime.Gosched()
		}
		p.Resize(3) // not paused at the end, or blocked Submits would wait forever
	}()
	<-resized
	wg.Wait()

	if stop {
		back, err := p.Stop(context.Background())
		if err != nil {
			t.Fatalf("Stop: %v", err)
		}
		handedBack.Store(true)
		// Run what came back as a caller would; a task may panic or call
		// runtime.Goexit, so each gets a goroutine of its own.
		var runs sync.WaitGroup
		for _, task := range back {
			runs.Add(1)
			go func() {
				defer runs.Done()
				defer func() { _ = recover() }()
				task(context.Background())
			}()
		}
		runs.Wait()
	} else if err := p.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := g.Wait(); err != nil && !(stop && errors.Is(err, pool.ErrClosed)) {
		t.Fatalf("Group.Wait: %v", err)
	}
	// A future that did not run says why; its panic counts in Stats too.
	notRun := map[int]bool{}
	futurePanics := int64(0)
	futures.Range(func(k, v any) bool {
		_, err := v.(*pool.Future[int]).Get(context.Background())
		var pe *pool.PanicError
		switch {
		case errors.Is(err, context.Canceled), errors.Is(err, pool.ErrClosed):
			notRun[k.(int)] = true
		case errors.As(err, &pe):
			futurePanics++
		}
		return true
	})
	for id := range n {
		want := int32(0)
		if accepted[id].Load() && !notRun[id] {
			want = 1
		}
		got := ran[id].Load() + backRan[id].Load()
		if stop && isGroup[id].Load() && got == 0 {
			want = 0 // taken from the backlog by Stop: the group failed with ErrClosed
		}
		if got != want {
			t.Fatalf("seed %d task %d: accepted %v, ran %d times (%d after Stop)",
				seed, id, accepted[id].Load(), got, backRan[id].Load())
		}
		if !stop && backRan[id].Load() != 0 {
			t.Fatalf("task %d handed back by Close", id)
		}
	}
	futures.Range(func(k, v any) bool {
		if got, err := v.(*pool.Future[int]).Get(context.Background()); err == nil && got != k.(int) {
			t.Errorf("future %d returned %d", k, got)
		}
		return true
	})
	st := p.Stats()
	if st.Workers != 0 || st.Busy != 0 || st.Queued != 0 {
		t.Fatalf("after shutdown: Stats() = %+v", st)
	}
	nAccepted := uint64(0)
	for id := range n {
		if accepted[id].Load() {
			nAccepted++
		}
	}
	if st.Submitted != nAccepted {
		t.Fatalf("Stats().Submitted = %d, %d tasks accepted", st.Submitted, nAccepted)
	}
	if !stop && st.Completed != st.Submitted {
		t.Fatalf("after Close: Stats() = %+v, want every accepted task completed", st)
	}
	if int64(st.Panicked) != panics.Load()+futurePanics {
		t.Fatalf("Stats().Panicked = %d, handler saw %d and futures %d", st.Panicked, panics.Load(), futurePanics)
	}
}
