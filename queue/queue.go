package queue

// Priority is a bounded priority queue of items of type T: Get returns the
// least buffered item by the less function given to [NewPriority], and of
// equal items the one put first. Create one with NewPriority; the zero value
// is not usable. All methods are safe for concurrent use.
//
// less runs under the queue's lock. If it panics, the operation that called
// it panics with the same value and did nothing (a Put added no item, a Get
// took none), and the queue stays usable. If it calls runtime.Goexit (a
// test's t.FailNow, say), the goroutine it runs on ends, as always, and the
// queue stays usable too: a Put or Get that called less for itself did
// nothing. A blocked Put whose item less was placing, on the goroutine of a
// Get or Drain that made room, ends its own goroutine the same way, having
// added nothing; the items that Get or Drain had taken go with its
// goroutine.
//
// An item handed directly to a Get that was already waiting is not compared
// with items put later: a waiting consumer takes the first item that arrives.
type Priority[T any] struct {
	core[T]
}

// NewPriority returns an empty Priority that holds at most capacity items
// ordered by less, which must be a strict weak ordering (like [sort.Interface]'s
// Less) and must not call back into the queue. NewPriority panics if
// capacity < 1 or less is nil.
func NewPriority[T any](capacity int, less func(a, b T) bool) *Priority[T] {
	if capacity < 1 {
		panic("queue: NewPriority with capacity < 1")
	}
	if less == nil {
		panic("queue: NewPriority with nil less")
	}
	q := new(Priority[T])
	q.init(capacity, newHeap(capacity, less))
	return q
}
