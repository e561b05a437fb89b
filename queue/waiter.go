package queue

// A waiter is a goroutine parked in Put or Get. The goroutine that completes
// its operation (a Get that makes room, a Put that brings an item, or Close)
// does so while holding the queue's mutex, sets the outcome and sends one
// token on ready. The parked goroutine blocks on ready and on its ctx, never
// on a timer, so it costs nothing until one of them fires.
type waiter[T any] struct {
	ready chan struct{} // capacity 1: the completing side never blocks
	item  T             // the item to put, or the item handed to a getter
	state waitState
	prev  *waiter[T]
	next  *waiter[T]
}

type waitState uint8

const (
	waiting waitState = iota // in a wait list, nothing happened yet
	served                   // the operation took place: the item moved
	closing                  // the queue closed: the operation did not take place
)

// waitList is a FIFO of parked waiters, linked through the waiters
// themselves, so that a waiter whose ctx ends leaves it in O(1).
type waitList[T any] struct {
	head, tail *waiter[T]
	n          int
}

func (l *waitList[T]) pushBack(w *waiter[T]) {
	w.prev, w.next = l.tail, nil
	if l.tail == nil {
		l.head = w
	} else {
		l.tail.next = w
	}
	l.tail = w
	l.n++
}

func (l *waitList[T]) remove(w *waiter[T]) {
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

// popFront removes and returns the longest waiting waiter, or nil.
func (l *waitList[T]) popFront() *waiter[T] {
	w := l.head
	if w != nil {
		l.remove(w)
	}
	return w
}
