package pool

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/lullgo/lull/internal/qcore"
)

// worker is the state of one worker goroutine. While idle the goroutine is
// parked in the backlog's GetClaimed, with quit as its ctx: closing quit
// retires it.
type worker struct {
	state     atomic.Int32  // awake, idle or retired; set to idle by w, and from idle by whoever wins a CompareAndSwap
	done      uint64        // tasks it finished; w's goroutine's own
	completed atomic.Uint64 // done, as of w's last idling: Stats and Wait read it
	idleSince atomic.Int64  // when it last parked, in Unix nanoseconds; kept only when autoscaling

	quit quitCtx     // the ctx of its waits in the backlog; closed to retire it
	gone atomic.Bool // its goroutine, retired, has returned: completed is final

	// claim makes w awake to take a task, if it is still idle, and unclaim
	// makes it idle again (see Pool.work).
	claim   func() bool
	unclaim func()
}

const (
	awake   = iota // running a task, or looking for one
	idle           // parked in the backlog, or about to park
	retired        // told to exit while idle: quit is closed
)

// startLocked starts a worker goroutine that runs j first, or, if j is the
// zero job, starts idle, waiting for a task in the backlog. p.mu is held.
func (p *Pool) startLocked(j job) {
	if len(p.all) >= 2*p.workers+64 {
		p.sweepLocked() // keep all from growing with retired workers
	}
	w := &worker{quit: make(quitCtx)}
	// A claim changes w's state only: w itself counts itself out of the
	// idle once it has the task, so that a claim undone leaves the count
	// alone (Wait relies on it not to dip).
	w.claim = func() bool { return w.state.CompareAndSwap(idle, awake) }
	w.unclaim = func() { w.state.Store(idle) }
	if j.isZero() {
		p.markIdle(w) // at once, though it has not parked yet
	}
	p.all[w] = struct{}{}
	p.alive.Add(1)
	p.starting.Add(1)
	p.setWorkersLocked(p.workers + 1)
	go func() {
		p.starting.Add(-1)
		p.work(w, j)
	}()
}

// retireLocked tells w to exit if it is idle, and reports whether it did: its
// Get in the backlog returns, and its goroutine returns as soon as it runs.
// From now on w no longer counts as a worker. p.mu and the backlog's mutex
// (Do) are held, so that w cannot be taking a task meanwhile.
func (p *Pool) retireLocked(w *worker) bool {
	if !w.state.CompareAndSwap(idle, retired) {
		return false
	}
	p.idle.Add(-1)
	close(w.quit)
	p.setWorkersLocked(p.workers - 1)
	return true
}

// work is the body of a worker goroutine: run j, then the backlog's tasks,
// parking in the backlog while it is empty, until told to exit. With the zero
// job, w starts idle. The goroutine is owned by the pool: it returns when
// Resize, Close, Stop or the idle timeout retire it, and Close and Stop wait
// for that.
func (p *Pool) work(w *worker, j job) {
	for {
		if !j.isZero() {
			p.runJob(w, j)
			var gone bool
			if j, gone = p.afterTask(w); gone {
				return
			}
			if !j.isZero() {
				continue
			}
		}
		// w is idle: wait in the backlog, where a Submit hands the next
		// task straight to the longest parked worker. w takes a task
		// only by claiming it under the backlog's mutex, and Resize and
		// the idle timer retire w under that mutex too: so either w
		// took a task and is awake, or it is retired and took none.
		var err error
		j, err = p.backlog.GetClaimed(w.quit, w.claim, w.unclaim)
		if err == nil {
			p.idle.Add(-1)
			if p.autoscale {
				p.mu.Lock()
				p.tuneTimerLocked()
				p.mu.Unlock()
			}
			continue
		}
		// Retired, or the backlog is closed and empty.
		if !w.state.CompareAndSwap(idle, awake) {
			// Retired: w leaves without the lock, so that shrinking
			// by a thousand does not queue a thousand goroutines on
			// it. The pool forgets w later (sweepLocked).
			w.completed.Store(w.done)
			w.gone.Store(true)
			p.goroutineExit()
			return
		}
		p.idle.Add(-1)
		p.exit(w, true)
		return
	}
}

// afterTask decides what w does once its task is done: exit, if Resize
// asked it to or the backlog is closed and empty (gone); run the next task
// of the backlog; or, with none there, go idle (the zero job).
func (p *Pool) afterTask(w *worker) (j job, gone bool) {
	if p.excess.Load() > 0 && p.leave(w) {
		return job{}, true
	}
	j, err := p.backlog.TryGet()
	switch err {
	case nil:
		return j, false
	case qcore.ErrClosed:
		p.exit(w, true)
		return job{}, true
	}
	p.sleep(w)
	return job{}, false
}

// sleep records that w is about to park in the backlog, and lets Wait and
// the idle timer know.
func (p *Pool) sleep(w *worker) {
	w.completed.Store(w.done) // published as w idles, not on every task
	p.markIdle(w)
	if p.waiting.Load() || p.autoscale {
		p.mu.Lock()
		p.notifyQuietLocked()
		p.tuneTimerLocked()
		p.mu.Unlock()
	}
}

// markIdle counts w idle.
func (p *Pool) markIdle(w *worker) {
	if p.autoscale {
		w.idleSince.Store(time.Now().UnixNano())
	}
	w.state.Store(idle)
	p.idle.Add(1)
}

// leave takes one of the exits that Resize asked of busy workers, if one is
// still owed, and reports whether w took it and is gone.
func (p *Pool) leave(w *worker) bool {
	p.mu.Lock()
	owed := p.excess.Load() > 0
	if owed {
		p.excess.Add(-1)
		p.setWorkersLocked(p.workers - 1)
	}
	p.mu.Unlock()
	if owed {
		p.exit(w, false)
	}
	return owed
}

// exit ends w's goroutine: the pool forgets w, keeping its count of tasks,
// and counts the goroutine out. A worker that exits because the backlog is
// closed (own) counts itself out of the workers; a retired one, or one that
// took an exit Resize asked for, was counted out already.
func (p *Pool) exit(w *worker, own bool) {
	p.mu.Lock()
	if own {
		p.setWorkersLocked(p.workers - 1)
	}
	delete(p.all, w)
	p.completed += w.done
	p.notifyQuietLocked()
	p.mu.Unlock()
	p.goroutineExit()
}

// sweepLocked forgets the retired workers whose goroutine has returned,
// keeping their count of tasks. p.mu is held.
func (p *Pool) sweepLocked() {
	for w := range p.all {
		if w.gone.Load() {
			p.completed += w.completed.Load()
			delete(p.all, w)
		}
	}
}

// quitCtx is the context of a worker's waits in the backlog: done once the
// channel is closed, with no deadline, value or parent. Unlike
// context.WithCancel, it costs one channel and no lock to end.
type quitCtx chan struct{}

func (c quitCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c quitCtx) Done() <-chan struct{}       { return c }
func (c quitCtx) Value(any) any               { return nil }
func (c quitCtx) Err() error {
	select {
	case <-c:
		return context.Canceled
	default:
		return nil
	}
}

// runJob runs j on w and deals with its panic, if any.
func (p *Pool) runJob(w *worker, j job) {
	pe := p.call(w, j)
	w.done++
	if pe == nil {
		return
	}
	p.panicked.Add(1)
	if p.onPanic != nil {
		p.onPanic(pe)
		return
	}
	p.mu.Lock()
	p.panics = append(p.panics, pe)
	p.mu.Unlock()
}

// call runs j with the pool's ctx and returns the panic it raised, if any.
//
// If the task calls runtime.Goexit instead, recover returns nil and cannot
// stop it: this goroutine ends in the deferred call. It counts the task as
// completed and hands w to a new goroutine, so the pool keeps its size and
// its counts.
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
		w.done++
		p.alive.Add(1) // before this goroutine's own exit below: alive never dips to 0 here
		go func() {
			if j, gone := p.afterTask(w); !gone {
				p.work(w, j)
			}
		}()
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
	need := p.autoscale && !p.closed && p.workers-int(p.excess.Load()) > p.size && p.idle.Load() > 0
	switch {
	case need && !p.timerArmed:
		// The longest idle worker goes first.
		oldest := int64(0)
		for w := range p.all {
			if since := w.idleSince.Load(); w.state.Load() == idle && (oldest == 0 || since < oldest) {
				oldest = since
			}
		}
		d := max(time.Until(time.Unix(0, oldest).Add(p.idleTimeout)), 0)
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
// that have been idle for the idle timeout, and re-arms the timer for the
// next one if any.
func (p *Pool) expire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.timerArmed = false
	deadline := time.Now().Add(-p.idleTimeout).UnixNano()
	p.backlog.Do(func() {
		for w := range p.all {
			if p.workers-int(p.excess.Load()) <= p.size {
				break
			}
			if w.idleSince.Load() <= deadline {
				p.retireLocked(w)
			}
		}
		p.backlog.DropEnded()
	})
	p.tuneTimerLocked()
}
