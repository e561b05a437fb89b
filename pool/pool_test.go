package pool_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullgo/lull/internal/slots"
	"github.com/lullgo/lull/pool"
	"github.com/stretchr/testify/require"
)

var bg = context.Background()

// gate is a task that reports when it started and blocks until released.
type gate struct {
	started chan struct{}
	release chan struct{}
}

func newGate(n int) *gate {
	return &gate{started: make(chan struct{}, n), release: make(chan struct{})}
}

func (g *gate) task(context.Context) {
	g.started <- struct{}{}
	<-g.release
}

func (g *gate) waitStarted(n int) {
	for range n {
		<-g.started
	}
}

// waitWorkers blocks until the pool reports n workers through OnWorkers.
// drainWorkers empties ch of the counts sent so far.
func drainWorkers(ch <-chan int) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func waitWorkers(t *testing.T, ch <-chan int, n int) {
	t.Helper()
	for w := range ch {
		if w == n {
			return
		}
	}
}

func TestPanicsOnMisuse(t *testing.T) {
	p := pool.New(1)
	defer p.Close(bg)
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"New(-1)", func() { pool.New(-1) }, "pool: New with workers < 0"},
		{"Resize(-1)", func() { p.Resize(-1) }, "pool: Resize with n < 0"},
		{"WithQueueSize(-1)", func() { pool.WithQueueSize(-1) }, "pool: WithQueueSize with n < 0"},
		{"WithQueueSize(MaxCap+1)", func() { pool.WithQueueSize(slots.MaxCap + 1) }, "pool: WithQueueSize with n > 2^62 (2^30 on 32-bit platforms)"},
		{"WithMaxWorkers(-1)", func() { pool.WithMaxWorkers(-1) }, "pool: WithMaxWorkers with n < 0"},
		{"WithIdleTimeout(0)", func() { pool.WithIdleTimeout(0) }, "pool: WithIdleTimeout with d <= 0"},
		{"Submit(nil)", func() { p.Submit(bg, nil) }, "pool: Submit with nil task"},
		{"TrySubmit(nil)", func() { p.TrySubmit(nil) }, "pool: TrySubmit with nil task"},
		{"Go(nil)", func() { pool.Go[int](bg, p, nil) }, "pool: Go with nil function"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.PanicsWithValue(t, tc.want, tc.f)
		})
	}
	// A backlog WithQueueSize takes but New cannot allocate panics like
	// make, at once.
	require.Panics(t, func() { pool.New(1, pool.WithQueueSize(slots.MaxCap)) })
}

func TestCloseRunsEverything(t *testing.T) {
	for _, workers := range []int{0, 1, 4, 64} {
		p := pool.New(workers, pool.WithQueueSize(1000))
		var ran atomic.Int64
		for range 1000 {
			require.NoError(t, p.Submit(bg, func(context.Context) { ran.Add(1) }))
		}
		require.NoError(t, p.Close(bg))
		if got := ran.Load(); got != 1000 {
			t.Fatalf("workers=%d: %d tasks ran, want 1000", workers, got)
		}
		st := p.Stats()
		if st.Submitted != 1000 || st.Completed != 1000 || st.Workers != 0 || st.Queued != 0 {
			t.Fatalf("workers=%d: Stats() = %+v after Close", workers, st)
		}
		if err := p.Submit(bg, func(context.Context) {}); err != pool.ErrClosed {
			t.Fatalf("Submit after Close: got %v, want ErrClosed", err)
		}
		require.NoError(t, p.Close(bg)) // idempotent
	}
}

func TestTaskContext(t *testing.T) {
	p := pool.New(1)
	ctxs := make(chan context.Context, 1)
	require.NoError(t, p.Submit(bg, func(ctx context.Context) { ctxs <- ctx }))
	require.NoError(t, p.Close(bg))
	if err := (<-ctxs).Err(); err != context.Canceled {
		t.Fatalf("task ctx after Close: Err() = %v, want Canceled", err)
	}
}

func TestSubmitBackpressure(t *testing.T) {
	p := pool.New(1, pool.WithQueueSize(1))
	g := newGate(1)
	require.NoError(t, p.Submit(bg, g.task))
	g.waitStarted(1)
	var order []int
	var mu sync.Mutex
	record := func(i int) pool.Task {
		return func(context.Context) { mu.Lock(); order = append(order, i); mu.Unlock() }
	}
	require.NoError(t, p.Submit(bg, record(0))) // fills the backlog
	if err := p.TrySubmit(record(-1)); err != pool.ErrFull {
		t.Fatalf("TrySubmit on a full pool: got %v, want ErrFull", err)
	}

	// A Submit whose ctx ends while it waits returns ctx.Err(): its task
	// was not accepted and never runs.
	ctx, cancel := context.WithTimeout(bg, time.Millisecond)
	defer cancel()
	if err := p.Submit(ctx, record(-2)); err != context.DeadlineExceeded {
		t.Fatalf("Submit past its deadline: got %v, want DeadlineExceeded", err)
	}

	// Blocked Submits are served in the order they came.
	parked := pool.OnPark(p, 3)
	errs := make(chan error, 3)
	for i := 1; i <= 3; i++ {
		go func() { errs <- p.Submit(bg, record(i)) }()
		<-parked
	}
	close(g.release)
	for range 3 {
		require.NoError(t, <-errs)
	}
	require.NoError(t, p.Close(bg))
	if !slices.Equal(order, []int{0, 1, 2, 3}) {
		t.Fatalf("ran %v, want [0 1 2 3]", order)
	}
	st := p.Stats()
	if st.Rejected != 1 || st.Submitted != 5 {
		t.Fatalf("Stats() = %+v, want Rejected 1, Submitted 5", st)
	}
}

func TestStopHandsBack(t *testing.T) {
	p := pool.New(2, pool.WithQueueSize(10))
	started := make(chan struct{}, 2)
	cancelled := make(chan error, 2)
	for range 2 {
		// Running tasks last until Stop cancels their ctx.
		require.NoError(t, p.Submit(bg, func(ctx context.Context) {
			started <- struct{}{}
			<-ctx.Done()
			cancelled <- ctx.Err()
		}))
	}
	<-started
	<-started
	var ran atomic.Int64
	for range 5 {
		require.NoError(t, p.Submit(bg, func(context.Context) { ran.Add(1) }))
	}
	back, err := p.Stop(bg)
	require.NoError(t, err)
	for range 2 {
		if e := <-cancelled; e != context.Canceled {
			t.Fatalf("running task's ctx after Stop: %v, want Canceled", e)
		}
	}
	if len(back) != 5 || ran.Load() != 0 {
		t.Fatalf("Stop handed back %d tasks and %d ran, want 5 and 0", len(back), ran.Load())
	}
	// Handed-back tasks are ordinary functions the caller may run.
	for _, task := range back {
		task(bg)
	}
	require.EqualValues(t, 5, ran.Load())
	if back, err := p.Stop(bg); err != nil || back != nil {
		t.Fatalf("second Stop: got %d tasks, %v, want none, nil", len(back), err)
	}
	if err := p.TrySubmit(func(context.Context) {}); err != pool.ErrClosed {
		t.Fatalf("TrySubmit after Stop: got %v, want ErrClosed", err)
	}
	if st := p.Stats(); st.Submitted != 7 || st.Completed != 2 || st.Rejected != 1 {
		t.Fatalf("Stats() = %+v, want Submitted 7, Completed 2, Rejected 1", st)
	}
}

func TestCloseWakesBlockedSubmit(t *testing.T) {
	p := pool.New(1, pool.WithQueueSize(0))
	parked := pool.OnPark(p, 1)
	g := newGate(1)
	require.NoError(t, p.Submit(bg, g.task))
	g.waitStarted(1)
	errs := make(chan error, 1)
	go func() { errs <- p.Submit(bg, func(context.Context) { t.Error("a refused task ran") }) }()
	<-parked
	closed := make(chan error, 1)
	go func() { closed <- p.Close(bg) }()
	if err := <-errs; err != pool.ErrClosed {
		t.Fatalf("blocked Submit after Close: got %v, want ErrClosed", err)
	}
	close(g.release)
	require.NoError(t, <-closed)
}

func TestCloseContext(t *testing.T) {
	p := pool.New(1)
	g := newGate(1)
	require.NoError(t, p.Submit(bg, g.task))
	g.waitStarted(1)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if err := p.Close(ctx); err != context.Canceled {
		t.Fatalf("Close with a done ctx while a task runs: got %v, want Canceled", err)
	}
	close(g.release)
	require.NoError(t, p.Close(bg))
}

func TestWait(t *testing.T) {
	p := pool.New(2)
	defer p.Close(bg)
	require.NoError(t, p.Wait(bg)) // nothing to wait for
	g := newGate(4)
	for range 4 {
		require.NoError(t, p.Submit(bg, g.task))
	}
	g.waitStarted(2)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if err := p.Wait(ctx); err != context.Canceled {
		t.Fatalf("Wait with done ctx: got %v, want Canceled", err)
	}
	done := make(chan error)
	go func() { done <- p.Wait(bg) }()
	close(g.release)
	require.NoError(t, <-done)
	st := p.Stats()
	if st.Completed != 4 || st.Busy != 0 || st.Queued != 0 || st.Idle != 2 {
		t.Fatalf("Stats() after Wait = %+v", st)
	}
}

// TestNoTaskWaitsWhileWorkersIdle submits as many blocking tasks as there
// are idle workers, from several goroutines at once: a Submit that finds a
// woken worker not yet running queues its task rather than wake another, and
// the woken workers must pass the backlog on until every task runs. Without a
// backlog (queue size 0), a Submit must wake an idle worker itself.
func TestNoTaskWaitsWhileWorkersIdle(t *testing.T) {
	const workers = 16
	for _, tc := range []struct{ submitters, queue int }{{1, 64}, {4, 64}, {4, 0}} {
		submitters := tc.submitters
		p := pool.New(workers, pool.WithQueueSize(tc.queue))
		for round := range 20 {
			g := newGate(workers)
			var wg sync.WaitGroup
			for s := range submitters {
				wg.Go(func() {
					for range workers/submitters + boolInt(s < workers%submitters) {
						require.NoError(t, p.Submit(bg, g.task))
					}
				})
			}
			wg.Wait()
			g.waitStarted(workers) // blocks for ever if a task waited behind a busy worker
			if st := p.Stats(); st.Busy != workers || st.Queued != 0 || st.Idle != 0 {
				t.Fatalf("%+v, round %d: Stats() = %+v, want %d busy", tc, round, st, workers)
			}
			close(g.release)
			require.NoError(t, p.Wait(bg))
		}
		require.NoError(t, p.Close(bg))
	}
}

func TestResizeGrowTakesBacklog(t *testing.T) {
	p := pool.New(0, pool.WithQueueSize(8)) // paused
	workers := pool.OnWorkers(p, 1000)
	g := newGate(8)
	for range 8 {
		require.NoError(t, p.Submit(bg, g.task))
	}
	if st := p.Stats(); st.Workers != 0 || st.Queued != 8 {
		t.Fatalf("paused pool: Stats() = %+v, want 0 workers and 8 queued", st)
	}
	p.Resize(8)
	waitWorkers(t, workers, 8)
	g.waitStarted(8) // all eight run at once: the new workers took the backlog
	close(g.release)
	require.NoError(t, p.Close(bg))
}

// TestSpareStack pushes spare workers from several goroutines at once, as
// exiting workers do, while another takes them, as parking ones do under
// the pool's lock: the stack keeps count of what it holds, and never holds
// more than MaxSpares.
func TestSpareStack(t *testing.T) {
	p := pool.New(1)
	defer p.Close(bg)
	const pushers, each = 4, pool.MaxSpares / 2
	var wg sync.WaitGroup
	for range pushers {
		wg.Go(func() { pool.AddSpares(p, each) })
	}
	wg.Go(func() {
		for range each {
			pool.TakeSpare(p)
		}
	})
	wg.Wait()
	onStack, counted := pool.Spares(p)
	require.Equal(t, onStack, counted, "spares on the stack against the count")
	require.LessOrEqual(t, onStack, pool.MaxSpares)

	// Filled to the bound, it keeps MaxSpares, and gives each back once.
	pool.AddSpares(p, pool.MaxSpares)
	onStack, counted = pool.Spares(p)
	require.Equal(t, pool.MaxSpares, onStack)
	require.Equal(t, pool.MaxSpares, counted)
	for i := range pool.MaxSpares {
		require.True(t, pool.TakeSpare(p), "spare %d", i)
	}
	require.False(t, pool.TakeSpare(p), "a spare from an empty stack")
	onStack, counted = pool.Spares(p)
	require.Zero(t, onStack)
	require.Zero(t, counted)
}

// TestSpareWorkers grows and shrinks a pool over and over, so that the
// worker of each goroutine that exits (retired while parked, or over the
// size after its task) is taken by a later one that parks, and then woken
// with a task: none may be lost, and the pool must stay consistent. Once
// closed, it keeps no spare.
func TestSpareWorkers(t *testing.T) {
	const n, cycles = 50, 20
	p := pool.New(1)
	workers := pool.OnWorkers(p, 100*n*cycles)
	var ran atomic.Int64
	count := func(context.Context) { ran.Add(1) }
	for c := range cycles {
		p.Resize(n)
		// n goroutines start and park: new, or taking spare workers.
		g := newGate(n)
		for range n {
			require.NoError(t, p.Submit(bg, g.task))
		}
		g.waitStarted(n)
		close(g.release)
		require.NoError(t, p.Wait(bg))
		// Each parked worker is woken with a task.
		g = newGate(n)
		for range n {
			require.NoError(t, p.Submit(bg, g.task))
		}
		g.waitStarted(n)
		if c%2 == 0 {
			// Busy workers over the size exit after their task.
			drainWorkers(workers)
			p.Resize(1)
			close(g.release)
		} else {
			// Parked workers over the size are retired.
			close(g.release)
			require.NoError(t, p.Wait(bg))
			drainWorkers(workers)
			p.Resize(1)
		}
		waitWorkers(t, workers, 1)
		require.NoError(t, p.Submit(bg, count))
		require.NoError(t, p.Wait(bg))
		if st := p.Stats(); st.Workers != 1 || st.Idle != 1 {
			t.Fatalf("cycle %d: Stats() = %+v, want 1 idle worker", c, st)
		}
	}
	require.NoError(t, p.Close(bg))
	if onStack, counted := pool.Spares(p); onStack != 0 || counted != 0 {
		t.Errorf("after Close: %d spares on the stack, %d counted; want none", onStack, counted)
	}
	if got := ran.Load(); got != cycles {
		t.Errorf("%d of %d counted tasks ran", got, cycles)
	}
	if st := p.Stats(); st.Submitted != 2*n*cycles+cycles || st.Completed != st.Submitted {
		t.Errorf("Stats() = %+v, want %d submitted and completed", st, 2*n*cycles+cycles)
	}
}

func TestResizeShrink(t *testing.T) {
	p := pool.New(1000)
	workers := pool.OnWorkers(p, 10000)
	if got := p.Stats().Workers; got != 0 {
		t.Fatalf("Workers = %d before any task, want 0: workers start as tasks come", got)
	}
	warm := newGate(1000)
	for range 1000 {
		require.NoError(t, p.Submit(bg, warm.task))
	}
	warm.waitStarted(1000)
	close(warm.release)
	require.NoError(t, p.Wait(bg))
	if st := p.Stats(); st.Workers != 1000 || st.Idle != 1000 {
		t.Fatalf("after 1000 tasks at once: Stats() = %+v, want 1000 idle workers", st)
	}
	// Idle workers above the new size exit at once.
	p.Resize(10)
	waitWorkers(t, workers, 10)
	if st := p.Stats(); st.Workers != 10 || st.Idle != 10 || p.Size() != 10 {
		t.Fatalf("after Resize(10): Stats() = %+v, Size() = %d", st, p.Size())
	}

	// Busy workers above it exit right after their current task.
	g := newGate(10)
	for range 10 {
		require.NoError(t, p.Submit(bg, g.task))
	}
	g.waitStarted(10)
	p.Resize(3)
	if st := p.Stats(); st.Workers != 3 || st.Busy != 10 {
		t.Fatalf("Resize(3) while 10 are busy: Stats() = %+v, want 10 busy workers, 3 of them staying", st)
	}
	close(g.release)
	waitWorkers(t, workers, 3)
	require.NoError(t, p.Wait(bg))
	if st := p.Stats(); st.Workers != 3 || st.Idle != 3 {
		t.Fatalf("after the busy ones finished: Stats() = %+v, want 3 idle workers", st)
	}
	require.NoError(t, p.Close(bg))
}

func TestAutoscale(t *testing.T) {
	p := pool.New(1, pool.WithMaxWorkers(4), pool.WithIdleTimeout(time.Millisecond), pool.WithQueueSize(10))
	workers := pool.OnWorkers(p, 1000)
	if pool.TimerArmed(p) {
		t.Fatal("idle timer armed on an idle pool at its size")
	}
	g := newGate(6)
	for range 6 {
		require.NoError(t, p.Submit(bg, g.task))
	}
	g.waitStarted(4) // a backlog started workers up to the max, no further
	if st := p.Stats(); st.Workers != 4 || st.Queued != 2 {
		t.Fatalf("Stats() = %+v, want 4 workers and 2 queued", st)
	}
	drainWorkers(workers) // the counts of the workers' starts
	close(g.release)
	g.waitStarted(2)
	// The extra workers exit once idle for the timeout, down to Size.
	waitWorkers(t, workers, 1)
	require.NoError(t, p.Wait(bg))
	if st := p.Stats(); st.Workers != 1 {
		t.Fatalf("after the idle timeout: Stats() = %+v, want 1 worker", st)
	}
	if pool.TimerArmed(p) {
		t.Fatal("idle timer still armed with no worker above Size")
	}
	require.NoError(t, p.Close(bg))
}

func TestPanics(t *testing.T) {
	t.Run("handler", func(t *testing.T) {
		got := make(chan *pool.PanicError, 1)
		p := pool.New(1, pool.WithPanicHandler(func(pe *pool.PanicError) { got <- pe }))
		require.NoError(t, p.Submit(bg, func(context.Context) { panic("boom") }))
		pe := <-got
		if pe.Value != "boom" || len(pe.Stack) == 0 {
			t.Fatalf("PanicError = %v, %d-byte stack", pe.Value, len(pe.Stack))
		}
		// The pool survives.
		done := make(chan struct{})
		require.NoError(t, p.Submit(bg, func(context.Context) { close(done) }))
		<-done
		require.NoError(t, p.Close(bg))
		if st := p.Stats(); st.Panicked != 1 || st.Completed != 2 {
			t.Fatalf("Stats() = %+v, want Panicked 1, Completed 2", st)
		}
	})
	t.Run("raised by Wait", func(t *testing.T) {
		p := pool.New(1)
		sentinel := errors.New("an error value")
		require.NoError(t, p.Submit(bg, func(context.Context) { panic(sentinel) }))
		defer func() {
			pe, ok := recover().(*pool.PanicError)
			if !ok || !errors.Is(pe, sentinel) {
				t.Fatalf("Wait panicked with %v, want a *PanicError wrapping the value", pe)
			}
			require.NoError(t, p.Close(bg)) // raised once only
		}()
		_ = p.Wait(bg)
		t.Fatal("Wait returned instead of panicking")
	})
	t.Run("returned by Stop", func(t *testing.T) {
		// The task has started, so Stop waits for it rather than hand it back.
		p := pool.New(1)
		started := make(chan struct{})
		require.NoError(t, p.Submit(bg, func(context.Context) { close(started); panic("late") }))
		<-started
		_, err := p.Stop(bg)
		var pe *pool.PanicError
		if !errors.As(err, &pe) || pe.Value != "late" {
			t.Fatalf("Stop: got %v, want the *PanicError", err)
		}
	})
}

func TestGoexit(t *testing.T) {
	p := pool.New(2)
	workers := pool.OnWorkers(p, 100)
	exited := make(chan struct{})
	require.NoError(t, p.Submit(bg, func(context.Context) {
		defer close(exited)
		runtime.Goexit()
	}))
	<-exited
	require.NoError(t, p.Wait(bg))
	if st := p.Stats(); st.Workers != 1 || st.Completed != 1 || st.Busy != 0 {
		t.Fatalf("after a Goexit: Stats() = %+v, want 1 worker, 1 completed", st)
	}
	if w := <-workers; w != 1 {
		t.Fatalf("worker count %d after the first task, want 1", w)
	}
	select {
	case w := <-workers:
		t.Fatalf("worker count changed to %d: the worker should be taken over, not replaced", w)
	default:
	}
	var ran atomic.Int64
	for range 100 {
		require.NoError(t, p.Submit(bg, func(context.Context) { ran.Add(1) }))
	}
	require.NoError(t, p.Close(bg))
	require.EqualValues(t, 100, ran.Load())
}

// TestAutoscaleToMax submits as many blocking tasks as the autoscaling
// maximum, several times over with resizes in between, and checks that they
// all run at once each time.
func TestAutoscaleToMax(t *testing.T) {
	const max = 500
	p := pool.New(1, pool.WithMaxWorkers(max), pool.WithIdleTimeout(time.Hour))
	for round := range 4 {
		g := newGate(max)
		for range max {
			require.NoError(t, p.Submit(bg, g.task))
		}
		g.waitStarted(max) // every task runs at the same time: none waits in the backlog
		if st := p.Stats(); st.Workers != max || st.Busy != max || st.Queued != 0 {
			t.Fatalf("round %d: Stats() = %+v, want %d busy workers", round, st, max)
		}
		close(g.release)
		require.NoError(t, p.Wait(bg))
		p.Resize(1 + round) // idle workers above the new size exit at once
		if got := p.Stats().Workers; got != 1+round {
			t.Fatalf("round %d: Workers = %d after Resize(%d)", round, got, 1+round)
		}
	}
	require.NoError(t, p.Close(bg))
}

// TestPanicsInOneRun queues tasks that panic or call runtime.Goexit among
// others that do not, on a paused pool of one worker, and then lets the
// worker take them all from the backlog in one run (one deferred recover
// serves the tasks it takes without the lock): each panic goes to its own
// task's handler or Future, each Goexit to its own Future, and every other
// task runs once, in order.
func TestPanicsInOneRun(t *testing.T) {
	var handled []any
	var mu sync.Mutex
	p := pool.New(0, pool.WithQueueSize(64), pool.WithPanicHandler(func(pe *pool.PanicError) {
		mu.Lock()
		handled = append(handled, pe.Value)
		mu.Unlock()
	}))
	var order []int
	ok := func(i int) pool.Task {
		return func(context.Context) { order = append(order, i) } // one worker: no race
	}
	require.NoError(t, p.Submit(bg, ok(0)))
	require.NoError(t, p.Submit(bg, func(context.Context) { panic("first") }))
	require.NoError(t, p.Submit(bg, ok(1)))
	goexit, err := pool.Go(bg, p, func(context.Context) (int, error) { runtime.Goexit(); return 0, nil })
	require.NoError(t, err)
	require.NoError(t, p.Submit(bg, ok(2)))
	panicked, err := pool.Go(bg, p, func(context.Context) (int, error) { panic("second") })
	require.NoError(t, err)
	fine, err := pool.Go(bg, p, func(context.Context) (int, error) { return 7, nil })
	require.NoError(t, err)
	require.NoError(t, p.Submit(bg, func(context.Context) { runtime.Goexit() }))
	require.NoError(t, p.Submit(bg, ok(3)))
	require.NoError(t, p.Submit(bg, func(context.Context) { panic("third") }))
	require.NoError(t, p.Submit(bg, ok(4)))

	p.Resize(1)
	require.NoError(t, p.Close(bg))

	require.Equal(t, []int{0, 1, 2, 3, 4}, order)
	require.Equal(t, []any{"first", "third"}, handled)
	if _, err := goexit.Get(bg); !errors.Is(err, pool.ErrGoexit) {
		t.Fatalf("Future of a Goexit: %v, want ErrGoexit", err)
	}
	var pe *pool.PanicError
	if _, err := panicked.Get(bg); !errors.As(err, &pe) || pe.Value != "second" {
		t.Fatalf("Future of a panic: %v, want the *PanicError of \"second\"", err)
	}
	if v, err := fine.Get(bg); v != 7 || err != nil {
		t.Fatalf("Future after them: %v, %v, want 7, nil", v, err)
	}
	if st := p.Stats(); st.Panicked != 3 || st.Completed != 11 || st.Submitted != 11 {
		t.Fatalf("Stats() = %+v, want Panicked 3, Completed and Submitted 11", st)
	}
}
