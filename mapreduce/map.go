package mapreduce

import (
	"context"
	"iter"
	"runtime/debug"

	"github.com/lullgo/lull/pool"
)

// Map applies f to every input of in on the workers, and yields the results
// lazily, in input order, as (result, nil) pairs. It is Beam's ParDo with one
// output per input, or Python's imap.
//
// Each range over the returned sequence is a run of its own: it reads in
// again, from the goroutine that ranges, and no work is done before the range
// starts. Inputs are read only as the loop makes room: at most
// 2 × workers × chunk size inputs (see [WithWorkers], [WithChunkSize]; the
// chunk size is 1 by default) are read from in and not yet yielded, however
// long in is and however slow the loop body is, and the workers run ahead of
// the loop by that much. A chunk is handed to a worker once it is full or in
// has ended, so with a larger chunk size a slow sequence delays its results.
//
// The first failure of f (an error, or a panic as a [*pool.PanicError])
// cancels the ctx of the other calls, and is yielded as (zero, *[InputError])
// as the last pair: the results before it that were not yet yielded are
// dropped. If ctx is done first, the last pair is (zero, ctx.Err()), unwrapped.
// Breaking out of the loop cancels the calls in flight. Either way, when the
// loop ends, every goroutine the run started has returned and no call of f is
// running; a private pool has been closed.
func Map[In, Out any](ctx context.Context, in iter.Seq[In], f func(context.Context, In) (Out, error),
	opts ...Option) iter.Seq2[Out, error] {
	if f == nil {
		panic("mapreduce: Map with nil function")
	}
	cfg := newConfig(opts)
	return func(yield func(Out, error) bool) {
		workers := cfg.numWorkers()
		p := cfg.pool
		if p == nil {
			p = pool.New(workers)
			defer p.Close(context.Background())
		}
		rep := newReporter(cfg.progress)
		rep.setPhase(PhaseMap)
		defer rep.setPhase(PhaseDone)

		// rctx is what a break out of the loop cancels.
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		nbuf := 2 * workers
		m := &mapRun[In, Out]{
			in:      in,
			f:       f,
			yield:   yield,
			cancel:  cancel,
			rep:     rep,
			chunk:   max(cfg.chunk, 1),
			jobs:    make(chan *mapChunk[In, Out], nbuf),
			results: make(chan *mapChunk[In, Out], nbuf),
			pending: make([]*mapChunk[In, Out], nbuf),
		}
		err := runPhase(rctx, p, workers, m.work, m.feed)
		if err != nil && !m.broken {
			var zero Out
			yield(zero, err)
		}
	}
}

// mapChunk is a run of consecutive inputs of Map and, once a worker has
// mapped them, their results.
type mapChunk[In, Out any] struct {
	in    []In
	out   []Out
	start int  // the position of in[0] in the input sequence
	done  bool // out is ready; read and written by the ranging goroutine only
}

// mapRun is one range over the sequence returned by Map. The ranging
// goroutine reads in, hands chunks to the workers through jobs, takes them
// back through results, and yields their results in order. As in Run, a
// fixed set of chunks circulates; here it is the window that bounds how far
// the reading runs ahead of the loop.
type mapRun[In, Out any] struct {
	in     iter.Seq[In]
	f      func(context.Context, In) (Out, error)
	yield  func(Out, error) bool
	cancel context.CancelFunc
	rep    *reporter
	chunk  int

	jobs    chan *mapChunk[In, Out] // to the workers; closed by feed
	results chan *mapChunk[In, Out] // back from the workers

	// The rest is the ranging goroutine's own.
	free    []*mapChunk[In, Out] // chunks not in use
	made    int                  // chunks allocated, at most cap(jobs)
	pending []*mapChunk[In, Out] // ring of the chunks handed out, oldest first
	head, n int                  // the oldest chunk in pending, and how many
	broken  bool                 // the loop body returned false
	stop    <-chan struct{}      // closed once the pool runs no more tasks
}

// feed is the ranging goroutine's part: it reads in, handing chunks to the
// workers, and yields results in order as room is needed, then the rest once
// in has ended. It reports whether every result was yielded.
func (m *mapRun[In, Out]) feed(ctx context.Context, stop <-chan struct{}) bool {
	defer close(m.jobs)
	done := ctx.Done()
	m.stop = stop
	// A chunk is taken before each input is read, never after, so that the
	// inputs read and not yet yielded never exceed the window.
	c := m.get(done)
	if c == nil {
		return false
	}
	n := 0 // inputs read so far
	for x := range m.in {
		c.in = append(c.in, x)
		n++
		if ctx.Err() != nil {
			return false // read no more input once the run is stopped
		}
		if len(c.in) < m.chunk {
			continue
		}
		m.dispatch(c)
		if c = m.get(done); c == nil {
			return false
		}
		c.start = n
	}
	if len(c.in) > 0 {
		m.dispatch(c)
	} else {
		m.free = append(m.free, c)
	}
	for m.n > 0 {
		if !m.yieldHead(done) {
			return false
		}
	}
	return true
}

// get returns an empty chunk, yielding the oldest chunk's results first if
// every chunk is out, or nil if the run stopped or the loop broke meanwhile.
func (m *mapRun[In, Out]) get(done <-chan struct{}) *mapChunk[In, Out] {
	if len(m.free) == 0 {
		if m.made < cap(m.jobs) {
			m.made++
			return &mapChunk[In, Out]{in: make([]In, 0, m.chunk)}
		}
		if !m.yieldHead(done) {
			return nil
		}
	}
	c := m.free[len(m.free)-1]
	m.free = m.free[:len(m.free)-1]
	return c
}

// dispatch hands c to the workers. jobs has room for every chunk there is,
// so the send never blocks.
func (m *mapRun[In, Out]) dispatch(c *mapChunk[In, Out]) {
	m.pending[(m.head+m.n)%len(m.pending)] = c
	m.n++
	m.jobs <- c
}

// yieldHead waits for the oldest chunk handed out to be mapped, yields its
// results and puts it back in free. It returns false if the run stopped
// first, or if the loop broke; then it has cancelled the run.
func (m *mapRun[In, Out]) yieldHead(done <-chan struct{}) bool {
	h := m.pending[m.head]
	for !h.done {
		// Chunks come back in any order; each is marked and waits in
		// pending for its turn.
		select {
		case c := <-m.results:
			c.done = true
			m.rep.addInputs(len(c.in), 0)
		case <-done:
			return false
		case <-m.stop:
			return false
		}
	}
	m.pending[m.head] = nil
	m.head = (m.head + 1) % len(m.pending)
	m.n--
	for _, o := range h.out {
		if !m.yield(o, nil) {
			m.broken = true
			m.cancel()
			return false
		}
	}
	clear(h.in) // drop the references before the chunk is reused
	clear(h.out)
	h.in, h.out, h.done = h.in[:0], h.out[:0], false
	m.free = append(m.free, h)
	return true
}

// work is the loop of one worker: it maps chunks until jobs is closed, and
// sends each back on results. It returns nil once jobs is closed, the
// failure of f as an *InputError, or errStopped if ctx ends first.
func (m *mapRun[In, Out]) work(ctx context.Context, _ int) error {
	done := ctx.Done()
	for {
		var c *mapChunk[In, Out]
		select {
		case c = <-m.jobs:
			if c == nil {
				return nil
			}
		case <-done:
			return errStopped
		}
		if cap(c.out) < len(c.in) {
			c.out = make([]Out, len(c.in))
		}
		c.out = c.out[:len(c.in)]
		for i, x := range c.in {
			if isDone(done) {
				return errStopped
			}
			o, err := callFunc(ctx, m.f, x)
			if err != nil {
				if !failed(ctx, err) {
					return errStopped
				}
				return &InputError{Index: c.start + i, Err: err}
			}
			c.out[i] = o
		}
		// results has room for every chunk there is: this never blocks,
		// even once the ranging goroutine has stopped receiving.
		m.results <- c
	}
}

// callFunc calls f, turning a panic into a *pool.PanicError.
func callFunc[In, Out any](ctx context.Context, f func(context.Context, In) (Out, error), x In) (out Out, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &pool.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return f(ctx, x)
}
