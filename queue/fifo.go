package queue

import (
	"context"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/lullgo/lull/internal/slots"
	"github.com/lullgo/lull/internal/wait"
)

// This file is Queue: a ring of slots whose positions are claimed by
// compare-and-swap (internal/slots), with a mutex only for the calls that
// park.
//
// State:
//
//   - ring: the items, at the positions head to tail-1 of the ring; the
//     tail's gate is set once, by Close. A Put or Get takes effect at its
//     compare-and-swap on tail or head: that is the instant it is ordered
//     among the others (linearized). TryPut and TryGet decide full and
//     empty from head and tail alone, so ErrFull means capacity items were
//     in q, and ErrEmpty that none was, even while a call that took effect
//     is still writing or reading its slot.
//   - getq, putq (under mu): the parked Gets and Puts, first come first
//     served; nget and nput mirror their lengths for the calls that do not
//     take mu.
//   - closing, set by Close before the gate, and done, closed once q is
//     closed and empty (checkDone).
//
// Parking. A call that must wait takes mu, enters its list, bumps nget or
// nput, and then, if it is the first in line, tries once more before it
// parks. A call that adds an item looks at nget after its compare-and-swap,
// and one that takes items looks at nput: of the two, at least one sees the
// other (both use sequentially consistent atomics), so a parked call never
// misses the item or the room it waits for. The waking call completes
// parked calls itself, under mu (settle): it claims items for the first
// parked Get (as many as a parked GetBatch may take), or room for the first
// parked Put's item, so parked calls are served in the order they came. A
// call that comes while others of its kind are parked queues behind them
// instead of taking what they wait for; TryPut, TryGet and Drain, which
// never wait, do not queue.
//
// Close sets the gate with a compare-and-swap, so a Put either claimed its
// position before that or fails; it then wakes every parked call. Parked
// Puts fail with ErrClosed; parked Gets try again, and take what is left or
// see q closed and empty.
//
// Contention. Put and Get make one compare-and-swap on their own. If
// another call of the same kind took the position first, they yield the
// processor once (runtime.Gosched) and try again: with more goroutines than
// CPUs, two producers (or two consumers) that run at once fight over one
// cache line while the other kind waits for a CPU, and the yield hands the
// CPU to a goroutine of the other kind. On 2 CPUs with 4 producers and 4
// consumers, that took an item from 86 to 29 ns (the buffered channel's:
// 68). A call that loses again, or a Get that finds q empty, takes mu and
// tries once more, so that the calls still contending line up instead of
// all retrying at once. A yield is one scheduling round, taken only after
// a lost compare-and-swap, never in a loop: nothing polls.

// Nothing here runs user code, and no goroutine is started but a link's
// AfterFunc, when its ctx ends (see internal/wait.Links). The only wait
// that is not a parked channel receive is the ring's wait for a slot, which
// lasts as long as the one call that owns the slot takes to finish with it.

// Queue is a bounded first-in, first-out queue of items of type T. Items
// leave in the order their Puts took effect. Create one with [New]; the zero
// value is not usable. All methods are safe for concurrent use.
type Queue[T any] struct {
	ring slots.Ring[T] // its tail's gate is closed: set once, by Close

	_       [64]byte
	nget    atomic.Int64
	nput    atomic.Int64
	closing atomic.Bool // set by Close before it sets the ring's gate
	_       [64]byte

	mu         sync.Mutex
	getq, putq wait.List[T]
	links      wait.Links[T] // the ctxs that several parked calls wait under
	waiters    sync.Pool     // of *wait.Waiter[T], so that parking allocates nothing in steady state

	done       chan struct{} // closed once q is closed and empty
	doneClosed atomic.Bool
}

// New returns an empty Queue that holds at most capacity items. Like a
// buffered channel, it allocates its buffer at once (capacity slots,
// rounded up to a power of two, at least 2), and like make, New panics if
// that buffer is too large to allocate. It also panics if capacity < 1, or
// if it exceeds 2^62 (2^30 on 32-bit platforms), where the rounding up would
// overflow.
func New[T any](capacity int) *Queue[T] {
	if capacity < 1 {
		panic("queue: New with capacity < 1")
	}
	if capacity > slots.MaxCap {
		panic("queue: New with capacity > 2^62 (2^30 on 32-bit platforms)")
	}
	q := &Queue[T]{done: make(chan struct{})}
	q.ring.Init(capacity)
	q.links.Init(&q.mu, q.dropParked, &q.getq, &q.putq)
	return q
}

// Put adds v to q, blocking while q is full. It returns nil once v is in q,
// ctx.Err() if ctx is done first (v was not added), or [ErrClosed] if q is or
// becomes closed before v could be added. Blocked Puts are served in the
// order they started, before any Put that starts later. Put is safe for
// concurrent use.
func (q *Queue[T]) Put(ctx context.Context, v T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if q.nput.Load() == 0 {
		p, ok, contended := q.ring.TryClaimPut()
		if contended {
			// Another Put took the position first: yield once (see
			// the file comment), then try again.
			runtime.Gosched()
			if q.nput.Load() != 0 {
				return q.putSlow(ctx, v) // behind the Puts parked since
			}
			p, ok, contended = q.ring.TryClaimPut()
		}
		var err error
		if contended {
			// Lost again: the Puts that contend for tail line up on
			// mu, one at a time, rather than all retrying at once.
			q.mu.Lock()
			p, ok, err = q.claimPut()
			q.mu.Unlock()
		}
		if ok {
			q.put(p, v)
			return nil
		}
		if err != nil {
			return err
		}
	}
	return q.putSlow(ctx, v)
}

// TryPut adds v to q if there is room, without blocking. It returns nil if v
// was added, [ErrFull] if q holds Cap items, or [ErrClosed] if q is closed.
// TryPut is safe for concurrent use.
func (q *Queue[T]) TryPut(v T) error {
	if err, ok := q.tryPut(v); ok {
		return err
	}
	return ErrFull
}

// tryPut adds v if q has room, and reports whether it could decide: it
// returns nil or ErrClosed and true, or false if q is full.
func (q *Queue[T]) tryPut(v T) (error, bool) {
	p, ok, err := q.claimPut()
	if !ok {
		return err, err != nil
	}
	q.put(p, v)
	return nil, true
}

// claimPut claims the next position for a Put: it returns it and true, or
// false and ErrClosed if q is closed, or false and nil if q is full.
func (q *Queue[T]) claimPut() (uint64, bool, error) {
	p, ok, closed := q.ring.ClaimPut(false)
	if closed {
		return 0, false, ErrClosed
	}
	return p, ok, nil
}

// claimGet claims up to max positions for a Get (every item up to max that
// q held at one instant): it returns the first and their number, or 0 items
// and whether q is closed if it is empty.
func (q *Queue[T]) claimGet(max uint64) (first, n uint64, closed bool) {
	first, n, last, closed, _ := q.ring.ClaimGet(max, true)
	if n > 0 && last && q.closing.Load() {
		q.checkDone() // this may have emptied a closed q
	}
	return first, n, closed
}

// put writes v at position p, which the caller claimed, then completes
// the parked Gets it can.
func (q *Queue[T]) put(p uint64, v T) {
	q.ring.Write(p, v)
	if q.nget.Load() > 0 {
		q.settleAndWake()
	}
}

// take appends the n items from position p on, which the caller claimed,
// to dst, then completes the parked Puts it can.
func (q *Queue[T]) take(dst []T, p, n uint64) []T {
	for i := range n {
		dst = append(dst, q.ring.Read(p+i))
	}
	if q.nput.Load() > 0 {
		q.settleAndWake()
	}
	return dst
}

// takeOne is take for one item.
func (q *Queue[T]) takeOne(p uint64) T {
	v := q.ring.Read(p)
	if q.nput.Load() > 0 {
		q.settleAndWake()
	}
	return v
}

// checkDone closes done if q is closed and empty. Close calls it after it
// sets closing and the ring's gate, and a Get after a compare-and-swap that
// emptied q as far as it saw, if it sees closing: of the two, at least one
// sees the other's change.
func (q *Queue[T]) checkDone() {
	// Once closed, tail never moves again.
	if q.ring.TailGated() && q.ring.Empty() && q.doneClosed.CompareAndSwap(false, true) {
		close(q.done)
	}
}

// putSlow parks a Put behind those already parked, unless it can put v now
// as the first in line.
func (q *Queue[T]) putSlow(ctx context.Context, v T) error {
	q.mu.Lock()
	first := q.putq.Len() == 0
	w, done := q.park(&q.putq, &q.nput, ctx) // before the last try: see the file comment
	if first || q.ring.TailGated() {
		if p, ok, err := q.claimPut(); ok || err != nil {
			q.putq.Remove(w)
			q.nput.Add(-1)
			q.mu.Unlock()
			q.recycle(w)
			if err != nil {
				return err
			}
			q.put(p, v)
			return nil
		}
	}
	w.Item = v
	q.mu.Unlock()
	_, _, state, err := q.await(w, &q.putq, &q.nput, done, ctx)
	if err != nil {
		return err
	}
	if state == wait.Closed {
		return ErrClosed
	}
	return nil
}

// Get removes and returns the next item of q, blocking while q is empty.
// It returns ctx.Err() if ctx is done first, or [ErrClosed] once q is closed
// and empty; after an error, nothing was taken. Blocked Gets are served in the
// order they started, before any Get that starts later. Get is safe for
// concurrent use.
func (q *Queue[T]) Get(ctx context.Context) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if q.nget.Load() == 0 {
		p, ok, contended := q.ring.TryClaimGet()
		if contended {
			// Another Get took the position first: yield once (see
			// the file comment), then try again.
			runtime.Gosched()
			if q.nget.Load() != 0 {
				v, _, err := q.getSlow(ctx, nil, 1) // behind the Gets parked since
				return v, err
			}
			p, ok, _ = q.ring.TryClaimGet()
		}
		if ok {
			if q.closing.Load() {
				q.checkDone() // this may have emptied a closed q
			}
			return q.takeOne(p), nil
		}
		// Empty, or another Get took the position first again. Gets
		// that contend for head, or find q empty, line up on mu and
		// try again one at a time, rather than all at once: with more
		// goroutines than CPUs, that leaves the head's cache line to
		// one of them at a time and is faster (see the file comment).
		q.mu.Lock()
		p, n, closed := q.claimGet(1)
		q.mu.Unlock()
		switch {
		case n > 0:
			return q.takeOne(p), nil
		case closed:
			return zero, ErrClosed
		}
	}
	v, _, err := q.getSlow(ctx, nil, 1)
	return v, err
}

// GetBatch appends to dst between 1 and max items of q, in the order Get
// would return them, and returns the extended slice. If q has items, it takes
// up to max of them in one step; if it is empty, GetBatch blocks like Get
// until items come, and then takes up to max of those. Errors are those of
// Get, and on error dst is returned unchanged. The items of one batch were
// at the front of q together, and it takes every item, up to max, that q
// held at that instant. GetBatch panics if max < 1. It is safe for
// concurrent use.
func (q *Queue[T]) GetBatch(ctx context.Context, dst []T, max int) ([]T, error) {
	if max < 1 {
		panic("queue: GetBatch with max < 1")
	}
	if err := ctx.Err(); err != nil {
		return dst, err
	}
	if q.nget.Load() == 0 {
		if out, ok, err := q.tryGetTo(dst, uint64(max)); ok {
			return out, err
		}
	}
	if max == 1 {
		v, _, err := q.getSlow(ctx, nil, 1)
		if err != nil {
			return dst, err
		}
		return append(dst, v), nil
	}
	_, out, err := q.getSlow(ctx, dst, uint64(max))
	return out, err
}

// TryGet removes and returns the next item of q without blocking. It returns
// [ErrEmpty] if q holds no item, or [ErrClosed] if q is closed and empty.
// TryGet is safe for concurrent use.
func (q *Queue[T]) TryGet() (T, error) {
	if v, err, ok := q.tryGet(); ok {
		return v, err
	}
	var zero T
	return zero, ErrEmpty
}

// tryGet takes the next item if q has one, and reports whether it could
// decide: it returns the item and true, ErrClosed and true if q is closed
// and empty, or false if q is empty.
func (q *Queue[T]) tryGet() (v T, err error, ok bool) {
	p, n, closed := q.claimGet(1)
	switch {
	case n > 0:
		return q.takeOne(p), nil, true
	case closed:
		return v, ErrClosed, true
	}
	return v, nil, false
}

// tryGetTo appends up to max items to dst if q has any, and reports whether
// it could decide: it returns the items and true, dst, ErrClosed and true if
// q is closed and empty, or false if q is empty.
func (q *Queue[T]) tryGetTo(dst []T, max uint64) ([]T, bool, error) {
	p, n, closed := q.claimGet(max)
	if n == 0 {
		if closed {
			return dst, true, ErrClosed
		}
		return dst, false, nil
	}
	return q.take(dst, p, n), true, nil
}

// getSlow parks a Get behind those already parked, unless it can take items
// now as the first in line. A Get woken by Close tries again. With max 1 it
// returns the item in v; with max > 1 it appends the items to dst, and
// returns the extended slice.
func (q *Queue[T]) getSlow(ctx context.Context, dst []T, max uint64) (v T, out []T, err error) {
	for {
		q.mu.Lock()
		first := q.getq.Len() == 0
		w, done := q.park(&q.getq, &q.nget, ctx) // before the last try: see the file comment
		if first {
			p, n, closed := q.claimGet(max)
			if n > 0 || closed {
				q.getq.Remove(w)
				q.nget.Add(-1)
				q.mu.Unlock()
				q.recycle(w)
				if closed {
					return v, dst, ErrClosed
				}
				if max == 1 {
					return q.takeOne(p), dst, nil
				}
				return v, q.take(dst, p, n), nil
			}
		}
		if max > 1 {
			w.Max, w.Batch = int(max), dst
		}
		q.mu.Unlock()
		v, batch, state, err := q.await(w, &q.getq, &q.nget, done, ctx)
		switch {
		case err != nil:
			return v, dst, err
		case state == wait.Closed:
			continue // try again: take what is left, or see q closed and empty
		case max > 1:
			return v, batch, nil
		}
		return v, dst, nil
	}
}

// park takes a waiter and adds it to list, counted in n, for a call under
// ctx, and returns it and the channel it parks on (see wait.Links.Push); mu
// is held.
func (q *Queue[T]) park(list *wait.List[T], n *atomic.Int64, ctx context.Context) (*wait.Waiter[T], <-chan struct{}) {
	w, _ := q.waiters.Get().(*wait.Waiter[T])
	if w == nil {
		w = wait.New[T]()
	}
	done := q.links.Push(list, w, ctx)
	n.Add(1)
	return w, done
}

// dropParked counts out a parked call whose ctx ended, which its link took
// out of list; mu is held.
func (q *Queue[T]) dropParked(_ *wait.Waiter[T], list *wait.List[T]) {
	if list == &q.getq {
		q.nget.Add(-1)
	} else {
		q.nput.Add(-1)
	}
}

// await waits until w's operation is done, Close woke it, or ctx is done,
// and returns the item or items w was handed, if any, and how its wait
// ended, or ctx.Err() if the operation did not happen. done is the channel
// park returned.
func (q *Queue[T]) await(w *wait.Waiter[T], list *wait.List[T], n *atomic.Int64, done <-chan struct{}, ctx context.Context) (T, []T, wait.State, error) {
	if !w.Park(done) {
		q.mu.Lock()
		if w.State == wait.Waiting {
			// Still parked: the operation did not happen, and never
			// will, since w leaves its list now.
			list.Remove(w)
			n.Add(-1)
			q.mu.Unlock()
			q.recycle(w)
			var zero T
			return zero, nil, wait.Waiting, ctx.Err()
		}
		// Completed (or closed) while ctx ended: that came first, and its
		// token is on its way.
		q.mu.Unlock()
		w.Settle()
	}
	v, batch, state := w.Item, w.Batch, w.State
	q.recycle(w)
	if state == wait.Cancelled {
		// ctx ended, and its link took w out of list: as above.
		var zero T
		return zero, nil, state, ctx.Err()
	}
	return v, batch, state, nil
}

func (q *Queue[T]) recycle(w *wait.Waiter[T]) {
	w.Reset()
	q.waiters.Put(w)
}

// settleAndWake completes what parked calls it can (see settle), and wakes
// them once mu is released.
func (q *Queue[T]) settleAndWake() {
	var buf [4]*wait.Waiter[T]
	q.mu.Lock()
	woken := q.settle(buf[:0])
	q.mu.Unlock()
	for _, w := range woken {
		w.Wake()
	}
}

// settle completes parked calls, first come first served, for as long as
// q has an item for the first parked Get or room for the first parked
// Put's item, and appends them to woken. A parked GetBatch takes up to its
// max items, like one that did not park. settle takes items and room with
// the same compare-and-swaps as any call, so a Get or Put that does not take
// mu may get there first; the parked call then waits for the next one. mu
// is held.
func (q *Queue[T]) settle(woken []*wait.Waiter[T]) []*wait.Waiter[T] {
	for progress := true; progress; {
		progress = false
		for q.getq.Len() > 0 {
			w := q.getq.Front()
			p, n, _ := q.claimGet(uint64(max(w.Max, 1)))
			if n == 0 {
				break
			}
			q.getq.Remove(w)
			q.nget.Add(-1)
			if w.Max > 1 {
				for i := range n {
					w.Batch = append(w.Batch, q.ring.Read(p+i))
				}
			} else {
				w.Item = q.ring.Read(p)
			}
			w.State = wait.Served
			woken = append(woken, w)
			progress = true
		}
		for q.putq.Len() > 0 {
			p, ok, _ := q.claimPut()
			if !ok {
				break
			}
			w := q.putq.PopFront()
			q.nput.Add(-1)
			q.ring.Write(p, w.Item)
			var zero T
			w.Item, w.State = zero, wait.Served
			woken = append(woken, w)
			progress = true
		}
	}
	return woken
}

// All returns an iterator that yields the items of q as Get returns them,
// until q is closed and drained or ctx is done; check ctx.Err() afterwards to
// tell which. An item is removed from q just before it is yielded, so an item
// is consumed even if the loop body breaks out on it.
func (q *Queue[T]) All(ctx context.Context) iter.Seq[T] {
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
func (q *Queue[T]) Close() {
	q.closing.Store(true)
	if q.ring.SetTailGate(true) {
		return
	}
	q.checkDone()
	q.mu.Lock()
	var woken []*wait.Waiter[T]
	for _, list := range []*wait.List[T]{&q.getq, &q.putq} {
		for w := list.PopFront(); w != nil; w = list.PopFront() {
			w.State = wait.Closed
			woken = append(woken, w)
		}
	}
	q.nget.Store(0)
	q.nput.Store(0)
	q.links.Close()
	q.mu.Unlock()
	for _, w := range woken {
		w.Wake()
	}
}

// Drain removes the buffered items from q and returns them in the order Get
// would have, or nil if there were none: every item q held at one instant.
// If q is not closed, blocked Puts then fill the room Drain made. Drain
// never blocks and is safe for concurrent use.
func (q *Queue[T]) Drain() []T {
	p, n, _ := q.claimGet(^uint64(0))
	if n == 0 {
		return nil
	}
	return q.take(make([]T, 0, n), p, n)
}

// Len returns the number of items buffered in q, which include those of
// Puts that have taken effect and are still writing them.
func (q *Queue[T]) Len() int { return q.ring.Len() }

// Cap returns the capacity of q: the most items it buffers at once.
func (q *Queue[T]) Cap() int { return q.ring.Cap() }

// Done returns a channel that is closed once q is closed and empty, when
// every Get returns [ErrClosed]. It is never closed while q is open.
func (q *Queue[T]) Done() <-chan struct{} { return q.done }
