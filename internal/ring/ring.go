// Package ring provides a bounded first-in, first-out ring buffer. It is not
// safe for concurrent use: lull's queue and pool guard their rings with their
// own mutex.
package ring

// Ring is a bounded FIFO buffer of at most Cap items, allocated at once. The
// zero value is a ring of capacity 0, which holds nothing.
type Ring[T any] struct {
	buf  []T
	head int // index of the oldest item
	n    int // number of items
}

// New returns an empty Ring with room for capacity items, allocated at once.
func New[T any](capacity int) Ring[T] { return Ring[T]{buf: make([]T, capacity)} }

// Len returns the number of items in r.
func (r *Ring[T]) Len() int { return r.n }

// Full reports whether r holds Cap items (always true for capacity 0).
func (r *Ring[T]) Full() bool { return r.n == len(r.buf) }

// Push adds v at the back of r, which must not be full.
func (r *Ring[T]) Push(v T) {
	i := r.head + r.n
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	r.buf[i] = v
	r.n++
}

// Pop removes and returns the oldest item of r, which must not be empty.
// Its slot is zeroed, so that r keeps no reference to it.
func (r *Ring[T]) Pop() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return v
}

// PopTo appends up to max of r's oldest items to dst, in order, and returns
// the extended slice.
func (r *Ring[T]) PopTo(dst []T, max int) []T {
	for max > 0 && r.n > 0 {
		dst = append(dst, r.Pop())
		max--
	}
	return dst
}
