// Package slots provides the bounded ring that lull's Queue and Pool share:
// positions are claimed by compare-and-swap on two counters, head for the
// calls that take items and tail for those that add them, so the two sides
// do not contend for one lock.
//
// A call takes effect at its compare-and-swap, and then writes or reads its
// slot, first waiting for the slot's seq if the call that owns the slot
// before it has claimed it but not yet finished with it: a few
// instructions, unless that goroutine was preempted in between. So a call
// never waits for a call that has not taken effect, and full and empty are
// decided from head and tail alone.
//
// Each counter has a gate bit, which its owner sets and clears: while it is
// set, claims on that counter fail, unless the caller bypasses the gate
// (which the owner does under its own lock). A Queue sets the tail's gate
// once, on Close; a Pool sets them to send its submitters or its workers
// through its mutex while it needs to see them.
package slots

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// Gate is the gate bit of head and tail; the lower bits count positions.
const Gate = 1 << 63

// busy, in head, says that a batch claim is reading tail: head's count is
// about to move, and readers of head wait until it has (see ClaimGet).
const busy = 1 << 61

type pad [64]byte

// Ring is a bounded ring of at most capacity items. The zero value is not
// usable; call Init.
//
// Position p lives in slots[p&mask]. Its seq says whose turn it is: p when
// the put of position p may write it, p+1 once that put has written it,
// p+len(slots) once the get of p has read and cleared it (len(slots) >= 2,
// so the three differ). The items are those at positions head to tail-1:
// head <= tail <= head+capacity.
type Ring[T any] struct {
	_ pad
	// Puts' line: tail, and headSeen, a value head had (without Gate),
	// which puts read instead of head while it shows room.
	tail     atomic.Uint64
	headSeen atomic.Uint64
	_        pad
	// Gets' line: head, and tailSeen, a value tail had (without Gate),
	// which gets read instead of tail while it shows enough items.
	head     atomic.Uint64
	tailSeen atomic.Uint64
	_        pad

	slots    []slot[T]
	mask     uint64
	capacity uint64

	// mu guards parked: the goroutines parked in awaitSeq, each for one
	// slot whose seq has parkedBit set.
	mu     sync.Mutex
	parked []*seqWaiter
}

// parkedBit, in a slot's seq, says that a goroutine parked until seq
// changes: the goroutine that changes it wakes it.
const parkedBit = 1 << 62

type seqWaiter struct {
	seq  *atomic.Uint64
	wake chan struct{} // capacity 1
}

type slot[T any] struct {
	seq atomic.Uint64
	v   T
}

// MaxCap is the largest capacity Init takes: 2^62 on 64-bit platforms,
// 2^30 on 32-bit ones, so that the number of slots, a power of two, is an
// int. A ring that large cannot be allocated anyway (make panics); a larger
// capacity would make the rounding up loop forever.
const MaxCap = 1 << (bits.UintSize - 2)

// Init allocates r's slots for capacity items (rounded up to a power of
// two, at least 2). capacity must be between 1 and MaxCap; Init panics if
// it is larger.
func (r *Ring[T]) Init(capacity int) {
	if capacity > MaxCap {
		panic("slots: Init with capacity > MaxCap")
	}
	size := 2
	for size < capacity {
		size <<= 1
	}
	r.slots = make([]slot[T], size)
	r.mask = uint64(size - 1)
	r.capacity = uint64(capacity)
	for i := range r.slots {
		r.slots[i].seq.Store(uint64(i))
	}
}

// Cap returns r's capacity.
func (r *Ring[T]) Cap() int { return int(r.capacity) }

// TryClaimPut claims the next position for a put, like ClaimPut without
// bypass, but makes one compare-and-swap at most. It returns the position
// and true, or false, with contended true if another put took the position
// first (r may still have room), or false if r looked full or the tail's
// gate is set.
func (r *Ring[T]) TryClaimPut() (p uint64, ok, contended bool) {
	t := r.tail.Load()
	if t&Gate != 0 {
		return 0, false, false
	}
	if h := r.headSeen.Load(); t-h >= r.capacity || h > t {
		h = r.loadHead() &^ Gate
		if h > t {
			return 0, false, true // tail moved on since it was read
		}
		r.headSeen.Store(h)
		if t-h >= r.capacity {
			return 0, false, false
		}
	}
	if r.tail.CompareAndSwap(t, t+1) {
		return t, true, false
	}
	return 0, false, true
}

// TryClaimGet claims the next position for a get of one item, like
// ClaimGet(1, false), but makes one compare-and-swap at most. It returns
// the position and true, or false, with contended true if another get took
// the position first (r may still hold items), or false if r looked empty
// or the head's gate is set.
func (r *Ring[T]) TryClaimGet() (p uint64, ok, contended bool) {
	h := r.loadHead()
	if h&Gate != 0 {
		return 0, false, false
	}
	if end := r.tailSeen.Load(); end <= h {
		end = r.tail.Load() &^ Gate
		if end <= h {
			return 0, false, false
		}
		r.tailSeen.Store(end)
	}
	if r.head.CompareAndSwap(h, h+1) {
		return h, true, false
	}
	return 0, false, true
}

// ClaimPut claims the next position for a put, and returns it and true. It
// returns false if the tail's gate is set (gated true, unless bypass), or
// if r holds capacity items (gated false): then at the instant head was
// read, tail was at least t and head h, so r was full.
func (r *Ring[T]) ClaimPut(bypass bool) (p uint64, ok, gated bool) {
	for {
		t := r.tail.Load()
		if t&Gate != 0 && !bypass {
			return 0, false, true
		}
		n := t &^ Gate
		// head only grows, so a value it had is a bound: if it shows room,
		// there is room. Only when it does not is head itself read.
		if h := r.headSeen.Load(); n-h >= r.capacity || h > n {
			h = r.loadHead() &^ Gate
			if h > n {
				continue // gets took items put after t was read: tail moved on
			}
			r.headSeen.Store(h)
			if n-h >= r.capacity {
				return 0, false, false
			}
		}
		if r.tail.CompareAndSwap(t, t+1) {
			return n, true, false
		}
	}
}

// ClaimGet claims up to max positions for a get: every item up to max that
// r held at one instant. It returns the first and their number, n. With n
// 0, r was empty, and tailGated says whether the tail's gate was set then,
// or gated says the head's gate is set (unless bypass). last says that the
// claim took every item r held as far as it saw.
func (r *Ring[T]) ClaimGet(max uint64, bypass bool) (first, n uint64, last, tailGated, gated bool) {
	for {
		h := r.loadHead()
		if h&Gate != 0 && !bypass {
			return 0, 0, false, false, true
		}
		c := h &^ Gate
		// tail only grows, so positions below a value it had are items;
		// only when it shows fewer than max is tail itself read.
		end := r.tailSeen.Load()
		if end <= c || end-c < max {
			t := r.tail.Load()
			end = t &^ Gate
			if end == c {
				// head <= tail always, and head was c when tail was read.
				return c, 0, true, t&Gate != 0, false
			}
			r.tailSeen.Store(end)
			if end-c < max {
				if n, end, ok := r.claimTo(h, max); ok {
					return c, n, c+n == end, false, false
				}
				continue
			}
		}
		if r.head.CompareAndSwap(h, h+max) {
			return c, max, end == c+max, false, false
		}
	}
}

// claimTo claims every item from head h on, up to max, for a batch that
// tail limits. Such a batch takes effect when it reads tail, so it marks
// head busy first: no call sees head move between that read and the claim.
// It returns the number claimed and the end of tail it read, or false if
// head is no longer h.
func (r *Ring[T]) claimTo(h, max uint64) (n, end uint64, ok bool) {
	if !r.head.CompareAndSwap(h, h|busy) {
		return 0, 0, false
	}
	c := h &^ Gate
	end = r.tail.Load() &^ Gate // at least one past c: tail never falls
	n = min(max, end-c)
	r.head.Store(h + n) // clears busy: only this call changes head while it is set
	return n, end, true
}

// loadHead returns head once no batch claim is reading tail.
func (r *Ring[T]) loadHead() uint64 {
	for i := 0; ; i++ {
		h := r.head.Load()
		if h&busy == 0 {
			return h
		}
		if i >= 16 {
			runtime.Gosched()
		}
	}
}

// Write fills position p, which the caller claimed, with v.
func (r *Ring[T]) Write(p uint64, v T) {
	s := &r.slots[p&r.mask]
	r.awaitSeq(&s.seq, p)
	s.v = v
	r.setSeq(&s.seq, p+1)
}

// Read empties position p, which the caller claimed, and returns its item.
func (r *Ring[T]) Read(p uint64) T {
	s := &r.slots[p&r.mask]
	r.awaitSeq(&s.seq, p+1)
	v := s.v
	var zero T
	s.v = zero
	r.setSeq(&s.seq, p+uint64(len(r.slots)))
	return v
}

// setSeq passes a slot on, and wakes the goroutines parked for it.
func (r *Ring[T]) setSeq(seq *atomic.Uint64, v uint64) {
	if seq.Swap(v)&parkedBit != 0 {
		r.mu.Lock()
		kept := r.parked[:0]
		for _, w := range r.parked {
			if w.seq == seq {
				w.wake <- struct{}{}
			} else {
				kept = append(kept, w)
			}
		}
		clear(r.parked[len(kept):])
		r.parked = kept
		r.mu.Unlock()
	}
}

// awaitSeq waits until seq is want: until the call that owns the slot
// before the caller (the put that claimed it, or the get of the previous
// lap) has finished with it. That call has taken effect and runs no user
// code, so the wait is short, unless its goroutine, or the thread that runs
// it, was preempted in between: so awaitSeq spins a little, yields the
// processor a few times, and then parks until the slot's seq changes, so
// that the owner gets the CPU that spinning would take from it.
func (r *Ring[T]) awaitSeq(seq *atomic.Uint64, want uint64) {
	for i := 0; ; i++ {
		cur := seq.Load()
		if cur&^parkedBit == want {
			return // (another waiter may have parked for the next change)
		}
		switch {
		case i < 64:
		case i < 68:
			runtime.Gosched()
		default:
			r.park(seq, cur, want)
		}
	}
}

// park parks until seq is no longer cur, unless it already is not.
func (r *Ring[T]) park(seq *atomic.Uint64, cur, want uint64) {
	r.mu.Lock()
	// The compare-and-swap also fails if the owner passed the slot on
	// since cur was read, when cur already had parkedBit.
	if !seq.CompareAndSwap(cur, cur|parkedBit) {
		r.mu.Unlock() // seq moved on
		return
	}
	// A new waiter each time: parking is rare (see awaitSeq), and a
	// channel shared through a sync.Pool could cross a testing/synctest
	// bubble, which the runtime forbids.
	w := &seqWaiter{seq: seq, wake: make(chan struct{}, 1)}
	r.parked = append(r.parked, w)
	r.mu.Unlock()
	<-w.wake
}

// SetTailGate sets or clears the tail's gate, and returns whether it was
// set. Once it returns, every put that claimed a position before it is
// counted in tail.
func (r *Ring[T]) SetTailGate(on bool) bool { return setGate(&r.tail, on) }

// SetHeadGate sets or clears the head's gate, and returns whether it was
// set.
func (r *Ring[T]) SetHeadGate(on bool) bool { return setGate(&r.head, on) }

func setGate(c *atomic.Uint64, on bool) bool {
	for {
		v := c.Load()
		if v&busy != 0 {
			runtime.Gosched() // a batch claim owns head for two loads
			continue
		}
		was := v&Gate != 0
		if was == on {
			return was
		}
		nv := v | Gate
		if !on {
			nv = v &^ Gate
		}
		if c.CompareAndSwap(v, nv) {
			return was
		}
	}
}

// TailGated reports whether the tail's gate is set.
func (r *Ring[T]) TailGated() bool { return r.tail.Load()&Gate != 0 }

// HeadGated reports whether the head's gate is set.
func (r *Ring[T]) HeadGated() bool { return r.head.Load()&Gate != 0 }

// Empty reports whether r holds no item as far as head and tail show: head
// is read first, so that with it equal to tail r was empty when tail was
// read.
func (r *Ring[T]) Empty() bool {
	h := r.loadHead() &^ Gate
	return r.tail.Load()&^Gate == h
}

// Len returns the number of items in r at one instant, including those of
// puts that have taken effect and are still writing them.
func (r *Ring[T]) Len() int {
	h, t := r.Counts()
	return int(t - h)
}

// Counts returns head and tail as they were at one instant, without their
// gate bits: the number of gets and of puts that have taken effect.
func (r *Ring[T]) Counts() (head, tail uint64) {
	for {
		t := r.tail.Load()
		h := r.loadHead() &^ Gate
		if r.tail.Load() == t {
			// tail did not move while head was read: both held at once.
			return h, t &^ Gate
		}
	}
}
