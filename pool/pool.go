package pool

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lullgo/lull/internal/qcore"
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
// is none: a worker started with it starts idle.
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
// The backlog is the queue package's blocking core, and an idle worker is one
// of its parked getters: a submitted task goes straight to an idle worker if
// there is one, and a worker that finishes a task takes the next one without
// a lock. The pool's own mutex is taken only as workers start, retire and
// exit, and by Resize, Stats, Wait, Close and Stop.
//
// Create a Pool with [New]; the zero value is not usable. All methods are safe
// for concurrent use. A Pool must be shut down with [Pool.Close] or
// [Pool.Stop]; until then its workers stay parked.
type Pool struct {
	backlog *qcore.Core[job]

	// Read by every task, written rarely.
	excess    atomic.Int32 // busy workers that must exit after their task: Resize shrank below them
	idle      atomic.Int32 // workers parked in the backlog, or about to park
	waiting   atomic.Bool  // a Wait waits for the pool to be quiet
	canGrow   atomic.Bool  // autoscaling may start a worker: fewer than the ceiling are alive
	starting  atomic.Int32 // workers started that have not looked at the backlog yet
	autoscale bool         // maxWorkers > 0: workers idle above Size time out
	_         [64]byte

	panicked, rejected atomic.Uint64

	mu          sync.Mutex
	size        int // the target set by New and Resize
	maxWorkers  int
	idleTimeout time.Duration
	onPanic     func(*PanicError)

	workers   int                  // workers counted in Size terms, excess included: not retired yet
	all       map[*worker]struct{} // every worker goroutine's worker, for Resize, Stats and the timer
	completed uint64               // tasks completed by workers that exited
	handed    uint64               // tasks handed back by Stop
	alive     atomic.Int32         // worker goroutines that have not returned yet (see goroutineExit)

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

	// onWorkers, if set (by tests only), is called with mu held each time
	// the number of workers changes.
	onWorkers func(workers int)
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
		backlog:     qcore.NewFIFO[job](c.queueSize),
		autoscale:   c.maxWorkers > 0,
		maxWorkers:  c.maxWorkers,
		idleTimeout: c.idleTimeout,
		onPanic:     c.onPanic,
		all:         make(map[*worker]struct{}),
		exited:      make(chan struct{}),
	}
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
// worker takes it, or the backlog has room. It returns nil if t was
// accepted, [ErrFull] if not, or [ErrClosed] once the pool is closed.
// TrySubmit never blocks; it panics if t is nil.
func (p *Pool) TrySubmit(t Task) error {
	if t == nil {
		panic("pool: TrySubmit with nil task")
	}
	return p.accepted(p.backlog.TryPut(job{task: t}))
}

func (p *Pool) submit(ctx context.Context, j job) error {
	return p.accepted(p.backlog.Put(ctx, j))
}

// accepted turns the backlog's answer to a Put into the pool's, counting
// refusals, and, in a pool that may grow, starts a worker for a backlog
// that no idle worker takes.
func (p *Pool) accepted(err error) error {
	switch err {
	case nil:
		if p.canGrow.Load() && p.backlog.Len() > 0 {
			p.grow()
		}
		return nil
	case qcore.ErrFull:
		p.rejected.Add(1)
		return ErrFull
	case qcore.ErrClosed:
		p.rejected.Add(1)
		return ErrClosed
	}
	return err // ctx.Err()
}

// grow starts workers beyond Size for the tasks that wait in the backlog,
// one per task that no worker is on its way to take, up to the ceiling.
func (p *Pool) grow() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	n := min(p.backlog.Len()-int(p.starting.Load()), p.ceilingLocked()-p.workers)
	for range n {
		p.startLocked(job{})
	}
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
	p.resizeLocked(n)
	p.tuneTimerLocked()
}

// resizeLocked brings the workers, excess left out, to n: it cancels pending
// exits and starts workers, or retires idle workers and, if too few idle,
// tells as many busy ones to exit after their task. p.mu is held.
func (p *Pool) resizeLocked(n int) {
	if have := p.workers - int(p.excess.Load()); have < n {
		keep := min(int(p.excess.Load()), n-have)
		p.excess.Add(int32(-keep))
		for range n - have - keep {
			p.startLocked(job{})
		}
		p.setWorkersLocked(p.workers)
		return
	}
	p.backlog.Do(func() {
		for w := range p.all {
			if p.workers-int(p.excess.Load()) <= n {
				break
			}
			p.retireLocked(w)
		}
		p.backlog.DropEnded()
	})
	if extra := p.workers - int(p.excess.Load()) - n; extra > 0 {
		p.excess.Add(int32(extra))
		p.setWorkersLocked(p.workers)
	}
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

// Stats returns a snapshot of the pool's state and counters. While tasks
// run, its fields are read one after another, not at one instant, so they
// may not add up; once the pool is quiet they are exact.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	workers := p.workers
	idle := min(int(p.idle.Load()), workers)
	return Stats{
		Workers:   workers,
		Busy:      workers - idle,
		Idle:      idle,
		Queued:    p.backlog.Len(),
		Submitted: p.backlog.Pushes(),
		Completed: p.completedLocked(),
		Panicked:  p.panicked.Load(),
		Rejected:  p.rejected.Load(),
	}
}

// completedLocked returns how many tasks finished, as of each busy worker's
// last idling: exact when every worker is idle. p.mu is held.
func (p *Pool) completedLocked() uint64 {
	p.sweepLocked()
	n := p.completed
	for w := range p.all {
		n += w.completed.Load()
	}
	return n
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
		p.waiting.Store(true)
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

// quietLocked reports whether no task is queued or running: every worker
// is idle, and every task that entered the backlog has finished or was
// handed back. (A task that waits for room has not entered it, but then the
// backlog is full.) p.mu is held.
func (p *Pool) quietLocked() bool {
	return int(p.idle.Load()) == p.workers && p.backlog.Pushes() == p.completedLocked()+p.handed
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
		if p.workers == 0 && p.backlog.Len() > 0 {
			p.startLocked(job{}) // a paused pool drains with one worker
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
		if js := p.backlog.Drain(); len(js) > 0 {
			tasks = make([]Task, 0, len(js))
			for _, j := range js {
				tasks = append(tasks, j.asTask())
				if j.runner != nil {
					abandoned = append(abandoned, j.runner)
				}
			}
			p.handed += uint64(len(js))
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

// closeLocked refuses new tasks and closes the backlog: the Submits waiting
// for room get ErrClosed, and the workers, once it is empty, exit. p.mu is
// held.
func (p *Pool) closeLocked() {
	p.closed = true
	p.canGrow.Store(false)
	p.backlog.Close()
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
		p.waiting.Store(false)
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

// setWorkersLocked records the number of workers, excess included, and
// whether autoscaling may start more. p.mu is held.
func (p *Pool) setWorkersLocked(n int) {
	p.workers = n
	p.canGrow.Store(p.autoscale && !p.closed && n < p.ceilingLocked())
	if p.onWorkers != nil {
		p.onWorkers(n)
	}
}
