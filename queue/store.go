package queue

// store holds the buffered items of a queue in the order Get takes them.
// It is not safe for concurrent use; core guards it with its mutex.
type store[T any] interface {
	push(v T)
	pop() T
	popTo(dst []T, n int) []T // appends the next n <= len() items to dst
	len() int
}

// ring is a FIFO store: a circular buffer that grows by doubling, up to the
// queue's capacity, so that a large, mostly empty queue costs little memory.
type ring[T any] struct {
	buf  []T
	head int // index of the oldest item
	n    int // number of items
	max  int // the queue's capacity: buf never grows past it
}

func (r *ring[T]) len() int { return r.n }

func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	i := r.head + r.n
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	r.buf[i] = v
	r.n++
}

func (r *ring[T]) pop() T {
	var zero T
	v := r.buf[r.head]
	// Clear the slot so the ring does not keep the item reachable.
	r.buf[r.head] = zero
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return v
}

func (r *ring[T]) popTo(dst []T, n int) []T {
	for n > 0 {
		// Copy the run up to the end of buf (or n), then wrap around.
		end := min(r.head+n, len(r.buf))
		run := r.buf[r.head:end]
		dst = append(dst, run...)
		clear(run)
		n -= len(run)
		r.n -= len(run)
		r.head = end
		if r.head == len(r.buf) {
			r.head = 0
		}
	}
	return dst
}

// grow doubles the buffer (starting at 16 slots), but never past max. core
// never pushes into a full queue, so grow is called only while n < max.
func (r *ring[T]) grow() {
	size := min(max(2*len(r.buf), 16), r.max)
	buf := make([]T, size)
	// Copy the two halves in order so that the oldest item lands at index 0.
	k := copy(buf, r.buf[r.head:])
	copy(buf[k:], r.buf[:r.head])
	r.buf = buf
	r.head = 0
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

func (h *heap[T]) len() int { return len(h.items) }

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

func (h *heap[T]) push(v T) {
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

func (h *heap[T]) popTo(dst []T, n int) []T {
	for range n {
		dst = append(dst, h.pop())
	}
	return dst
}

func (h *heap[T]) pop() T {
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
