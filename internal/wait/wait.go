// Package wait provides the parked waiters that lull's queue and pool keep
// in first-come, first-served lists. It is not safe for concurrent use: its
// owners guard waiters and lists with their own mutex.
package wait

import "time"

// A Waiter is a goroutine parked until another one completes its operation.
// The completing goroutine, holding the owner's mutex, sets Item and calls
// Wake; the parked one blocks on Ready and on its ctx, never on a timer, so it
// costs nothing until one of them fires.
type Waiter[T any] struct {
	Ready chan struct{} // capacity 1: Wake never blocks
	Item  T             // what the waiter brings, or what it is handed
	State State
	// Parked is when the waiter parked, for its owner to tell how long it
	// has waited (the queue's starvation check). Reading the clock arms no
	// timer.
	Parked time.Time
	// Done is the waiter's ctx.Done(), so that its owner can pass over a
	// waiter whose ctx has ended before the waiter itself notices.
	Done <-chan struct{}
	// Claim and Unclaim, if set, let the owner serve the waiter only if
	// Claim, called under the owner's mutex, returns true; Unclaim undoes
	// it when there was nothing to serve after all.
	Claim   func() bool
	Unclaim func()

	prev, next *Waiter[T]
}

// New returns a Waiter ready to be parked.
func New[T any]() *Waiter[T] { return &Waiter[T]{Ready: make(chan struct{}, 1)} }

// State is how a wait ended.
type State uint8

const (
	Waiting   State = iota // in a list, nothing happened yet
	Served                 // the operation took place
	Closing                // the owner closed: the operation did not take place
	Cancelled              // the waiter's ctx ended first: the operation did not take place
)

// Wake ends w's wait with state s. The owner's mutex is held and w has left
// its list, so Ready's one slot is free.
func (w *Waiter[T]) Wake(s State) {
	w.State = s
	w.Ready <- struct{}{}
}

// Signal sends the token of a waiter whose State was set under the owner's
// mutex, after that mutex is released: readying a goroutine (and perhaps
// waking a thread to run it) then lengthens no critical section. Until the
// token comes, the waiter may already see its State, and waits on Ready.
// Nothing else may touch w once Signal returns: its owner recycles it.
func (w *Waiter[T]) Signal() {
	w.Ready <- struct{}{}
}

// List is a FIFO of parked waiters, linked through the waiters themselves,
// so that a waiter whose ctx ends leaves it in O(1). The zero List is empty.
type List[T any] struct {
	head, tail *Waiter[T]
	n          int
}

// Len returns the number of waiters in l.
func (l *List[T]) Len() int { return l.n }

// PushBack parks w, in state Waiting, at the back of l.
func (l *List[T]) PushBack(w *Waiter[T]) {
	w.State = Waiting
	w.prev, w.next = l.tail, nil
	if l.tail == nil {
		l.head = w
	} else {
		l.tail.next = w
	}
	l.tail = w
	l.n++
}

// Remove takes w, which must be in l, out of l.
func (l *List[T]) Remove(w *Waiter[T]) {
	if w.prev == nil {
		l.head = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		l.tail = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.prev, w.next = nil, nil
	l.n--
}

// PopFront removes and returns the longest waiting waiter, or nil.
func (l *List[T]) PopFront() *Waiter[T] {
	w := l.head
	if w != nil {
		l.Remove(w)
	}
	return w
}

// Front returns the longest waiting waiter, leaving it in l, or nil.
func (l *List[T]) Front() *Waiter[T] { return l.head }

// Drop removes from l, in order, every waiter for which drop returns true,
// and calls gone with each once it has left l.
func (l *List[T]) Drop(drop func(w *Waiter[T]) bool, gone func(w *Waiter[T])) {
	for w := l.head; w != nil; {
		next := w.next
		if drop(w) {
			l.Remove(w)
			gone(w)
		}
		w = next
	}
}

// Ended reports whether the waiter's ctx has ended: its Done is closed.
func (w *Waiter[T]) Ended() bool {
	select {
	case <-w.Done: // a nil Done blocks: never taken
		return true
	default:
		return false
	}
}
