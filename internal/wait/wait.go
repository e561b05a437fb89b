// Package wait provides the parked waiters that lull's queue and pool keep in
// first-come, first-served lists. It is not safe for concurrent use: the
// owner of a list guards it, and the State and Item of its waiters, with its
// own mutex.
//
// The protocol, for an owner with a mutex mu:
//
//   - A goroutine that must wait takes a Waiter (New, or the owner's pool),
//     sets Item if it brings one, pushes it on a List under mu with the
//     owner's Links.Push, releases mu, and calls Park with the channel Push
//     returned.
//   - A goroutine that completes a parked waiter's operation does so under mu:
//     it removes the waiter from its List, sets its Item and its State, and
//     then, after releasing mu if it likes, calls Wake. Nothing may touch the
//     waiter after Wake: its goroutine recycles it.
//   - If Park returns false (ctx done first), the waiter takes mu and looks
//     at its State. Still Waiting: it removes itself from its List, and its
//     operation did not take place. Anything else: its operation was
//     completed first, and it calls Settle to take the wake-up token that is
//     sent, or about to be, before it recycles the waiter.
//   - If Park returns true with State Cancelled, the waiter's ctx ended while
//     it waited linked (see Links): it has left its List, and its operation
//     did not take place.
//
// Park never arms a timer and never polls: a parked goroutine costs nothing
// until Wake or its ctx.
package wait

// State is how a wait ended.
type State uint8

const (
	Waiting   State = iota // in a list, nothing happened yet
	Served                 // the operation took place
	Closed                 // the owner closed: the operation did not take place
	Panicked               // a callback run for the waiter panicked with Panic: it did not take place
	Cancelled              // its ctx ended while it waited linked: it did not take place
	Goexited               // a callback run for the waiter called runtime.Goexit: it did not take place
)

// A Waiter is one goroutine parked in a List.
type Waiter[T any] struct {
	ready chan struct{} // capacity 1: Wake never blocks
	Item  T             // what the waiter brings, or what it is handed
	State State
	Panic any // the value of a panic, with State Panicked

	// Max and Batch serve a waiter that takes up to Max items at once
	// (a queue's GetBatch): the goroutine that completes it appends them
	// to Batch, instead of setting Item. Max <= 1 means one item, in Item.
	Max   int
	Batch []T

	prev, next *Waiter[T]
	list       *List[T]        // the list w is in, or nil
	done       <-chan struct{} // the Done channel of w's ctx, set by Links.Push
	link       *link[T]        // the link w waits under, or nil: see Links
	lprev      *Waiter[T]      // w's neighbours among its link's waiters
	lnext      *Waiter[T]
}

// New returns a Waiter ready to be parked.
func New[T any]() *Waiter[T] { return &Waiter[T]{ready: make(chan struct{}, 1)} }

// Reset makes w ready to be parked again, and clears what it held.
func (w *Waiter[T]) Reset() {
	var zero T
	w.Item, w.State, w.Panic = zero, Waiting, nil
	w.Max, w.Batch = 0, nil
	w.done, w.link = nil, nil
}

// Park blocks until w is woken, and returns true, or until done is closed,
// and returns false. A nil done never closes: Park then waits for w's own
// channel alone, which is cheaper than a select.
func (w *Waiter[T]) Park(done <-chan struct{}) bool {
	if done == nil {
		<-w.ready
		return true
	}
	select {
	case <-w.ready:
		return true
	case <-done:
		return false
	}
}

// Wake sends w its wake-up token. w must have left its List, with its State
// set, under the owner's mutex.
func (w *Waiter[T]) Wake() { w.ready <- struct{}{} }

// Settle waits for the token of a waiter whose State was set while it was
// giving up: the goroutine that set it sends it at once.
func (w *Waiter[T]) Settle() { <-w.ready }

// List is a first-in, first-out list of waiters. The zero value is an empty
// list.
type List[T any] struct {
	head, tail *Waiter[T]
	n          int
	links      *Links[T] // the links of its waiters, set by Links.Init
}

// Len returns the number of waiters in l.
func (l *List[T]) Len() int { return l.n }

// PushBack adds w at the back of l.
func (l *List[T]) PushBack(w *Waiter[T]) {
	w.list, w.prev, w.next = l, l.tail, nil
	if l.tail != nil {
		l.tail.next = w
	} else {
		l.head = w
	}
	l.tail = w
	l.n++
}

// Front returns the first waiter of l, or nil.
func (l *List[T]) Front() *Waiter[T] { return l.head }

// PopFront removes and returns the first waiter of l, or nil.
func (l *List[T]) PopFront() *Waiter[T] {
	w := l.head
	if w != nil {
		l.Remove(w)
	}
	return w
}

// Remove removes w from l, if it is in l, and from its link.
func (l *List[T]) Remove(w *Waiter[T]) {
	if w.list != l {
		return
	}
	if k := w.link; k != nil {
		k.remove(w)
		if k.head == nil {
			l.links.release(k)
		}
	}
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		l.tail = w.prev
	}
	w.prev, w.next, w.list = nil, nil, nil
	l.n--
}
