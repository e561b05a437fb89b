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

// TestAttackPanicNilUnderGODEBUG panics with nil in a task while
// GODEBUG=panicnil=1, the setting with which a program keeps the behaviour of
// Go before 1.21 (set with //go:debug in its main package, or in its
// environment; the runtime honours a change of GODEBUG made with os.Setenv).
// Then recover returns nil, and the panic is recovered all the same. The
// pool must count the task as panicked, and stay consistent: one goroutine
// per worker, every task run once, Stats in agreement with the ledger.
func TestAttackPanicNilUnderGODEBUG(t *testing.T) {
	t.Setenv("GODEBUG", "panicnil=1")
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	var handled atomic.Int64
	p := pool.New(1, pool.WithPanicHandler(func(*pool.PanicError) { handled.Add(1) }))
	const n = 100
	var ran [n]atomic.Int32
	var concurrent, maxConcurrent atomic.Int32
	for i := range n {
		i := i
		if err := p.Submit(context.Background(), func(context.Context) {
			c := concurrent.Add(1)
			for {
				m := maxConcurrent.Load()
				if c <= m || maxConcurrent.CompareAndSwap(m, c) {
					break
				}
			}
			ran[i].Add(1)
			for range 100 {
				runtime.Gosched()
			}
			concurrent.Add(-1)
			if i == 0 {
				panic(nil)
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(watchdog.Ctx(t)); err != nil {
		t.Fatalf("Close: %v (%v)", err, p.Stats())
	}
	for i := range n {
		if r := ran[i].Load(); r != 1 {
			t.Errorf("task %d ran %d times", i, r)
		}
	}
	s := p.Stats()
	if s.Panicked != 1 || handled.Load() != 1 {
		t.Errorf("panic(nil) under panicnil=1: Stats.Panicked %d, handler called %d times; want 1 and 1 (%v)", s.Panicked, handled.Load(), s)
	}
	if m := maxConcurrent.Load(); m > 1 {
		t.Errorf("a pool of 1 worker ran %d tasks at once", m)
	}
	if s.Workers != 0 || s.Busy != 0 || s.Idle != 0 {
		t.Errorf("after Close: %v; want no worker", s)
	}
	if s.Submitted != n || s.Completed != n {
		t.Errorf("Stats %v; want %d submitted and completed", s, n)
	}
}

// TestPanicHandlerGoexit: a panic handler that calls runtime.Goexit ends
// the worker's goroutine, as a task's Goexit does. The pool goes on with a
// new goroutine for the worker: the next task runs, the panic is counted,
// and Close returns with no worker left.
func TestPanicHandlerGoexit(t *testing.T) {
	var handled atomic.Int64
	p := pool.New(1, pool.WithPanicHandler(func(*pool.PanicError) {
		handled.Add(1)
		runtime.Goexit()
	}))
	for range 3 {
		if err := p.Submit(context.Background(), func(context.Context) { panic("boom") }); err != nil {
			t.Fatal(err)
		}
	}
	ran := make(chan struct{})
	if err := p.Submit(context.Background(), func(context.Context) { close(ran) }); err != nil {
		t.Fatal(err)
	}
	watchdog.Recv(t, "the task after the panics to run", ran)
	if err := p.Close(watchdog.Ctx(t)); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.Panicked != 3 || handled.Load() != 3 || st.Completed != 4 || st.Workers != 0 {
		t.Fatalf("Stats() = %v, handler called %d times; want 3 panics, 4 completed, no worker", st, handled.Load())
	}
}

// TestPanicWhileGoexit has tasks call runtime.Goexit and then panic in a
// call they deferred, as it runs while Goexit unwinds them: the panic
// recovered there does not stop the Goexit, but it is the task's outcome,
// as it would crash a goroutine of its own. It must reach the handler, or
// Wait, or the Future or Group, and count in Stats; the worker goes on, and
// a handler that calls runtime.Goexit in turn loses nothing either.
func TestPanicWhileGoexit(t *testing.T) {
	task := func(context.Context) {
		defer func() { panic("while Goexit") }()
		runtime.Goexit()
	}
	isOurs := func(v any) bool {
		pe, ok := v.(*pool.PanicError)
		return ok && pe.Value == "while Goexit"
	}
	// after checks that the worker that ran the task runs the next one,
	// and that Stats counted the panic.
	after := func(t *testing.T, p *pool.Pool) {
		t.Helper()
		ran := make(chan struct{})
		if err := p.Submit(watchdog.Ctx(t), func(context.Context) { close(ran) }); err != nil {
			t.Fatal(err)
		}
		watchdog.Recv(t, "the next task to run", ran)
		if err := p.Close(watchdog.Ctx(t)); err != nil {
			t.Fatal(err)
		}
		if st := p.Stats(); st.Panicked != 1 || st.Completed != 2 || st.Workers != 0 {
			t.Fatalf("Stats() = %v; want 1 panic, 2 completed, no worker", st)
		}
	}
	for _, exit := range []bool{false, true} {
		t.Run(fmt.Sprintf("handler/goexit=%v", exit), func(t *testing.T) {
			got := make(chan any, 1)
			p := pool.New(1, pool.WithPanicHandler(func(pe *pool.PanicError) {
				got <- pe
				if exit {
					runtime.Goexit()
				}
			}))
			if err := p.Submit(watchdog.Ctx(t), task); err != nil {
				t.Fatal(err)
			}
			if v := watchdog.Recv(t, "the panic handler", got); !isOurs(v) {
				t.Fatalf("handler got %v, want the task's panic", v)
			}
			after(t, p)
		})
	}
	t.Run("Wait", func(t *testing.T) {
		p := pool.New(1)
		if err := p.Submit(watchdog.Ctx(t), task); err != nil {
			t.Fatal(err)
		}
		var v any
		func() {
			defer func() { v = recover() }()
			_ = p.Wait(watchdog.Ctx(t))
		}()
		if !isOurs(v) {
			t.Fatalf("Wait panicked with %v, want the task's panic", v)
		}
		after(t, p)
	})
	t.Run("Go", func(t *testing.T) {
		p := pool.New(1)
		fu, err := pool.Go(watchdog.Ctx(t), p, func(ctx context.Context) (int, error) {
			task(ctx)
			return 1, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fu.Get(watchdog.Ctx(t)); !isOurs(err) {
			t.Fatalf("Get: %v, want the function's panic", err)
		}
		after(t, p)
	})
	t.Run("Group", func(t *testing.T) {
		p := pool.New(1)
		g, _ := p.Group(watchdog.Ctx(t))
		if err := g.Go(func(ctx context.Context) error { task(ctx); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := g.Wait(); !isOurs(err) {
			t.Fatalf("Group.Wait: %v, want the function's panic", err)
		}
		after(t, p)
	})
}
