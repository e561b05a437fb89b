package pool

// This file and worker.go are the pool. All of its state is guarded by one
// mutex, Pool.mu, and every transition (a task accepted, started, finished;
// a worker started, parked, woken, retired, exited) happens under it, so a
// reader can check each invariant below against a single critical section.
//
// State (all under mu):
//
//   - size: the target set by New and Resize; ceiling(), derived from it,
//     is how many workers may exist: size, or max(size, maxWorkers) when
//     autoscaling; 0 once Stop began; at least 1 after Close while tasks
//     are queued, so that a paused pool still drains.
//   - workers: worker goroutines started and not yet returned. A worker
//     decrements it itself, under mu, as the last thing it does.
//   - idle: the workers parked for a task, most recently parked last.
//   - leaving: workers taken off idle and told to exit that have not yet
//     run to their end (see retireLocked). busy = workers - leaving -
//     len(idle) is derived, never stored: workers running a task, or about to.
//   - backlog: accepted tasks that no worker has taken yet, at most its
//     capacity; putters: Submits parked for room, each with its task.
//   - closed (Close or Stop began: nothing more is accepted), stopping
//     (Stop began), and the counters of Stats.
//
// Invariants, true whenever mu is free:
//
//  1. idle is non-empty only if backlog and putters are empty: a task goes
//     to an idle worker before it is queued, and a worker parks only when
//     there is nothing queued.
//  2. putters is non-empty only if the backlog is full and no more workers
//     may start: a worker that takes a task from the backlog moves the first
//     putter's task in (or, with no backlog, takes it directly).
//  3. workers - leaving <= ceiling(), except for busy workers above it,
//     which exit when their task ends (a worker checks before it takes
//     another task), and len(idle) <= ceiling(): Resize, Close and Stop
//     retire the idle workers above it at once.
//  4. once closed, putters is empty, and once closed and workers == 0,
//     exited is closed and no task is queued.
//
// So a task is accepted exactly when it is counted in Submitted, and is
// then in exactly one place: given to a worker, in the backlog, or handed
// back by Stop (a Submit task) or abandoned with ErrClosed (a Go or Group
// task). Close returns nil only once workers == 0, and by invariants 3 and
// 4 no worker exits while tasks are queued unless Stop took them.
//
// Nothing is done under mu that may block or call user code: tasks, the
// panic handler, and the completion of Futures and Groups abandoned by Stop
// run outside it. Waking a parked goroutine (a channel send that never
// blocks) is done under mu when it keeps the code simple, and after
// releasing it on the hot paths.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lullgo/lull/internal/ring"
	"github.com/lullgo/lull/internal/wait"
)

// Task is a function run by a worker of a Pool. Its ctx lives as long as the
// pool, and is cancelled by [Pool.Stop], or once [Pool.Close] has finished.
type Task = func(ctx context.Context)

// runner is a task that carries its own state and result, so that Go and
// Group.Go submit one allocation (the Future or the group member) and no
// closure.
type runner interface {
	// run calls the function with the pool's ctx. The worker recovers a
	// panic or runtime.Goexit in it and calls fail.
	run(ctx context.Context)
	// fail completes the runner with err: a *PanicError, or ErrGoexit.
	fail(err error)
	// abandon completes a runner that never ran, because Stop took it
	// from the backlog, with ErrClosed.
	abandon()
}

// job is one accepted task: a Task from Submit, or a runner.
type job struct {
	task   Task
	runner runner
}

// Pool runs tasks on a set of workers that can be resized at any time, with a
// bounded backlog of tasks that wait for a worker. An idle worker is a
// goroutine parked on a channel of its own: it costs no CPU, and the pool
// starts no other goroutine and arms no timer while it is idle (see
// [WithIdleTimeout] for the one timer of an autoscaled pool).
//
// Workers start as tasks need them, up to the pool's Size, and then stay,
// parked while idle: a submitted task goes to the most recently parked idle
// worker, else to a new worker if fewer than Size exist, else to the
// backlog. All state is guarded by one mutex, taken once per Submit and once
// per task finished.
//
// Create a Pool with [New]; the zero value is not usable. All methods are safe
// for concurrent use. A Pool must be shut down with [Pool.Close] or
// [Pool.Stop]; until then its workers stay parked.
type Pool struct {
	mu sync.Mutex

	size        int
	maxWorkers  int // 0 without autoscaling
	idleTimeout time.Duration
	onPanic     func(*PanicError)

	workers int
	leaving int
	idle    []*worker

	backlog ring.Ring[job]
	putters wait.List[job]
	waiters sync.Pool // of *wait.Waiter[job]

	closed, stopping bool
	exited           chan struct{} // closed once closed and workers == 0
	quiet            chan struct{} // made by Wait, closed once no task is queued or running
	panics           []*PanicError // panics of Submit tasks with no handler, for Wait, Close or Stop

	submitted, completed, panicked, rejected uint64

	timer      *time.Timer // retires workers above size that idled too long (autoscaling only)
	timerArmed bool

	// ctx is the context every task of the pool receives, and cancel ends
	// it. The pool owns this context (it is no caller's), which is why it
	// is kept here: workers started later need it.
	ctx    context.Context
	cancel context.CancelFunc
}

// Test hooks, set only by tests (export_test.go), before any pool is made.
var (
	onWorkers func(p *Pool, n int) // called with mu held when workers changes
	onPark    func(p *Pool)        // called with mu held when a Submit parks
)

// New returns a Pool of the given number of workers. It starts no goroutine:
// workers start as tasks arrive, up to that number, and then stay, parked
// while idle, until the pool shrinks or shuts down. With workers = 0 the pool
// is paused: it accepts tasks into its backlog but runs none until
// [Pool.Resize]. New panics if workers < 0.
func New(workers int, opts ...Option) *Pool {
	if workers < 0 {
		panic("pool: New with workers < 0")
	}
	c := newConfig(opts)
	p := &Pool{
		size:        workers,
		maxWorkers:  c.maxWorkers,
		idleTimeout: c.idleTimeout,
		onPanic:     c.onPanic,
		backlog:     ring.New[job](c.queueSize),
		exited:      make(chan struct{}),
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p
}

// ceilingLocked returns how many workers may exist (invariant 3). p.mu is
// held.
func (p *Pool) ceilingLocked() int {
	if p.stopping {
		return 0
	}
	c := p.size
	if p.maxWorkers > 0 && c > 0 {
		c = max(c, p.maxWorkers)
	}
	if c == 0 && p.closed && p.backlog.Len()+p.putters.Len() > 0 {
		c = 1 // Close drains a paused pool with one worker
	}
	return c
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
	return p.submit(ctx, job{task: t}, false)
}

// TrySubmit hands t to the pool if it can take it without waiting: an idle
// worker takes it, a new worker may start for it, or the backlog has room.
// It returns nil if t was accepted, [ErrFull] if not, or [ErrClosed] once
// the pool is closed. TrySubmit never blocks; it panics if t is nil.
func (p *Pool) TrySubmit(t Task) error {
	if t == nil {
		panic("pool: TrySubmit with nil task")
	}
	return p.submit(context.Background(), job{task: t}, true)
}

// submit accepts j if it can without waiting, or else, unless try, parks
// until a worker makes room, ctx is done, or the pool closes.
func (p *Pool) submit(ctx context.Context, j job, try bool) error {
	done := ctx.Done()
	p.mu.Lock()
	// A closed pool says so before a done ctx: a Group's ctx, say, ends
	// because its pool did.
	if p.closed {
		p.rejected++
		p.mu.Unlock()
		return ErrClosed
	}
	if done != nil {
		select {
		case <-done:
			p.mu.Unlock()
			return ctx.Err()
		default:
		}
	}
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		w.job = j
		p.submitted++
		p.tuneTimerLocked()
		p.mu.Unlock()
		w.wake <- struct{}{}
		return nil
	}
	if p.workers-p.leaving < p.ceilingLocked() {
		w := p.addWorkerLocked()
		p.submitted++
		p.mu.Unlock()
		go p.work(w, j)
		return nil
	}
	if !p.backlog.Full() {
		p.backlog.Push(j)
		p.submitted++
		p.mu.Unlock()
		return nil
	}
	if try {
		p.rejected++
		p.mu.Unlock()
		return ErrFull
	}
	wt, _ := p.waiters.Get().(*wait.Waiter[job])
	if wt == nil {
		wt = wait.New[job]()
	}
	wt.Item = j
	p.putters.PushBack(wt)
	if onPark != nil {
		onPark(p)
	}
	p.mu.Unlock()

	if !wt.Park(done) {
		p.mu.Lock()
		if wt.State == wait.Waiting {
			// Still parked: j was not accepted, and never will be.
			p.putters.Remove(wt)
			p.mu.Unlock()
			p.recycle(wt)
			return ctx.Err()
		}
		// Accepted, or refused by Close, first; the token is on its way.
		p.mu.Unlock()
		wt.Settle()
	}
	state := wt.State
	p.recycle(wt)
	if state == wait.Closed {
		return ErrClosed
	}
	return nil
}

func (p *Pool) recycle(w *wait.Waiter[job]) {
	w.Reset()
	p.waiters.Put(w)
}

// admitLocked accepts the first parked Submit's task into the backlog, if
// one waits, the backlog has room, and returns the putter to wake (after
// p.mu is released), or nil. p.mu is held.
func (p *Pool) admitLocked() *wait.Waiter[job] {
	if p.putters.Len() == 0 || p.backlog.Full() {
		return nil
	}
	wt := p.putters.PopFront()
	p.backlog.Push(wt.Item)
	wt.Item, wt.State = job{}, wait.Served
	p.submitted++
	return wt
}

// takeLocked takes the next accepted task for a worker: from the backlog,
// or, with no backlog, straight from the first parked Submit. It returns
// the putter to wake once p.mu is released, if any. p.mu is held, and a task
// is queued.
func (p *Pool) takeLocked() (job, *wait.Waiter[job]) {
	if p.backlog.Len() > 0 {
		j := p.backlog.Pop()
		return j, p.admitLocked()
	}
	wt := p.putters.PopFront()
	j := wt.Item
	wt.Item, wt.State = job{}, wait.Served
	p.submitted++
	return j, wt
}

// queuedLocked reports whether a task waits for a worker, in the backlog or
// in a parked Submit. p.mu is held.
func (p *Pool) queuedLocked() bool { return p.backlog.Len()+p.putters.Len() > 0 }

// Resize sets the number of workers to n and returns at once, without
// waiting for any worker. Growing starts workers at once for the tasks
// queued in the backlog (up to n), and later ones as tasks arrive.
// Shrinking never queues anything behind real work: idle workers above n exit
// at once, and busy ones right after their current task. With
// [WithMaxWorkers], workers above n that are busy go on until they idle for
// the idle timeout. Resize(0) pauses the pool: tasks wait in the backlog
// until a later Resize, and no task starts in between. After Close or Stop
// began, Resize only sets Size. Resize panics if n < 0.
func (p *Pool) Resize(n int) {
	if n < 0 {
		panic("pool: Resize with n < 0")
	}
	p.mu.Lock()
	p.size = n
	var start []startJob
	if !p.closed {
		start = p.startForQueueLocked()
		// Idle workers above n exit at once, also those that autoscaling
		// started (invariant 1: with tasks queued, none is idle).
		p.retireLocked(min(len(p.idle), p.workers-p.leaving-n))
		p.tuneTimerLocked()
	}
	p.mu.Unlock()
	for _, s := range start {
		if s.putter != nil {
			s.putter.Wake()
		}
		go p.work(s.w, s.j)
	}
}

type startJob struct {
	w      *worker
	j      job
	putter *wait.Waiter[job]
}

// startForQueueLocked adds a worker for each queued task, up to the ceiling,
// and returns them with their first task, for the caller to start once p.mu
// is released. p.mu is held.
func (p *Pool) startForQueueLocked() []startJob {
	var start []startJob
	for p.queuedLocked() && p.workers-p.leaving < p.ceilingLocked() {
		j, wt := p.takeLocked()
		start = append(start, startJob{p.addWorkerLocked(), j, wt})
	}
	return start
}

// Size returns the number of workers set by [New] or the last [Pool.Resize].
func (p *Pool) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.size
}

// Done returns a channel that is closed once the pool runs no more tasks:
// when [Pool.Stop] begins, or [Pool.Close] has finished. It is the Done
// channel of the ctx that every task receives. Code that feeds a pool and
// waits for its tasks, such as mapreduce with WithPool, selects on it: once
// it is closed, a task still in the backlog will never start (Stop hands it
// back), and a task running is being cancelled.
func (p *Pool) Done() <-chan struct{} { return p.ctx.Done() }

// Stats is a snapshot of a pool's state and counters.
type Stats struct {
	// Workers is the number of workers that stay once their current task
	// ends: idle and busy, less the busy ones that will exit then (after a
	// shrink) and the idle ones already told to exit. Workers start as tasks
	// need them, so it may be below Size. Workers <= Busy + Idle.
	Workers int
	Busy    int // workers running a task, including those that exit after it
	Idle    int // workers parked, waiting for a task
	Queued  int // accepted tasks waiting for a worker

	Submitted uint64 // tasks accepted, by every entry point
	Completed uint64 // tasks that finished, by returning, panicking or runtime.Goexit (or, for Go, by finding their ctx done)
	Panicked  uint64 // tasks that panicked, by every entry point
	Rejected  uint64 // tasks refused: TrySubmit's ErrFull, and ErrClosed after Close or Stop
}

// String returns the snapshot on one line, each field with its name.
func (s Stats) String() string {
	return fmt.Sprintf("workers=%d busy=%d idle=%d queued=%d submitted=%d completed=%d panicked=%d rejected=%d",
		s.Workers, s.Busy, s.Idle, s.Queued, s.Submitted, s.Completed, s.Panicked, s.Rejected)
}

// Stats returns a snapshot of the pool's state and counters, taken at one
// instant: Submitted = Completed + Busy + Queued, plus the tasks Stop handed
// back or abandoned.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	present := p.workers - p.leaving
	return Stats{
		Workers:   min(present, p.ceilingLocked()),
		Busy:      present - len(p.idle),
		Idle:      len(p.idle),
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
	if !p.quietLocked() {
		if p.quiet == nil {
			p.quiet = make(chan struct{})
		}
		ch := p.quiet
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	} else {
		p.mu.Unlock()
	}
	p.raisePanic()
	return nil
}

// quietLocked reports whether no task is queued or running. p.mu is held.
func (p *Pool) quietLocked() bool {
	return !p.queuedLocked() && p.workers-p.leaving == len(p.idle)
}

// notifyQuietLocked wakes the callers of Wait if no task is queued or
// running. It is called wherever a task ends or leaves the queue. p.mu is
// held.
func (p *Pool) notifyQuietLocked() {
	if p.quiet != nil && p.quietLocked() {
		close(p.quiet)
		p.quiet = nil
	}
}

// Close stops accepting tasks, runs every task accepted so far, and waits
// until every worker has exited, or until ctx is done. It returns nil,
// or ctx.Err() if ctx ended first, in which case the pool goes on draining in
// the background (call Close again to wait more, or Stop to give up). Submits
// blocked waiting for room return ErrClosed: their tasks were not accepted.
// A paused pool starts one worker to run what it holds. Once every worker has
// exited, Close cancels the tasks' ctx. If a task of Submit panicked and no
// handler is set, Close panics with its *PanicError. Close is idempotent.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	var start []startJob
	if !p.closed {
		p.closeLocked()
		start = p.startForQueueLocked()
		p.checkExitedLocked()
	}
	p.mu.Unlock()
	for _, s := range start {
		go p.work(s.w, s.j)
	}
	select {
	case <-p.exited:
	case <-ctx.Done():
		return ctx.Err()
	}
	p.cancel()
	p.raisePanic()
	return nil
}

// Stop stops accepting tasks, cancels the ctx of the tasks that are running,
// and hands back every task of Submit and TrySubmit that has not started:
// those never run. The tasks of [Go] and [Group.Go] that have not started are
// not handed back (their result would go nowhere): they never run, and their
// Future's error, or their Group's, is [ErrClosed] at once; Group.Wait does
// not wait for them. Stop then waits until every worker has exited, or until
// ctx is done, and returns the tasks with nil or ctx.Err(). Stop may follow
// Close, to give up on draining; a second Stop hands back nothing.
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
		for p.backlog.Len() > 0 {
			j := p.backlog.Pop()
			if j.runner != nil {
				abandoned = append(abandoned, j.runner)
			} else {
				tasks = append(tasks, j.task)
			}
		}
		p.retireLocked(len(p.idle))
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

// closeLocked refuses new tasks: the Submits parked for room get ErrClosed,
// idle workers beyond those the backlog needs exit, and the others exit
// once it is empty. p.mu is held.
func (p *Pool) closeLocked() {
	p.closed = true
	for wt := p.putters.PopFront(); wt != nil; wt = p.putters.PopFront() {
		wt.State = wait.Closed
		p.rejected++
		wt.Wake()
	}
	// By invariant 1, idle workers mean an empty backlog: none is needed.
	p.retireLocked(len(p.idle))
	p.tuneTimerLocked()
	p.notifyQuietLocked()
}

// checkExitedLocked closes exited once the pool is closed, no worker is
// left, and nothing is queued (Close starts a worker for a paused pool's
// backlog before it calls this). p.mu is held.
func (p *Pool) checkExitedLocked() {
	if p.closed && p.workers == 0 && !p.queuedLocked() {
		select {
		case <-p.exited:
		default:
			close(p.exited)
		}
	}
}

// raisePanic panics with the oldest panic of a Submit task that no handler
// took, if any; the others wait for the next caller.
func (p *Pool) raisePanic() {
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
