package queue

// store holds the buffered items of a queue in the order Get takes them.
// It is not safe for concurrent use; core guards it with its mutex.
// [ring.Ring] is the FIFO store, heap the priority one.
type store[T any] interface {
	Push(v T)
	Pop() T
	PopTo(dst []T, n int) []T // appends the next n <= Len() items to dst
	Len() int
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
	seq   uint64 // sequence number of the next push; a plain field, guarded by core's mutex
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

func (h *heap[T]) PopTo(dst []T, n int) []T {
	for range n {
		dst = append(dst, h.Pop())
	}
	return dst
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
