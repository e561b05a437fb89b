package queue

import (
	"context"
	"iter"
	"sync"

	"github.com/lullgo/lull/internal/wait"
)

// core is the blocking machinery that Queue and Priority share; they differ
// only in the store that orders the buffered items.
//
// Every operation completes under mu, and it completes the operations of the
// waiters it unblocks too: a Put that finds a parked getter hands its item to
// that getter directly, and a Get that frees room moves the item of the
// longest-waiting putter into the store. So a waiter that wakes up has
// nothing left to do but return, and two invariants hold whenever mu is free:
//
//   - getters are parked only while the store is empty;
//   - putters are parked only while the store is full.
//
// They make the queue fair (no newcomer can overtake a parked waiter: it
// finds the store empty or full as well, and parks behind it) and make
// cancellation exact: a waiter whose ctx ends either finds its operation
// already done, and reports success, or removes itself from its wait list, and
// the queue is as if it had never been called.
type core[T any] struct {
	mu      sync.Mutex
	items   store[T]
	cap     int
	fifo    bool // items leave in the order they came, so bulk takes keep order
	closed  bool
	getters wait.List[T]
	putters wait.List[T]
	done    chan struct{} // closed once closed && items.Len() == 0 (checkDone)
	isDone  bool          // reports whether done was closed
	waiters sync.Pool     // of *wait.Waiter[T], so that waiting allocates nothing in steady state

	// onPark, if set (by tests only), is called with mu held each time a
	// goroutine parks, so tests can tell that it is blocked without sleeping.
	onPark func()
}

func (q *core[T]) init(capacity int, items store[T], fifo bool) {
	q.items = items
	q.fifo = fifo
	q.cap = capacity
	q.done = make(chan struct{})
	q.waiters.New = func() any { return wait.New[T]() }
}

// Put adds v to q, blocking while q is full. It returns nil once v is in q,
// ctx.Err() if ctx is done first (v was not added), or [ErrClosed] if q is or
// becomes closed before v could be added. Blocked Puts are served in the
// order they started. Put is safe for concurrent use.
func (q *core[T]) Put(ctx context.Context, v T) error {
	done := ctx.Done()
	if done != nil {
		select {
		case <-done:
			return ctx.Err()
		default:
		}
	}
	q.mu.Lock()
	if woken, err := q.putLocked(v); err != ErrFull {
		q.mu.Unlock()
		if woken != nil {
			woken.Signal()
		}
		return err
	}
	w := q.park(&q.putters)
	w.Item = v
	q.mu.Unlock()
	err := q.await(w, &q.putters, done, ctx)
	if err == nil {
		// The getter that moved v into the store is done with w.
		q.waiters.Put(w)
	}
	return err
}

// TryPut adds v to q if there is room, without blocking. It returns nil if v
// was added, [ErrFull] if q holds Cap items, or [ErrClosed] if q is closed.
// TryPut is safe for concurrent use.
func (q *core[T]) TryPut(v T) error {
	q.mu.Lock()
	woken, err := q.putLocked(v)
	q.mu.Unlock()
	if woken != nil {
		woken.Signal()
	}
	return err
}

// putLocked adds v without waiting, or returns ErrFull. If it handed v to a
// parked getter, it returns that getter, for the caller to Signal once q.mu
// is released. q.mu is held.
func (q *core[T]) putLocked(v T) (*wait.Waiter[T], error) {
	if q.closed {
		return nil, ErrClosed
	}
	if w := q.getters.PopFront(); w != nil {
		// A getter is parked, so the store is empty: hand v to it directly.
		w.Item = v
		w.State = wait.Served
		return w, nil
	}
	if q.items.Len() < q.cap {
		q.items.Push(v)
		return nil, nil
	}
	return nil, ErrFull
}

// Get removes and returns the next item of q, blocking while q is empty.
// It returns ctx.Err() if ctx is done first, or [ErrClosed] once q is closed
// and empty; after an error, nothing was taken. Blocked Gets are served in the
// order they started. Get is safe for concurrent use.
func (q *core[T]) Get(ctx context.Context) (T, error) {
	var zero T
	done := ctx.Done()
	if done != nil {
		select {
		case <-done:
			return zero, ctx.Err()
		default:
		}
	}
	q.mu.Lock()
	if v, woken, err := q.getLocked(); err != ErrEmpty {
		q.mu.Unlock()
		if woken != nil {
			woken.Signal()
		}
		return v, err
	}
	return q.parkGet(ctx, done)
}

// parkGet waits for an item as a parked getter. q.mu is held on entry (the
// store is empty and q is open) and released.
func (q *core[T]) parkGet(ctx context.Context, done <-chan struct{}) (T, error) {
	var zero T
	w := q.park(&q.getters)
	q.mu.Unlock()
	if err := q.await(w, &q.getters, done, ctx); err != nil {
		return zero, err
	}
	v := w.Item
	w.Item = zero
	q.waiters.Put(w)
	return v, nil
}

// TryGet removes and returns the next item of q without blocking. It returns
// [ErrEmpty] if q holds no item, or [ErrClosed] if q is closed and empty.
// TryGet is safe for concurrent use.
func (q *core[T]) TryGet() (T, error) {
	q.mu.Lock()
	v, woken, err := q.getLocked()
	q.mu.Unlock()
	if woken != nil {
		woken.Signal()
	}
	return v, err
}

// getLocked takes the next item without waiting, or returns ErrEmpty. The
// room it makes goes to the longest-waiting putter, whose item it moves in:
// it returns that putter, for the caller to Signal once q.mu is released.
// q.mu is held.
func (q *core[T]) getLocked() (T, *wait.Waiter[T], error) {
	var zero T
	if q.items.Len() == 0 {
		if q.closed {
			return zero, nil, ErrClosed
		}
		return zero, nil, ErrEmpty
	}
	v := q.items.Pop()
	if w := q.putters.PopFront(); w != nil {
		q.items.Push(w.Item)
		w.Item = zero
		w.State = wait.Served
		return v, w, nil
	}
	q.checkDone()
	return v, nil, nil
}

// refill restores the invariants after items left the store: the room they
// made goes to the longest-waiting putters, and a closed queue that is now
// empty closes done. q.mu is held.
func (q *core[T]) refill() {
	var zero T
	for q.items.Len() < q.cap {
		w := q.putters.PopFront()
		if w == nil {
			break
		}
		q.items.Push(w.Item)
		w.Item = zero
		w.Wake(wait.Served)
	}
	q.checkDone()
}

// checkDone closes done if q is closed and empty. q.mu is held.
func (q *core[T]) checkDone() {
	if q.closed && q.items.Len() == 0 && !q.isDone {
		q.isDone = true
		close(q.done)
	}
}

// GetBatch appends to dst between 1 and max items of q, in the order Get
// would return them, and returns the extended slice. It blocks only until the
// first item is there, then takes what else is buffered, up to max. Errors
// are those of Get, and on error dst is returned unchanged. GetBatch panics if
// max < 1. GetBatch is safe for concurrent use; items of one batch may
// interleave with those taken by other consumers at the same time.
func (q *core[T]) GetBatch(ctx context.Context, dst []T, max int) ([]T, error) {
	if max < 1 {
		panic("queue: GetBatch with max < 1")
	}
	done := ctx.Done()
	if done != nil {
		select {
		case <-done:
			return dst, ctx.Err()
		default:
		}
	}
	q.mu.Lock()
	if q.items.Len() == 0 {
		if q.closed {
			q.mu.Unlock()
			return dst, ErrClosed
		}
		v, err := q.parkGet(ctx, done)
		if err != nil {
			return dst, err
		}
		dst = append(dst, v)
		if max--; max == 0 {
			return dst, nil
		}
		q.mu.Lock()
	}
	for max > 0 && q.items.Len() > 0 {
		k := min(q.items.Len(), max)
		if q.putters.Len() > 0 && !q.fifo {
			// The items of parked putters enter as room is made; in a
			// Priority one of them may come before the next buffered
			// item, so take one at a time, as Gets would.
			k = 1
		}
		dst = q.items.PopTo(dst, k)
		max -= k
		q.refill()
	}
	q.mu.Unlock()
	return dst, nil
}

// All returns an iterator that yields the items of q as Get returns them,
// until q is closed and drained or ctx is done; check ctx.Err() afterwards to
// tell which. An item is removed from q just before it is yielded, so an item
// is consumed even if the loop body breaks out on it.
func (q *core[T]) All(ctx context.Context) iter.Seq[T] {
	return func(yield func(T) bool) {
		for {
			v, err := q.Get(ctx)
			if err != nil || !yield(v) {
				return
			}
		}
	}
}

// Close closes q. Blocked and later Puts return [ErrClosed]; Gets go on
// taking the buffered items, then return ErrClosed, to every consumer.
// Close does not wait for consumers. It is idempotent and safe to call
// concurrently with every other method. To stop at once and take back what
// was not consumed, call Drain after Close.
func (q *core[T]) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.closed = true
	// Parked getters imply an empty store and parked putters a full one, so
	// each list gets the same news: the operation will never happen.
	for w := q.getters.PopFront(); w != nil; w = q.getters.PopFront() {
		w.Wake(wait.Closing)
	}
	for w := q.putters.PopFront(); w != nil; w = q.putters.PopFront() {
		w.Wake(wait.Closing)
	}
	q.checkDone()
}

// Drain removes all buffered items from q and returns them in the order Get
// would have, or nil if there were none. If q is not closed, blocked Puts then
// fill the room Drain made. Drain never blocks and is safe for concurrent use.
func (q *core[T]) Drain() []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.items.Len()
	if n == 0 {
		return nil
	}
	out := q.items.PopTo(make([]T, 0, n), n)
	// What parked putters now bring came after the drained items: it
	// stays for the next Get.
	q.refill()
	return out
}

// Len returns the number of items buffered in q. Items handed directly
// to a blocked Get are not counted: they are no longer in q.
func (q *core[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.items.Len()
}

// Cap returns the capacity of q: the most items it buffers at once.
func (q *core[T]) Cap() int { return q.cap }

// Done returns a channel that is closed once q is closed and empty, when
// every Get returns [ErrClosed]. It is never closed while q is open.
func (q *core[T]) Done() <-chan struct{} { return q.done }

// park appends a fresh waiter to l. q.mu is held.
func (q *core[T]) park(l *wait.List[T]) *wait.Waiter[T] {
	w := q.waiters.Get().(*wait.Waiter[T])
	l.PushBack(w)
	if q.onPark != nil {
		q.onPark()
	}
	return w
}

// await blocks until w is woken or done is closed, and returns nil if w's
// operation took place, ErrClosed if the queue closed first, or ctx.Err().
// On success the caller recycles w (a getter first reads its item); on error
// await has recycled it.
func (q *core[T]) await(w *wait.Waiter[T], l *wait.List[T], done <-chan struct{}, ctx context.Context) error {
	select {
	case <-w.Ready:
	case <-done:
		q.mu.Lock()
		if w.State == wait.Waiting {
			// Nobody completed the operation yet, and nobody can now
			// that w leaves the list: the queue is as if w never came.
			l.Remove(w)
			q.mu.Unlock()
			q.waiters.Put(w)
			return ctx.Err()
		}
		// The operation completed (or the queue closed) before the
		// cancellation was seen. It stands: the item moved, so report it.
		// Take the token that wake sent so w can be reused.
		q.mu.Unlock()
		<-w.Ready
	}
	if w.State == wait.Closing {
		q.waiters.Put(w)
		return ErrClosed
	}
	return nil
}
