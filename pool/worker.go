package pool

import (
	"runtime"
	"time"
)

// worker is the state of a worker goroutine that parks. While the worker is
// parked in p.idle, the goroutine that takes it off (under p.mu) sets job
// or exit and then sends on wake; the worker reads them after it receives,
// so they need no lock. A worker goroutine gets its worker when it first
// parks: one that never idles (a burst that grows the pool) needs none.
// When the goroutine exits, its worker goes to the pool's spares for the
// next goroutine that parks (see spareWorker).
type worker struct {
	nextSpare *worker       // the next spare below this one, while w is a spare
	wake      chan struct{} // capacity 1: a send never blocks
	job       job           // the task handed to the parked worker
	exit      bool          // retired while parked: exit, after waking chain
	chain     []*worker     // with exit: parked workers retired with this one, for it to wake
	idleSince time.Time     // when it parked (autoscaling only)
	pending   bool          // woken by wakeOne: counted in Pool.pending
}

// addWorkerLocked counts a new worker, for the caller to start with
// go p.work(nil, j) once p.mu is released. p.mu is held.
func (p *Pool) addWorkerLocked() {
	p.workers++
	if onWorkers != nil {
		onWorkers(p, p.workers)
	}
	p.gatesLocked()
}

// work is a worker goroutine: it runs j, then every task it takes, until
// next tells it to exit; w is nil until the goroutine first parks. It
// returns only after it has removed itself from p.workers under p.mu. If a
// task calls runtime.Goexit, runTasks starts a new goroutine that goes on as
// this worker.
func (p *Pool) work(w *worker, j job) {
	for {
		pe, task := p.runTasks(w, j)
		var ok bool
		if w, j, ok = p.next(w, pe, task); !ok {
			return
		}
	}
}

// resume goes on as worker w after its goroutine ended in runtime.Goexit
// while running a task, or in the panic handler after the task panicked
// with pe: the task counts as completed (and panicked), and w takes the
// next. task says that pe, if any, is a Submit task's that no handler took:
// next keeps it for Wait, Close or Stop.
func (p *Pool) resume(w *worker, pe *PanicError, task bool) {
	w, j, ok := p.next(w, pe, task)
	if ok {
		p.work(w, j)
	}
}

// resumePanicked goes on as worker w after its goroutine ended in
// runtime.Goexit while a task unwound, and a call the task deferred
// panicked with pe (see runTasks): the panic is the task's outcome, handled
// as runTasks handles a task's panic: it fails r, the task's runner if it
// has one, or goes to the handler, or is kept for Wait. It runs the handler
// here, on the new goroutine, where a runtime.Goexit in it ends only this
// one, as in runTasks.
func (p *Pool) resumePanicked(w *worker, r runner, pe *PanicError) {
	if r != nil {
		r.fail(pe)
		p.resume(w, pe, false)
		return
	}
	if p.onPanic == nil {
		p.resume(w, pe, true)
		return
	}
	handled := false
	defer func() {
		if !handled { // runtime.Goexit in the panic handler
			go p.resume(w, pe, false)
		}
	}()
	p.onPanic(pe)
	handled = true
	p.resume(w, pe, false)
}

// runTasks runs j, then the tasks it takes from the ring without p.mu (the
// fast path), until the ring has none for it. It returns the panic of the
// last task it ran, if any, after passing it to the panic handler (Submit
// tasks) or to the runner's Future or Group, and whether that task came
// from Submit. If a task calls runtime.Goexit, runTasks completes a runner
// with ErrGoexit and starts a new goroutine to go on as w (resume); this
// goroutine then ends.
//
// One deferred recover serves every task of the run, not one each: with
// tasks of a few nanoseconds, a call and two deferred functions per task
// are a good part of a task's cost.
func (p *Pool) runTasks(w *worker, j job) (pe *PanicError, task bool) {
	// A panic is recovered in the inner function, which then returns to
	// the line after it; runtime.Goexit recovers nothing, runs the
	// deferred functions, and never gets there. recover's value cannot
	// tell the two apart: with GODEBUG=panicnil=1, panic(nil) recovers as
	// nil too. The panic handler may call runtime.Goexit as well. j is
	// the task running, or the last one run.
	//
	// A task that calls runtime.Goexit may also panic as it unwinds, in a
	// call it deferred. The inner function recovers that panic too (caught:
	// a value that is not nil), but Goexit goes on regardless, and never
	// returns there: the panic is then the task's outcome, not the Goexit.
	returned, recovered, finished, caught := false, false, false, false
	defer func() {
		switch {
		case finished:
		case recovered: // runtime.Goexit in the panic handler
			go p.resume(w, pe, false)
		case caught: // a panic while Goexit unwound the task
			go p.resumePanicked(w, j.runner, pe)
		default: // runtime.Goexit in the task
			if j.runner != nil {
				j.runner.fail(ErrGoexit)
			}
			go p.resume(w, nil, false)
		}
	}()
	func() {
		defer func() {
			if !returned {
				// The stack is the panic's only here; under a plain
				// Goexit, recover returns nil, and this is thrown away.
				v := recover()
				pe, caught = newPanicError(v), v != nil
			}
		}()
		for {
			if j.runner != nil {
				j.runner.run(p.ctx)
			} else {
				j.task(p.ctx)
			}
			// The fast path: the next task from the ring, unless its
			// head's gate sends this worker through mu.
			pos, ok, contended := p.ring.TryClaimGet()
			if !ok && !contended && !p.ring.HeadGated() {
				// Empty: yield the processor once before going to
				// park. A goroutine this task woke (the caller of a
				// Future's Get, say) runs now on this processor, and
				// often submits the next task before this worker
				// looks again; then neither parks nor takes mu. One
				// yield per worker going idle: nothing polls.
				runtime.Gosched()
				pos, ok, _ = p.ring.TryClaimGet()
			}
			if !ok {
				break
			}
			j = p.ring.Read(pos)
			if p.nput.Load() > 0 {
				p.settle()
			}
		}
		returned = true
	}()
	task = j.runner == nil
	if returned {
		finished = true
		return nil, task
	}
	recovered = true
	if j.runner != nil {
		j.runner.fail(pe)
	} else if p.onPanic != nil {
		p.onPanic(pe)
	}
	finished = true
	return pe, task
}

// next records the panic, pe, of the task w has just finished, if any
// (it is kept for Wait, Close or Stop if the task came from Submit and no
// handler took it), then gives w its next task, or parks it until one
// comes, or tells it to exit (ok false), in which case w has left
// p.workers. It returns w, got here if the worker parks for the first
// time, or nil once the worker exits: w is then kept as a spare, unless
// the pool keeps maxSpares already.
func (p *Pool) next(w *worker, pe *PanicError, task bool) (_ *worker, j job, ok bool) {
	var wk wakeups
	p.mu.Lock()
	if pe != nil {
		p.panicked++
		if task && p.onPanic == nil {
			p.panics = append(p.panics, pe)
		}
	}
	if p.workers > p.ceilingLocked() {
		// Resize or Stop shrank the pool below its busy workers: this
		// one exits rather than take another task (invariant 3).
		p.spareWorker(w)
		p.exitLocked()
		p.mu.Unlock()
		return nil, job{}, false
	}
	p.nidle.Add(1) // before the last look at the ring: see the file comment
	if j, ok := p.takeLocked(&wk); ok {
		p.nidle.Add(-1)
		p.mu.Unlock()
		wk.wake()
		return w, j, true
	}
	if p.closed {
		p.nidle.Add(-1)
		p.spareWorker(w)
		p.exitLocked()
		p.mu.Unlock()
		return nil, job{}, false
	}
	// Park. Nothing is queued (invariant 1 holds).
	if w == nil {
		w = p.newWorker()
	}
	p.idle = append(p.idle, w)
	if p.maxWorkers > 0 {
		w.idleSince = time.Now()
		p.tuneTimerLocked()
	}
	p.notifyQuietLocked()
	p.mu.Unlock()

	<-w.wake
	if w.exit {
		p.leave(w)
		return nil, job{}, false
	}
	j, w.job = w.job, job{}
	if w.pending {
		// Woken by wakeOne: Submits that came since left their tasks to
		// this worker, which now wakes another for them if they are more
		// than it takes (see wakeOne). pending falls before the ring is
		// read, and a Submit reads pending after its compare-and-swap, so
		// one of the two sees the other.
		w.pending = false
		p.pending.Add(-1)
		if p.nidle.Load() > 0 && !p.ring.Empty() {
			p.wakeOne()
		}
	}
	return w, j, true
}

// maxSpares bounds the spare workers a pool keeps (see spareWorker). A
// spare is its worker and wake channel, 224 bytes, not its goroutine's
// stack: at most about 900 KiB a pool.
const maxSpares = 4096

// newWorker returns a worker for a goroutine that parks for the first time:
// a spare one, or else a new one. p.mu is held.
func (p *Pool) newWorker() *worker {
	// Pop a spare. Only this function pops, under p.mu, so a spare cannot
	// leave the stack and come back while this looks at it (the ABA
	// problem of such stacks): w.nextSpare is still what it was when w
	// was pushed, and the swap fails only if a push came in between.
	for {
		w := p.spares.Load()
		if w == nil {
			return &worker{wake: make(chan struct{}, 1)}
		}
		if p.spares.CompareAndSwap(w, w.nextSpare) {
			p.nspares.Add(-1)
			w.nextSpare = nil
			return w
		}
	}
}

// spareWorker keeps w, if not nil, for newWorker: its goroutine is exiting,
// w is no longer in p.idle, and the goroutine makes no further use of w.
// Its wake channel is empty: each send on it was for one park, which
// received it. So a pool that shrinks and grows again does not allocate a
// worker per goroutine it starts: in a benchmark of 1,000 workers retired
// and started again, that took a tenth off the time to grow, as the
// collector ran less often.
//
// The spares are a stack that the exiting goroutines push onto with a
// compare-and-swap, which needs no p.mu: the workers retired together (see
// leave) take no lock as they exit. Keeping a spare allocates nothing,
// unlike a sync.Pool, whose per-P lists are made again after each
// collection: with one, a shrink of 1,000 workers allocated 15 KB, and so
// often had a collection start while the retired goroutines exited. A pool
// keeps at most maxSpares; the rest are left to the collector. A goroutine
// calls spareWorker before it leaves p.workers or p.retiring, so no push
// comes once p.exited is closed, and the pool then drops its spares (see
// checkExitedLocked).
func (p *Pool) spareWorker(w *worker) {
	if w == nil {
		return
	}
	if p.nspares.Add(1) > maxSpares {
		p.nspares.Add(-1)
		return
	}
	*w = worker{wake: w.wake}
	for {
		w.nextSpare = p.spares.Load()
		if p.spares.CompareAndSwap(w.nextSpare, w) {
			return
		}
	}
}

// exitLocked removes the calling worker from the pool. p.mu is held.
func (p *Pool) exitLocked() {
	p.workers--
	if onWorkers != nil {
		onWorkers(p, p.workers)
	}
	p.gatesLocked()
	p.notifyQuietLocked()
	p.checkExitedLocked()
}

// retireLocked takes the n oldest idle workers off p.idle and tells them to
// exit, in time independent of n: it wakes the first only, which wakes the
// others as it leaves (see leave). They leave p.workers at once, and count
// in p.retiring until their goroutines have passed their last access to the
// pool. p.mu is held.
func (p *Pool) retireLocked(n int) {
	if n <= 0 {
		return
	}
	batch := p.idle[:n:n]
	p.idle = p.idle[n:]
	p.nidle.Add(int64(-n))
	p.workers -= n
	p.retiring.Add(int64(n))
	if onWorkers != nil {
		onWorkers(p, p.workers)
	}
	p.gatesLocked()
	first := batch[0]
	first.exit, first.chain = true, batch[1:]
	first.wake <- struct{}{}
}

// leave is the end of a worker retired while parked: the first of a batch
// wakes the rest, one after another, then each gives its worker to the
// spares (see spareWorker) and leaves p.retiring. Only the last of the
// retired goroutines to leave takes p.mu, for Close: retireLocked counted
// them under it, and a Close that saw p.retiring above 0 is then seen by
// that last one, which closes p.exited if nothing else is left.
//
// One goroutine wakes the whole batch, in a loop, rather than each woken
// worker waking two more (a tree, log2(n) wake-ups deep, which does the
// same work): on 2 CPUs, 990 parked workers had all exited after a median
// of 510 µs instead of 800 (p90: 620 µs instead of 1.1 ms), and on 1 CPU
// after 320 µs instead of 390. Nor does each wake only the next (a chain):
// that took 1.25 ms instead of 550 µs on 2 CPUs.
func (p *Pool) leave(w *worker) {
	for _, next := range w.chain {
		next.exit = true
		next.wake <- struct{}{}
	}
	p.spareWorker(w)
	if p.retiring.Add(-1) == 0 {
		p.mu.Lock()
		p.checkExitedLocked()
		p.mu.Unlock()
	}
}

// tuneTimerLocked arms the idle timer if a worker above Size is parked (with
// autoscaling), for when the longest parked one times out, and stops it
// otherwise: the pool has no timer armed while nothing can time out. p.mu is
// held.
func (p *Pool) tuneTimerLocked() {
	if p.maxWorkers == 0 {
		return
	}
	want := !p.closed && len(p.idle) > 0 && p.workers > p.size
	switch {
	case !want && p.timerArmed:
		p.timer.Stop()
		p.timerArmed = false
	case want && !p.timerArmed:
		d := time.Until(p.idle[0].idleSince.Add(p.idleTimeout))
		if p.timer == nil {
			p.timer = time.AfterFunc(d, p.expire)
		} else {
			p.timer.Reset(d)
		}
		p.timerArmed = true
	}
}

// expire runs when the idle timer fires: it retires the workers above Size
// that have been parked for the idle timeout, oldest first, and arms the
// timer again for the next one, if any.
func (p *Pool) expire() {
	var wk wakeups
	p.mu.Lock()
	p.timerArmed = false
	if p.closed {
		p.mu.Unlock()
		return
	}
	// Tasks queued while a woken worker had not yet run (see wakeOne) go
	// to idle workers before any of those retires: a worker that retires
	// leaves none of them behind.
	p.settleLocked(&wk)
	now := time.Now()
	n := 0
	for n < len(p.idle) && p.workers-n > p.size && now.Sub(p.idle[n].idleSince) >= p.idleTimeout {
		n++
	}
	p.retireLocked(n)
	// Retiring set the tail's gate (fewer workers than the ceiling now):
	// a task that a Submit queued before it gets a worker here, and later
	// ones start theirs through mu.
	p.settleLocked(&wk)
	start := p.startForQueueLocked(&wk)
	p.tuneTimerLocked()
	p.mu.Unlock()
	wk.wake()
	for _, j := range start {
		go p.work(nil, j)
	}
}
