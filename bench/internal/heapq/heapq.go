// Package heapq is the plain priority queue that BenchmarkQueue sets lull's
// queue.Priority beside: a slice kept as a heap by container/heap, one
// sync.Mutex, and two sync.Conds for the blocking Put and Get. It is the
// design a Go programmer writes first, and it takes no context: a blocked
// Put or Get waits until the other side makes room or brings an item. Items
// are placed with heap.Fix rather than heap.Push and heap.Pop, which would
// box each item into an interface (an allocation per int above 255), so that
// the reference costs no more than the design needs.
package heapq

import (
	"container/heap"
	"sync"
)

// Queue is a bounded priority queue: Get returns the least item by less.
// It is safe for concurrent use. Create it with New.
type Queue[T any] struct {
	mu       sync.Mutex
	notFull  sync.Cond // signalled when an item leaves
	notEmpty sync.Cond // signalled when an item arrives
	items    items[T]
	capacity int
}

// New returns an empty Queue that holds at most capacity items, ordered by
// less. It panics if capacity < 1.
func New[T any](capacity int, less func(a, b T) bool) *Queue[T] {
	if capacity < 1 {
		panic("heapq: New with capacity < 1")
	}
	q := &Queue[T]{capacity: capacity, items: items[T]{less: less, s: make([]T, 0, capacity)}}
	q.notFull.L = &q.mu
	q.notEmpty.L = &q.mu
	return q
}

// Put adds v, blocking while the queue is full.
func (q *Queue[T]) Put(v T) {
	q.mu.Lock()
	for len(q.items.s) == q.capacity {
		q.notFull.Wait()
	}
	q.items.s = append(q.items.s, v)
	heap.Fix(&q.items, len(q.items.s)-1)
	q.mu.Unlock()
	q.notEmpty.Signal()
}

// Get removes and returns the least item, blocking while the queue is
// empty.
func (q *Queue[T]) Get() T {
	q.mu.Lock()
	for len(q.items.s) == 0 {
		q.notEmpty.Wait()
	}
	s := q.items.s
	v, last := s[0], len(s)-1
	s[0] = s[last]
	var zero T
	s[last] = zero // let what it points to be collected
	q.items.s = s[:last]
	if last > 0 {
		heap.Fix(&q.items, 0)
	}
	q.mu.Unlock()
	q.notFull.Signal()
	return v
}

// Len returns the number of items in the queue.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items.s)
}

// items implements heap.Interface over a slice. Queue moves items in and
// out itself and has heap.Fix restore the order; Push and Pop are there for
// the interface and unused.
type items[T any] struct {
	s    []T
	less func(a, b T) bool
}

func (h *items[T]) Len() int           { return len(h.s) }
func (h *items[T]) Less(i, j int) bool { return h.less(h.s[i], h.s[j]) }
func (h *items[T]) Swap(i, j int)      { h.s[i], h.s[j] = h.s[j], h.s[i] }
func (h *items[T]) Push(x any)         { h.s = append(h.s, x.(T)) }

func (h *items[T]) Pop() any {
	v := h.s[len(h.s)-1]
	h.s = h.s[:len(h.s)-1]
	return v
}
