package pool

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lullgo/lull/internal/ring"
	"github.com/lullgo/lull/internal/wait"
)

// Task is a function run by a worker of a Pool. Its ctx lives as long as the
// pool, and is cancelled by [Pool.Stop], or once [Pool.Close] has finished.
type Task = func(ctx context.Context)

// runner is a task that carries its own state, so that Go and Group.Go submit
// one allocation (the Future or the group member) and no closure. Stop calls
// abandon on the runners it hands back, so that their Future or Group learns
// at once that they will not run on the pool.
type runner interface {
	run(ctx context.Context)
	abandon()
}

// job is one accepted task: a Task from Submit, or a runner. The zero job
// tells a parked worker to exit.
type job struct {
	task   Task
	runner runner
}

func (j job) isZero() bool { return j.task == nil && j.runner == nil }

// asTask returns j as a Task, for Stop to hand back.
func (j job) asTask() Task {
	if j.task != nil {
		return j.task
	}
	return j.runner.run
}

// Pool runs tasks on a set of workers that can be resized at any time, with a
// bounded backlog of tasks that wait for a worker. An idle worker is a
// goroutine parked on a channel of its own: it costs no CPU, and the pool
// starts no other goroutine and arms no timer while it is idle (see
// [WithIdleTimeout] for the one timer of an autoscaled pool).
//
// A task waits in the backlog only while every worker is busy, or for the
// moment it takes a worker woken for an earlier task to start: rather than
// wake one worker per task, the pool lets a woken worker pass what waits on to
// the next one once it runs, so a burst of tasks does not flood the scheduler
// with goroutines that have not run yet.
//
// Create a Pool with [New]; the zero value is not usable. All methods are safe
// for concurrent use. A Pool must be shut down with [Pool.Close] or
// [Pool.Stop]; until then its workers stay parked.
type Pool struct {
	mu sync.Mutex

	size        int // the target set by New and Resize
	maxWorkers  int
	idleTimeout time.Duration
	onPanic     func(*PanicError)

	backlog    *ring.Ring[job]
	idle       idleList       // parked workers, most recently idle first
	submitters wait.List[job] // Submits waiting for room, first come first served
	waiters    sync.Pool      // of *wait.Waiter[job]

	workers int          // workers counted in Size terms: not told to exit yet
	busy    int          // workers running a task
	waking  int          // busy workers woken or started for a task that have not run yet (see offerLocked)
	alive   atomic.Int32 // worker goroutines that have not returned yet (see goroutineExit)

	submitted, completed, panicked, rejected uint64

	closed   bool          // Close or Stop began: no task is accepted any more
	stopping bool          // Stop began: workers exit after their current task
	exited   chan struct{} // closed once closed and alive == 0
	isExited bool
	idleCh   chan struct{} // closed when no task is queued or running; made by Wait
	panics   []*PanicError // panics of Submit tasks, for Wait or Close to raise, or Stop to return

	timer      *time.Timer // retires workers above size that idled too long
	timerArmed bool

	// ctx is the context every task of the pool receives, and cancel ends
	// it. The pool owns this context (it is not a caller's), which is why it
	// is kept here: workers started later by Resize need it too.
	ctx    context.Context
	cancel context.CancelFunc

	// onWorkers and onPark, if set (by tests only), are called with mu held
	// each time the number of workers changes, and each time a Submit parks.
	onWorkers func(workers int)
	onPark    func()
}

// New returns a Pool of the given number of workers, started at once and
// parked until tasks come. With workers = 0 the pool is paused: it accepts
// tasks into its backlog but runs none until [Pool.Resize]. New panics if
// workers < 0.
func New(workers int, opts ...Option) *Pool {
	if workers < 0 {
		panic("pool: New with workers < 0")
	}
	c := newConfig(opts)
	p := &Pool{
		maxWorkers:  c.maxWorkers,
		idleTimeout: c.idleTimeout,
		onPanic:     c.onPanic,
		backlog:     ring.New[job](c.queueSize),
		exited:      make(chan struct{}),
	}
	p.waiters.New = func() any { return wait.New[job]() }
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.Resize(workers)
	return p
}

// Submit hands t to the pool, blocking while the backlog is full. It returns
// nil once t is accepted: t will then run exactly once, or be handed back by
// [Pool.Stop]. It returns ctx.Err() if ctx is done first, or [ErrClosed] if
// the pool is or becomes closed first; then t was not accepted. ctx bounds
// only the wait for room: t receives the pool's ctx. Submits that wait are
// served in the order they came. Submit panics if t is nil.
//
// Use Submit when the submitter should slow down to the pool's pace
// (backpressure), and [Pool.TrySubmit] to shed load instead.
func (p *Pool) Submit(ctx context.Context, t Task) error {
	if t == nil {
		panic("pool: Submit with nil task")
	}
	return p.submit(ctx, job{task: t})
}

// TrySubmit hands t to the pool if it can take it without waiting: an idle
// worker takes it, a new worker may start for it, or the backlog has room.
// It returns nil if t was accepted, [ErrFull] if not, or [ErrClosed] once the
// pool is closed. TrySubmit never blocks; it panics if t is nil.
func (p *Pool) TrySubmit(t Task) error {
	if t == nil {
		panic("pool: TrySubmit with nil task")
	}
	j := job{task: t}
	p.mu.Lock()
	w, err := p.offerLocked(j)
	if err == ErrFull {
		p.rejected++
	}
	p.mu.Unlock()
	if w != nil {
		w.jobs <- j
	}
	return err
}

func (p *Pool) submit(ctx context.Context, j job) error {
	done := ctx.Done()
	if done != nil {
		select {
		case <-done:
			return ctx.Err()
		default:
		}
	}
	p.mu.Lock()
	idle, err := p.offerLocked(j)
	if err != ErrFull {
		p.mu.Unlock()
		if idle != nil {
			idle.jobs <- j
		}
		return err
	}
	w := p.waiters.Get().(*wait.Waiter[job])
	w.Item = j
	p.submitters.PushBack(w)
	if p.onPark != nil {
		p.onPark()
	}
	p.mu.Unlock()

	select {
	case <-w.Ready:
	case <-done:
		p.mu.Lock()
		if w.State == wait.Waiting {
			// No worker took the task yet, and none can once it
			// leaves the list: it was never accepted.
			p.submitters.Remove(w)
			p.mu.Unlock()
			w.Item = job{}
			p.waiters.Put(w)
			return ctx.Err()
		}
		// A worker took the task (or the pool closed) before the
		// cancellation was seen; that stands. Take the token so w can
		// be reused.
		p.mu.Unlock()
		<-w.Ready
	}
	state := w.State
	w.Item = job{}
	p.waiters.Put(w)
	if state == wait.Closing {
		return ErrClosed
	}
	return nil
}

// offerLocked accepts j without waiting if it can, or returns ErrFull or
// ErrClosed. If it returns an idle worker, j is that worker's: the caller
// sends j to it once p.mu is released (the send never blocks: w's channel
// holds one job and w, off the idle list now, is sent nothing else).
// p.mu is held.
func (p *Pool) offerLocked(j job) (*worker, error) {
	if p.closed {
		p.rejected++
		return nil, ErrClosed
	}
	// While a worker woken or started for an earlier task has not run yet,
	// j waits in the backlog, if it has room, rather than wake another:
	// that would put one more goroutine on the run queues before the first
	// even ran, and under load every task would cost a park and a wake-up.
	// The woken worker, once it runs, passes the backlog on to the next idle
	// or new worker (see started), and busy workers take from it as they
	// finish. So, whenever p.mu is free: if tasks wait in the backlog while
	// a worker idles, or while the pool may grow, a worker is on its way
	// (p.waking > 0); and no Submit waits for room while a worker idles.
	if p.waking == 0 || p.backlog.Len() == p.backlog.Cap() {
		if w := p.wakeIdleLocked(); w != nil {
			p.submitted++
			return w, nil
		}
		if p.workers < p.ceilingLocked() {
			p.submitted++
			p.startLocked(j)
			return nil, nil
		}
	}
	if p.backlog.Len() < p.backlog.Cap() {
		p.submitted++
		p.backlog.Push(j)
		return nil, nil
	}
	return nil, ErrFull
}

// ceilingLocked returns how many workers may run: Size, or more when
// autoscaling, but none while paused. p.mu is held.
func (p *Pool) ceilingLocked() int {
	if p.size == 0 {
		if p.closed {
			return 1 // Close drains a paused pool with one worker
		}
		return 0
	}
	return max(p.size, p.maxWorkers)
}

// takeLocked returns the next job to run, if any: the front of the backlog,
// whose room goes to the longest-waiting submitter, or, with no backlog, that
// submitter's job itself. A submitter whose job it accepted is returned too,
// its outcome set, for the caller to Signal once p.mu is released. p.mu is
// held.
func (p *Pool) takeLocked() (j job, accepted *wait.Waiter[job], ok bool) {
	if p.backlog.Len() > 0 {
		j = p.backlog.Pop()
		if w := p.submitters.PopFront(); w != nil {
			p.backlog.Push(w.Item)
			p.submitted++
			w.State = wait.Served
			accepted = w
		}
		return j, accepted, true
	}
	if w := p.submitters.PopFront(); w != nil {
		p.submitted++
		w.State = wait.Served
		return w.Item, w, true
	}
	return job{}, nil, false
}

// Resize sets the number of workers to n and returns at once, without
// waiting for any worker. Growing starts the missing workers at once, and they
// take the backlog at once. Shrinking never queues anything behind real work:
// idle workers above n exit at once, and busy ones right after their current
// task. With [WithMaxWorkers], workers above n that are busy go on until they
// idle for the idle timeout. Resize(0) pauses the pool: tasks wait in the
// backlog until a later Resize. After Close or Stop began, Resize only sets
// Size. Resize panics if n < 0.
func (p *Pool) Resize(n int) {
	if n < 0 {
		panic("pool: Resize with n < 0")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.size = n
	if p.closed {
		return
	}
	for p.workers < n {
		j, accepted, _ := p.takeLocked()
		p.startLocked(j)
		if accepted != nil {
			accepted.Signal() // a rare path: under the lock is fine
		}
	}
	for p.workers > n {
		w := p.idle.popBack()
		if w == nil {
			break // the rest are busy: they exit after their task
		}
		p.retireLocked(w)
	}
	p.tuneTimerLocked()
}

// Size returns the number of workers set by [New] or the last [Pool.Resize].
func (p *Pool) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.size
}

// Stats is a snapshot of a pool's state and counters.
type Stats struct {
	Workers int // workers now: idle and busy, not yet told to exit
	Busy    int // workers running a task
	Idle    int // workers parked, waiting for a task
	Queued  int // accepted tasks waiting in the backlog

	Submitted uint64 // tasks accepted, by every entry point
	Completed uint64 // tasks that finished, by returning, panicking or runtime.Goexit
	Panicked  uint64 // tasks that panicked (Submit tasks; Go and Group tasks recover their own)
	Rejected  uint64 // tasks refused: TrySubmit's ErrFull, and ErrClosed after Close or Stop
}

// Stats returns a consistent snapshot of the pool's state and counters.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{
		Workers:   p.workers,
		Busy:      p.busy,
		Idle:      p.idle.n,
		Queued:    p.backlog.Len(),
		Submitted: p.submitted,
		Completed: p.completed,
		Panicked:  p.panicked,
		Rejected:  p.rejected,
	}
}

// Wait blocks until no task is queued or running, or until ctx is done, and
// returns nil or ctx.Err(). Tasks may be submitted again afterwards: Wait
// neither closes nor stops the pool. On a paused pool with queued tasks, Wait
// lasts until a Resize lets them run. If a task of Submit panicked and no
// handler is set, Wait panics with its *PanicError.
func (p *Pool) Wait(ctx context.Context) error {
	p.mu.Lock()
	if p.quietLocked() {
		p.mu.Unlock()
		p.raisePanics()
		return nil
	}
	if p.idleCh == nil {
		p.idleCh = make(chan struct{})
	}
	ch := p.idleCh
	p.mu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
		return ctx.Err()
	}
	p.raisePanics()
	return nil
}

// quietLocked reports whether no task is queued, waiting for room or
// running. p.mu is held.
func (p *Pool) quietLocked() bool {
	return p.busy == 0 && p.backlog.Len() == 0 && p.submitters.Len() == 0
}

// Close stops accepting tasks, runs every task accepted so far, and waits
// until every worker has exited, or until ctx is done. It returns nil, or
// ctx.Err() if ctx ended first, in which case the pool goes on draining in the
// background (call Close again to wait more, or Stop to give up). Submits
// blocked waiting for room return ErrClosed: their tasks were not accepted.
// A paused pool starts one worker to run what it holds. Once every worker has
// exited, Close cancels the tasks' ctx. If a task of Submit panicked and no
// handler is set, Close panics with its *PanicError. Close is idempotent.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closeLocked()
		if p.workers == 0 {
			// closeLocked turned every waiting submitter away, so this
			// takes from the backlog only.
			if j, _, ok := p.takeLocked(); ok {
				p.startLocked(j)
			}
		}
		p.checkExitedLocked()
	}
	p.mu.Unlock()
	return p.awaitExit(ctx)
}

// Stop stops accepting tasks, cancels the ctx of the tasks that are running,
// and hands back every accepted task that has not started: those never run.
// It then waits until every worker has exited, or until ctx is done, and
// returns the tasks with nil or ctx.Err(). The tasks of [Go] and [Group.Go]
// are handed back too, and their Future or Group learns it at once: the
// Future's error, or the Group's, is [ErrClosed], and Group.Wait does not wait
// for them. Running such a returned task later still calls its function, but
// its result goes nowhere. Stop may follow Close, to give up on draining.
//
// Unlike Wait and Close, Stop does not panic with the unhandled panic of a
// Submit task, which would lose the tasks it hands back: it returns it in its
// error instead (with [errors.Join], to be found with [errors.As]).
func (p *Pool) Stop(ctx context.Context) ([]Task, error) {
	p.mu.Lock()
	var tasks []Task
	var abandoned []runner
	if !p.stopping {
		if !p.closed {
			p.closeLocked()
		}
		p.stopping = true
		if n := p.backlog.Len(); n > 0 {
			tasks = make([]Task, 0, n)
			for p.backlog.Len() > 0 {
				j := p.backlog.Pop()
				tasks = append(tasks, j.asTask())
				if j.runner != nil {
					abandoned = append(abandoned, j.runner)
				}
			}
		}
		p.notifyQuietLocked()
		p.checkExitedLocked()
	}
	p.mu.Unlock()
	// Outside the lock: completing a Future or failing a Group runs
	// cancellation callbacks, which may call back into the pool.
	for _, r := range abandoned {
		r.abandon()
	}
	p.cancel()
	select {
	case <-p.exited:
	case <-ctx.Done():
		return tasks, ctx.Err()
	}
	p.mu.Lock()
	errs := make([]error, len(p.panics))
	for i, pe := range p.panics {
		errs[i] = pe
	}
	p.panics = nil
	p.mu.Unlock()
	return tasks, errors.Join(errs...)
}

// closeLocked refuses new tasks, turns away the waiting submitters, and
// retires the idle workers. p.mu is held.
func (p *Pool) closeLocked() {
	p.closed = true
	for w := p.submitters.PopFront(); w != nil; w = p.submitters.PopFront() {
		p.rejected++
		w.Wake(wait.Closing)
	}
	// Idle workers imply an empty backlog: nothing is left for them.
	for w := p.idle.popBack(); w != nil; w = p.idle.popBack() {
		p.retireLocked(w)
	}
	p.tuneTimerLocked()
	p.notifyQuietLocked()
}

// awaitExit waits until every worker goroutine has returned, then cancels the
// tasks' ctx and raises any unhandled panic.
func (p *Pool) awaitExit(ctx context.Context) error {
	select {
	case <-p.exited:
	case <-ctx.Done():
		return ctx.Err()
	}
	p.cancel()
	p.raisePanics()
	return nil
}

// raisePanics panics with the oldest panic of a Submit task that no handler
// took, if any; the others wait for the next caller.
func (p *Pool) raisePanics() {
	p.mu.Lock()
	if len(p.panics) == 0 {
		p.mu.Unlock()
		return
	}
	pe := p.panics[0]
	p.panics = p.panics[1:]
	p.mu.Unlock()
	panic(pe)
}

// notifyQuietLocked wakes the callers of Wait if no task is queued or
// running. p.mu is held.
func (p *Pool) notifyQuietLocked() {
	if p.idleCh != nil && p.quietLocked() {
		close(p.idleCh)
		p.idleCh = nil
	}
}

// checkExitedLocked closes exited once the pool is closed and no worker
// goroutine is left. p.mu is held.
func (p *Pool) checkExitedLocked() {
	if p.closed && p.alive.Load() == 0 && !p.isExited {
		p.isExited = true
		close(p.exited)
	}
}

// setWorkersLocked records a change in the number of workers. p.mu is held.
func (p *Pool) setWorkersLocked(n int) {
	p.workers = n
	if p.onWorkers != nil {
		p.onWorkers(n)
	}
}
