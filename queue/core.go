package queue

import (
	"context"
	"iter"
	"runtime"
	"sync"

	"github.com/lullgo/lull/internal/wait"
)

// This file is the blocking core of Priority (Queue, in fifo.go, claims
// its slots with compare-and-swap instead). Every
// operation takes mu, once, and does all its work under it: so each one is
// atomic (linearizable), and nothing here is lock-free.
//
// State, all guarded by mu:
//
//   - the store: a heap, holding at most capacity items;
//   - getters: Gets (and GetBatches) parked because the store was empty;
//   - putters: Puts parked because the store was full, each with its item;
//   - closed, and done, which is closed once closed and the store is empty.
//
// Invariants, true whenever mu is free:
//
//  1. getters is non-empty only if the store is empty: a Put that finds a
//     parked getter hands its item to the first one instead of storing it.
//  2. putters is non-empty only if the store is full: an operation that
//     takes items moves the first putters' items into the room it made
//     (settle), before it releases mu.
//  3. once closed, both lists are empty: Close wakes every parked call.
//
// So a parked call is completed by the operation that made its completion
// possible, under the same hold of mu, and waiters are served first come,
// first served: a newcomer never overtakes a parked call.
//
// A parked call that gives up (its ctx is done) takes mu, and either finds
// itself still in its list, removes itself and reports ctx.Err() (its
// operation did not happen), or finds its operation completed and reports
// that. Calls parked under a ctx that another parked call shares wait for it
// through one link (wait.Links), which takes them out of their lists when the
// ctx ends, under mu, and wakes them to report ctx.Err(). See package
// internal/wait for the protocol.
//
// The only callback is Priority's less, and it runs under mu. The heap's
// operations call less before they change anything, so a panic in less
// leaves the store as it was; mu is released on the way out (push and pop
// below), and the panic reaches the caller whose operation needed less, also
// when that operation was a parked Put being completed by a Get (see
// settle).
type core[T any] struct {
	mu       sync.Mutex
	heap     *heap[T] // the store
	capacity int

	getters, putters wait.List[T]
	links            wait.Links[T] // the ctxs that several of them wait under
	closed           bool
	done             chan struct{} // closed once closed and the store is empty

	waiters sync.Pool // of *wait.Waiter[T], so that parking allocates nothing in steady state
}

func (q *core[T]) init(capacity int, h *heap[T]) {
	q.capacity = capacity
	q.done = make(chan struct{})
	q.heap = h
	q.links.Init(&q.mu, nil, &q.getters, &q.putters)
}

// len returns the number of items in the store.
func (q *core[T]) len() int { return q.heap.Len() }

// push adds v to the store, which has room. If less panics, mu is released
// and the store is unchanged.
func (q *core[T]) push(v T) {
	ok := false
	defer func() {
		if !ok {
			q.mu.Unlock()
		}
	}()
	q.heap.Push(v)
	ok = true
}

// popTo appends up to max items of the store, which is not empty, to dst.
// If less panics, mu is released and the store and dst are unchanged.
func (q *core[T]) popTo(dst []T, max int) []T {
	ok := false
	defer func() {
		if !ok {
			q.mu.Unlock()
		}
	}()
	dst = q.heap.PopTo(dst, max)
	ok = true
	return dst
}

// pushFor moves putter w's item into the store on w's behalf, and reports
// whether it did. A panic in less goes to w, not to the caller: it was w's
// Put that needed less.
func (q *core[T]) pushFor(w *wait.Waiter[T]) (ok bool) {
	defer func() {
		if !ok {
			w.State, w.Panic = wait.Panicked, recover()
		}
	}()
	q.heap.Push(w.Item)
	return true
}

// settle runs after items were taken, with mu held: it moves the first
// parked putters' items into the room made (invariant 2) and closes done if
// q is closed and now empty. It wakes every putter it completed but the
// first, and returns that one for the caller to wake once it has released
// mu, so that the common case of one waiter lengthens no critical section.
func (q *core[T]) settle() (first *wait.Waiter[T]) {
	if q.putters.Len() > 0 && q.len() < q.capacity {
		first = q.settlePutters()
	}
	if q.closed && q.len() == 0 {
		q.closeDone()
	}
	return first
}

// settlePutters is settle's loop over the putters, which calls less.
//
// If less calls runtime.Goexit, the goroutine ends there, holding mu, and
// its caller (a Get or a Drain) never resumes to release it. The deferred
// call does instead: the putter whose item less was placing gets State
// Goexited, which makes its Put call runtime.Goexit in turn (its item was
// not added), as a panic would reach it; the putter completed before it is
// woken; the putters after it go on waiting, for the next call that makes
// room.
func (q *core[T]) settlePutters() (first *wait.Waiter[T]) {
	var w *wait.Waiter[T]
	settled := false
	defer func() {
		if settled {
			return
		}
		w.State, w.Panic = wait.Goexited, nil
		w.Wake()
		if first != nil { // completed before w, not yet woken
			first.Wake()
		}
		q.mu.Unlock()
	}()
	for q.putters.Len() > 0 && q.len() < q.capacity {
		w = q.putters.PopFront()
		if q.pushFor(w) {
			var zero T
			w.Item, w.State = zero, wait.Served
		}
		if first == nil {
			first = w
		} else {
			w.Wake()
		}
	}
	settled = true
	return first
}

func (q *core[T]) closeDone() {
	select {
	case <-q.done:
	default:
		close(q.done)
	}
}

// Put adds v to q, blocking while q is full. It returns nil once v is in q,
// ctx.Err() if ctx is done first (v was not added), or [ErrClosed] if q is or
// becomes closed before v could be added. Blocked Puts are served in the
// order they started, before any later Put. Put is safe for concurrent use.
func (q *core[T]) Put(ctx context.Context, v T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q.mu.Lock()
	if err, ok := q.putNow(v); ok {
		return err // putNow released mu
	}
	w, done := q.park(&q.putters, ctx)
	w.Item = v
	q.mu.Unlock()
	_, err := q.await(w, &q.putters, done, ctx)
	return err
}

// TryPut adds v to q if there is room, without blocking. It returns nil if v
// was added, [ErrFull] if q holds Cap items, or [ErrClosed] if q is closed.
// TryPut is safe for concurrent use.
func (q *core[T]) TryPut(v T) error {
	q.mu.Lock()
	if err, ok := q.putNow(v); ok {
		return err
	}
	q.mu.Unlock()
	return ErrFull
}

// putNow does a Put that need not wait, with mu held, and reports whether it
// could; if so it has released mu, and returns the Put's error.
func (q *core[T]) putNow(v T) (error, bool) {
	if q.closed {
		q.mu.Unlock()
		return ErrClosed, true
	}
	if g := q.getters.PopFront(); g != nil {
		// The store is empty (invariant 1): v goes to the longest
		// waiting Get.
		g.Item, g.State = v, wait.Served
		q.mu.Unlock()
		g.Wake()
		return nil, true
	}
	if q.len() < q.capacity {
		q.push(v)
		q.mu.Unlock()
		return nil, true
	}
	return nil, false
}

// Get removes and returns the next item of q, blocking while q is empty.
// It returns ctx.Err() if ctx is done first, or [ErrClosed] once q is closed
// and empty; after an error, nothing was taken. Blocked Gets are served in the
// order they started, before any later Get. Get is safe for concurrent use.
func (q *core[T]) Get(ctx context.Context) (T, error) {
	var buf [1]T
	dst, err := q.get(ctx, buf[:0], 1)
	if err != nil {
		var zero T
		return zero, err
	}
	return dst[0], nil
}

// GetBatch appends to dst between 1 and max items of q, in the order Get
// would return them, and returns the extended slice. If q has items, it takes
// up to max of them at once; if it is empty, GetBatch blocks like Get, and
// returns the one item that ends its wait. Errors are those of Get, and on
// error dst is returned unchanged. Each call is atomic: the items of one
// batch were at the front of q together. GetBatch panics if max < 1. It is
// safe for concurrent use.
func (q *core[T]) GetBatch(ctx context.Context, dst []T, max int) ([]T, error) {
	if max < 1 {
		panic("queue: GetBatch with max < 1")
	}
	return q.get(ctx, dst, max)
}

func (q *core[T]) get(ctx context.Context, dst []T, max int) ([]T, error) {
	if err := ctx.Err(); err != nil {
		return dst, err
	}
	q.mu.Lock()
	if out, err, ok := q.getNow(dst, max); ok {
		return out, err
	}
	w, done := q.park(&q.getters, ctx)
	q.mu.Unlock()
	v, err := q.await(w, &q.getters, done, ctx)
	if err != nil {
		return dst, err
	}
	return append(dst, v), nil
}

// TryGet removes and returns the next item of q without blocking. It returns
// [ErrEmpty] if q holds no item, or [ErrClosed] if q is closed and empty.
// TryGet is safe for concurrent use.
func (q *core[T]) TryGet() (T, error) {
	var buf [1]T
	q.mu.Lock()
	if dst, err, ok := q.getNow(buf[:0], 1); ok {
		if err != nil {
			var zero T
			return zero, err
		}
		return dst[0], nil
	}
	q.mu.Unlock()
	var zero T
	return zero, ErrEmpty
}

// getNow does a Get that need not wait, with mu held, and reports whether it
// could; if so it has released mu.
func (q *core[T]) getNow(dst []T, max int) ([]T, error, bool) {
	if q.len() > 0 {
		dst = q.popTo(dst, max)
		w := q.settle()
		q.mu.Unlock()
		if w != nil {
			w.Wake()
		}
		return dst, nil, true
	}
	if q.closed {
		q.mu.Unlock()
		return dst, ErrClosed, true
	}
	return dst, nil, false
}

// park takes a waiter and adds it to s, for a call under ctx, and returns
// it and the channel it parks on (see wait.Links.Push); mu is held.
func (q *core[T]) park(s *wait.List[T], ctx context.Context) (*wait.Waiter[T], <-chan struct{}) {
	w, _ := q.waiters.Get().(*wait.Waiter[T])
	if w == nil {
		w = wait.New[T]()
	}
	return w, q.links.Push(s, w, ctx)
}

// await waits until w's operation is done, q is closed, or ctx is done, and
// returns the item w was handed, if any, and the operation's error. done is
// the channel park returned. A panic of less in the operation, run by
// another goroutine on w's behalf, is raised here.
func (q *core[T]) await(w *wait.Waiter[T], s *wait.List[T], done <-chan struct{}, ctx context.Context) (T, error) {
	if !w.Park(done) {
		q.mu.Lock()
		if w.State == wait.Waiting {
			// Still parked: the operation did not happen, and never
			// will, since w leaves its list now.
			s.Remove(w)
			q.mu.Unlock()
			q.recycle(w)
			var zero T
			return zero, ctx.Err()
		}
		// Completed (or closed) while ctx ended: that came first, and its
		// token is on its way.
		q.mu.Unlock()
		w.Settle()
	}
	v, state, p := w.Item, w.State, w.Panic
	q.recycle(w)
	switch state {
	case wait.Closed:
		return v, ErrClosed
	case wait.Panicked:
		panic(p)
	case wait.Goexited:
		runtime.Goexit() // less did, placing v for this Put (see settlePutters)
	case wait.Cancelled:
		var zero T
		return zero, ctx.Err() // its link took w out of its list
	}
	return v, nil
}

func (q *core[T]) recycle(w *wait.Waiter[T]) {
	w.Reset()
	q.waiters.Put(w)
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
	q.links.Close() // no call parks from now on
	for _, s := range []*wait.List[T]{&q.getters, &q.putters} {
		for w := s.PopFront(); w != nil; w = s.PopFront() {
			w.State = wait.Closed
			w.Wake()
		}
	}
	if q.len() == 0 {
		q.closeDone()
	}
}

// Drain removes all buffered items from q and returns them in the order Get
// would have, or nil if there were none. If q is not closed, blocked Puts then
// fill the room Drain made. Drain never blocks and is safe for concurrent use.
// If less panics, Drain takes nothing and panics with it.
func (q *core[T]) Drain() []T {
	q.mu.Lock()
	n := q.len()
	if n == 0 {
		q.mu.Unlock()
		return nil
	}
	out := q.popTo(make([]T, 0, n), n)
	w := q.settle()
	q.mu.Unlock()
	if w != nil {
		w.Wake()
	}
	return out
}

// Len returns the number of items buffered in q. Items handed directly
// to a blocked Get are not counted: they are no longer in q.
func (q *core[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.len()
}

// Cap returns the capacity of q: the most items it buffers at once.
func (q *core[T]) Cap() int { return q.capacity }

// Done returns a channel that is closed once q is closed and empty, when
// every Get returns [ErrClosed]. It is never closed while q is open.
func (q *core[T]) Done() <-chan struct{} { return q.done }
