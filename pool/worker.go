package pool

import (
	"time"

	"github.com/lullgo/lull/internal/wait"
)

// worker is one goroutine of a pool. While idle it is parked on jobs, which
// holds at most the one job (or the zero job: exit) that whoever takes it from
// the idle list sends.
type worker struct {
	jobs       chan job
	idleSince  time.Time // when it last became idle; kept only above Size
	prev, next *worker   // links in the idle list
}

// idleList is the parked workers, most recently idle at the front. Tasks go
// to the front, whose caches are warm; workers retire from the back, the
// longest idle, which is also the order the idle timeout needs.
type idleList struct {
	front, back *worker
	n           int
}

func (l *idleList) pushFront(w *worker) {
	w.prev, w.next = nil, l.front
	if l.front == nil {
		l.back = w
	} else {
		l.front.prev = w
	}
	l.front = w
	l.n++
}

func (l *idleList) remove(w *worker) {
	if w.prev == nil {
		l.front = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		l.back = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.prev, w.next = nil, nil
	l.n--
}

func (l *idleList) popFront() *worker {
	w := l.front
	if w != nil {
		l.remove(w)
	}
	return w
}

func (l *idleList) popBack() *worker {
	w := l.back
	if w != nil {
		l.remove(w)
	}
	return w
}

// startLocked starts a worker goroutine that runs j first, or, if j is the
// zero job, parks as idle. p.mu is held.
func (p *Pool) startLocked(j job) {
	w := &worker{jobs: make(chan job, 1)}
	p.setWorkersLocked(p.workers + 1)
	p.alive.Add(1)
	if j.isZero() {
		p.idleLocked(w)
		go p.work(w, j)
		return
	}
	p.busy++
	p.waking++
	go func() {
		p.started()
		p.work(w, j)
	}()
}

// wakeIdleLocked takes the most recently idle worker, if any, for a task
// that the caller sends it once p.mu is released; the worker counts as busy
// and on its way until it runs (see started). p.mu is held.
func (p *Pool) wakeIdleLocked() *worker {
	w := p.idle.popFront()
	if w != nil {
		p.waking++
		p.busy++
		if p.timerArmed {
			p.tuneTimerLocked()
		}
	}
	return w
}

// retireLocked tells w, just taken off the idle list, to exit. From now on it
// no longer counts as a worker; its goroutine returns as soon as it runs.
// p.mu is held.
func (p *Pool) retireLocked(w *worker) {
	p.setWorkersLocked(p.workers - 1)
	w.jobs <- job{}
}

// idleLocked parks w on the idle list. In a pool that may autoscale, w notes
// the time, for the idle timeout. p.mu is held.
func (p *Pool) idleLocked(w *worker) {
	if p.maxWorkers > p.size {
		w.idleSince = time.Now()
	}
	p.idle.pushFront(w)
	p.tuneTimerLocked()
}

// work is the body of a worker goroutine: run j, then whatever comes next,
// parking in between, until told to exit. The goroutine is owned by the pool:
// it returns when Resize, Close, Stop or the idle timeout retire it, and
// Close and Stop wait for that.
func (p *Pool) work(w *worker, j job) {
	for {
		if j.isZero() {
			// Parked: no CPU is spent here until someone sends.
			if j = <-w.jobs; j.isZero() {
				p.goroutineExit()
				return
			}
			p.started()
		}
		var keep bool
		if j, keep = p.runJob(w, j); !keep {
			p.goroutineExit()
			return
		}
	}
}

// started records that a worker woken or started for a task runs now. If
// tasks wait in the backlog, it passes the oldest on to the next idle worker,
// or to a new one if the pool may grow: woken workers wake one another, so no
// task waits behind a busy worker while another idles (see offerLocked).
func (p *Pool) started() {
	p.mu.Lock()
	p.waking--
	var next *worker
	var j job
	var accepted *wait.Waiter[job]
	if p.waking == 0 && p.backlog.Len() > 0 {
		if next = p.wakeIdleLocked(); next != nil {
			j, accepted, _ = p.takeLocked()
		} else if p.workers < p.ceilingLocked() {
			j, accepted, _ = p.takeLocked()
			p.startLocked(j)
		}
	}
	p.mu.Unlock()
	if next != nil {
		next.jobs <- j
	}
	if accepted != nil {
		accepted.Signal()
	}
}

// runJob runs j and returns the next job to run (the zero job if w is now
// idle), or keep = false if w must exit.
func (p *Pool) runJob(w *worker, j job) (next job, keep bool) {
	pe := p.call(w, j)
	if pe != nil && p.onPanic != nil {
		p.onPanic(pe)
	}
	return p.finish(w, pe)
}

// call runs j with the pool's ctx and returns the panic it raised, if any.
//
// If the task calls runtime.Goexit instead, recover returns nil and cannot
// stop it: this goroutine ends in the deferred call. It does the bookkeeping
// the task skipped and hands w to a new goroutine, so the pool keeps its size
// and its counts.
func (p *Pool) call(w *worker, j job) (pe *PanicError) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if v := recover(); v != nil {
			pe = newPanicError(v)
			return
		}
		next, keep := p.finish(w, nil)
		if keep {
			p.alive.Add(1) // before this goroutine's own exit below: alive never dips to 0 here
			go p.work(w, next)
		}
		p.goroutineExit()
	}()
	if j.task != nil {
		j.task(p.ctx)
	} else {
		j.runner.run(p.ctx)
	}
	returned = true
	return nil
}

// finish records that w finished a task (which panicked with pe, if not nil)
// and decides what w does next: run the next job, park (zero job), or exit.
func (p *Pool) finish(w *worker, pe *PanicError) (next job, keep bool) {
	p.mu.Lock()
	next, keep, accepted := p.finishLocked(w, pe)
	p.mu.Unlock()
	if accepted != nil {
		// A Submit waiting for room got in: wake it now that the lock
		// is free, so readying it lengthens no critical section.
		accepted.Signal()
	}
	return next, keep
}

func (p *Pool) finishLocked(w *worker, pe *PanicError) (next job, keep bool, accepted *wait.Waiter[job]) {
	p.busy--
	p.completed++
	if pe != nil {
		p.panicked++
		if p.onPanic == nil {
			p.panics = append(p.panics, pe)
		}
	}
	switch {
	case p.stopping:
		// Stop: whatever is left was handed back.
	case p.workers > p.ceilingLocked():
		// Resize shrank the pool below this worker.
	default:
		if j, accepted, ok := p.takeLocked(); ok {
			p.busy++
			return j, true, accepted
		}
		if !p.closed {
			p.idleLocked(w)
			p.notifyQuietLocked()
			return job{}, true, nil
		}
		// Close: the backlog is empty, so the work is done.
	}
	p.setWorkersLocked(p.workers - 1)
	p.notifyQuietLocked()
	return job{}, false, nil
}

// goroutineExit records that a worker goroutine is about to return; the last
// one after Close or Stop lets them return. Retired goroutines leave without
// the lock, so that shrinking by a thousand does not queue a thousand of them
// on it. Only the one that brings alive to 0 locks, to check for Close: if
// Close checked before this decrement, it saw alive > 0, and this check
// (under the same lock, after the decrement) sees closed; if after, Close
// sees 0 itself.
func (p *Pool) goroutineExit() {
	if p.alive.Add(-1) == 0 {
		p.mu.Lock()
		p.checkExitedLocked()
		p.mu.Unlock()
	}
}

// tuneTimerLocked arms the idle timer if some worker above Size is idle and
// it is not armed, and stops it if none is. So the timer runs only while
// there is a worker to retire, and an idle pool at its size arms none.
// p.mu is held.
func (p *Pool) tuneTimerLocked() {
	need := p.workers > p.size && p.idle.n > 0 && !p.closed
	switch {
	case need && !p.timerArmed:
		// The longest idle worker is at the back; it goes first.
		d := max(time.Until(p.idle.back.idleSince.Add(p.idleTimeout)), 0)
		if p.timer == nil {
			p.timer = time.AfterFunc(d, p.expire)
		} else {
			p.timer.Reset(d)
		}
		p.timerArmed = true
	case !need && p.timerArmed:
		p.timer.Stop()
		p.timerArmed = false
	}
}

// expire runs when the idle timer fires: it retires the workers above Size
// that have been idle for the idle timeout, oldest first, and re-arms the
// timer for the next one if any.
func (p *Pool) expire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.timerArmed = false
	now := time.Now()
	for p.workers > p.size {
		w := p.idle.back
		if w == nil || now.Sub(w.idleSince) < p.idleTimeout {
			break
		}
		p.idle.remove(w)
		p.retireLocked(w)
	}
	p.tuneTimerLocked()
}
