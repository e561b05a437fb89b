package pool

// This file and worker.go are the pool. Its backlog is a ring of slots
// claimed by compare-and-swap (internal/slots, as in queue.Queue); the rest
// of its state is guarded by one mutex, Pool.mu. A Submit that finds room
// and a worker that finds a task take the ring's fast paths and not mu;
// everything else (a worker started, parked, woken, retired or exited; a
// Submit parked; Resize, Close, Stop, Wait, Stats) happens under mu, so a
// reader can check each invariant below against a single critical section.
//
// State under mu:
//
//   - size: the target set by New and Resize; ceiling(), derived from it,
//     is how many workers may exist: size, or max(size, maxWorkers) when
//     autoscaling; 0 once Stop began; at least 1 after Close while tasks
//     are queued, so that a paused pool still drains.
//   - workers: the workers of the pool, busy or idle. A worker that exits
//     after a task decrements it itself, under mu, as the last thing it
//     does; retireLocked decrements it for the idle workers it tells to
//     exit, whose goroutines count in retiring (an atomic) until they are
//     done with the pool, but for the lock that the last one takes for
//     Close (see leave). busy = workers - len(idle) is derived, never
//     stored: busy workers run a task, or are about to take one.
//   - idle: the workers parked for a task, most recently parked last.
//   - putters: Submits parked for room, each with its task. Those parked
//     under a ctx that another shares wait for it through one link
//     (internal/wait.Links), which counts them out (dropPutter) when it
//     ends, as a Submit that gives up by itself does.
//   - closed (Close or Stop began: nothing more is accepted), stopping
//     (Stop began), and the counters of Stats.
//
// The ring holds the backlog: the tasks at positions head to tail-1. Its
// two gates send callers through mu while the pool must see them:
//
//   - the tail's gate is set while closed, while workers < ceiling (a
//     Submit starts a worker), and always without a backlog
//     (WithQueueSize(0)). A Submit takes the fast path only with the gate
//     clear and no Submit parked, so parked Submits are served first.
//   - the head's gate is set while workers > ceiling (busy workers owe an
//     exit), while ceiling is 0 (paused, or Stop began), and always without
//     a backlog. A worker takes the fast path only with the gate clear, so
//     after Resize(0) returns no task starts.
//
// gatesLocked sets both from the state, at every change to it. Under mu,
// the pool claims positions bypassing the gates. Setting the tail's gate
// counts in tail every Submit that claimed a position before, so a change
// that sets it looks at the ring afterwards (Resize, the idle timer): a
// task queued just before then gets a worker. A gate must never open for
// an intermediate state that mu hides from nobody but the fast paths:
// Stop sets stopping before it closes the pool, for that reason.
//
// Atomics let the fast paths see parked goroutines: nidle mirrors
// len(idle), and nput the number of putters. A worker that parks bumps
// nidle before it looks at the ring one last time, and a Submit reads nidle
// after its compare-and-swap on tail; a Submit that parks bumps nput before
// it tries the ring again, and a worker reads nput after taking a task.
// Both sides use sequentially consistent atomics, so of each pair at least
// one sees the other: an idle worker never misses a queued task, nor a
// parked Submit the room a worker made.
//
// Waking. A Submit that sees a worker idle wakes one (wakeOne), handing it
// the ring's next task, unless a worker that wakeOne woke has not yet run
// (pending > 0): tasks that come faster than woken workers get to run then
// wake one worker at a time, not every idle one, and busy workers take the
// rest from the ring. A woken worker decrements pending and then, before
// it runs its task, wakes the next if tasks are still queued; the Submit
// reads pending after its compare-and-swap, so of the two at least one
// sees the other, and a queued task never waits for a busy worker while
// another is idle for longer than one wake-up.
//
// Invariants, true whenever mu is free and no Submit or worker is between
// its compare-and-swap and the check of nidle, pending or nput that follows
// it:
//
//  1. idle is non-empty only if the ring and putters are empty, or a
//     worker that wakeOne woke has not yet run: a task goes to an idle
//     worker (wakeOne, settleLocked), and a worker parks only when nothing
//     is queued.
//  2. putters is non-empty only if the ring is full and no more workers
//     may start: room made in the ring goes to the first putter
//     (settleLocked), or, with no backlog, a worker takes its task directly.
//  3. workers <= ceiling(), except for busy workers above it, which exit
//     when their task ends (the head's gate sends them through mu), and
//     len(idle) <= ceiling(): Resize, Close and Stop retire the idle
//     workers above it at once.
//  4. once closed, putters is empty and tail no longer moves; once closed,
//     workers == 0 and retiring == 0, exited is closed and no task is
//     queued.
//
// So a task is accepted exactly when it is counted in Submitted (tail, plus
// direct: the tasks given to a worker without the ring), and is then in
// exactly one place: given to a worker, in the ring, or handed back by Stop
// (a Submit task) or abandoned with ErrClosed (a Go or Group task). Close
// returns once workers == 0, and by invariants 3 and 4 no worker exits
// while tasks are queued unless Stop took them; if Stop began, Close says
// so (ErrStopped) instead of nil.
//
// Lock order: mu before the ring's own lock, which guards only goroutines
// parked for a slot (see internal/slots); a call that owns a slot finishes
// with it without taking mu, so waiting for a slot under mu is safe.
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
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lullgo/lull/internal/slots"
	"github.com/lullgo/lull/internal/wait"
)

// Task is a function run by a worker of a Pool. Its ctx lives as long as the
// pool, and is cancelled by [Pool.Stop], or once a closed pool's workers have
// all exited (see [Pool.Close]).
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
// parked while idle: a submitted task goes to an idle worker if one is
// parked, else to a new worker if fewer than Size exist, else to the
// backlog, from which workers take tasks as they finish. A Submit that finds
// room in the backlog and a worker that finds a task there take no lock.
//
// Create a Pool with [New]; the zero value is not usable. All methods are safe
// for concurrent use. A Pool must be shut down with [Pool.Close] or
// [Pool.Stop]; until then its workers stay parked.
type Pool struct {
	ring slots.Ring[job] // the backlog; its gates are set by gatesLocked

	_ [64]byte
	// nput is the number of putters, for the workers that do not take mu.
	// It changes only when a Submit parks or leaves, so it has a line of
	// its own, which every worker reads after every task.
	nput atomic.Int64
	_    [64]byte
	// nidle is len(idle), for the Submits that do not take mu, and
	// pending the number of workers that wakeOne woke and that have not
	// yet looked at the ring again: while one has not, a Submit wakes no
	// other.
	nidle, pending atomic.Int64
	_              [64]byte

	mu sync.Mutex

	size        int
	maxWorkers  int // 0 without autoscaling
	idleTimeout time.Duration
	onPanic     func(*PanicError)
	noBacklog   bool // WithQueueSize(0): the ring is not used, and its gates stay set

	workers  int
	retiring atomic.Int64 // retired idle workers whose goroutines have not yet left (see leave)
	idle     []*worker

	putters wait.List[job]
	links   wait.Links[job] // the ctxs that several putters wait under
	waiters sync.Pool       // of *wait.Waiter[job]
	getters sync.Pool       // of *getter, for Future.Get

	// spares is a stack of the workers whose goroutines have exited, for
	// the goroutines that park later (see spareWorker), linked through
	// worker.nextSpare: pushed with or without mu, popped under it only.
	// nspares counts them, up to maxSpares.
	spares  atomic.Pointer[worker]
	nspares atomic.Int64

	closed, stopping bool
	exited           chan struct{} // closed once closed and workers == 0
	quiet            chan struct{} // made by Wait, closed once no task is queued or running
	panics           []*PanicError // panics of Submit tasks with no handler, for Wait, Close or Stop

	// The counters of Stats, with tail and head: direct counts the tasks
	// accepted without the ring (given to an idle or new worker, or taken
	// from a putter with no backlog), and taken those Stop took from it.
	direct, taken, panicked, rejected uint64

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
	onGetPark func(p *Pool)        // called when a Future.Get of p's parks
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
		noBacklog:   c.queueSize == 0,
		exited:      make(chan struct{}),
	}
	p.ring.Init(max(c.queueSize, 1))
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.links.Init(&p.mu, p.dropPutter, &p.putters)
	p.gatesLocked() // p is not shared yet
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
	if c == 0 && p.closed && p.queuedLocked() {
		c = 1 // Close drains a paused pool with one worker
	}
	return c
}

// gatesLocked sets the ring's gates from the pool's state (see the file
// comment). It is called after every change to size, workers,
// closed and stopping, before p.mu is released. p.mu is held.
func (p *Pool) gatesLocked() {
	c := p.ceilingLocked()
	p.ring.SetTailGate(p.noBacklog || p.closed || p.workers < c)
	p.ring.SetHeadGate(p.noBacklog || c == 0 || p.workers > c)
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
	if ctx.Err() != nil {
		// A closed pool says so before a done ctx (a Group's ctx, say,
		// ends because its pool did): let submitSlow tell which.
		return p.submitSlow(ctx, j, try)
	}
	// The fast path: room in the ring, no worker to start, and no Submit
	// parked to go first. A Submit that loses the compare-and-swap to
	// another yields its processor once, then tries again: with more
	// submitters than CPUs, two running at once fight over tail's cache
	// line while the workers wait for a CPU, and the yield gives one to a
	// worker. On 2 CPUs with 2 workers and 4 submitters that took a
	// task from 124 to 69 ns (the buffered channel's: 80). A second loss
	// goes through mu.
	for retry := false; p.nput.Load() == 0; retry = true {
		pos, ok, contended := p.ring.TryClaimPut()
		if ok {
			p.ring.Write(pos, j)
			if p.nidle.Load() > 0 && p.pending.Load() == 0 {
				p.wakeOne()
			}
			return nil
		}
		if !contended || retry {
			break
		}
		// Lost the compare-and-swap once: give a worker the CPU (see
		// above). Once per Submit, and only a busy one: nothing polls.
		runtime.Gosched()
	}
	return p.submitSlow(ctx, j, try)
}

// submitSlow is submit under p.mu: it gives j to an idle or a new worker,
// or queues it, or parks.
func (p *Pool) submitSlow(ctx context.Context, j job, try bool) error {
	var wk wakeups
	p.mu.Lock()
	if p.closed {
		p.rejected++
		p.mu.Unlock()
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		p.mu.Unlock()
		return err
	}
	p.settleLocked(&wk) // room a worker made goes to the putters first
	if n := len(p.idle); n > 0 {
		w := p.popIdleLocked()
		w.job = j
		p.direct++
		p.mu.Unlock()
		wk.wake()
		w.wake <- struct{}{}
		return nil
	}
	if p.workers < p.ceilingLocked() {
		p.addWorkerLocked()
		p.direct++
		p.mu.Unlock()
		wk.wake()
		go p.work(nil, j)
		return nil
	}
	if p.putters.Len() == 0 && p.putLocked(j) {
		p.mu.Unlock()
		wk.wake()
		return nil
	}
	if try {
		p.rejected++
		p.mu.Unlock()
		wk.wake()
		return ErrFull
	}
	wt, _ := p.waiters.Get().(*wait.Waiter[job])
	if wt == nil {
		wt = wait.New[job]()
	}
	first := p.putters.Len() == 0
	done := p.links.Push(&p.putters, wt, ctx)
	p.nput.Add(1) // before the last try: see the file comment
	if first && p.putLocked(j) {
		p.putters.Remove(wt)
		p.nput.Add(-1)
		p.mu.Unlock()
		p.recycle(wt)
		wk.wake()
		return nil
	}
	wt.Item = j
	if onPark != nil {
		onPark(p)
	}
	p.mu.Unlock()
	wk.wake()

	if !wt.Park(done) {
		p.mu.Lock()
		if wt.State == wait.Waiting {
			// Still parked: j was not accepted, and never will be.
			p.putters.Remove(wt)
			p.dropPutter(wt, &p.putters)
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
	switch state {
	case wait.Closed:
		return ErrClosed
	case wait.Cancelled:
		return ctx.Err() // as above, by the link of ctx (see wait.Links)
	}
	return nil
}

// dropPutter counts out a putter whose ctx ended, which left putters: its
// task was not accepted. With no backlog, it was what a Wait waited for.
// p.mu is held.
func (p *Pool) dropPutter(*wait.Waiter[job], *wait.List[job]) {
	p.nput.Add(-1)
	p.notifyQuietLocked()
}

func (p *Pool) recycle(w *wait.Waiter[job]) {
	w.Reset()
	p.waiters.Put(w)
}

// wakeups collects the goroutines that a critical section completed, to be
// woken once p.mu is released. Beyond the few it holds, it wakes them at
// once, under p.mu (a send that never blocks).
type wakeups struct {
	workers    [4]*worker
	putters    [4]*wait.Waiter[job]
	nwork, npu int
}

func (wk *wakeups) worker(w *worker) {
	if wk.nwork == len(wk.workers) {
		w.wake <- struct{}{}
		return
	}
	wk.workers[wk.nwork] = w
	wk.nwork++
}

func (wk *wakeups) putter(w *wait.Waiter[job]) {
	if wk.npu == len(wk.putters) {
		w.Wake()
		return
	}
	wk.putters[wk.npu] = w
	wk.npu++
}

// wake wakes them; p.mu is not held.
func (wk *wakeups) wake() {
	for _, w := range wk.workers[:wk.nwork] {
		w.wake <- struct{}{}
	}
	for _, w := range wk.putters[:wk.npu] {
		w.Wake()
	}
}

// putLocked puts j in the ring if it has room, and gives the ring's tasks
// to idle workers. It reports whether j was accepted. p.mu is held.
func (p *Pool) putLocked(j job) bool {
	if p.noBacklog {
		return false
	}
	pos, ok, _ := p.ring.ClaimPut(true)
	if !ok {
		return false
	}
	p.ring.Write(pos, j)
	return true
}

// getLocked takes the ring's next task, if any. p.mu is held.
func (p *Pool) getLocked() (job, bool) {
	if p.noBacklog {
		return job{}, false
	}
	pos, n, _, _, _ := p.ring.ClaimGet(1, true)
	if n == 0 {
		return job{}, false
	}
	return p.ring.Read(pos), true
}

// settle completes what parked goroutines it can (see settleLocked): a
// Submit calls it when, after its compare-and-swap, it sees a worker idle,
// and a worker when, after taking a task, it sees a Submit parked.
func (p *Pool) settle() {
	var wk wakeups
	p.mu.Lock()
	p.settleLocked(&wk)
	p.mu.Unlock()
	wk.wake()
}

// wakeOne gives the ring's next task to the most recently parked idle
// worker, if there are both, and counts that worker in pending: once it
// runs, it wakes the next if tasks are still queued (see work). So while
// tasks come faster than woken workers get to run, they wake one worker at
// a time rather than every idle worker, and busy workers take the rest.
func (p *Pool) wakeOne() {
	p.mu.Lock()
	if len(p.idle) == 0 {
		p.mu.Unlock()
		return
	}
	j, ok := p.getLocked()
	if !ok {
		p.mu.Unlock()
		return
	}
	w := p.popIdleLocked()
	w.job, w.pending = j, true
	p.pending.Add(1)
	p.mu.Unlock()
	w.wake <- struct{}{}
}

// settleLocked accepts parked Submits' tasks into the ring while it has
// room, first come first served (invariant 2), and gives the ring's tasks
// to idle workers, most recently parked first, while both last (invariant
// 1). p.mu is held.
func (p *Pool) settleLocked(wk *wakeups) {
	for progress := true; progress; {
		progress = false
		for p.putters.Len() > 0 {
			wt := p.putters.Front()
			if !p.putLocked(wt.Item) {
				break
			}
			p.putters.Remove(wt)
			p.nput.Add(-1)
			wt.Item, wt.State = job{}, wait.Served
			wk.putter(wt)
			progress = true
		}
		for len(p.idle) > 0 {
			j, ok := p.getLocked()
			if !ok {
				break
			}
			w := p.popIdleLocked()
			w.job = j
			wk.worker(w)
			progress = true
		}
	}
}

// popIdleLocked takes the most recently parked idle worker off idle, to
// give it a task. p.mu is held.
func (p *Pool) popIdleLocked() *worker {
	n := len(p.idle)
	w := p.idle[n-1]
	p.idle[n-1] = nil
	p.idle = p.idle[:n-1]
	p.nidle.Add(-1)
	p.tuneTimerLocked()
	return w
}

// takeLocked takes the next accepted task for a worker: from the ring, or,
// with no backlog, straight from the first parked Submit. It reports
// whether there was one. p.mu is held.
func (p *Pool) takeLocked(wk *wakeups) (job, bool) {
	if j, ok := p.getLocked(); ok {
		p.settleLocked(wk)
		return j, true
	}
	if !p.noBacklog || p.putters.Len() == 0 {
		return job{}, false
	}
	wt := p.putters.PopFront()
	p.nput.Add(-1)
	j := wt.Item
	wt.Item, wt.State = job{}, wait.Served
	p.direct++
	wk.putter(wt)
	return j, true
}

// queuedLocked reports whether a task waits for a worker, in the ring or in
// a parked Submit. p.mu is held.
func (p *Pool) queuedLocked() bool {
	return p.putters.Len() > 0 || !p.noBacklog && !p.ring.Empty()
}

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
	var wk wakeups
	p.mu.Lock()
	p.size = n
	var start []job
	if !p.closed {
		// The gates first: a Submit that comes after this sees the new
		// ceiling (and, growing, starts a worker through mu), and every
		// task queued before it is counted in the ring's tail, for the
		// lines below to see.
		p.gatesLocked()
		// Idle workers above n exit at once, also those that autoscaling
		// started. Queued tasks go to the idle workers left (invariant 1),
		// then to new workers, up to the ceiling.
		p.retireLocked(min(len(p.idle), p.workers-n))
		p.settleLocked(&wk)
		start = p.startForQueueLocked(&wk)
		p.tuneTimerLocked()
	}
	p.gatesLocked()
	p.mu.Unlock()
	wk.wake()
	for _, j := range start {
		go p.work(nil, j)
	}
}

// startForQueueLocked adds a worker for each queued task, up to the ceiling,
// and returns their first tasks, for the caller to start each with
// go p.work(nil, j) once p.mu is released. p.mu is held.
func (p *Pool) startForQueueLocked(wk *wakeups) []job {
	var start []job
	for p.workers < p.ceilingLocked() {
		j, ok := p.takeLocked(wk)
		if !ok {
			break
		}
		p.addWorkerLocked()
		start = append(start, j)
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
// when [Pool.Stop] begins, or once a closed pool has run every task it
// accepted and its workers have exited (see [Pool.Close]). It is the Done
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
// back or abandoned. A worker's task counts as completed once the worker
// takes its next task, parks or exits, so Completed lags by at most Busy.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Under mu, only the fast paths move head and tail: a Submit's adds a
	// queued task, and a worker's starts one as its last one completes.
	head, tail := p.ring.Counts()
	busy := p.workers - len(p.idle)
	started := p.direct + head - p.taken
	return Stats{
		Workers:   min(p.workers, p.ceilingLocked()),
		Busy:      busy,
		Idle:      len(p.idle),
		Queued:    int(tail - head),
		Submitted: p.direct + tail,
		Completed: started - uint64(busy),
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
	return !p.queuedLocked() && p.workers == len(p.idle)
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
// exited, the tasks' ctx is cancelled and [Pool.Done] closed, also when that
// comes after a Close whose ctx ended. If a task of Submit panicked and no
// handler is set, Close panics with its *PanicError. If [Pool.Stop] began
// before Close returned, Close returns [ErrStopped] once every worker has
// exited: Stop handed back (or abandoned) what had not started, so Close
// returns nil only when every task accepted ran. Close is idempotent.
func (p *Pool) Close(ctx context.Context) error {
	var wk wakeups
	p.mu.Lock()
	var start []job
	if !p.closed {
		p.closeLocked(&wk)
		start = p.startForQueueLocked(&wk)
		p.gatesLocked()
		p.checkExitedLocked()
	}
	p.mu.Unlock()
	wk.wake()
	for _, j := range start {
		go p.work(nil, j)
	}
	select {
	case <-p.exited:
	case <-ctx.Done():
		return ctx.Err()
	}
	p.mu.Lock()
	stopped := p.stopping
	p.mu.Unlock()
	if stopped {
		// Stop returns the unhandled panics itself.
		return ErrStopped
	}
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
	var wk wakeups
	p.mu.Lock()
	var tasks []Task
	var abandoned []runner
	if !p.stopping {
		// stopping first: closeLocked then sets the gates for a ceiling
		// of 0, not for the one worker that drains a closed paused pool,
		// which would let a busy worker take tasks from the ring while
		// this critical section runs (on a preempted thread, all of
		// them).
		p.stopping = true
		if !p.closed {
			p.closeLocked(&wk)
		}
		// With both gates set, only this call moves head and tail.
		p.gatesLocked()
		if !p.noBacklog {
			pos, n, _, _, _ := p.ring.ClaimGet(^uint64(0), true)
			for i := range n {
				j := p.ring.Read(pos + i)
				if j.runner != nil {
					abandoned = append(abandoned, j.runner)
				} else {
					tasks = append(tasks, j.task)
				}
			}
			p.taken += n
		}
		p.retireLocked(len(p.idle))
		p.notifyQuietLocked()
		p.checkExitedLocked()
	}
	p.mu.Unlock()
	wk.wake()
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

// closeLocked refuses new tasks: it sets the tail's gate, the Submits
// parked for room get ErrClosed, queued tasks go to idle workers, and the
// idle workers left exit; the others exit once the ring is empty. p.mu is
// held.
func (p *Pool) closeLocked(wk *wakeups) {
	p.closed = true
	// Once the gate is set, tail counts every task accepted: none comes
	// after, and none of those that came before is missed below.
	p.gatesLocked()
	for wt := p.putters.PopFront(); wt != nil; wt = p.putters.PopFront() {
		wt.State = wait.Closed
		p.rejected++
		wk.putter(wt)
	}
	p.nput.Store(0)
	p.links.Close() // no Submit parks from now on
	if !p.stopping {
		// Close runs what is queued: idle workers take it first. (Stop
		// takes it back instead.)
		p.settleLocked(wk)
	}
	// Idle workers left mean an empty ring (invariant 1), or Stop: none
	// is needed.
	p.retireLocked(len(p.idle))
	p.tuneTimerLocked()
	p.notifyQuietLocked()
}

// checkExitedLocked closes exited once the pool is closed, no worker is
// left, and nothing is queued (Close starts a worker for a paused pool's
// backlog before it calls this), and cancels the pool's ctx: no task runs
// any more, whether or not a Close still waits for it (one whose ctx ended
// returned before). Cancelling runs no code of the caller's here: the
// AfterFuncs registered on the ctx run on goroutines of their own. p.mu is
// held.
func (p *Pool) checkExitedLocked() {
	if p.closed && p.workers == 0 && p.retiring.Load() == 0 && !p.queuedLocked() {
		select {
		case <-p.exited:
		default:
			close(p.exited)
			p.cancel()
			// No goroutine is left to push a spare, and none
			// starts again: let the collector have them.
			p.spares.Store(nil)
			p.nspares.Store(0)
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
