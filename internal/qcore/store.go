package qcore

import "sync"

// store holds the buffered items of a queue in the order Get takes them. It
// is safe for concurrent use, and each method is atomic: core's fast paths
// call it without holding core's mutex. [ring] is the FIFO store, and
// lockedHeap the priority one.
type store[T any] interface {
	push(v T) pushResult
	pop() (T, bool)                    // false if no item can be taken now
	popTo(dst []T, max int) ([]T, int) // appends up to max items, returns how many
	len() int
	pushes() uint64 // items pushed since the store was made
	empty() bool    // exact once closed: no item is in or on its way in
	close()         // every later push returns pushClosed
}

// pushResult is the outcome of a store's push.
type pushResult uint8

const (
	pushOK pushResult = iota
	pushFull
	pushClosed
)

// lockedHeap is the priority store: a heap behind a mutex of its own, which
// it holds only for the heap operation itself.
type lockedHeap[T any] struct {
	mu     sync.Mutex
	h      heap[T]
	cap    int
	closed bool
}

func (l *lockedHeap[T]) push(v T) pushResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return pushClosed
	case l.h.Len() == l.cap:
		return pushFull
	}
	l.h.Push(v)
	return pushOK
}

func (l *lockedHeap[T]) pop() (T, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.h.Len() == 0 {
		var zero T
		return zero, false
	}
	return l.h.Pop(), true
}

func (l *lockedHeap[T]) popTo(dst []T, max int) ([]T, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := min(max, l.h.Len())
	for range n {
		dst = append(dst, l.h.Pop())
	}
	return dst, n
}

func (l *lockedHeap[T]) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.h.Len()
}

func (l *lockedHeap[T]) pushes() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.h.seq
}

func (l *lockedHeap[T]) empty() bool { return l.len() == 0 }

func (l *lockedHeap[T]) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}

// entry is an item of a heap with the order in which it was pushed, which
// breaks ties between items that less considers equal.
type entry[T any] struct {
	v   T
	seq uint64
}

// heap is a priority store: a binary min-heap by less, stable for equal items
// (first in, first out among items neither of which is less than the other).
type heap[T any] struct {
	items []entry[T]
	less  func(a, b T) bool
	seq   uint64 // sequence number of the next push
}

func (h *heap[T]) Len() int { return len(h.items) }

// before reports whether the entry at i must be taken before the one at j.
func (h *heap[T]) before(i, j int) bool {
	a, b := &h.items[i], &h.items[j]
	if h.less(a.v, b.v) {
		return true
	}
	if h.less(b.v, a.v) {
		return false
	}
	return a.seq < b.seq
}

func (h *heap[T]) Push(v T) {
	h.items = append(h.items, entry[T]{v: v, seq: h.seq})
	h.seq++
	// Sift the new entry up to its place.
	i := len(h.items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !h.before(i, parent) {
			break
		}
		h.items[i], h.items[parent] = h.items[parent], h.items[i]
		i = parent
	}
}

func (h *heap[T]) Pop() T {
	v := h.items[0].v
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.items[last] = entry[T]{} // let the item be collected
	h.items = h.items[:last]
	// Sift the moved entry down to its place.
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && h.before(l, m) {
			m = l
		}
		if r < last && h.before(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
	return v
}
