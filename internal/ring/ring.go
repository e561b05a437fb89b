// Package ring provides the bounded circular buffer that lull's pool keeps
// its backlog in. It is not safe for concurrent use: its owner guards it
// with its own mutex. (The queue package has a lock-free ring of its own.)
package ring

// Ring is a FIFO buffer that grows by doubling, from 16 slots up to its
// capacity, so that a large, mostly empty ring costs little memory. Its
// owner must not Push into a full ring, nor Pop from an empty one.
type Ring[T any] struct {
	buf  []T
	head int // index of the oldest item
	n    int // number of items
	max  int // capacity: buf never grows past it
}

// New returns an empty Ring that holds at most capacity items.
func New[T any](capacity int) *Ring[T] { return &Ring[T]{max: capacity} }

// Len returns the number of items in r.
func (r *Ring[T]) Len() int { return r.n }

// Cap returns the capacity of r.
func (r *Ring[T]) Cap() int { return r.max }

// Push adds v at the back of r, which must not be full.
func (r *Ring[T]) Push(v T) {
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

// Pop removes and returns the item at the front of r, which must not be empty.
func (r *Ring[T]) Pop() T {
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

// PopTo removes the n front items of r (n <= Len) and appends them to dst.
func (r *Ring[T]) PopTo(dst []T, n int) []T {
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

// grow doubles the buffer (starting at 16 slots), but never past max.
func (r *Ring[T]) grow() {
	size := min(max(2*len(r.buf), 16), r.max)
	if size == len(r.buf) {
		panic("ring: Push into a full ring")
	}
	buf := make([]T, size)
	// Copy the two halves in order so that the oldest item lands at index 0.
	k := copy(buf, r.buf[r.head:])
	copy(buf[k:], r.buf[:r.head])
	r.buf = buf
	r.head = 0
}
