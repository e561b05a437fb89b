package queue

// heap is the store of a Priority: a binary min-heap by less, ties broken by
// the order of arrival. Its operations are transactional with respect to
// less: each one makes every call of less it needs before it changes the
// heap, so a panicking less leaves the heap as it was (a batch of pops undoes
// the pops it made). It is not safe for concurrent use; the queue's mutex
// guards it.
type heap[T any] struct {
	less  func(a, b T) bool
	items []entry[T]
	seq   uint64 // the arrival number of the next item

	// undo, while a batch of pops runs, records each slot a pop changes,
	// with its old entry, so that a panic in a later pop of the batch can
	// restore the heap.
	undo    []change[T]
	logging bool
}

type entry[T any] struct {
	v   T
	seq uint64
}

type change[T any] struct {
	i int
	e entry[T]
}

func newHeap[T any](capacity int, less func(a, b T) bool) *heap[T] {
	return &heap[T]{less: less, items: make([]entry[T], 0, capacity)}
}

func (h *heap[T]) Len() int { return len(h.items) }

// before reports whether a leaves the heap before b: a is less, or the
// two tie and a came first. When a came after b, a is before b only if it
// is less, so the second call of less, which tells a tie, is needed only
// when a came first.
func (h *heap[T]) before(a, b *entry[T]) bool {
	if h.less(a.v, b.v) {
		return true
	}
	return a.seq < b.seq && !h.less(b.v, a.v)
}

// set writes e to slot i, recording the old entry while logging.
func (h *heap[T]) set(i int, e entry[T]) {
	if h.logging {
		h.undo = append(h.undo, change[T]{i, h.items[i]})
	}
	h.items[i] = e
}

// Push adds v. The heap must not be full: its slice never grows past the
// capacity it was made with.
func (h *heap[T]) Push(v T) {
	e := entry[T]{v: v, seq: h.seq}
	// Find v's slot first, calling less only: a panic leaves h unchanged.
	n := len(h.items)
	j := n
	for j > 0 {
		p := (j - 1) / 2
		if !h.before(&e, &h.items[p]) {
			break
		}
		j = p
	}
	h.items = h.items[:n+1]
	for k := n; k > j; {
		p := (k - 1) / 2
		h.set(k, h.items[p])
		k = p
	}
	h.set(j, e)
	h.seq++
}

// Pop removes and returns the first item. The heap must not be empty.
//
// The last entry fills the root's place. As Floyd's variant of the heap's
// sift-down does, Pop first walks from the root to a leaf through the
// lesser child at each level (one comparison a level), then finds from the
// leaf up where the last entry goes along that path: usually at once, since
// the last entry is usually among the greatest. All of it calls less only,
// recording the path; then it moves the entries, so a panic in less leaves
// the heap as it was. A heap of 2^63 entries is 63 levels deep.
func (h *heap[T]) Pop() T {
	n := len(h.items) - 1
	top, last := h.items[0], h.items[n]
	var path [64]int
	depth := 0
	// before, written out: at one comparison a level, the call of before
	// would cost about as much as the comparison.
	less, items := h.less, h.items
	for j := 0; ; {
		c := 2*j + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n {
			a, b := &items[r], &items[c]
			if less(a.v, b.v) || a.seq < b.seq && !less(b.v, a.v) {
				c = r
			}
		}
		path[depth] = c
		depth++
		j = c
	}
	// The entries along the path are in order: those before last move up
	// a level, and last takes the place of the last of them.
	for depth > 0 && !h.before(&h.items[path[depth-1]], &last) {
		depth--
	}
	j := 0
	for _, c := range path[:depth] {
		h.set(j, h.items[c])
		j = c
	}
	if n > 0 {
		h.set(j, last)
	}
	h.set(n, entry[T]{}) // drop the reference
	h.items = h.items[:n]
	return top.v
}

// PopTo appends up to max items to dst, first first, and returns the
// extended slice. If less panics, the pops already made are undone, so the
// heap and dst are as before the call.
func (h *heap[T]) PopTo(dst []T, max int) []T {
	if max == 1 || len(h.items) <= 1 {
		if len(h.items) > 0 {
			dst = append(dst, h.Pop())
		}
		return dst
	}
	n, start := len(h.items), len(dst)
	h.logging, h.undo = true, h.undo[:0]
	done := false
	defer func() {
		h.logging = false
		if !done {
			// Undo in reverse order; the slice grows back first.
			h.items = h.items[:n]
			for i := len(h.undo) - 1; i >= 0; i-- {
				h.items[h.undo[i].i] = h.undo[i].e
			}
			clear(dst[start:len(dst):len(dst)])
		}
		clear(h.undo)
		h.undo = h.undo[:0]
	}()
	for max > 0 && len(h.items) > 0 {
		dst = append(dst, h.Pop())
		max--
	}
	done = true
	return dst
}
