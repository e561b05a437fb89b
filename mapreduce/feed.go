package mapreduce

import (
	"context"
	"errors"
	"iter"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/lullgo/lull/pool"
)

// The adaptive chunk size of Run and Combine (see WithChunkSize).
const (
	// targetChunkTime is how long a worker should spend on a chunk. A chunk
	// costs a channel send and receive: well under a microsecond when
	// nobody has to be woken, several when a parked goroutine must be
	// (a futex call, slower still in a VM). At this length the hand-over is
	// a few percent of the work at worst, while the run's tail, where one
	// worker finishes its last chunk alone, stays under a millisecond.
	targetChunkTime = 250 * time.Microsecond

	// maxChunkBytes caps a chunk's inputs, and with them the memory
	// buffered per chunk, at as many as fit in it (their own size, not
	// what they point to), but never below minChunkCap. Inputs of a few
	// nanoseconds reach the cap: then the hand-overs are what counts, and
	// with two workers on two CPUs a hand-over that finds a worker parked
	// costs a wake-up. Chunks of 16384 ints instead of 4096 took a
	// sum by key over 1,000,000 ints (BenchmarkMapReduce in the bench
	// module) from 9.8 to 8.2 ms under a cancellable ctx, where the feeder
	// is the slower side.
	maxChunkBytes = 128 << 10

	// minChunkCap is the cap of a chunk of inputs larger than 32 bytes.
	minChunkCap = 4096
)

// chunkCap returns the most inputs of type In a chunk holds: see
// maxChunkBytes.
func chunkCap[In any]() int {
	var x In
	if size := int(unsafe.Sizeof(x)); size > 0 {
		return max(minChunkCap, maxChunkBytes/size)
	}
	return maxChunkBytes // zero-sized inputs take no memory
}

// chunk is a run of consecutive inputs that one worker maps in one go.
type chunk[In any] struct {
	items []In
	start int // the position of items[0] in the input sequence
}

// feeder hands the inputs of Run and Combine to the workers. The calling
// goroutine reads the sequence with a plain range loop (so the sequence runs
// where the caller called, and pays nothing like iter.Pull's coroutine
// switches) and puts chunks on jobs; each worker takes the next chunk as soon
// as it is free. So the work balances itself: a worker stuck on a slow input
// holds up only the rest of its own chunk.
//
// A fixed set of chunks circulates, from the feeder through jobs to a worker
// and back through free. That set bounds the inputs in memory, and it is also
// the backpressure: the feeder waits when every chunk is out.
//
// The feeder does not wait on free, though, but on need, and a worker calls
// it there only when it takes the last chunk queued on jobs, or finds none.
// A feeder woken by every chunk handed back would be woken by a worker that
// goes on running, onto that worker's P as the next goroutine to run, and
// stay there while the workers keep every P busy. Once jobs ran dry, a worker
// on another P would have to take the feeder from there, and the scheduler
// lets a P take another's next goroutine only after a pause of a few
// microseconds (which a VM's timer slack stretches to tens). Called through
// need, the feeder runs at once on the caller's own P: the worker that found
// jobs empty parks, and the one that took the last chunk yields to it
// (runtime.Gosched) before mapping that chunk, so that the others find the
// next chunks queued. Each refill costs two goroutine switches.
type feeder[In any] struct {
	jobs chan *chunk[In] // chunks to map; closed by feed when it returns
	free chan *chunk[In] // mapped chunks, emptied, for the feeder to reuse
	made int             // chunks allocated so far, at most cap(free); feeder only
	need chan struct{}   // unbuffered: a worker's call to the waiting feeder
	sizer

	in    iter.Seq[In]
	watch bool // in is read with a look at ctx after each input: see feed

	// stopped is set once the phase's ctx is done, while feed or a worker
	// runs: the workers look at it before each input, and so does the
	// feeder unless it watches the caller's ctx itself (see feed); one
	// atomic load where a look at ctx.Done() costs a function call. Each
	// links it to ctx for as long as it runs, as span's workers do: the
	// workers go on mapping the chunks queued after feed has returned.
	stopped atomic.Bool
}

// source is where the workers of a map phase take their inputs from: a
// feeder, which hands out an iter.Seq read on the calling goroutine, or a
// span, whose workers take runs of a slice in place.
type source[In any] interface {
	// feed runs on the calling goroutine, once the phase's tasks are
	// submitted, and returns once every input is handed over, reporting
	// whether all were; ctx is the phase's, stop closed when the pool
	// stops.
	feed(ctx context.Context, stop <-chan struct{}) (complete bool)
	// work is a worker's loop: it calls process on runs of consecutive
	// inputs until they run out (nil), process fails (its error), or ctx
	// is done (errStopped).
	work(ctx context.Context, process func(items []In, start int) error) error
	// halted returns the flag that is set once the phase must stop, which
	// the mappers' loop looks at before each input.
	halted() *atomic.Bool
}

// sizer sizes the chunks of Run and Combine, by feeder or span: a size set
// by WithChunkSize, or one tuned as the chunks are mapped (see tune).
type sizer struct {
	fixed int          // the size set by WithChunkSize, or 0: adaptive
	limit int          // adaptive: the largest size, chunkCap[In]()
	hint  atomic.Int64 // adaptive: the size wanted for the next chunk
}

// init sets s up for chunks of the fixed size, or if it is 0, for chunks
// tuned from one input up to limit.
func (s *sizer) init(fixed, limit int) {
	s.fixed, s.limit = fixed, limit
	s.hint.Store(1)
}

// newFeeder returns a feeder of in for the given number of workers. Twice
// as many chunks as workers lets every worker have one chunk in hand and the
// next one waiting, so that none starves while the feeder is descheduled.
func newFeeder[In any](in iter.Seq[In], watch bool, workers, fixed int) *feeder[In] {
	n := 2 * workers
	f := &feeder[In]{
		jobs:  make(chan *chunk[In], n),
		free:  make(chan *chunk[In], n),
		need:  make(chan struct{}),
		in:    in,
		watch: watch,
	}
	f.init(fixed, chunkCap[In]())
	return f
}

func (f *feeder[In]) halted() *atomic.Bool { return &f.stopped }

// size returns the number of inputs to put in the next chunk.
func (s *sizer) size() int {
	if s.fixed > 0 {
		return s.fixed
	}
	return int(s.hint.Load())
}

// get returns an empty chunk, waiting for a worker to call through need if
// every chunk is out, or nil if ctx is done or the pool stops first.
func (f *feeder[In]) get(ctx context.Context, stop <-chan struct{}) *chunk[In] {
	select {
	case c := <-f.free:
		return c
	default:
	}
	if f.made < cap(f.free) {
		f.made++
		return &chunk[In]{items: make([]In, 0, f.size())}
	}
	for {
		select {
		case <-f.need:
		case <-ctx.Done():
			return nil
		case <-stop:
			return nil
		}
		// free is empty if the caller had no chunk to give back (it
		// called before its first), or if the chunk it gave back was
		// taken since. Every chunk is out then, and the worker that
		// takes the last one queued, or finds none, calls again.
		select {
		case c := <-f.free:
			return c
		default:
		}
	}
}

// feed reads in to its end, or until ctx is done or the pool stops, and
// hands it to the workers in chunks. It reports whether it read all of in and
// handed it over. It runs on the calling goroutine and closes jobs before it
// returns, which is what tells the workers the input has ended.
//
// If f.watch is set (the caller's ctx can be cancelled), feed looks at ctx
// itself each time the sequence yields, before it takes the input and asks
// for the next, so that a call cancelled by the sequence, or by anything
// else, reads no more. Otherwise only the phase's own stops can end
// it (a failed input, the pool stopping), which come from other goroutines
// anyway: feed looks at the stopped flag instead, one plain load where
// ctx.Err is an interface call and an atomic load, a good part of the few
// nanoseconds an input costs the feeder.
func (f *feeder[In]) feed(ctx context.Context, stop <-chan struct{}) (complete bool) {
	defer close(f.jobs)
	c := f.get(ctx, stop)
	if c == nil {
		return false
	}
	defer setOnDone(ctx, &f.stopped)()
	if ctx.Err() != nil {
		return false
	}
	w := &filler[In]{f: f, ctx: ctx, stop: stop, stopped: &f.stopped, c: c}
	w.buf = f.fill(c)
	// The body of a range over a function is a closure called once per
	// input, which loads every variable it uses at each call, and saves
	// the live ones around every call it makes: each loop keeps to a store,
	// an increment and its check, and leaves the rest to refill.
	if f.watch {
		for x := range f.in {
			// ctx itself, not the flag, which an AfterFunc goroutine
			// sets a moment later.
			if w.ctx.Err() != nil {
				return false
			}
			w.buf[w.i] = x
			w.i++
			if w.i == len(w.buf) && !w.refill() {
				return false
			}
		}
	} else {
		for x := range f.in {
			w.buf[w.i] = x
			w.i++
			if w.stopped.Load() || w.i == len(w.buf) && !w.refill() {
				return false
			}
		}
	}
	if w.i > 0 {
		w.c.items = w.buf[:w.i]
		f.jobs <- w.c
	}
	return true
}

// filler is the state of feed's loop: the chunk being filled, through buf.
type filler[In any] struct {
	f       *feeder[In]
	ctx     context.Context
	stop    <-chan struct{}
	stopped *atomic.Bool // &f.stopped
	c       *chunk[In]   // the chunk being filled; nil once feed must stop
	buf     []In         // c's items, as many as the chunk should hold
	i       int          // inputs in buf
}

// refill hands the full chunk over and takes the next one. It reports
// whether it got one: false if ctx is done or the pool stops while every
// chunk is out.
func (w *filler[In]) refill() bool {
	c := w.c
	c.items = w.buf
	next := c.start + len(w.buf)
	// jobs has room for every chunk there is, so this send never blocks:
	// the feeder waits only in get, where ctx can end it.
	w.f.jobs <- c
	// Take the next chunk before reading on, so that the inputs read and
	// not yet mapped never exceed the chunks in circulation.
	if c = w.f.get(w.ctx, w.stop); c == nil {
		w.c = nil
		return false
	}
	c.start = next
	w.c, w.buf, w.i = c, w.f.fill(c), 0
	return true
}

// fill returns the buffer to fill c through: c's items, as many as the
// size wanted for the next chunk. Only adaptive sizes grow: a buffer too
// small for one is replaced by one with room for four times as many (at
// most f.limit). While cheap inputs double the size from 1 to f.limit, a
// chunk is then reallocated at one doubling in three, not at each, and the
// buffers it drops add up to about a seventh of its last one, not as much
// again.
func (f *feeder[In]) fill(c *chunk[In]) []In {
	size := f.size()
	if cap(c.items) < size {
		c.items = make([]In, size, max(size, min(4*size, f.limit)))
	}
	return c.items[:size]
}

// work is the loop of one worker of the map phase: it takes chunks until
// jobs is closed and calls process on each. It returns nil once the input
// has ended, process's error, or errStopped if ctx ends while it waits for a
// chunk; process watches ctx itself (mapItems, before each input).
func (f *feeder[In]) work(ctx context.Context, process func(items []In, start int) error) error {
	defer setOnDone(ctx, &f.stopped)()
	done := ctx.Done()
	for {
		var c *chunk[In]
		select {
		case c = <-f.jobs:
			if c != nil && len(f.jobs) == 0 {
				// The last chunk queued: call the feeder now, if
				// it waits, and let it run first, so that the other
				// workers find chunks when they finish theirs. Only a
				// busy worker yields here, once per refill, never an
				// idle one: nothing wakes or polls (see feeder).
				select {
				case f.need <- struct{}{}:
					runtime.Gosched()
				default:
				}
			}
		default:
			// Nothing queued: call the feeder, which then runs on
			// this P as soon as this worker parks, unless a chunk
			// comes first.
			select {
			case c = <-f.jobs:
			case f.need <- struct{}{}:
				select {
				case c = <-f.jobs:
				case <-done:
					return errStopped
				}
			case <-done:
				return errStopped
			}
		}
		if c == nil {
			return nil // closed: the input has ended
		}
		if err := timedChunk(&f.sizer, process, c.items, c.start); err != nil {
			return err
		}
		clear(c.items) // let the inputs be collected while the chunk waits
		c.items = c.items[:0]
		// free has room for every chunk there is: this never blocks.
		f.free <- c
	}
}

// timedChunk calls process on a chunk, and unless the size is fixed, tunes
// the size of the next chunk by the time it took.
func timedChunk[In any](s *sizer, process func(items []In, start int) error, items []In, start int) error {
	if s.fixed > 0 {
		return process(items, start)
	}
	t0 := time.Now()
	if err := process(items, start); err != nil {
		return err
	}
	s.tune(len(items), time.Since(t0))
	return nil
}

// tune sets the size of the next chunk from a chunk of n inputs that took d:
// as many inputs as fit in targetChunkTime at that pace, but at most twice n,
// so that a few fast inputs do not make one huge chunk of slow ones, and at
// most s.limit (see maxChunkBytes). The last worker to finish a chunk wins;
// all of them measure the same stream.
func (s *sizer) tune(n int, d time.Duration) {
	want := s.limit
	if d > 0 {
		want = int(min(int64(n)*int64(targetChunkTime)/int64(d), int64(s.limit)))
	}
	want = max(1, min(want, 2*n))
	s.hint.Store(int64(want))
}

// runPhase runs one phase of a call: up to n workers as tasks of p, fed by
// feed on the calling goroutine if feed is not nil. It returns once the phase
// is over and no task of it is running, with nil if the phase ran to its end,
// or the error the call must return.
//
// Only the first task is submitted with Submit, which waits for room; the
// others with TrySubmit, as room allows. Every task loops until the work runs
// out, and the first one waits for feed: were every task submitted with
// Submit before feed runs, a pool with a small backlog, or shared with other
// calls, could hold the caller in Submit while its started task waits for
// it. So a call makes progress whenever one worker of the pool is free.
func runPhase(ctx context.Context, p *pool.Pool, n int, work func(ctx context.Context, w int) error,
	feed func(ctx context.Context, stop <-chan struct{}) bool) error {
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// stop is closed once the pool runs no more tasks (Stop, or Close
	// finished): tasks of ours still in its backlog then never start.
	stop := p.Done()
	c := &crew{cancel: cancel}
	over := false
	defer func() {
		// The sequence and Map's loop body run on this goroutine, and may
		// panic (or call runtime.Goexit) out of feed: stop the tasks and
		// wait for them all the same, so that none outlives the call.
		if !over {
			cancel(errStopped)
			c.wait(cctx, stop)
		}
	}()
	var submitErr error
	for w := range n {
		var err error
		if w == 0 {
			err = p.Submit(cctx, c.task(cctx, w, work))
		} else if err = p.TrySubmit(c.task(cctx, w, work)); err == pool.ErrFull {
			break // the tasks that did start do the work
		}
		if err != nil {
			submitErr = err
			cancel(err)
			break
		}
	}
	complete := submitErr == nil
	if feed != nil {
		// Feed even if a submit failed: cctx is done then, so feed
		// returns at once, but it closes jobs, which ends the tasks that
		// did start.
		complete = feed(cctx, stop) && complete
	}
	c.wait(cctx, stop)
	over = true
	return c.outcome(ctx, cctx, complete)
}

// crew is the tasks of one phase. It is pool.Group, but for one thing: it
// does not wait for tasks that have not started. Every task loops until the
// phase's work runs out, so once one task has started and every task that
// started has returned, the work is done, and the others, still in the pool's
// backlog behind other work (or handed back by pool.Stop), are not needed:
// they return at once if they ever start. So a call never waits on a busy
// pool longer than the work takes, and never forever on a stopped one.
type crew struct {
	cancel context.CancelCauseFunc // ends the phase's ctx: first failure, or stop

	mu      sync.Mutex
	started int           // tasks that began
	running int           // tasks that began and have not returned
	over    bool          // wait returned: tasks that begin now do nothing
	wake    chan struct{} // made by wait, closed when running drops to 0
	err     error         // the first failure
	stopped bool          // some task returned errStopped
}

// task returns the pool task that runs work(ctx, w) as a member of c,
// recovering a panic outside mappers and reducers (a panicking combine, say)
// as a *pool.PanicError, and a runtime.Goexit as pool.ErrGoexit: the task
// recovers its own, so that the pool never re-panics with it.
func (c *crew) task(ctx context.Context, w int, work func(context.Context, int) error) pool.Task {
	return func(pctx context.Context) {
		if !c.begin() {
			return
		}
		// The pool's Stop cancels pctx: the phase stops with it.
		defer afterFunc(pctx, func() { c.cancel(pool.ErrClosed) })()
		var err error
		returned := false
		defer func() {
			if !returned {
				if v := recover(); v != nil {
					err = &pool.PanicError{Value: v, Stack: debug.Stack()}
				} else {
					err = pool.ErrGoexit
				}
			}
			c.end(err)
		}()
		err = work(ctx, w)
		returned = true
	}
}

func (c *crew) begin() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.over {
		return false
	}
	c.started++
	c.running++
	return true
}

func (c *crew) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err == errStopped:
		c.stopped = true
	case err != nil && c.err == nil:
		// The first failure: cancel the others. Later ones are most
		// likely consequences of this cancel.
		c.err = err
		c.cancel(err)
	}
	c.running--
	if c.running == 0 && c.wake != nil {
		close(c.wake)
		c.wake = nil
	}
}

// onCrewWait, if set (by tests), is called by crew.wait each time it is
// about to block.
var onCrewWait func()

// wait returns once no task is running, and either some task has run (so
// the work is done, or failed), or ctx is done or stop closed (so no more
// will be done). From then on, tasks that begin return at once.
func (c *crew) wait(ctx context.Context, stop <-chan struct{}) {
	done, stopped := ctx.Done(), stop
	for {
		c.mu.Lock()
		// The check and the setting of over are one step under mu, so
		// no task can begin between them.
		if c.running == 0 && (c.started > 0 || ctx.Err() != nil || isDone(stop)) {
			c.over = true
			c.mu.Unlock()
			return
		}
		if c.wake == nil {
			c.wake = make(chan struct{})
		}
		wake := c.wake
		c.mu.Unlock()
		if onCrewWait != nil {
			onCrewWait()
		}
		select {
		case <-wake:
		case <-done:
			// From now on only the running tasks matter: stop watching
			// done, which would fire again and again. (The check above
			// looks at ctx and stop themselves.)
			done = nil
		case <-stopped:
			stopped = nil
		}
	}
}

// outcome decides what a phase returns, once wait has returned. A task's own
// failure comes first: it is what cancelled the others. Otherwise a phase
// that was not done to the end was stopped: by the caller's ctx, whose error
// goes out unwrapped, or by the pool, closed or stopped under it.
func (c *crew) outcome(ctx, cctx context.Context, complete bool) error {
	if c.err != nil {
		return c.err
	}
	if complete && !c.stopped && c.started > 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Nothing else ends cctx: a failed Submit (pool.ErrClosed) or the pool
	// being stopped, whose link cancels with pool.ErrClosed.
	if cause := context.Cause(cctx); cause != nil && cause != errStopped && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return pool.ErrClosed
}

// mapItems calls m on items in order, until one fails or stopped is set. It
// returns len(items) and nil once all are mapped; else the position in items
// of the input that failed, with its error (a panic as a *pool.PanicError),
// or that of the first input not mapped, with errStopped. One deferred
// recover serves the whole chunk rather than one per input, which shows for
// inputs of a few nanoseconds.
// A runtime.Goexit is not stopped (nothing can stop it): it ends the
// worker's task, and its Group reports pool.ErrGoexit.
func mapItems[In any, K comparable, V any](ctx context.Context, stopped *atomic.Bool,
	m Mapper[In, K, V], items []In, emit func(K, V)) (i int, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &pool.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	for i = range items {
		if stopped.Load() {
			return i, errStopped
		}
		if err = m(ctx, items[i], emit); err != nil {
			return i, err
		}
	}
	return len(items), nil
}

// callReducer calls r, turning a panic into a *pool.PanicError.
func callReducer[K comparable, V, Out any](ctx context.Context, r Reducer[K, V, Out], k K, values iter.Seq[V]) (out Out, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &pool.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return r(ctx, k, values)
}

// failed reports whether err, returned by a mapper or reducer, is a failure
// of the run. An error returned once the run's ctx is done is not: it is most
// likely that ctx's error, or a consequence of it, and the worker returns
// errStopped instead, so that the reason the run stopped is reported. A panic
// always is: it is a bug, never a consequence, and must not be lost.
func failed(ctx context.Context, err error) bool {
	if ctx.Err() == nil {
		return true
	}
	var pe *pool.PanicError
	return errors.As(err, &pe)
}

// setOnDone links flag to ctx: it is set once ctx is done, until the
// returned func unlinks it (see afterFunc). The feeder and every worker of a
// phase link the phase's stop flag for as long as each runs.
func setOnDone(ctx context.Context, flag *atomic.Bool) (unlink func()) {
	return afterFunc(ctx, func() { flag.Store(true) })
}

// afterFunc is context.AfterFunc, but the func it returns, which stops the
// link, also waits for f to return if ctx had already started it: f then
// never runs past the stop, and a call whose tasks have all returned leaves
// no goroutine of AfterFunc's running f behind it.
func afterFunc(ctx context.Context, f func()) (stop func()) {
	ran := make(chan struct{})
	unlink := context.AfterFunc(ctx, func() {
		defer close(ran)
		f()
	})
	return func() {
		if !unlink() {
			<-ran
		}
	}
}

// isDone reports whether done is closed, without blocking. A receive that
// finds an open, empty channel takes no lock, so checking before each input
// is cheap.
func isDone(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}
