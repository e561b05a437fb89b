package queue

import (
	"context"
	"iter"

	"github.com/lullgo/lull/internal/qcore"
)

// core holds the methods that Queue and Priority share: it hands each to the
// blocking machinery in internal/qcore, which lull's pool uses too.
type core[T any] struct{ c *qcore.Core[T] }

// Put adds v to q, blocking while q is full. It returns nil once v is in q,
// ctx.Err() if ctx is done first (v was not added), or [ErrClosed] if q is or
// becomes closed before v could be added. Blocked Puts are served in the
// order they started. Put is safe for concurrent use.
func (q *core[T]) Put(ctx context.Context, v T) error {
	return q.c.Put(ctx, v)
}

// TryPut adds v to q if there is room, without blocking. It returns nil if v
// was added, [ErrFull] if q holds Cap items, or [ErrClosed] if q is closed.
// While parked Puts starve (see the package doc), their room is theirs: TryPut returns
// ErrFull. TryPut is safe for concurrent use.
func (q *core[T]) TryPut(v T) error {
	return q.c.TryPut(v)
}

// Get removes and returns the next item of q, blocking while q is empty.
// It returns ctx.Err() if ctx is done first, or [ErrClosed] once q is closed
// and empty; after an error, nothing was taken. Blocked Gets are served in the
// order they started. Get is safe for concurrent use.
func (q *core[T]) Get(ctx context.Context) (T, error) {
	return q.c.Get(ctx)
}

// TryGet removes and returns the next item of q without blocking. It returns
// [ErrEmpty] if q holds no item, or [ErrClosed] if q is closed and empty.
// While parked Gets starve (see the package doc), the items are theirs: TryGet returns
// ErrEmpty. TryGet is safe for concurrent use.
func (q *core[T]) TryGet() (T, error) {
	return q.c.TryGet()
}

// GetBatch appends to dst between 1 and max items of q, in the order Get
// would return them, and returns the extended slice. It blocks only until the
// first item is there, then takes what else is buffered, up to max. Errors
// are those of Get, and on error dst is returned unchanged. GetBatch panics if
// max < 1. GetBatch is safe for concurrent use; items of one batch may
// interleave with those taken by other consumers at the same time.
func (q *core[T]) GetBatch(ctx context.Context, dst []T, max int) ([]T, error) {
	return q.c.GetBatch(ctx, dst, max)
}

// All returns an iterator that yields the items of q as Get returns them,
// until q is closed and drained or ctx is done; check ctx.Err() afterwards to
// tell which. An item is removed from q just before it is yielded, so an item
// is consumed even if the loop body breaks out on it.
func (q *core[T]) All(ctx context.Context) iter.Seq[T] {
	return q.c.All(ctx)
}

// Close closes q. Blocked and later Puts return [ErrClosed]; Gets go on
// taking the buffered items, then return ErrClosed, to every consumer.
// Close does not wait for consumers. It is idempotent and safe to call
// concurrently with every other method. To stop at once and take back what
// was not consumed, call Drain after Close.
func (q *core[T]) Close() {
	q.c.Close()
}

// Drain removes all buffered items from q and returns them in the order Get
// would have, or nil if there were none. If q is not closed, blocked Puts then
// fill the room Drain made. Drain never blocks and is safe for concurrent use.
func (q *core[T]) Drain() []T {
	return q.c.Drain()
}

// Len returns the number of items buffered in q. Items handed directly
// to a blocked Get are not counted: they are no longer in q.
func (q *core[T]) Len() int {
	return q.c.Len()
}

// Cap returns the capacity of q: the most items it buffers at once.
func (q *core[T]) Cap() int {
	return q.c.Cap()
}

// Done returns a channel that is closed once q is closed and empty, when
// every Get returns [ErrClosed]. It is never closed while q is open.
func (q *core[T]) Done() <-chan struct{} {
	return q.c.Done()
}
