package pool_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/pool"
	"github.com/stretchr/testify/require"
)

func TestGo(t *testing.T) {
	p := pool.New(2)
	defer p.Close(bg)
	errBad := errors.New("bad")
	for _, tc := range []struct {
		name    string
		f       func(context.Context) (int, error)
		want    int
		wantErr func(error) bool
	}{
		{"value", func(context.Context) (int, error) { return 42, nil }, 42, func(err error) bool { return err == nil }},
		{"error", func(context.Context) (int, error) { return 0, errBad }, 0, func(err error) bool { return err == errBad }},
		{"panic", func(context.Context) (int, error) { panic("boom") }, 0, func(err error) bool {
			var pe *pool.PanicError
			return errors.As(err, &pe) && pe.Value == "boom"
		}},
		{"Goexit", func(context.Context) (int, error) { runtime.Goexit(); return 1, nil }, 0, func(err error) bool { return err == pool.ErrGoexit }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fu, err := pool.Go(bg, p, tc.f)
			require.NoError(t, err)
			<-fu.Done()
			for range 2 { // every call returns the same result
				got, err := fu.Get(bg)
				if got != tc.want || !tc.wantErr(err) {
					t.Fatalf("Get() = %v, %v, want %v and the expected error", got, err, tc.want)
				}
			}
		})
	}
	require.NoError(t, p.Wait(bg))
	// A Future's panic is its error, and counts among the pool's panics;
	// it is never raised by Wait.
	if st := p.Stats(); st.Panicked != 1 || st.Workers > 2 {
		t.Fatalf("Stats() = %+v, want Panicked 1, at most 2 workers", st)
	}
}

func TestFutureGetContext(t *testing.T) {
	p := pool.New(1)
	release := make(chan struct{})
	fu, err := pool.Go(bg, p, func(context.Context) (string, error) { <-release; return "late", nil })
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := fu.Get(ctx); err != context.Canceled {
		t.Fatalf("Get with done ctx: got %v, want Canceled", err)
	}
	close(release)
	v, err := fu.Get(bg)
	if v != "late" || err != nil {
		t.Fatalf("Get() = %q, %v", v, err)
	}
	require.NoError(t, p.Close(bg))
	if _, err := pool.Go(bg, p, func(context.Context) (int, error) { return 0, nil }); err != pool.ErrClosed {
		t.Fatalf("Go after Close: got %v, want ErrClosed", err)
	}
}

func TestGroup(t *testing.T) {
	t.Run("all succeed", func(t *testing.T) {
		p := pool.New(3)
		defer p.Close(bg)
		g, ctx := p.Group(bg)
		results := make([]int, 10)
		for i := range results {
			require.NoError(t, g.Go(func(context.Context) error { results[i] = i * i; return nil }))
		}
		require.NoError(t, g.Wait())
		for i, r := range results {
			if r != i*i {
				t.Fatalf("results[%d] = %d", i, r)
			}
		}
		if ctx.Err() == nil {
			t.Fatal("group ctx not cancelled after Wait")
		}
	})
	t.Run("first error cancels", func(t *testing.T) {
		p := pool.New(2)
		defer p.Close(bg)
		g, ctx := p.Group(bg)
		errFirst := errors.New("first")
		require.NoError(t, g.Go(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }))
		require.NoError(t, g.Go(func(context.Context) error { return errFirst }))
		if err := g.Wait(); err != errFirst {
			t.Fatalf("Wait() = %v, want the first error", err)
		}
		if context.Cause(ctx) != errFirst {
			t.Fatalf("Cause(ctx) = %v, want the first error", context.Cause(ctx))
		}
		// Once the group failed, Go refuses with the group ctx's error.
		if err := g.Go(func(context.Context) error { return nil }); err != context.Canceled {
			t.Fatalf("Go after failure: got %v, want Canceled", err)
		}
	})
	t.Run("panic", func(t *testing.T) {
		p := pool.New(1)
		defer p.Close(bg)
		g, _ := p.Group(bg)
		require.NoError(t, g.Go(func(context.Context) error { panic("in group") }))
		var pe *pool.PanicError
		if err := g.Wait(); !errors.As(err, &pe) || pe.Value != "in group" {
			t.Fatalf("Wait() = %v, want a *PanicError", err)
		}
	})
	t.Run("pool stopped", func(t *testing.T) {
		p := pool.New(1)
		g, ctx := p.Group(bg)
		started := make(chan struct{})
		require.NoError(t, g.Go(func(ctx context.Context) error { close(started); <-ctx.Done(); return nil }))
		<-started
		_, err := p.Stop(bg)
		require.NoError(t, err)
		require.NoError(t, g.Wait())
		if context.Cause(ctx) != pool.ErrClosed {
			t.Fatalf("Cause(group ctx) after Stop = %v, want ErrClosed", context.Cause(ctx))
		}
		if err := g.Go(func(context.Context) error { return nil }); err == nil {
			t.Fatal("Go on a stopped pool succeeded")
		}
	})
}

// TestStopAbandons checks that Stop does not hand back the Go and Group.Go
// tasks it takes from the backlog (their result would go nowhere): it
// completes their Future and their Group at once, with ErrClosed, and their
// functions never run. Submit tasks are handed back.
func TestStopAbandons(t *testing.T) {
	p := pool.New(1)
	started := make(chan struct{})
	g, _ := p.Group(bg)
	require.NoError(t, g.Go(func(ctx context.Context) error { close(started); <-ctx.Done(); return nil }))
	<-started
	var calls atomic.Int32
	require.NoError(t, g.Go(func(context.Context) error { calls.Add(1); return nil })) // waits in the backlog
	fu, err := pool.Go(bg, p, func(context.Context) (int, error) { calls.Add(1); return 1, nil })
	require.NoError(t, err)
	submitted := false
	require.NoError(t, p.Submit(bg, func(context.Context) { submitted = true }))

	back, err := p.Stop(bg)
	require.NoError(t, err)
	if len(back) != 1 {
		t.Fatalf("Stop handed back %d tasks, want 1 (the Submit task)", len(back))
	}
	if err := g.Wait(); err != pool.ErrClosed {
		t.Fatalf("Group.Wait() = %v, want ErrClosed", err)
	}
	if _, err := fu.Get(bg); err != pool.ErrClosed {
		t.Fatalf("Future.Get() = %v, want ErrClosed", err)
	}
	back[0](bg)
	if !submitted || calls.Load() != 0 {
		t.Fatalf("handed-back Submit task ran: %v; Go and Group functions called %d times, want 0", submitted, calls.Load())
	}
}

// TestAllocations checks what submitting costs on its own, on a paused pool
// so that no worker runs meanwhile: Submit of a task that captures nothing
// allocates nothing, and Go allocates its Future only.
func TestAllocations(t *testing.T) {
	p := pool.New(0)
	f := func(context.Context) (int, error) { return 1, nil }
	futures := make([]*pool.Future[int], 0, 101)
	goAllocs := testing.AllocsPerRun(100, func() {
		fu, err := pool.Go(bg, p, f)
		if err != nil {
			t.Fatal(err)
		}
		futures = append(futures, fu)
	})
	submitAllocs := testing.AllocsPerRun(100, func() {
		if err := p.Submit(bg, func(context.Context) {}); err != nil {
			t.Fatal(err)
		}
	})
	p.Resize(2)
	require.NoError(t, p.Close(bg))
	for _, fu := range futures {
		if v, err := fu.Get(bg); v != 1 || err != nil {
			t.Fatalf("Future.Get = %v, %v, want 1, nil", v, err)
		}
	}
	if goAllocs != 1 || submitAllocs != 0 {
		t.Fatalf("allocations: Go %v (want 1), Submit %v (want 0)", goAllocs, submitAllocs)
	}
}

// TestGoContext checks the ctx a function of Go runs under: it carries the
// caller's values, its Err and Done follow the caller's ctx and the pool's,
// whichever ends first, and a function whose ctx ended before it started
// never runs.
func TestGoContext(t *testing.T) {
	type key struct{}
	t.Run("caller cancels", func(t *testing.T) {
		p := pool.New(1)
		defer p.Close(bg)
		ctx, cancel := context.WithCancel(context.WithValue(bg, key{}, "v"))
		started := make(chan struct{})
		fu, err := pool.Go(ctx, p, func(ctx context.Context) (any, error) {
			close(started)
			<-ctx.Done()
			return ctx.Value(key{}), ctx.Err()
		})
		require.NoError(t, err)
		<-started
		cancel()
		if v, err := fu.Get(bg); v != "v" || err != context.Canceled {
			t.Fatalf("Get() = %v, %v, want v, context.Canceled", v, err)
		}
	})
	t.Run("pool stops", func(t *testing.T) {
		p := pool.New(1)
		ctx, cancel := context.WithCancel(bg) // cancellable, never cancelled
		defer cancel()
		started := make(chan struct{})
		fu, err := pool.Go(ctx, p, func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done()
			return 1, ctx.Err()
		})
		require.NoError(t, err)
		<-started
		_, err = p.Stop(bg)
		require.NoError(t, err)
		if v, err := fu.Get(bg); v != 1 || err != context.Canceled {
			t.Fatalf("Get() = %v, %v, want 1, context.Canceled", v, err)
		}
	})
	t.Run("done before start", func(t *testing.T) {
		p := pool.New(1)
		defer p.Close(bg)
		release := make(chan struct{})
		busy, err := pool.Go(bg, p, func(context.Context) (int, error) { <-release; return 0, nil })
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(bg)
		ran := false
		fu, err := pool.Go(ctx, p, func(context.Context) (int, error) { ran = true; return 1, nil })
		require.NoError(t, err) // accepted into the backlog
		cancel()
		close(release)
		_, _ = busy.Get(bg)
		if v, err := fu.Get(bg); v != 0 || err != context.Canceled || ran {
			t.Fatalf("Get() = %v, %v, ran %v: want 0, context.Canceled, and f never run", v, err, ran)
		}
	})
}

// TestFutureGetRace parks several Gets with ctxs that can end on one
// Future, then completes it while some of those ctxs end, many times over:
// every Get returns either the result or its own ctx's error (never the
// error of a ctx that did not end, never a stale result), and none stays
// parked. Done, asked for in the middle, is closed too.
func TestFutureGetRace(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	p := pool.New(2)
	defer p.Close(bg)
	for round := range 300 {
		release := make(chan struct{})
		fu, err := pool.Go(bg, p, func(context.Context) (int, error) { <-release; return round, nil })
		require.NoError(t, err)
		const gets = 5
		type result struct {
			v         int
			err       error
			cancelled bool
		}
		results := make(chan result, gets)
		cancels := make([]context.CancelFunc, gets)
		for i := range gets {
			ctx, cancel := context.WithCancel(bg)
			cancels[i] = cancel
			go func() {
				v, err := fu.Get(ctx)
				results <- result{v, err, ctx.Err() != nil}
			}()
		}
		go func() {
			for i := 0; i < gets; i += 2 {
				cancels[i]()
			}
		}()
		done := fu.Done()
		close(release)
		<-done
		for range gets {
			r := <-results
			switch {
			case r.err == nil && r.v == round:
			case errors.Is(r.err, context.Canceled) && r.cancelled:
			default:
				t.Fatalf("round %d: Get = %v, %v (its ctx ended: %v)", round, r.v, r.err, r.cancelled)
			}
		}
		for _, cancel := range cancels {
			cancel()
		}
	}
}

// TestFutureGetAllocations checks that a Get that parks, with a ctx that
// can end or with one that cannot, allocates nothing once the pool has a
// parked Get to reuse: each round's function returns only once its Get has
// parked.
func TestFutureGetAllocations(t *testing.T) {
	if raceEnabled {
		// The parked Gets are kept in a sync.Pool: 2 allocations a
		// round were seen once in 10 runs of the package under -race.
		t.Skip("the race detector makes sync.Pool drop items")
	}
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
	}{{"ctx=background", bg}, {"ctx=cancel", ctx}} {
		t.Run(c.name, func(t *testing.T) {
			p := pool.New(1)
			defer p.Close(bg)
			parked := pool.OnGetPark(p, 1)
			release := make(chan struct{})
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for {
					select {
					case <-parked:
						release <- struct{}{}
					case <-stop:
						return
					}
				}
			}()
			f := func(context.Context) (int, error) { <-release; return 1, nil }
			allocs := testing.AllocsPerRun(50, func() {
				fu, err := pool.Go(bg, p, f)
				if err != nil {
					t.Fatal(err)
				}
				if v, err := fu.Get(c.ctx); v != 1 || err != nil {
					t.Fatalf("Get = %v, %v", v, err)
				}
			})
			if allocs > 1 {
				t.Fatalf("Go and a parked Get allocate %v, want 1 (the Future)", allocs)
			}
		})
	}
}

// TestGoContextDoneRace checks the ctx of a function of Go when several of
// its goroutines ask for Done at once (the first makes what Done
// registers): they all get one channel, which closes when the caller's ctx
// ends. And a Future's own Done, asked for before and after the result,
// is closed once the result is there.
func TestGoContextDoneRace(t *testing.T) {
	p := pool.New(1)
	defer p.Close(bg)
	for range 200 {
		ctx, cancel := context.WithCancel(bg)
		const askers = 4
		got := make(chan (<-chan struct{}), askers)
		fu, err := pool.Go(ctx, p, func(ctx context.Context) (int, error) {
			var wg sync.WaitGroup
			for range askers {
				wg.Go(func() { got <- ctx.Done() })
			}
			wg.Wait()
			<-ctx.Done()
			return 0, ctx.Err()
		})
		require.NoError(t, err)
		before := fu.Done()
		first := <-got
		for range askers - 1 {
			if ch := <-got; ch != first {
				t.Fatal("ctx.Done returned different channels")
			}
		}
		cancel()
		<-first
		if _, err := fu.Get(bg); err != context.Canceled {
			t.Fatalf("Get = %v, want context.Canceled", err)
		}
		<-before
		<-fu.Done()
	}
}
