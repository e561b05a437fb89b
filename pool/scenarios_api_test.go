package pool_test

// Tests of the API that issue 12 adds: (*Pool).Done, and the Stats fields
// whose value changes (Panicked counts every panic; Workers leaves out the
// workers told to exit).

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// isClosed reports whether c is closed, without blocking.
func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// API decision: Done is closed once the pool runs no more tasks: as soon as
// Stop begins (while it still waits for running tasks), or once Close has
// run what it accepted; never before: not by Wait, nor by Resize(0).
func TestAPIDoneClosedOnceTasksNoLongerRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		shutdown func(ctx context.Context, p *pool.Pool) error
		early    bool // Done closes as the shutdown begins, before it returns
	}{
		{"Close", func(ctx context.Context, p *pool.Pool) error { return p.Close(ctx) }, false},
		{"Stop", func(ctx context.Context, p *pool.Pool) error { _, err := p.Stop(ctx); return err }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := watchdog.Ctx(t)
			p := pool.New(1)
			scnShutdown(t, p)
			var done <-chan struct{} = p.Done() // the type is part of the decision
			if isClosed(done) {
				t.Fatal("Done closed on a new pool")
			}
			if err := p.Submit(ctx, func(context.Context) {}); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if err := p.Wait(ctx); err != nil {
				t.Fatalf("Wait: %v", err)
			}
			p.Resize(0)
			p.Resize(1)
			if isClosed(p.Done()) {
				t.Fatal("Done closed by Wait or Resize(0)")
			}
			// A task that only the test ends (it ignores its ctx, which
			// Stop cancels): Close and Stop wait for it. Stop closes Done
			// at once (no task will start any more); Close, which runs
			// what it accepted, closes it once it has finished.
			started, release := make(chan struct{}), make(chan struct{})
			if err := p.Submit(ctx, func(context.Context) {
				close(started)
				<-release
			}); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			watchdog.Recv(t, "the task to start", started)
			ended := make(chan error, 1)
			go func() { ended <- tc.shutdown(ctx, p) }()
			if tc.early {
				watchdog.Recv(t, "Done to close once "+tc.name+" began", p.Done())
			} else if isClosed(p.Done()) {
				t.Fatal("Done closed while Close still drains")
			}
			select {
			case err := <-ended:
				t.Fatalf("%s returned (%v) while a task still ran", tc.name, err)
			default:
			}
			close(release)
			if err := watchdog.Recv(t, tc.name, ended); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !isClosed(p.Done()) {
				t.Fatal("Done open after " + tc.name)
			}
		})
	}
}

// Scenario 9: Stats.Panicked counts every task that panicked, whichever
// entry point it came through.
func TestScenario09StatsPanickedCountsEveryPanic(t *testing.T) {
	ctx := watchdog.Ctx(t)
	var handled int
	handler := make(chan *pool.PanicError, 1)
	p := pool.New(2, pool.WithPanicHandler(func(pe *pool.PanicError) { handler <- pe }))
	scnShutdown(t, p)
	if err := p.Submit(ctx, func(context.Context) { panic("submit") }); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	watchdog.Recv(t, "the panic handler", handler)
	handled++
	if err := p.TrySubmit(func(context.Context) { panic("trysubmit") }); err != nil {
		t.Fatalf("TrySubmit: %v", err)
	}
	watchdog.Recv(t, "the panic handler", handler)
	handled++
	fu, err := pool.Go(ctx, p, func(context.Context) (int, error) { panic("go") })
	if err != nil {
		t.Fatalf("Go: %v", err)
	}
	var pe *pool.PanicError
	if _, err := fu.Get(ctx); !errors.As(err, &pe) {
		t.Fatalf("Future of a panicking function: %v, want a *PanicError", err)
	}
	g, _ := p.Group(ctx)
	if err := g.Go(func(context.Context) error { panic("group") }); err != nil {
		t.Fatalf("Group.Go: %v", err)
	}
	if err := g.Wait(); !errors.As(err, &pe) {
		t.Fatalf("Group of a panicking function: %v, want a *PanicError", err)
	}
	// A Goexit is not a panic.
	fu2, err := pool.Go(ctx, p, func(context.Context) (int, error) { runtime.Goexit(); return 0, nil })
	if err != nil {
		t.Fatalf("Go: %v", err)
	}
	if _, err := fu2.Get(ctx); !errors.Is(err, pool.ErrGoexit) {
		t.Fatalf("Future of a Goexit: %v, want ErrGoexit", err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if st := p.Stats(); st.Panicked != 4 || st.Completed != 5 {
		t.Fatalf("Stats %+v after panics in a Submit, a TrySubmit (both handled: %d), a Go and a Group.Go task, and a Goexit; want Panicked 4, Completed 5",
			st, handled)
	}
}

// Scenario 9: Stats.Workers counts the workers idle and busy, not the busy
// ones already told to exit (as its doc says).
func TestScenario09StatsWorkersLeavesOutExiting(t *testing.T) {
	ctx := watchdog.Ctx(t)
	p := pool.New(3)
	scnShutdown(t, p)
	b := scnBusy(t, ctx, p, 2)
	// One idle and two busy workers; shrinking to 1 retires the idle one
	// at once and tells one busy worker to exit after its task.
	p.Resize(1)
	if st := p.Stats(); st.Workers != 1 {
		t.Fatalf("after Resize(1) with 2 of 3 workers busy: Stats %+v, want Workers 1 (one busy worker is told to exit)", st)
	}
	close(b.release)
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if st := p.Stats(); st.Workers != 1 || st.Idle != 1 || st.Busy != 0 {
		t.Fatalf("after the tasks ended: Stats %+v, want Workers 1, Idle 1, Busy 0", st)
	}
}

// API decision: a Close whose ctx ended returned early, but the pool still
// drains, and once its workers have all exited it cancels the tasks' ctx and
// closes Done, as a Close that waited would have: no second Close is needed
// for a goroutine that selects on Done, or that a task left waiting on its
// ctx.
func TestAPIDoneAfterCloseGaveUp(t *testing.T) {
	p := pool.New(1)
	scnShutdown(t, p)
	release, started := make(chan struct{}), make(chan struct{})
	var taskCtx context.Context
	if err := p.Submit(watchdog.Ctx(t), func(ctx context.Context) {
		taskCtx = ctx
		close(started)
		<-release
	}); err != nil {
		t.Fatal(err)
	}
	watchdog.Recv(t, "the task to start", started)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Close(ended); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close with an ended ctx: %v, want context.Canceled", err)
	}
	if isClosed(p.Done()) || taskCtx.Err() != nil {
		t.Fatal("Done closed, or the task's ctx cancelled, while the task runs")
	}
	close(release)
	watchdog.Recv(t, "Done to close once the pool drained", p.Done())
	if taskCtx.Err() == nil {
		t.Fatal("Done is closed but the tasks' ctx is not cancelled")
	}
	if err := p.Close(watchdog.Ctx(t)); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
}
