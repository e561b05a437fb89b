// Package qcore is the blocking machinery of lull's queues: the queue
// package's Queue and Priority, which differ only in the store that orders
// the buffered items, and the pool's backlog, whose idle workers are its
// parked getters.
package qcore

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lullgo/lull/internal/wait"
)

// Core is a bounded, context-aware queue.
//
// A Put or Get that does not have to wait takes no lock of Core's: it pushes
// to or pops from the store, which is safe for concurrent use (lock-free, for
// Queue), and is done, unless someone waits. Waiting goes through mu: a Put
// that finds the store full, or a Get that finds it empty, takes mu, counts
// itself among the putters or getters, tries the store once more, and only
// then parks in their list. A Put that pushed, or a Get that popped, checks
// the other side's count and, if a waiter is counted, takes mu and settles:
// it hands the buffered items to the parked getters and moves the items of
// the parked putters into the room that was made, each list first come,
// first served, and completes their operations for them.
//
// No wake-up is lost. Counting and then retrying, against pushing (or
// popping) and then checking the count, with sequentially consistent atomics
// on both sides: either the waiter's retry sees the item (or room), or the
// pusher (or popper) sees the waiter and settles. A waiter that wakes up has
// nothing left to do but return, so cancellation is exact: a waiter whose
// ctx ends either finds its operation already done, and reports success, or
// removes itself from its list under mu, and the queue is as if it had never
// been called.
//
// Parked waiters are served in the order they came. A newcomer that finds an
// item (or room) takes it without a look at the waiters, which saves every
// Put and Get a lock and keeps a busy queue from turning into a convoy of
// parks and wake-ups; but it could in principle keep a parked waiter from its
// turn forever. So, as sync.Mutex does, once the longest-parked waiter of a
// list has waited over starveAfter and finds its turn taken, the list is
// starving: newcomers of its side park behind it instead, until the list is
// empty.
type Core[T any] struct {
	items store[T]
	cap   int
	fifo  bool // items leave in the order they came, so bulk takes keep order

	// The parked getters and putters. Their counts and starving flags are
	// read by every operation and written only as goroutines park and
	// leave.
	getters, putters waiters[T]
	isClosed         atomic.Bool   // closed, for the fast paths
	handoffs         atomic.Uint64 // items handed from a putter to a getter past the store (written under mu)
	_                [cacheLine]byte

	mu     sync.Mutex
	closed bool
	done   chan struct{} // closed once closed and the store is empty (settle)
	isDone bool          // reports whether done was closed
	pool   sync.Pool     // of *wait.Waiter[T], so that waiting allocates nothing in steady state

	// OnPark, if set (by tests only, before the queue is shared), is
	// called with mu held each time a goroutine parks (a putter, or a
	// getter), so tests can tell that it is blocked without sleeping.
	OnPark func(putter bool)
}

// starveAfter is how long the longest-parked waiter of a list may wait, and
// then find its turn taken by a newcomer, before its list starves (see Core).
// It is sync.Mutex's threshold. Tests set it to 0.
var starveAfter = time.Millisecond

// NewFIFO returns an empty first-in, first-out Core of the given capacity;
// its buffer of capacity slots is allocated at once. With capacity 0 it
// buffers nothing: a Put succeeds only by handing its item to a Get.
func NewFIFO[T any](capacity int) *Core[T] {
	return newCore(capacity, newRing[T](capacity), true)
}

// NewPriority returns an empty Core of the given capacity, at least 1, that
// hands out the least item by less first, and of equal ones the first put.
func NewPriority[T any](capacity int, less func(a, b T) bool) *Core[T] {
	return newCore[T](capacity, &lockedHeap[T]{h: heap[T]{less: less}, cap: capacity}, false)
}

func newCore[T any](capacity int, items store[T], fifo bool) *Core[T] {
	q := &Core[T]{items: items, cap: capacity, fifo: fifo, done: make(chan struct{})}
	q.pool.New = func() any { return wait.New[T]() }
	return q
}

// Pushes returns how many items have entered q since it was made: every Put
// and TryPut that succeeded, counted once its item is in the store.
func (q *Core[T]) Pushes() uint64 { return q.items.pushes() + q.handoffs.Load() }

// ctxDone returns ctx.Err() if ctx is already done.
func ctxDone(ctx context.Context, done <-chan struct{}) error {
	if done != nil {
		select {
		case <-done:
			return ctx.Err()
		default:
		}
	}
	return nil
}

// Put is queue.Queue's Put (see its doc).
func (q *Core[T]) Put(ctx context.Context, v T) error {
	done := ctx.Done()
	if err := ctxDone(ctx, done); err != nil {
		return err
	}
	if !q.putters.starving.Load() {
		if err := q.tryPush(v); err != ErrFull {
			return err
		}
	}
	q.mu.Lock()
	q.putters.n.Add(1)
	if q.putters.list.Len() == 0 {
		switch q.items.push(v) {
		case pushOK:
			q.putters.n.Add(-1)
			if q.getters.n.Load() != 0 {
				q.settle()
			}
			q.mu.Unlock()
			return nil
		case pushClosed:
			q.putters.n.Add(-1)
			q.mu.Unlock()
			return ErrClosed
		}
		if q.handOff(v) { // a store without room, and a getter waits
			q.putters.n.Add(-1)
			q.mu.Unlock()
			return nil
		}
	}
	w := q.park(&q.putters, done)
	w.Item = v
	q.mu.Unlock()
	err := q.await(w, &q.putters, done, ctx)
	if err == nil {
		// The getter that moved v into the store is done with w.
		q.pool.Put(w)
	}
	return err
}

// TryPut is queue.Queue's TryPut (see its doc).
func (q *Core[T]) TryPut(v T) error {
	if q.putters.starving.Load() {
		if q.isClosed.Load() {
			return ErrClosed
		}
		return ErrFull
	}
	return q.tryPush(v)
}

// tryPush pushes v without waiting, and settles if a getter waits.
func (q *Core[T]) tryPush(v T) error {
	switch q.items.push(v) {
	case pushOK:
		q.pushed()
		return nil
	case pushClosed:
		return ErrClosed
	}
	if q.getters.n.Load() != 0 {
		// No room, but a getter waits: the store has no room at all.
		q.mu.Lock()
		ok := q.handOff(v)
		q.mu.Unlock()
		if ok {
			return nil
		}
	}
	return ErrFull
}

// pushed settles after a push outside mu, if a getter waits.
func (q *Core[T]) pushed() {
	if q.getters.n.Load() != 0 {
		q.mu.Lock()
		q.settle()
		q.mu.Unlock()
	}
}

// popped settles after a pop outside mu, if a putter waits or q is closed
// (and may be empty now).
func (q *Core[T]) popped() {
	if q.putters.n.Load() != 0 || q.isClosed.Load() {
		q.mu.Lock()
		q.settle()
		q.mu.Unlock()
	}
}

// Get is queue.Queue's Get (see its doc).
func (q *Core[T]) Get(ctx context.Context) (T, error) {
	var zero T
	done := ctx.Done()
	if err := ctxDone(ctx, done); err != nil {
		return zero, err
	}
	if !q.getters.starving.Load() {
		if v, ok := q.items.pop(); ok {
			q.popped()
			return v, nil
		}
	}
	q.mu.Lock()
	return q.getSlow(ctx, done, nil, nil)
}

// GetClaimed is Get for a getter that may be served only while claim,
// called with q's mutex held, returns true; unclaim undoes a claim that
// found nothing to take. It takes no item without q's mutex, so that whoever
// makes claim fail under that mutex (see Do) knows the getter took nothing
// since. It returns ctx.Err() once claim fails: that is to be the reason.
func (q *Core[T]) GetClaimed(ctx context.Context, claim func() bool, unclaim func()) (T, error) {
	var zero T
	done := ctx.Done()
	if err := ctxDone(ctx, done); err != nil {
		return zero, err
	}
	q.mu.Lock()
	return q.getSlow(ctx, done, claim, unclaim)
}

// DropEnded ends, with q's mutex held (in Do), the wait of every parked
// getter whose ctx has ended: they then return without waiting for the
// mutex, which a thousand getters retired at once would queue on.
func (q *Core[T]) DropEnded() {
	q.getters.list.Drop((*wait.Waiter[T]).Ended, q.getters.dropped)
	q.getters.unstarve()
}

// Do calls f with q's mutex held (see GetClaimed). f may call DropEnded,
// and no other method of q.
func (q *Core[T]) Do(f func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	f()
}

// getSlow takes an item as a getter that found none: it counts itself, tries
// once more, and parks. With claim, it takes an item only after a claim
// under q.mu. q.mu is held on entry and released.
func (q *Core[T]) getSlow(ctx context.Context, done <-chan struct{}, claim func() bool, unclaim func()) (T, error) {
	var zero T
	q.getters.n.Add(1)
	if q.getters.list.Len() == 0 {
		if claim != nil && !claim() {
			q.getters.n.Add(-1)
			q.mu.Unlock()
			return zero, ctx.Err()
		}
		if v, ok := q.items.pop(); ok {
			q.getters.n.Add(-1)
			if q.putters.n.Load() != 0 || q.closed {
				q.settle()
			}
			q.mu.Unlock()
			return v, nil
		}
		if v, ok := q.takeOver(); ok { // a store without room, and a putter waits
			q.getters.n.Add(-1)
			q.mu.Unlock()
			return v, nil
		}
		if unclaim != nil {
			unclaim()
		}
		if q.closed && q.items.empty() {
			q.getters.n.Add(-1)
			q.mu.Unlock()
			return zero, ErrClosed
		}
	}
	w := q.park(&q.getters, done)
	w.Claim, w.Unclaim = claim, unclaim
	q.mu.Unlock()
	if err := q.await(w, &q.getters, done, ctx); err != nil {
		return zero, err
	}
	v := w.Item
	w.Item = zero
	q.pool.Put(w)
	return v, nil
}

// TryGet is queue.Queue's TryGet (see its doc).
func (q *Core[T]) TryGet() (T, error) {
	var zero T
	if !q.getters.starving.Load() {
		if v, ok := q.items.pop(); ok {
			q.popped()
			return v, nil
		}
	}
	if q.putters.n.Load() != 0 {
		// Nothing buffered, but a putter waits: the store has no room
		// at all.
		q.mu.Lock()
		v, ok := q.takeOver()
		q.mu.Unlock()
		if ok {
			return v, nil
		}
	}
	// isClosed is set after the store is closed: empty is exact then.
	if q.isClosed.Load() && q.items.empty() {
		return zero, ErrClosed
	}
	return zero, ErrEmpty
}

// settle completes what the waiters wait for: it hands buffered items to the
// parked getters and moves the items of parked putters into the store, each
// in the order they parked, until neither can go on. It marks a list starving
// if its first waiter has waited too long and still cannot be served, and
// ends the wait of every getter once q is closed and empty. q.mu is held.
func (q *Core[T]) settle() {
	var zero T
	for moved := true; moved; {
		moved = false
		for w := q.getters.front(); w != nil; w = q.getters.front() {
			v, ok := q.items.pop()
			if !ok {
				if w.Unclaim != nil {
					w.Unclaim()
				}
				q.getters.missed(w)
				break
			}
			w.Item = v
			q.getters.serve(w)
			moved = true
		}
		for w := q.putters.front(); w != nil; w = q.putters.front() {
			if q.items.push(w.Item) != pushOK {
				q.putters.missed(w)
				break
			}
			w.Item = zero
			q.putters.serve(w)
			moved = true
		}
	}
	q.getters.unstarve()
	q.putters.unstarve()
	if q.closed && q.items.empty() {
		// No item is left or on its way: no getter will ever be served.
		q.getters.closeAll()
		if !q.isDone {
			q.isDone = true
			close(q.done)
		}
	}
}

// handOff gives v to the first parked getter, if there is one and nothing
// is buffered before v, and reports whether it did. q.mu is held.
func (q *Core[T]) handOff(v T) bool {
	if !q.items.empty() {
		return false
	}
	w := q.getters.front()
	if w == nil {
		return false
	}
	q.handoffs.Add(1)
	w.Item = v
	q.getters.serve(w)
	return true
}

// takeOver takes the item of the first parked putter, if there is one and
// nothing is buffered before it, and reports whether it did. q.mu is held.
func (q *Core[T]) takeOver() (T, bool) {
	var zero T
	if !q.items.empty() {
		return zero, false
	}
	w := q.putters.front()
	if w == nil {
		return zero, false
	}
	q.handoffs.Add(1)
	v := w.Item
	w.Item = zero
	q.putters.serve(w)
	return v, true
}

// waiters is one side's parked waiters: a list, its length for the fast
// paths (it counts, too, a goroutine about to park, see Core), and whether
// the side starves. Its methods are called with the Core's mu held.
type waiters[T any] struct {
	list     wait.List[T]
	n        atomic.Int32
	starving atomic.Bool
}

// front returns the first waiter whose ctx has not ended, and claimed if it
// has a claim, after ending the wait of those before it whose ctx has ended
// or whose claim failed: what would have been theirs passes to the next
// waiter, though they have not noticed their ctx yet.
func (s *waiters[T]) front() *wait.Waiter[T] {
	for w := s.list.Front(); w != nil; w = s.list.Front() {
		if !w.Ended() && (w.Claim == nil || w.Claim()) {
			return w
		}
		s.list.PopFront()
		s.dropped(w)
	}
	return nil
}

// dropped ends the wait of w, taken out of the list because its ctx ended
// or its claim failed: its operation did not take place.
func (s *waiters[T]) dropped(w *wait.Waiter[T]) {
	s.n.Add(-1)
	w.Wake(wait.Cancelled)
}

// serve ends the wait of w, the first waiter, whose operation took place.
func (s *waiters[T]) serve(w *wait.Waiter[T]) {
	s.list.PopFront()
	s.n.Add(-1)
	w.Wake(wait.Served)
}

// missed records that the first waiter w could not be served: if it waited
// too long, newcomers must queue behind the side's waiters.
func (s *waiters[T]) missed(w *wait.Waiter[T]) {
	if time.Since(w.Parked) > starveAfter {
		s.starving.Store(true)
	}
}

// leave takes w, whose ctx ended, out of the list.
func (s *waiters[T]) leave(w *wait.Waiter[T]) {
	s.list.Remove(w)
	s.n.Add(-1)
	s.unstarve()
}

// unstarve ends the starving of an empty list.
func (s *waiters[T]) unstarve() {
	if s.list.Len() == 0 && s.starving.Load() {
		s.starving.Store(false)
	}
}

// closeAll ends every wait with the news that q closed.
func (s *waiters[T]) closeAll() {
	for w := s.list.PopFront(); w != nil; w = s.list.PopFront() {
		s.n.Add(-1)
		w.Wake(wait.Closing)
	}
}

// GetBatch is queue.Queue's GetBatch (see its doc).
func (q *Core[T]) GetBatch(ctx context.Context, dst []T, max int) ([]T, error) {
	if max < 1 {
		panic("queue: GetBatch with max < 1")
	}
	done := ctx.Done()
	if err := ctxDone(ctx, done); err != nil {
		return dst, err
	}
	if !q.getters.starving.Load() {
		if dst, n := q.take(dst, max); n > 0 {
			return dst, nil
		}
	}
	q.mu.Lock()
	v, err := q.getSlow(ctx, done, nil, nil)
	if err != nil {
		return dst, err
	}
	dst = append(dst, v)
	if max > 1 && !q.getters.starving.Load() {
		dst, _ = q.take(dst, max-1)
	}
	return dst, nil
}

// take pops up to max items into dst without waiting, settling after each
// bulk pop, so that it also takes the items of parked putters that its pops
// made room for. It returns dst and how many items it took.
func (q *Core[T]) take(dst []T, max int) ([]T, int) {
	n := 0
	for n < max {
		k := max - n
		if !q.fifo && q.putters.n.Load() != 0 {
			// The items of parked putters enter as room is made; in a
			// Priority one of them may come before the next buffered
			// item, so take one at a time, as Gets would.
			k = 1
		}
		var got int
		dst, got = q.items.popTo(dst, k)
		if got == 0 {
			break
		}
		n += got
		q.popped()
	}
	return dst, n
}

// All is queue.Queue's All (see its doc).
func (q *Core[T]) All(ctx context.Context) iter.Seq[T] {
	return func(yield func(T) bool) {
		for {
			v, err := q.Get(ctx)
			if err != nil || !yield(v) {
				return
			}
		}
	}
}

// Close is queue.Queue's Close (see its doc).
func (q *Core[T]) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	// The store first: once isClosed is seen, no push can succeed.
	q.items.close()
	q.closed = true
	q.isClosed.Store(true)
	q.putters.closeAll()
	q.settle()
}

// Drain is queue.Queue's Drain (see its doc).
func (q *Core[T]) Drain() []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []T
	for {
		n := q.items.len()
		if n == 0 {
			break
		}
		var got int
		if out, got = q.items.popTo(out, n); got == 0 {
			break // the rest are on their way in: not buffered yet
		}
	}
	// What parked putters now bring came after the drained items: it
	// stays for the next Get.
	q.settle()
	return out
}

// Len is queue.Queue's Len (see its doc).
func (q *Core[T]) Len() int { return q.items.len() }

// Cap is queue.Queue's Cap (see its doc).
func (q *Core[T]) Cap() int { return q.cap }

// Done is queue.Queue's Done (see its doc).
func (q *Core[T]) Done() <-chan struct{} { return q.done }

// park appends a fresh waiter to s, whose ctx's Done channel is done. q.mu
// is held.
func (q *Core[T]) park(s *waiters[T], done <-chan struct{}) *wait.Waiter[T] {
	w := q.pool.Get().(*wait.Waiter[T])
	w.Parked = time.Now()
	w.Done = done
	w.Claim, w.Unclaim = nil, nil
	s.list.PushBack(w)
	if q.OnPark != nil {
		q.OnPark(s == &q.putters)
	}
	return w
}

// await blocks until w is woken or done is closed, and returns nil if w's
// operation took place, ErrClosed if the queue closed first, or ctx.Err().
// On success the caller recycles w (a getter first reads its item); on error
// await has recycled it.
func (q *Core[T]) await(w *wait.Waiter[T], s *waiters[T], done <-chan struct{}, ctx context.Context) error {
	select {
	case <-w.Ready:
	case <-done:
		q.mu.Lock()
		if w.State == wait.Waiting {
			// Nobody completed the operation yet, and nobody can now
			// that w leaves the list: the queue is as if w never came.
			s.leave(w)
			q.mu.Unlock()
			q.pool.Put(w)
			return ctx.Err()
		}
		// The operation completed (or the queue closed) before the
		// cancellation was seen. It stands: the item moved, so report it.
		// Take the token that wake sent so w can be reused.
		q.mu.Unlock()
		<-w.Ready
	}
	switch w.State {
	case wait.Closing:
		q.pool.Put(w)
		return ErrClosed
	case wait.Cancelled:
		q.pool.Put(w)
		return ctx.Err()
	}
	return nil
}
