package qcore

import (
	"math"
	"math/bits"
	"sync/atomic"
)

// ring is the FIFO store: a bounded array queue that many goroutines push to
// and pop from at once without a lock, after Dmitry Vyukov's bounded MPMC
// queue. Each slot has a stamp that tells which position may use it next: a
// push at position pos may fill the slot once its stamp is pos, and marks it
// pos+1; a pop at pos may empty it once its stamp is pos+1, and marks it for
// the push one lap later. A position counts laps in its high bits and holds
// the slot's index in its low ones, so finding a slot needs no division. A
// lap is longer than cap: with capacity 1, a filled slot's stamp pos+1 must
// not read as free for the push one lap later.
//
// A push or a pop that finds its slot not ready (the pop or push of the
// previous lap has claimed it but not finished with it yet) reports the ring
// full or empty rather than spin: Core then takes its slow path, and the
// operation in flight, once finished, settles with the waiters (see Core).
//
// Closing sets a bit in tail: every later push fails, and tail stops moving,
// so that empty is exact from then on.
type ring[T any] struct {
	head atomic.Uint64 // position of the next pop
	_    [cacheLine - 8]byte
	tail atomic.Uint64 // position of the next push, and closedBit
	_    [cacheLine - 8]byte

	slots  []slot[T]
	cap    uint64
	lapLog uint // a lap is 1<<lapLog positions; indexes are below cap < 1<<lapLog
}

type slot[T any] struct {
	stamp atomic.Uint64
	v     T
}

// cacheLine is the size of a CPU cache line (64 bytes on amd64 and most
// arm64), or more: padding by it keeps head and tail, which producers and
// consumers write, on lines of their own.
const cacheLine = 128

const closedBit = 1 << 63

func newRing[T any](capacity int) *ring[T] {
	r := &ring[T]{
		slots:  make([]slot[T], capacity),
		cap:    uint64(capacity),
		lapLog: uint(bits.Len64(uint64(capacity))),
	}
	for i := range r.slots {
		r.slots[i].stamp.Store(uint64(i))
	}
	if capacity == 0 {
		// A ring with no room: one slot whose stamp no push and no pop
		// will ever find ready.
		r.slots = []slot[T]{{}}
		r.slots[0].stamp.Store(math.MaxUint64)
	}
	return r
}

// next returns the position after pos.
func (r *ring[T]) next(pos uint64) uint64 {
	if pos&(1<<r.lapLog-1)+1 < r.cap {
		return pos + 1
	}
	return (pos>>r.lapLog + 1) << r.lapLog // index 0 of the next lap
}

func (r *ring[T]) slot(pos uint64) *slot[T] { return &r.slots[pos&(1<<r.lapLog-1)] }

// count returns how many positions lie from head to tail.
func (r *ring[T]) count(head, tail uint64) uint64 {
	mask := uint64(1)<<r.lapLog - 1
	laps := tail>>r.lapLog - head>>r.lapLog
	return laps*r.cap + tail&mask - head&mask
}

// pushes counts the positions before tail: the pushes that claimed a slot.
func (r *ring[T]) pushes() uint64 { return r.count(0, r.tail.Load()&^closedBit) }

func (r *ring[T]) push(v T) pushResult {
	pos := r.tail.Load()
	for {
		if pos&closedBit != 0 {
			return pushClosed
		}
		s := r.slot(pos)
		switch d := int64(s.stamp.Load() - pos); {
		case d == 0:
			if r.tail.CompareAndSwap(pos, r.next(pos)) {
				s.v = v
				s.stamp.Store(pos + 1)
				return pushOK
			}
		case d < 0:
			return pushFull // or the pop of the last lap is not done with s yet
		}
		pos = r.tail.Load()
	}
}

func (r *ring[T]) pop() (T, bool) {
	var zero T
	pos := r.head.Load()
	for {
		s := r.slot(pos)
		switch d := int64(s.stamp.Load() - (pos + 1)); {
		case d == 0:
			if r.head.CompareAndSwap(pos, r.next(pos)) {
				v := s.v
				s.v = zero // let the item be collected
				s.stamp.Store(pos + 1<<r.lapLog)
				return v, true
			}
		case d < 0:
			return zero, false // or the push into s is not done yet
		}
		pos = r.head.Load()
	}
}

// popTo claims the run of up to max filled slots at head with one
// compare-and-swap, and appends their items to dst. A run ends at the end
// of the slots, so that it is one stretch of them.
func (r *ring[T]) popTo(dst []T, max int) ([]T, int) {
	var zero T
	mask := uint64(1)<<r.lapLog - 1
	lap := uint64(1) << r.lapLog
	pos := r.head.Load()
	for {
		i := pos & mask
		run := r.slots[i:min(i+uint64(max), r.cap)]
		if len(run) == 0 {
			return dst, 0 // no room at all
		}
		n := 0
		for n < len(run) && run[n].stamp.Load() == pos+uint64(n)+1 {
			n++
		}
		if n == 0 {
			if int64(run[0].stamp.Load()-(pos+1)) < 0 {
				return dst, 0
			}
		} else if r.head.CompareAndSwap(pos, r.next(pos+uint64(n)-1)) {
			// Release the slots for the pushes one lap later. All but
			// the last need no full barrier each: the last one's
			// Store orders them all before the caller's next loads
			// (Core's check for parked putters).
			for k := range run[:n] {
				dst = append(dst, run[k].v)
				run[k].v = zero
				if k < n-1 {
					storeRelease(&run[k].stamp, pos+uint64(k)+lap)
				} else {
					run[k].stamp.Store(pos + uint64(k) + lap)
				}
			}
			return dst, n
		}
		pos = r.head.Load()
	}
}

func (r *ring[T]) len() int {
	tail := r.tail.Load() &^ closedBit
	head := r.head.Load()
	if head >= tail {
		return 0 // head moved past the tail read before it
	}
	return int(min(r.count(head, tail), r.cap))
}

func (r *ring[T]) empty() bool { return r.head.Load() == r.tail.Load()&^closedBit }

func (r *ring[T]) close() { r.tail.Or(closedBit) }
