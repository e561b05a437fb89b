package mapreduce

import (
	"runtime"

	"github.com/lullgo/lull/pool"
)

// An Option configures one call of [Run], [Combine], [RunSlice],
// [CombineSlice] or [Map]. Options are checked when they are made: an
// invalid value panics there, with a message that starts with "mapreduce:",
// so a bad option is a bug caught on the first run rather than an error to
// handle on every one.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is the settings of one call. Its zero fields mean "the default",
// resolved by the accessors below, so newConfig stays a plain fold.
type config struct {
	workers    int            // 0: runtime.GOMAXPROCS(0)
	chunk      int            // 0: adaptive (Run, Combine) or 1 (Map)
	pool       *pool.Pool     // nil: a private pool, closed before the call returns
	progress   func(Progress) // nil: no reports
	partitions int            // 0: defaultPartitions; set only by tests
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o == nil {
			panic("mapreduce: nil Option")
		}
		o.apply(&c)
	}
	return c
}

func (c *config) numWorkers() int {
	if c.workers > 0 {
		return c.workers
	}
	return runtime.GOMAXPROCS(0)
}

// numPartitions is how many partitions the keys are hashed into. More
// partitions than workers let the reduce phase balance uneven partitions the
// same way the map phase balances uneven inputs; each costs one small slice
// per worker, so a few per worker is plenty.
func (c *config) numPartitions(workers int) int {
	if c.partitions > 0 {
		return c.partitions
	}
	if workers == 1 {
		return 1 // nothing to spread: skip hashing altogether
	}
	return 4 * workers
}

// WithWorkers sets how many workers map the inputs, and then reduce the
// partitions, in parallel. The default is [runtime.GOMAXPROCS](0). With
// [WithPool], it is how many tasks the call runs on that pool at once, at
// most; they may start later if the pool is busy. WithWorkers panics if
// n < 1.
func WithWorkers(n int) Option {
	if n < 1 {
		panic("mapreduce: WithWorkers with n < 1")
	}
	return optionFunc(func(c *config) { c.workers = n })
}

// MaxChunkSize is the largest chunk [WithChunkSize] takes. A call over a
// sequence allocates its chunks at their full size, two per worker, so a
// size is also an amount of memory; and a run whose chunks hold millions of
// inputs each is left with little to balance.
const MaxChunkSize = 1 << 20

// WithChunkSize sets how many inputs a worker takes at a time. Larger chunks
// cost less per input (one hand-over per chunk, a microsecond or a few; one
// compare-and-swap over a slice) but balance worse at the end of a run, and
// in [Map] they add latency and widen the window of inputs held in memory.
//
// Without it, [Run], [Combine], [RunSlice] and [CombineSlice] size chunks as
// they go: they start at one input, and each worker sizes the next chunk from
// how long its last one took, aiming at about 250µs per chunk, growing at
// most twofold at a time, up to 4096 inputs, or as many as fit in 128 KiB if
// that is more (16384 ints). So inputs of a millisecond go one by one, and
// inputs of a hundred nanoseconds go thousands at a time. [Map] uses chunks
// of one input by default, because it hands results out as they come.
//
// WithChunkSize panics if n < 1 or n > [MaxChunkSize].
func WithChunkSize(n int) Option {
	if n < 1 {
		panic("mapreduce: WithChunkSize with n < 1")
	}
	if n > MaxChunkSize {
		panic("mapreduce: WithChunkSize with n > MaxChunkSize")
	}
	return optionFunc(func(c *config) { c.chunk = n })
}

// WithPool runs the call's workers as tasks of p instead of on a private
// pool made and closed by the call: the first with [pool.Pool.Submit], which
// waits for room, and the others with [pool.Pool.TrySubmit], as far as p has
// room for them, so that a small backlog never holds the call up. p is not
// closed by the call, and its other tasks share its workers with the
// call's: the call's tasks may wait in p's backlog. The call needs only one
// of them to start to get the work done; once the work is done it returns
// without waiting for the others, which return at once if they start later.
// So a call from a task of p needs p to have one other worker free at some
// point, or it waits (until its ctx is done). A task of a call that has
// started holds its worker while it waits for inputs, which the calling
// goroutine hands over. So two calls on p, one waiting on the other (a
// Combine whose sequence ranges over a Map on p, or a Map whose loop body
// ranges over another Map on p), need p to have more workers than the
// [WithWorkers] of the call that waits: otherwise its tasks can hold every
// worker while the tasks of the other call wait in the backlog, and both
// wait until their ctx is done. If p is closed before the call, or stopped
// during it, even while the call waits for its first task to start, the
// call returns [pool.ErrClosed]. WithPool panics if p is nil.
func WithPool(p *pool.Pool) Option {
	if p == nil {
		panic("mapreduce: WithPool with nil pool")
	}
	return optionFunc(func(c *config) { c.pool = p })
}

// WithProgress makes the call report its progress to f: when a phase starts,
// then each time the number of inputs done (or, in the reduce phase, of keys
// reduced) has grown by at least 1% since the last report, checked at the end
// of each chunk, and a last time with [PhaseDone] before the call returns,
// whether it succeeded or not. f is called from one goroutine at a time,
// never after the call returns, and must not block for long: workers that
// finish a chunk while f runs skip their report rather than wait. A nil f
// reports nothing.
//
// Map reports on the goroutine that ranges over it; Run and Combine report
// the start and end of a phase on the calling goroutine, and the rest on the
// workers. A panic of f is then like one of the sequence or of a mapper: it
// goes up through the call, or the call returns it as a [*pool.PanicError].
// Either way, every goroutine of the call has returned by then.
func WithProgress(f func(Progress)) Option {
	return optionFunc(func(c *config) { c.progress = f })
}
