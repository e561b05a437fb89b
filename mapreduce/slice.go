package mapreduce

import (
	"context"
	"sync/atomic"
)

// RunSlice is [Run] over the elements of in, in order. The workers take runs
// of consecutive elements from in itself, each claiming the next run when it
// is free: no goroutine reads ahead of them, and no input is copied. For
// inputs that take nanoseconds to map, that copy is a good part of what a
// call over an [iter.Seq] costs (see [CombineSlice]); for inputs that take
// microseconds or more, RunSlice and Run over [slices.Values](in) cost the
// same.
//
// The positions in an [*InputError] are indexes in in. in must not be
// modified during the call. Everything else is as for Run, chunk sizes
// included.
func RunSlice[In any, K comparable, V, Out any](ctx context.Context, in []In,
	m Mapper[In, K, V], r Reducer[K, V, Out], opts ...Option) (map[K]Out, error) {
	if m == nil || r == nil {
		panic("mapreduce: RunSlice with nil mapper or reducer")
	}
	return run(ctx, fromSlice(in), m, r, opts)
}

// CombineSlice is [Combine] over the elements of in, in order, taken in
// place as [RunSlice] takes them.
//
// Where a mapper and combine cost a few nanoseconds a pair, Combine over a
// sequence spends about a fifth of its CPU time storing inputs into chunks,
// on the calling goroutine, besides the workers: CombineSlice spends none.
// The bench module's BenchmarkMapReduce, a sum by key over 1,000,000 ints,
// sets the two beside a hand-written errgroup over slice ranges (see its
// RESULTS.md).
func CombineSlice[In any, K comparable, V any](ctx context.Context, in []In,
	m Mapper[In, K, V], combine func(a, b V) V, opts ...Option) (map[K]V, error) {
	if m == nil || combine == nil {
		panic("mapreduce: CombineSlice with nil mapper or combine")
	}
	return combineAll(ctx, fromSlice(in), m, combine, opts)
}

// fromSlice returns the inputs of a call over in: a span.
func fromSlice[In any](in []In) inputs[In] {
	return func(_ context.Context, _, chunk int) source[In] {
		s := &span[In]{items: in}
		s.init(chunk, chunkCap[In]())
		return s
	}
}

// span is the source of RunSlice and CombineSlice. Each worker claims the
// next run of the slice (see claim), of the size the sizer gives (so chunks
// start at one input and grow as they would from a feeder), and maps it in
// place. So the load balances as it does with a feeder, a run costs a
// compare-and-swap where a chunk costs two channel operations, and nothing
// runs but the workers.
type span[In any] struct {
	items []In
	sizer

	next    atomic.Int64 // the position of the first input no worker claimed
	stopped atomic.Bool  // see source.halted; set once the phase's ctx is done
}

func (s *span[In]) halted() *atomic.Bool { return &s.stopped }

// feed has nothing to hand over: the workers take the inputs themselves.
func (s *span[In]) feed(context.Context, <-chan struct{}) bool { return true }

func (s *span[In]) work(ctx context.Context, process func(items []In, start int) error) error {
	// With no feeder, each worker links the flag to the phase's ctx for as
	// long as it works: the link of the last one to return is the last
	// removed, and nothing maps after that.
	defer setOnDone(ctx, &s.stopped)()
	for {
		// ctx itself between runs: the flag is set a moment after ctx
		// ends, by another goroutine.
		if ctx.Err() != nil {
			return errStopped
		}
		lo, hi, ok := s.claim()
		if !ok {
			return nil // every input is claimed: the others map the last ones
		}
		if err := timedChunk(&s.sizer, process, s.items[lo:hi:hi], lo); err != nil {
			return err
		}
	}
}

// claim takes the next run of the slice, items[lo:hi], of the size the
// sizer gives or what is left if less, or reports that none is left. The
// position never moves past the end, however large the size: a compare-
// and-swap, not an add, which a worker that found the slice exhausted
// would push on past it.
func (s *span[In]) claim() (lo, hi int, ok bool) {
	n := int64(len(s.items))
	for {
		at := s.next.Load()
		if at >= n {
			return 0, 0, false
		}
		end := at + min(int64(s.size()), n-at)
		if s.next.CompareAndSwap(at, end) {
			return int(at), int(end), true
		}
	}
}
