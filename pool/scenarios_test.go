package pool_test

// Regression tests for the scenarios of issue 12 ("Nothing lost, provably"),
// one test per numbered scenario, plus the API decisions that the
// current API can express. They use only the pool's public API, so that they
// hold whatever the pool's internals become. Every wait that a bug could turn
// into a hang is bounded by watchdog.Limit, past which the test fails: watchdog.Limit is a
// hang guard, never a speed limit (correct code takes milliseconds).
//
// Races are reproduced by bounded randomized rounds; the preemption tests
// raise GOMAXPROCS above the number of CPUs so that the OS preempts
// goroutines in the middle of an operation.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// scnBlocker is a task that reports that it started and then blocks until
// released, or until its ctx is done (so that Stop ends it).
type scnBlocker struct {
	started chan struct{}
	release chan struct{}
}

func newScnBlocker(n int) *scnBlocker {
	return &scnBlocker{started: make(chan struct{}, n), release: make(chan struct{})}
}

func (b *scnBlocker) task(ctx context.Context) {
	b.started <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
	}
}

func (b *scnBlocker) waitStarted(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		watchdog.Recv(t, fmt.Sprintf("blocking task %d of %d to start", i+1, n), b.started)
	}
}

// scnShutdown stops p when the test ends, so that a failed test leaves no
// worker behind it (and a pool whose workers are lost does not block it).
func scnShutdown(t *testing.T, p *pool.Pool) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), watchdog.Limit)
		defer cancel()
		_, _ = p.Stop(ctx)
	})
}

// scnLedger records, for tasks numbered from 0, whether each was accepted
// and how many times it ran, on a worker or handed back by Stop.
type scnLedger struct {
	accepted []atomic.Bool
	ran      []atomic.Int32
	back     []atomic.Int32 // runs of tasks handed back by Stop
}

func newScnLedger(n int) *scnLedger {
	return &scnLedger{accepted: make([]atomic.Bool, n), ran: make([]atomic.Int32, n), back: make([]atomic.Int32, n)}
}

// task returns the task numbered id; it counts a run as a handed-back one
// once handedBack is set.
func (l *scnLedger) task(id int, handedBack *atomic.Bool) pool.Task {
	return func(context.Context) {
		if handedBack != nil && handedBack.Load() {
			l.back[id].Add(1)
			return
		}
		l.ran[id].Add(1)
		runtime.Gosched() // keep workers busy a little, so that they change state under the storm
	}
}

// check reports the first task that was not run or handed back exactly
// once if accepted, or that ran though refused.
func (l *scnLedger) check() error {
	lost, first := 0, -1
	for id := range l.ran {
		want := int32(0)
		if l.accepted[id].Load() {
			want = 1
		}
		if got := l.ran[id].Load() + l.back[id].Load(); got != want {
			if got == 0 {
				lost++
			}
			if first < 0 {
				first = id
			}
		}
	}
	if first < 0 {
		return nil
	}
	return fmt.Errorf("task %d: accepted %v, ran %d times, handed back and run %d times (%d accepted tasks neither ran nor came back)",
		first, l.accepted[first].Load(), l.ran[first].Load(), l.back[first].Load(), lost)
}

// runHandedBack runs what Stop handed back, as a caller would.
func runHandedBack(tasks []pool.Task) {
	for _, task := range tasks {
		task(context.Background())
	}
}

// scnProcs raises GOMAXPROCS to n for the test, so that there are more Ps
// than CPUs and the OS preempts threads in the middle of an operation.
func scnProcs(t *testing.T, n int) {
	old := runtime.GOMAXPROCS(n)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

// scnRounds runs round(0), …, round(rounds-1) and fails t if any failed,
// saying in how many of them, and how the first failed.
func scnRounds(t *testing.T, rounds int, round func(int) error) {
	t.Helper()
	bad := 0
	var first error
	for r := range rounds {
		if err := round(r); err != nil {
			bad++
			if first == nil {
				first = fmt.Errorf("round %d: %w", r, err)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d rounds failed; first: %v", bad, rounds, first)
	}
}

// scnBusy submits n blocking tasks to p and waits until they all run.
func scnBusy(t *testing.T, ctx context.Context, p *pool.Pool, n int) *scnBlocker {
	t.Helper()
	b := newScnBlocker(n)
	for range n {
		if err := p.Submit(ctx, b.task); err != nil {
			t.Fatalf("Submit: %v", err)
		}
	}
	b.waitStarted(t, n)
	return b
}

// scnStorm has submitters goroutines TrySubmit the tasks, each its own share
// in order, and marks in l those accepted. It returns a channel closed once
// after tasks are in (or a submitter is done), to shut the pool down in full
// swing, and a function that waits for the submitters.
func scnStorm(t *testing.T, p *pool.Pool, l *scnLedger, tasks []pool.Task, submitters, after int) (<-chan struct{}, func()) {
	per := len(tasks) / submitters
	var accepted atomic.Int64
	storming := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for s := range submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer once.Do(func() { close(storming) })
			for id := s * per; id < (s+1)*per; id++ {
				if err := p.TrySubmit(tasks[id]); err != nil {
					if !errors.Is(err, pool.ErrClosed) {
						t.Errorf("TrySubmit: %v", err)
					}
					continue
				}
				l.accepted[id].Store(true)
				if accepted.Add(1) == int64(after) {
					once.Do(func() { close(storming) })
				}
			}
		}()
	}
	return storming, wg.Wait
}

// scnClosed checks a pool that Close, returning err, has shut down: Close
// returned nil and every accepted task ran once. On failure it stops p, and
// says how many tasks Stop still had.
func scnClosed(p *pool.Pool, l *scnLedger, err error) error {
	if err == nil {
		if err = l.check(); err == nil {
			return nil
		}
		err = fmt.Errorf("Close returned nil, but %w", err)
	} else {
		err = fmt.Errorf("Close: %w", err)
	}
	back, _ := p.Stop(context.Background())
	return fmt.Errorf("%w; Stop then handed back %d tasks", err, len(back))
}

// Scenario 1: one busy worker, one queued task, Resize(0), Close. Close must
// not return nil unless the queued task ran: Close runs every task accepted.
func TestScenario01CloseLosesTaskAfterResize0(t *testing.T) {
	ctx := watchdog.Ctx(t)
	p := pool.New(1, pool.WithQueueSize(1))
	scnShutdown(t, p)
	b := scnBusy(t, ctx, p, 1)
	var ran atomic.Bool
	if err := p.Submit(ctx, func(context.Context) { ran.Store(true) }); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	p.Resize(0)
	// The backlog is full and the worker busy: this Submit waits for room,
	// and returns ErrClosed once Close has begun. That is how the test
	// knows Close began while the worker was still busy.
	refused := make(chan error, 1)
	go func() {
		refused <- p.Submit(ctx, func(context.Context) { t.Error("a task refused by Close ran") })
	}()
	closed := make(chan error, 1)
	go func() { closed <- p.Close(ctx) }()
	if err := watchdog.Recv(t, "a Submit waiting for room, once Close began", refused); !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("Submit waiting for room while Close began: got %v, want ErrClosed", err)
	}
	close(b.release)
	if err := watchdog.Recv(t, "Close", closed); err != nil {
		t.Fatalf("Close: %v (Stats %+v)", err, p.Stats())
	}
	if !ran.Load() {
		st := p.Stats()
		back, _ := p.Stop(ctx)
		t.Fatalf("Close returned nil but the task queued before Resize(0) never ran: Stats %+v, and Stop then hands back %d task(s)",
			st, len(back))
	}
}

// Scenario 1, under a storm: Resize(0) and Resize(k) race Submit, then Close.
// When Close returns nil, every accepted task has run exactly once.
func TestScenario01CloseLosesTasksUnderResizeStorm(t *testing.T) {
	scnRounds(t, 60, func(round int) error { return scnResizeStormRound(t, round, 2, 150) })
}

func scnResizeStormRound(t *testing.T, round, submitters, perSubmitter int) error {
	ctx := watchdog.Ctx(t)
	p := pool.New(4, pool.WithQueueSize(64))
	l := newScnLedger(submitters * perSubmitter)
	var wg sync.WaitGroup
	for s := range submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSubmitter {
				id := s*perSubmitter + i
				err := p.Submit(ctx, l.task(id, nil))
				if err == nil {
					l.accepted[id].Store(true)
					continue
				}
				if !errors.Is(err, pool.ErrClosed) {
					t.Errorf("Submit: %v", err)
				}
				return
			}
		}()
	}
	r := rand.New(rand.NewPCG(uint64(round), 1))
	for i := range 40 {
		if i%2 == 0 {
			p.Resize(0)
		} else {
			p.Resize(1 + r.IntN(4))
		}
		runtime.Gosched()
	}
	if r.IntN(2) == 0 {
		p.Resize(0) // Close drains a paused pool too
	}
	err := p.Close(ctx)
	wg.Wait()
	return scnClosed(p, l, err)
}

// Scenario 2: Wait on a pool that becomes quiet returns. Submit one task
// and Wait, many times: no Wait may miss the wake-up.
func TestScenario02WaitMissesWakeUp(t *testing.T) {
	scnProcs(t, 4)
	for _, workers := range []int{1, 2} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			ctx := watchdog.Ctx(t)
			p := pool.New(workers)
			scnShutdown(t, p)
			for round := range 20000 {
				if err := p.Submit(ctx, func(context.Context) {}); err != nil {
					t.Fatalf("round %d: Submit: %v", round, err)
				}
				if err := p.Wait(ctx); err != nil {
					t.Fatalf("round %d: Wait: %v, on a pool that is quiet: Stats %+v", round, err, p.Stats())
				}
			}
		})
	}
}

// Scenario 3: Resize(0) pauses the pool. Workers running tasks under a
// storm of Submits while Resize(0) comes must all leave once their task
// ends: after Wait, no worker is left, and a task submitted after Resize(0)
// is refused (TrySubmit finds no worker, and no backlog: WithQueueSize(0),
// so that Wait has nothing queued to wait for) and does not run.
func TestScenario03Resize0DoesNotPause(t *testing.T) {
	scnProcs(t, 4)
	scnRounds(t, scnPauseRounds, func(int) error { return scnPauseRound(t) })
}

func scnPauseRound(t *testing.T) error {
	const workers, submitters, warmUp = 4, 8, 16
	ctx := watchdog.Ctx(t)
	p := pool.New(workers, pool.WithQueueSize(0))
	defer func() { _, _ = p.Stop(context.Background()) }()
	var ranCount atomic.Int64
	warm := make(chan struct{})
	var once sync.Once
	task := func(context.Context) {
		if ranCount.Add(1) >= warmUp {
			once.Do(func() { close(warm) })
		}
		runtime.Gosched()
	}
	sctx, stopSubmitting := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sctx.Err() == nil {
				_ = p.Submit(sctx, task) // refused once sctx ends: that is the point
			}
		}()
	}
	select {
	case <-warm:
	case <-ctx.Done():
		stopSubmitting()
		wg.Wait()
		return fmt.Errorf("%d tasks to run: %v", warmUp, ctx.Err())
	}
	p.Resize(0)
	stopSubmitting()
	wg.Wait()
	if err := p.Wait(ctx); err != nil {
		return fmt.Errorf("Wait after Resize(0): %v (Stats %+v)", err, p.Stats())
	}
	st := p.Stats()
	var late atomic.Bool
	lateErr := p.TrySubmit(func(context.Context) { late.Store(true) })
	_, _ = p.Stop(ctx) // waits for the workers: a task accepted above has run by then
	if st.Workers != 0 || st.Idle != 0 || st.Busy != 0 || lateErr == nil || late.Load() {
		return fmt.Errorf("after Resize(0) and Wait: Stats %+v, want no worker; TrySubmit then: %v (want ErrFull), and the task ran: %v",
			st, lateErr, late.Load())
	}
	return nil
}

// Scenario 3, deterministic part: a task submitted to a paused pool does
// not run, while a worker that was busy when Resize(0) came finishes.
func TestScenario03PausedPoolRunsNothing(t *testing.T) {
	ctx := watchdog.Ctx(t)
	p := pool.New(2, pool.WithQueueSize(4))
	scnShutdown(t, p)
	b := scnBusy(t, ctx, p, 2)
	p.Resize(0)
	var ran atomic.Int32
	for range 3 {
		if err := p.Submit(ctx, func(context.Context) { ran.Add(1) }); err != nil {
			t.Fatalf("Submit to a paused pool: %v", err)
		}
	}
	close(b.release)
	// Once both blocking tasks have returned and their workers have left,
	// nothing may take the queued tasks. Stop waits for the workers and
	// hands back what never started.
	back, err := p.Stop(ctx)
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if ran.Load() != 0 || len(back) != 3 {
		t.Fatalf("paused pool: %d queued tasks ran and %d came back, want 0 and 3", ran.Load(), len(back))
	}
}

// Scenario 4a: with no backlog (WithQueueSize(0)), TrySubmit must succeed
// while a worker is idle: ErrFull means every worker is busy.
func TestScenario04QueueSize0TrySubmitWithIdleWorker(t *testing.T) {
	t.Run("new pool", func(t *testing.T) {
		for round := range 200 {
			p := pool.New(1, pool.WithQueueSize(0))
			ran := make(chan struct{})
			err := p.TrySubmit(func(context.Context) { close(ran) })
			st := p.Stats()
			if err != nil {
				_ = p.Close(context.Background())
				t.Fatalf("round %d: TrySubmit on a new pool of 1 idle worker: %v (Stats %+v)", round, err, st)
			}
			watchdog.Recv(t, "the accepted task to run", ran)
			if err := p.Close(watchdog.Ctx(t)); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}
	})
	t.Run("after Wait", func(t *testing.T) {
		ctx := watchdog.Ctx(t)
		p := pool.New(1, pool.WithQueueSize(0))
		scnShutdown(t, p)
		fails := 0
		const rounds = 200
		for range rounds {
			if err := p.Wait(ctx); err != nil {
				t.Fatalf("Wait: %v", err)
			}
			// No task is queued or running: the one worker is idle.
			switch err := p.TrySubmit(func(context.Context) {}); {
			case errors.Is(err, pool.ErrFull):
				fails++
			case err != nil:
				t.Fatalf("TrySubmit: %v", err)
			}
		}
		if fails > 0 {
			t.Fatalf("TrySubmit returned ErrFull in %d of %d rounds right after Wait, with the only worker idle", fails, rounds)
		}
	})
}

// Scenario 4b: a pool with no backlog and WithMaxWorkers grows for tasks
// that find every worker busy, up to the ceiling.
func TestScenario04QueueSize0MaxWorkersGrows(t *testing.T) {
	ctx := watchdog.Ctx(t)
	p := pool.New(1, pool.WithQueueSize(0), pool.WithMaxWorkers(4))
	scnShutdown(t, p)
	b := newScnBlocker(4)
	for i := range 4 {
		if err := p.Submit(ctx, b.task); err != nil {
			t.Fatalf("Submit %d with %d workers busy and a ceiling of 4: %v (Stats %+v)", i+1, i, err, p.Stats())
		}
		b.waitStarted(t, 1)
	}
	if err := p.TrySubmit(func(context.Context) { t.Error("a refused task ran") }); !errors.Is(err, pool.ErrFull) {
		t.Fatalf("TrySubmit with 4 of 4 workers busy and no backlog: got %v, want ErrFull", err)
	}
	close(b.release)
	if err := p.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// Scenario 8: Group.Go on a closed pool fails with ErrClosed, the pool's
// reason, not with the cancellation of the group's ctx that follows it.
func TestScenario08GroupGoOnClosedPool(t *testing.T) {
	for _, tc := range []struct {
		name     string
		shutdown func(*pool.Pool)
		early    bool // the group is made before the pool shuts down
	}{
		{"Close", func(p *pool.Pool) { _ = p.Close(context.Background()) }, false},
		{"Stop", func(p *pool.Pool) { _, _ = p.Stop(context.Background()) }, false},
		{"group made before Close", func(p *pool.Pool) { _ = p.Close(context.Background()) }, true},
		{"group made before Stop", func(p *pool.Pool) { _, _ = p.Stop(context.Background()) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 100 {
				p := pool.New(1)
				var g *pool.Group
				if tc.early {
					g, _ = p.Group(context.Background())
				}
				tc.shutdown(p)
				if !tc.early {
					g, _ = p.Group(context.Background())
				}
				err := g.Go(func(context.Context) error {
					t.Error("a function refused by a closed pool ran")
					return nil
				})
				if !errors.Is(err, pool.ErrClosed) {
					t.Fatalf("round %d: Group.Go after %s: got %v, want ErrClosed", round, tc.name, err)
				}
				watchdog.Within(t, watchdog.Limit, "Group.Wait", func() { _ = g.Wait() })
			}
		})
	}
}

// Scenario 10, through the pool: Stop hands back every accepted task that
// did not start, also while submitters are preempted in the middle of a
// Submit. On a paused pool nothing runs: each accepted task comes back once.
// A task whose Submit returned nil and that neither ran nor came back is
// lost: it stays in the closed backlog for good.
func TestScenario10StopHandsBackUnderPreemption(t *testing.T) {
	scnProcs(t, 16)
	scnRounds(t, scnStopStorm.rounds, func(int) error {
		return scnStopRound(t, scnStopStorm.submitters, scnStopStorm.perSubmitter)
	})
}

func scnStopRound(t *testing.T, submitters, perSubmitter int) error {
	ctx := watchdog.Ctx(t)
	n := submitters * perSubmitter
	p := pool.New(0, pool.WithQueueSize(n))
	l := newScnLedger(n)
	var handedBack atomic.Bool
	tasks := make([]pool.Task, n) // made before the storm, so that submitters only submit
	for id := range tasks {
		tasks[id] = l.task(id, &handedBack)
	}
	// Stop comes once three quarters of the tasks are in, while the
	// submitters are in full swing.
	storming, wait := scnStorm(t, p, l, tasks, submitters, n*3/4)
	<-storming
	back, err := p.Stop(ctx)
	handedBack.Store(true)
	wait()
	if err != nil {
		return fmt.Errorf("Stop: %v", err)
	}
	runHandedBack(back)
	if err := l.check(); err != nil {
		return fmt.Errorf("after Stop on a paused pool: %v", err)
	}
	return nil
}

// Scenario 10, through the pool: Close runs every accepted task, also while
// submitters are preempted in the middle of a Submit, on a paused pool (which
// Close drains with a worker of its own) and on a running one.
func TestScenario10CloseDrainsUnderPreemption(t *testing.T) {
	scnProcs(t, 16)
	scnRounds(t, scnStopStorm.rounds/2, func(round int) error {
		if err := scnCloseRound(t, round%2, scnStopStorm.submitters, scnStopStorm.perSubmitter/4); err != nil {
			return fmt.Errorf("%d workers: %w", round%2, err)
		}
		return nil
	})
}

func scnCloseRound(t *testing.T, workers, submitters, perSubmitter int) error {
	ctx := watchdog.Ctx(t)
	n := submitters * perSubmitter
	p := pool.New(workers, pool.WithQueueSize(n))
	l := newScnLedger(n)
	tasks := make([]pool.Task, n)
	for id := range tasks {
		tasks[id] = l.task(id, nil)
	}
	storming, wait := scnStorm(t, p, l, tasks, submitters, n/2)
	<-storming
	err := p.Close(ctx)
	wait()
	return scnClosed(p, l, err)
}

// API decision: Go honours the caller's ctx. If ctx is done before f
// starts, f never starts and the Future's error is ctx.Err().
func TestAPIGoCtxDoneBeforeStart(t *testing.T) {
	t.Run("cancelled while queued", func(t *testing.T) {
		ctx := watchdog.Ctx(t)
		p := pool.New(1)
		scnShutdown(t, p)
		b := newScnBlocker(1)
		if err := p.Submit(ctx, b.task); err != nil {
			t.Fatalf("Submit: %v", err)
		}
		b.waitStarted(t, 1)
		var started atomic.Bool
		gctx, cancel := context.WithCancel(ctx)
		fu, err := pool.Go(gctx, p, func(context.Context) (int, error) {
			started.Store(true)
			return 1, nil
		})
		if err != nil {
			t.Fatalf("Go with a live ctx and room in the backlog: %v", err)
		}
		cancel()
		close(b.release)
		_, err = fu.Get(ctx)
		if wait := p.Wait(ctx); wait != nil {
			t.Fatalf("Wait: %v", wait)
		}
		if err != context.Canceled || started.Load() {
			t.Fatalf("Go whose ctx was cancelled before f started: Future error %v, f started %v; want context.Canceled, false",
				err, started.Load())
		}
	})
	t.Run("done before Go", func(t *testing.T) {
		ctx := watchdog.Ctx(t)
		p := pool.New(1)
		scnShutdown(t, p)
		gctx, cancel := context.WithCancel(ctx)
		cancel()
		var started atomic.Bool
		fu, err := pool.Go(gctx, p, func(context.Context) (int, error) {
			started.Store(true)
			return 1, nil
		})
		if err == nil {
			_, err = fu.Get(ctx)
		}
		if wait := p.Wait(ctx); wait != nil {
			t.Fatalf("Wait: %v", wait)
		}
		if err != context.Canceled || started.Load() {
			t.Fatalf("Go with a done ctx: error %v, f started %v; want context.Canceled, false", err, started.Load())
		}
	})
}

// API decision: while f runs, its ctx is done once either the caller's ctx
// or the pool's is.
func TestAPIGoCtxWhileRunning(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(cancel context.CancelFunc, p *pool.Pool)
	}{
		{"caller cancels", func(cancel context.CancelFunc, _ *pool.Pool) { cancel() }},
		{"pool stops", func(_ context.CancelFunc, p *pool.Pool) { go func() { _, _ = p.Stop(context.Background()) }() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := watchdog.Ctx(t)
			p := pool.New(1)
			scnShutdown(t, p)
			gctx, cancel := context.WithCancel(ctx)
			defer cancel()
			started := make(chan struct{})
			abort := make(chan struct{}) // ends f if its ctx never does
			defer close(abort)
			fu, err := pool.Go(gctx, p, func(fctx context.Context) (int, error) {
				close(started)
				select {
				case <-fctx.Done():
					return 0, fctx.Err()
				case <-abort:
					return 0, errors.New("f's ctx never ended")
				}
			})
			if err != nil {
				t.Fatalf("Go: %v", err)
			}
			watchdog.Recv(t, "f to start", started)
			tc.end(cancel, p)
			got := make(chan error, 1)
			go func() {
				_, err := fu.Get(context.Background())
				got <- err
			}()
			if err := watchdog.Recv(t, "f's ctx to end after "+tc.name, got); !errors.Is(err, context.Canceled) {
				t.Fatalf("Future error after %s: %v, want context.Canceled", tc.name, err)
			}
		})
	}
}

// API decision: Stop hands back only the tasks of Submit and TrySubmit. A
// Go or Group task that never started fails its Future or Group with
// ErrClosed, and is neither handed back nor run.
func TestAPIStopHandsBackOnlySubmitTasks(t *testing.T) {
	ctx := watchdog.Ctx(t)
	p := pool.New(1, pool.WithQueueSize(8))
	scnShutdown(t, p)
	scnBusy(t, ctx, p, 1) // busy until Stop cancels its ctx
	var submitRan, tryRan, goRan, groupRan atomic.Int32
	if err := p.Submit(ctx, func(context.Context) { submitRan.Add(1) }); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if err := p.TrySubmit(func(context.Context) { tryRan.Add(1) }); err != nil {
		t.Fatalf("TrySubmit: %v", err)
	}
	fu, err := pool.Go(ctx, p, func(context.Context) (int, error) { goRan.Add(1); return 1, nil })
	if err != nil {
		t.Fatalf("Go: %v", err)
	}
	g, _ := p.Group(ctx)
	if err := g.Go(func(context.Context) error { groupRan.Add(1); return nil }); err != nil {
		t.Fatalf("Group.Go: %v", err)
	}
	back, err := p.Stop(ctx)
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	runHandedBack(back)
	if _, err := fu.Get(ctx); !errors.Is(err, pool.ErrClosed) {
		t.Errorf("Future of a Go task that never started: %v, want ErrClosed", err)
	}
	var gerr error
	watchdog.Within(t, watchdog.Limit, "Group.Wait", func() { gerr = g.Wait() })
	if !errors.Is(gerr, pool.ErrClosed) {
		t.Errorf("Group of a function that never started: %v, want ErrClosed", gerr)
	}
	if len(back) != 2 || submitRan.Load() != 1 || tryRan.Load() != 1 || goRan.Load() != 0 || groupRan.Load() != 0 {
		t.Fatalf("Stop handed back %d tasks; run then: Submit %d, TrySubmit %d, Go %d, Group.Go %d; want 2 tasks: 1, 1, 0, 0",
			len(back), submitRan.Load(), tryRan.Load(), goRan.Load(), groupRan.Load())
	}
}
