package pool_test

// Adversarial tests of the pool's fast paths (see the file comment of
// pool.go): races between the lock-free Submit and worker paths and the
// changes of state (Resize, the idle timer) that must close the ring's gates
// before the pool inspects the ring.

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// TestAttackResizeGrowStrandsFastPathSubmit races a Submit with a Resize that
// grows a paused pool. The paused pool's tail gate is clear (workers ==
// ceiling == 0), so the Submit takes the fast path. Resize must either see
// the task (and start a worker for it) or set the tail's gate first, so that
// the Submit goes through p.mu and starts a worker itself. Once both have
// returned, a pool with no worker at all and a task queued has lost that
// task until some other call comes: that state is stable, so the check is
// deterministic, and the task must then run without any other call.
func TestAttackResizeGrowStrandsFastPathSubmit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	rounds := attackRounds(20000, 2000)
	for round := range rounds {
		p := pool.New(0)
		ran := make(chan struct{})
		subErr := racedSubmit(p, func(context.Context) { close(ran) }, round, func() { p.Resize(1) })
		if subErr != nil {
			t.Fatalf("round %d: Submit: %v", round, subErr)
		}
		if s := p.Stats(); s.Queued > 0 && s.Busy == 0 && s.Idle == 0 {
			// Nothing left that will ever take the task: show that it
			// does not run, then let Close drain it.
			t.Errorf("round %d: after Submit and Resize(1) returned, the task is queued with no worker: %v", round, s)
			if err := p.Wait(watchdog.Ctx(t)); err != nil {
				t.Errorf("round %d: Wait: %v after %v: the task never ran (%v)", round, err, watchdog.Limit, p.Stats())
			}
			closeWithin(t, p)
			return
		}
		watchdog.Recv(t, "the task to run after Resize(1)", ran)
		closeWithin(t, p)
	}
}

// TestAttackResizeGrowDependentTask is the same race as
// TestAttackResizeGrowStrandsFastPathSubmit on a running pool: the pool's
// one worker runs T1, which waits until T2 starts, and T2's Submit races
// Resize(2). Once both have returned the pool has room for T2's worker, so
// T2 must start and T1 end: a task that depends on a task submitted after
// it completes whenever the pool has enough workers. A T2 left in the
// backlog behind the busy worker, with no worker to start for it, is a
// stable state (T1 waits for T2 forever), which the round checks.
func TestAttackResizeGrowDependentTask(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	rounds := attackRounds(20000, 2000)
	for round := range rounds {
		p := pool.New(1)
		d := startDependent(t, p)
		subErr := racedSubmit(p, d.t2, round, func() { p.Resize(2) })
		if subErr != nil {
			t.Fatalf("round %d: Submit: %v", round, subErr)
		}
		if !d.end(t, p, round, "after Submit(T2) and Resize(2) returned, T2 waits behind the busy T1 with room for a worker") {
			return
		}
	}
}

// TestAttackIdleTimerRetireStrandsFastPathSubmit races the idle timer with a
// Submit on an autoscaled pool at its maximum (the only state in which an
// autoscaled pool's tail gate is clear). Size is 1, the maximum 2: worker A
// runs T1, which waits until T2 starts, and worker B idles past the idle
// timeout of 1ms. T2's Submit comes about when the timer fires and retires
// B: the test tracks the boundary (a Submit that came after B was retired,
// as OnWorkers tells, comes a little earlier the next round, one that came
// before, a little later). Once the Submit returned, T2 must start: the pool
// has room for a second worker. A T2 queued while A is busy, with no worker
// idle and none to start, is stable (T1 waits for T2 forever), which the
// round checks.
func TestAttackIdleTimerRetireStrandsFastPathSubmit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	rounds := attackRounds(30000, 3000)
	delay := 1100 * time.Microsecond
	for round := range rounds {
		p := pool.New(1, pool.WithMaxWorkers(2), pool.WithIdleTimeout(time.Millisecond), pool.WithQueueSize(4))
		counts := pool.OnWorkers(p, 64)
		d := startDependent(t, p)
		q0 := make(chan struct{})
		if err := p.Submit(context.Background(), func(context.Context) { close(q0) }); err != nil {
			t.Fatal(err)
		}
		watchdog.Recv(t, "q0 to run", q0)
		// B parks right after q0; the timer retires it a millisecond later.
		start := time.Now()
		for time.Since(start) < delay {
		}
		retired := false
		for drained := false; !drained; {
			select {
			case n := <-counts:
				retired = n == 1
			default:
				drained = true
			}
		}
		if retired {
			delay -= 3 * time.Microsecond
		} else {
			delay += time.Microsecond
		}
		if err := p.Submit(context.Background(), d.t2); err != nil {
			t.Fatalf("round %d: Submit: %v", round, err)
		}
		if !d.end(t, p, round, "after Submit(T2) returned, T2 waits behind the busy T1 while the pool (max 2 workers) has 1") {
			return
		}
	}
}

// dependent is T1, a task that runs on a pool until T2, submitted after it,
// starts: a pair that completes whenever the pool has a worker for T2, and
// is stuck for good once T2 waits in the backlog behind the busy T1 with no
// worker to start for it.
type dependent struct {
	t2started, giveUp, t1done chan struct{} // giveUp: closed once the test failed
}

// startDependent submits T1 to p and waits until it runs.
func startDependent(t *testing.T, p *pool.Pool) *dependent {
	d := &dependent{make(chan struct{}), make(chan struct{}), make(chan struct{})}
	t1started := make(chan struct{})
	if err := p.Submit(context.Background(), func(context.Context) {
		close(t1started)
		select {
		case <-d.t2started:
		case <-d.giveUp:
		}
		close(d.t1done)
	}); err != nil {
		t.Fatal(err)
	}
	watchdog.Recv(t, "T1 to start", t1started)
	return d
}

// t2 is T2: it lets T1 end.
func (d *dependent) t2(context.Context) { close(d.t2started) }

// end ends a round once T2 was submitted: it fails t with stuck if T2 waits
// behind the busy T1 with no worker idle (a stable state), and reports
// whether the round passed; p is closed either way.
func (d *dependent) end(t *testing.T, p *pool.Pool, round int, stuck string) bool {
	t.Helper()
	if s := p.Stats(); s.Queued > 0 && s.Busy == 1 && s.Idle == 0 {
		t.Errorf("round %d: %s: %v", round, stuck, s)
		select {
		case <-d.t2started:
			t.Errorf("round %d: (T2 did start after all)", round)
		case <-time.After(watchdog.Limit):
			t.Errorf("round %d: T2 did not start within %v: %v", round, watchdog.Limit, p.Stats())
		}
		close(d.giveUp)
		closeWithin(t, p)
		return false
	}
	watchdog.Recv(t, "T1 to end once T2 started", d.t1done)
	closeWithin(t, p)
	return true
}
