package mapreduce

import (
	"context"
	"hash/maphash"
	"iter"
	"slices"
	"sync/atomic"

	"github.com/lullgo/lull/pool"
)

// Mapper maps one input to any number of key-value pairs, by calling emit
// once per pair. Mappers run on several workers at once, each with its own
// emit; emit may be called only during the call it was given to, from the
// goroutine that made that call. A Mapper should return soon after ctx is
// done: ctx is cancelled when another input fails or the caller cancels.
type Mapper[In any, K comparable, V any] func(ctx context.Context, item In, emit func(K, V)) error

// Reducer reduces the values emitted for one key to one output. The values
// come in no promised order, from every worker; values may be ranged over
// any number of times, but only during the call. Reducers of different keys
// run on several workers at once.
type Reducer[K comparable, V, Out any] func(ctx context.Context, key K, values iter.Seq[V]) (Out, error)

// Run maps every input of in to key-value pairs with m, groups the values
// by key, and reduces each group to one output with r. It returns the outputs
// by key: an empty, non-nil map if in is empty.
//
// The inputs are read once, lazily, on the calling goroutine, and mapped by
// the workers (see [WithWorkers]) in chunks (see [WithChunkSize]), each worker
// taking the next chunk when it is free. The keys are then spread over
// partitions by a hash, and the partitions reduced by the same workers. The
// result does not depend on the number of workers, the chunk size or the
// order in which inputs finish, as long as r does not depend on the order of
// the values.
//
// Memory grows with the number of pairs emitted: every value is kept until
// its key is reduced. When the reduction is a fold that can be done in any
// order (a count, a sum, a min or max, a merge of sets), use [Combine]
// instead, whose memory grows only with the number of distinct keys.
//
// The first error of m or r, or panic, cancels the ctx given to the others
// and is returned as an [*InputError] or a [*KeyError], whose Err is the
// error, or a [*pool.PanicError] for a panic. If ctx is done first, Run
// returns ctx.Err(), unwrapped, as soon as the mappers and reducers running
// return; it does not interrupt the sequence itself, which must yield or end.
// When Run returns, every goroutine it started has returned and no m or r
// call is running; a private pool has been closed.
func Run[In any, K comparable, V, Out any](ctx context.Context, in iter.Seq[In],
	m Mapper[In, K, V], r Reducer[K, V, Out], opts ...Option) (map[K]Out, error) {
	if m == nil || r == nil {
		panic("mapreduce: Run with nil mapper or reducer")
	}
	return run(ctx, fromSeq(in), m, r, opts)
}

// run is Run and RunSlice, with the inputs of in.
func run[In any, K comparable, V, Out any](ctx context.Context, in inputs[In],
	m Mapper[In, K, V], r Reducer[K, V, Out], opts []Option) (map[K]Out, error) {
	cfg := newConfig(opts)
	workers := cfg.numWorkers()
	tabs := make([]*groupTable[K, V], workers)
	for w := range tabs {
		tabs[w] = &groupTable[K, V]{keyed: keyed[K, []V]{index: make(map[K]int)}}
	}
	c := newCall(&cfg, workers)
	defer c.close()
	if err := mapPhase(ctx, c, in(ctx, workers, cfg.chunk), m, tabs); err != nil {
		c.rep.setPhase(PhaseDone)
		return nil, err
	}
	c.rep.setPhase(PhaseReduce)
	res := make([][]pair[K, Out], c.parts)
	err := c.reducePhase(ctx, func(ctx context.Context, p int) error {
		var err error
		res[p], err = reduceGroups(ctx, c.rep, tabs, p, r)
		return err
	})
	c.rep.setPhase(PhaseDone)
	if err != nil {
		return nil, err
	}
	return assemble(res), nil
}

// Combine is [Run] for a reduction that is a fold in any order: combine must
// be associative and commutative, like a count, a sum, a min or max, or a
// merge of sets. Each worker folds the pairs it emits into a table of its
// own as they come (what Hadoop calls a combiner), and the tables are merged
// by partition at the end; the value of a key that was emitted once is that
// value, never combined with anything.
//
// So memory grows with the number of distinct keys times the number of
// workers, never with the number of pairs, and a pair costs one map lookup
// instead of being stored: prefer Combine to Run whenever the reduction
// allows it. In Beam's terms, Combine is ParDo followed by CombinePerKey.
//
// Errors, panics, cancellation and goroutines are as for Run, except that
// there is no reducer: a panic of combine while the tables are merged is
// returned as a [*pool.PanicError]. For inputs held in a slice, and cheap to
// map, [CombineSlice] is faster.
func Combine[In any, K comparable, V any](ctx context.Context, in iter.Seq[In],
	m Mapper[In, K, V], combine func(a, b V) V, opts ...Option) (map[K]V, error) {
	if m == nil || combine == nil {
		panic("mapreduce: Combine with nil mapper or combine")
	}
	return combineAll(ctx, fromSeq(in), m, combine, opts)
}

// combineAll is Combine and CombineSlice, with the inputs of in.
func combineAll[In any, K comparable, V any](ctx context.Context, in inputs[In],
	m Mapper[In, K, V], combine func(a, b V) V, opts []Option) (map[K]V, error) {
	cfg := newConfig(opts)
	workers := cfg.numWorkers()
	tabs := make([]*combineTable[K, V], workers)
	for w := range tabs {
		tabs[w] = &combineTable[K, V]{keyed: keyed[K, V]{index: make(map[K]int)}, combine: combine,
			counting: cfg.progress != nil}
	}
	c := newCall(&cfg, workers)
	defer c.close()
	if err := mapPhase(ctx, c, in(ctx, workers, cfg.chunk), m, tabs); err != nil {
		c.rep.setPhase(PhaseDone)
		return nil, err
	}
	c.rep.setPhase(PhaseReduce)
	// The other tables fold into the largest one: it has the fewest keys
	// that the others must add. Only its index and ranks are still needed.
	into := 0
	for w, t := range tabs {
		if len(t.keys) > len(tabs[into].keys) {
			into = w
		}
	}
	for w, t := range tabs {
		if w != into {
			t.index, t.rank = nil, nil
		}
	}
	// Partition p gives res[2p], the folds of the keys of tabs[into], and
	// res[2p+1], those of the keys it lacks.
	res := make([][]pair[K, V], 2*c.parts)
	err := c.reducePhase(ctx, func(ctx context.Context, p int) error {
		res[2*p], res[2*p+1] = foldPartition(c.rep, tabs, into, p, combine)
		return nil
	})
	c.rep.setPhase(PhaseDone)
	if err != nil {
		return nil, err
	}
	return assemble(res), nil
}

// call is the state of one call of Run or Combine shared by its phases.
type call struct {
	cfg     *config
	p       *pool.Pool
	private bool // p was made by the call, which must close it
	workers int
	parts   int
	seed    maphash.Seed
	rep     *reporter
}

func newCall(cfg *config, workers int) *call {
	c := &call{
		cfg:     cfg,
		p:       cfg.pool,
		workers: workers,
		parts:   cfg.numPartitions(workers),
		seed:    maphash.MakeSeed(),
		rep:     newReporter(cfg.progress),
	}
	// The first report before the pool: a progress function that panics
	// leaves no private pool behind.
	c.rep.setPhase(PhaseMap)
	if c.p == nil {
		c.p = pool.New(workers)
		c.private = true
	}
	return c
}

// close closes a private pool, waiting for its workers to exit. Every task
// the call gave it has returned by then (each phase waits for its Group), so
// this is quick, and it cannot panic: Group tasks recover their own panics.
func (c *call) close() {
	if c.private {
		_ = c.p.Close(context.Background())
	}
}

// sink is a worker's table in the map phase: Run's groups or Combine's folds.
type sink[K comparable, V any] interface {
	emitter() func(k K, v V)            // the emit function handed to the mapper
	emitted() int                       // pairs emitted so far
	split(seed maphash.Seed, parts int) // spreads the table over partitions
}

// mapPhase maps in onto the workers' tables, then has each worker split its
// table by partition, so that partitions can be reduced without locks.
func mapPhase[In any, K comparable, V any, S sink[K, V]](ctx context.Context, c *call,
	src source[In], m Mapper[In, K, V], tabs []S) error {
	stopped := src.halted()
	work := func(ctx context.Context, w int) error {
		t := tabs[w]
		// One closure per worker, not per input. It comes from the
		// table's own method, not from the method value t.emit: a method
		// of a type parameter is called through the generic dictionary,
		// one more indirect call on every pair.
		emit := t.emitter()
		err := src.work(ctx, func(items []In, start int) error {
			before := t.emitted()
			if i, err := mapItems(ctx, stopped, m, items, emit); err != nil {
				if err == errStopped || !failed(ctx, err) {
					return errStopped
				}
				return &InputError{Index: start + i, Err: err}
			}
			c.rep.addInputs(len(items), t.emitted()-before)
			return nil
		})
		if err != nil {
			return err
		}
		// The input has ended and this worker has mapped its last
		// chunk: nothing else writes to t now, and the reduce phase
		// starts only after every worker has returned.
		t.split(c.seed, c.parts)
		return nil
	}
	return runPhase(ctx, c.p, c.workers, work, src.feed)
}

// inputs makes the source of a call's map phase, given the call's ctx, its
// number of workers and the chunk size set by WithChunkSize (0 if none).
type inputs[In any] func(ctx context.Context, workers, chunk int) source[In]

// fromSeq returns the inputs of a call over in: a feeder.
func fromSeq[In any](in iter.Seq[In]) inputs[In] {
	return func(ctx context.Context, workers, chunk int) source[In] {
		// A ctx that can never be cancelled (Done returns nil) need not
		// be looked at after each input: see feed.
		return newFeeder(in, ctx.Done() != nil, workers, chunk)
	}
}

// reducePhase runs reduce on every partition, on the workers, each taking
// the next partition when it is free.
func (c *call) reducePhase(ctx context.Context, reduce func(ctx context.Context, p int) error) error {
	var next atomic.Int64
	work := func(ctx context.Context, _ int) error {
		done := ctx.Done()
		for {
			p := int(next.Add(1) - 1)
			if p >= c.parts {
				return nil
			}
			if isDone(done) {
				return errStopped
			}
			if err := reduce(ctx, p); err != nil {
				return err
			}
		}
	}
	return runPhase(ctx, c.p, min(c.workers, c.parts), work, nil)
}

// cacheLine is the size of a CPU cache line (64 bytes on amd64 and most
// arm64), or more: padding by it keeps hot fields of two workers apart.
const cacheLine = 128

// pair is a key with its output, as a partition's result holds them.
type pair[K comparable, V any] struct {
	key K
	val V
}

// partition returns the partition of k among n.
func partition[K comparable](seed maphash.Seed, k K, n int) int {
	// Multiply and shift rather than %: it maps the hash evenly onto
	// [0, n) without a division.
	return int((maphash.Comparable(seed, k) >> 32) * uint64(n) >> 32)
}

// assemble puts the partitions' results in one map. It runs on the calling
// goroutine, after the workers: a Go map cannot be filled in parallel.
func assemble[K comparable, V any](parts [][]pair[K, V]) map[K]V {
	n := 0
	for _, ps := range parts {
		n += len(ps)
	}
	out := make(map[K]V, n)
	for _, ps := range parts {
		for _, kv := range ps {
			out[kv.key] = kv.val
		}
	}
	return out
}

// keyed is what a worker's table keeps, for Run and for Combine alike: one
// accumulator per key (all of the key's values, or their fold), in the
// order the keys came.
type keyed[K comparable, A any] struct {
	index map[K]int // position of each key in keys and accs
	keys  []K
	accs  []A
}

// groupTable is a worker's table in Run: the values it emitted, by key.
type groupTable[K comparable, V any] struct {
	keyed[K, []V]
	n int // pairs emitted

	parts [][]pair[K, []V] // after split: the groups of each partition

	// Each worker writes its table on every pair (n, and the slice
	// headers): keep the tables of two workers off one cache line, or the
	// line ping-pongs between their cores and costs a third of the run.
	_ [cacheLine]byte
}

// part returns the groups of partition p. A table whose worker's task never
// started was never split, and is empty.
func (t *groupTable[K, V]) part(p int) []pair[K, []V] {
	if t.parts == nil {
		return nil
	}
	return t.parts[p]
}

// split spreads the groups over the partitions by hash, and drops the index,
// which the reduce phase does not need.
func (t *groupTable[K, V]) split(seed maphash.Seed, parts int) {
	t.parts = make([][]pair[K, []V], parts)
	if parts == 1 {
		t.parts[0] = make([]pair[K, []V], len(t.keys))
		for i, k := range t.keys {
			t.parts[0][i] = pair[K, []V]{k, t.accs[i]}
		}
	} else {
		for i, k := range t.keys {
			p := partition(seed, k, parts)
			t.parts[p] = append(t.parts[p], pair[K, []V]{k, t.accs[i]})
		}
	}
	t.index, t.keys, t.accs = nil, nil, nil
}

func (t *groupTable[K, V]) emitter() func(K, V) {
	index := t.index // see combineTable.emitter
	return func(k K, v V) {
		t.n++
		// One map lookup per pair: the values live in a slice indexed
		// by it.
		if i, ok := index[k]; ok {
			t.accs[i] = append(t.accs[i], v)
			return
		}
		t.index[k] = len(t.keys)
		t.keys = append(t.keys, k)
		t.accs = append(t.accs, []V{v})
	}
}

func (t *groupTable[K, V]) emitted() int { return t.n }

// reduceGroups reduces partition p: it gathers each key's groups from every
// worker's table, without copying the values, and calls r once per key.
func reduceGroups[K comparable, V, Out any](ctx context.Context, rep *reporter,
	tabs []*groupTable[K, V], p int, r Reducer[K, V, Out]) ([]pair[K, Out], error) {
	// First pass: number the keys, and remember each group's key number.
	total := 0
	for _, t := range tabs {
		total += len(t.part(p))
	}
	index := make(map[K]int, total)
	var keys []K
	var counts []int
	at := make([]int, 0, total)
	for _, t := range tabs {
		for _, g := range t.part(p) {
			i, ok := index[g.key]
			if !ok {
				i = len(keys)
				index[g.key] = i
				keys = append(keys, g.key)
				counts = append(counts, 0)
			}
			counts[i]++
			at = append(at, i)
		}
	}
	index = nil
	// Second pass: lay each key's groups out side by side in flat, key i
	// at flat[off[i]:off[i+1]].
	off := make([]int, len(keys)+1)
	for i, n := range counts {
		off[i+1] = off[i] + n
	}
	copy(counts, off) // counts is now where the next group of key i goes
	flat := make([][]V, total)
	j := 0
	for _, t := range tabs {
		for _, g := range t.part(p) {
			i := at[j]
			j++
			flat[counts[i]] = g.val
			counts[i]++
		}
		if t.parts != nil {
			t.parts[p] = nil // only this worker touches partition p
		}
	}

	// One values sequence serves every key of the partition: it reads cur,
	// which moves on between calls of r. That is why values is valid only
	// during the call.
	var cur [][]V
	values := func(yield func(V) bool) {
		for _, vs := range cur {
			for _, v := range vs {
				if !yield(v) {
					return
				}
			}
		}
	}
	const reportEvery = 256 // keys between two progress updates
	out := make([]pair[K, Out], 0, len(keys))
	done := ctx.Done()
	for i, k := range keys {
		if isDone(done) {
			return nil, errStopped
		}
		cur = flat[off[i]:off[i+1]]
		o, err := callReducer(ctx, r, k, values)
		if err != nil {
			if !failed(ctx, err) {
				return nil, errStopped
			}
			return nil, &KeyError[K]{Key: k, Err: err}
		}
		out = append(out, pair[K, Out]{k, o})
		if (i+1)%reportEvery == 0 {
			rep.addKeys(reportEvery)
		}
	}
	rep.addKeys(len(keys) % reportEvery)
	return out, nil
}

// combineTable is a worker's table in Combine: the fold of the values it
// emitted, by key.
type combineTable[K comparable, V any] struct {
	keyed[K, V]
	combine  func(a, b V) V
	counting bool // count the pairs in n, for WithProgress
	n        int  // pairs emitted, if counting

	// After split, the positions in keys and accs of the keys of
	// partition p are byPart[start[p]:start[p+1]], and rank is the inverse
	// of byPart: byPart[rank[i]] == i. A table whose worker's task never
	// started was never split, and is empty: start is nil.
	byPart, rank, start []int

	_ [cacheLine]byte // see groupTable
}

func (t *combineTable[K, V]) emitter() func(K, V) {
	// The closures hold the index map itself, not only t: the lookup, on
	// the path of every pair, then waits for no load of t.index. That took
	// a sum by key over 1,000,000 ints on one worker (CombineSlice, in the
	// bench module) from 11.2 to 10.6 ms. The index is the same map until
	// split, which runs after the worker's last emit.
	combine, index := t.combine, t.index
	if t.counting {
		return func(k K, v V) {
			t.n++
			if i, ok := index[k]; ok {
				a := &t.accs[i]
				*a = combine(*a, v)
				return
			}
			t.insert(k, v)
		}
	}
	// The count is for progress reports only: without them, a pair costs
	// one map lookup and one call of combine, and nothing else. (A map[K]V
	// would need a lookup and an assignment.)
	return func(k K, v V) {
		if i, ok := index[k]; ok {
			a := &t.accs[i]
			*a = combine(*a, v)
			return
		}
		t.insert(k, v)
	}
}

// insert adds key k, new to t, with the value v.
func (t *combineTable[K, V]) insert(k K, v V) {
	t.index[k] = len(t.keys)
	t.keys = append(t.keys, k)
	t.accs = append(t.accs, v)
}

func (t *combineTable[K, V]) emitted() int { return t.n }

// split sorts the positions of the keys by partition, with a counting sort
// on the hash of each key. Unlike Run's split, it moves neither keys nor
// values, and it keeps the index: the reduce phase looks the keys of the
// other tables up in the largest table's index, instead of building an
// index per partition.
func (t *combineTable[K, V]) split(seed maphash.Seed, parts int) {
	n := len(t.keys)
	t.start = make([]int, parts+1)
	t.byPart = make([]int, n)
	t.rank = make([]int, n)
	if parts == 1 {
		t.start[1] = n
		for i := range n {
			t.byPart[i], t.rank[i] = i, i
		}
		return
	}
	// rank holds the partition of each key until it holds its rank.
	for i, k := range t.keys {
		p := partition(seed, k, parts)
		t.rank[i] = p
		t.start[p+1]++
	}
	for p := range parts {
		t.start[p+1] += t.start[p]
	}
	next := slices.Clone(t.start[:parts])
	for i, p := range t.rank {
		t.byPart[next[p]] = i
		t.rank[i] = next[p]
		next[p]++
	}
}

// foldPartition folds partition p of every table into one fold per key. It
// starts from the keys of tabs[into] in partition p, and looks the keys of
// the other tables up in the index of tabs[into]: one lookup per key of the
// other tables, where building an index of the partition would also cost
// one insertion per key of tabs[into]. Partitions fold in parallel: they
// only read that index and the tables, and each writes its folds to slices
// of its own, not to the accumulators of tabs[into], where the writes of two
// partitions would share cache lines. It returns the folds of the keys of
// tabs[into], then those of the keys that tabs[into] lacks.
func foldPartition[K comparable, V any](rep *reporter, tabs []*combineTable[K, V], into, p int,
	combine func(a, b V) V) (folds, rest []pair[K, V]) {
	dst := tabs[into]
	lo := 0
	if dst.start != nil {
		lo = dst.start[p]
		folds = make([]pair[K, V], 0, dst.start[p+1]-lo)
		for _, i := range dst.byPart[lo:dst.start[p+1]] {
			folds = append(folds, pair[K, V]{dst.keys[i], dst.accs[i]})
		}
	}
	var restIndex map[K]int // the position of each key in rest
	for w, t := range tabs {
		if w == into || t.start == nil {
			continue
		}
		for _, i := range t.byPart[t.start[p]:t.start[p+1]] {
			k, v := t.keys[i], t.accs[i]
			var a *V
			if j, ok := dst.index[k]; ok {
				a = &folds[dst.rank[j]-lo].val
			} else if j, ok := restIndex[k]; ok {
				a = &rest[j].val
			} else {
				if restIndex == nil {
					restIndex = make(map[K]int)
				}
				restIndex[k] = len(rest)
				rest = append(rest, pair[K, V]{k, v})
				continue
			}
			*a = combine(*a, v)
		}
	}
	rep.addKeys(len(folds) + len(rest))
	return folds, rest
}
