package wait

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"weak"
)

// Links lets the waiters of one owner that wait under the same ctx wait for
// it together: one [context.AfterFunc] for all of them, instead of a select
// on the ctx's Done channel in each.
//
// Why: a select on two channels locks both when the goroutine parks and
// again when it wakes, and every goroutine parked under one ctx shares its
// Done channel, so their parks and wake-ups queue on that channel's lock;
// and even a goroutine parked alone pays for the select over a plain
// receive. A waiter that joins a link waits on its own channel alone (Park
// with a nil done), as under [context.Background], and never touches the
// ctx.
//
// When a link is made: when a waiter parks under the ctx of the waiter
// parked before it in its List, or of the last waiter that selected. A
// waiter whose ctx is new selects, as a link would cost it more (the
// AfterFunc and its removal each lock the ctx, and allocate): so calls that
// each bring a ctx of their own, like requests, pay no more than a select.
//
// How long it lives: while waiters are parked under it, and then, idle, until
// a link of another ctx goes idle in its place, the ctx ends, Close, or the
// owner is garbage. So an owner whose calls park again and again under one
// ctx makes its link once. At most one link is idle at a time. A busy link
// keeps the owner alive through its parked waiters anyway. An idle one's
// AfterFunc reaches the owner through a weak pointer only, and a cleanup on
// the owner removes it; but it does keep the ctx it was made under reachable,
// with that ctx's values (the ctx's parent holds the AfterFunc, which holds
// the ctx). If one of those values refers to the owner, the owner stays too,
// until Close or one of the others above: the owners document it. After
// Close, no link is made or kept idle, so nothing of the owner stays on a
// ctx once the calls parked at Close have left.
//
// When the ctx ends, the AfterFunc takes the owner's mutex, takes each waiter
// of the link out of its List (calling the owner's drop for its own books),
// sets its State to Cancelled, and wakes it. Its goroutine, started by the
// ctx's cancel, ends there. For a ctx of the standard library's, a link
// holds no goroutine while it waits; for a ctx of another type that is not
// built on one and has no AfterFunc method, context.AfterFunc parks a
// goroutine on its Done channel while the link lives.
//
// The zero value is not usable: call Init. Links is guarded by the owner's
// mutex, like its Lists.
type Links[T any] struct {
	mu     sync.Locker
	drop   func(w *Waiter[T], l *List[T])
	byDone map[<-chan struct{}]*link[T] // the links, by their ctx's Done channel

	last   <-chan struct{} // the Done channel of the last waiter that selected
	closed bool            // set by Close: no link is made, nor kept idle, from then on

	// idle is the link with no waiter, or nil. It is a pointer of its own,
	// atomic, so that the owner's cleanup can read it and holds nothing of
	// the owner's.
	idle *atomic.Pointer[link[T]]
	self weak.Pointer[Links[T]] // for the links' AfterFuncs; made, with the cleanup, by the first link
}

// A link is the ctx of the waiters parked under it. An idle link holds
// nothing of the owner's.
type link[T any] struct {
	done       <-chan struct{}
	head, tail *Waiter[T] // its waiters, all in a List, in the order they came (lprev, lnext)
	stop       func() bool
}

// add adds w to k's waiters.
func (k *link[T]) add(w *Waiter[T]) {
	w.link, w.lprev, w.lnext = k, k.tail, nil
	if k.tail != nil {
		k.tail.lnext = w
	} else {
		k.head = w
	}
	k.tail = w
}

// remove takes w out of k's waiters.
func (k *link[T]) remove(w *Waiter[T]) {
	if w.lprev != nil {
		w.lprev.lnext = w.lnext
	} else {
		k.head = w.lnext
	}
	if w.lnext != nil {
		w.lnext.lprev = w.lprev
	} else {
		k.tail = w.lprev
	}
	w.link, w.lprev, w.lnext = nil, nil, nil
}

// Init makes c ready for the lists of an owner whose mutex is mu. When a
// linked waiter's ctx ends, c removes it from its list l and calls drop(w,
// l), with mu held, for what else the owner counts of its waiters (drop may
// be nil); drop must not wake w or touch its State.
func (c *Links[T]) Init(mu sync.Locker, drop func(w *Waiter[T], l *List[T]), lists ...*List[T]) {
	c.mu, c.drop = mu, drop
	c.idle = new(atomic.Pointer[link[T]])
	for _, l := range lists {
		l.links = c
	}
}

// Push adds w at the back of l, one of c's lists, for a goroutine that waits
// under ctx, and returns the channel to give Park: nil if w waits linked, or
// ctx.Done() if it selects on it. The owner's mutex is held.
func (c *Links[T]) Push(l *List[T], w *Waiter[T], ctx context.Context) <-chan struct{} {
	done := ctx.Done()
	w.done = done
	if done == nil {
		l.PushBack(w)
		return nil
	}
	k := c.byDone[done]
	if k == nil {
		if t := l.tail; c.closed || done != c.last && (t == nil || t.done != done) {
			c.last = done
			l.PushBack(w)
			return done
		}
		k = c.link(ctx, done)
	}
	if c.idle.Load() == k {
		c.idle.Store(nil) // k has a waiter now
	}
	l.PushBack(w)
	k.add(w)
	return nil
}

// link makes the link of ctx, whose Done channel is done.
func (c *Links[T]) link(ctx context.Context, done <-chan struct{}) *link[T] {
	if c.self == (weak.Pointer[Links[T]]{}) {
		c.self = weak.Make(c)
		runtime.AddCleanup(c, func(idle *atomic.Pointer[link[T]]) {
			if k := idle.Swap(nil); k != nil {
				k.stop()
			}
		}, c.idle)
	}
	if c.byDone == nil {
		c.byDone = make(map[<-chan struct{}]*link[T])
	}
	k := &link[T]{done: done}
	c.byDone[done] = k
	self := c.self
	k.stop = context.AfterFunc(ctx, func() {
		if c := self.Value(); c != nil {
			c.cancel(k)
		}
	})
	return k
}

// release keeps k, whose last waiter left, as the idle link, in place of
// the one before; after Close, it removes k. The owner's mutex is held.
func (c *Links[T]) release(k *link[T]) {
	c.unlink(c.idle.Load())
	if c.closed {
		c.unlink(k)
		return
	}
	c.idle.Store(k)
}

// Close removes the idle link, if any, and from then on makes no link and
// keeps none idle: a waiter that parks later selects, and a link goes with
// its last waiter. So nothing of c stays registered on a ctx once the
// waiters parked at Close have left. The owner's mutex is held.
func (c *Links[T]) Close() {
	c.unlink(c.idle.Load())
	c.last = nil
	c.closed = true
}

// unlink removes link k, which has no waiter, if k is not nil.
func (c *Links[T]) unlink(k *link[T]) {
	if k == nil {
		return
	}
	c.idle.CompareAndSwap(k, nil)
	// If ctx just ended, stop reports false, and cancel, which waits for
	// the mutex, will find k gone.
	k.stop()
	delete(c.byDone, k.done)
}

// cancel ends the waits of k's waiters, whose ctx ended.
func (c *Links[T]) cancel(k *link[T]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byDone[k.done] != k {
		return // removed while idle
	}
	delete(c.byDone, k.done)
	if c.idle.CompareAndSwap(k, nil) {
		return // no waiter
	}
	for w := k.head; w != nil; w = k.head {
		k.remove(w) // first, so that Remove does not release k
		l := w.list
		l.Remove(w)
		if c.drop != nil {
			c.drop(w, l)
		}
		w.State = Cancelled
		w.Wake() // never blocks: w's token was not sent, as it was Waiting
	}
}
