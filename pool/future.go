package pool

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Future is the result of a function run on a pool by [Go]. Its methods are
// safe for concurrent use, by any number of goroutines.
type Future[R any] struct {
	f func(context.Context) (R, error)
	// both is f's ctx. Its Context is the caller's ctx from Go on, carried
	// to the worker like a request's: f does not start if it is done by
	// then, and runs under it.
	both bothCtx

	finished atomic.Bool // set once val and err are final
	// watched says that done was made (by Done) or a Get parked in
	// getters: complete stores finished and then loads watched, and those
	// store watched and then load finished, so at least one of them sees
	// the other and wakes them (wake, under mu, does it once). A Future
	// nobody watches takes no lock to complete.
	watched atomic.Bool
	mu      sync.Mutex    // guards done and getters
	done    chan struct{} // made by Done; closedChan once closed
	getters *getter
	val     R
	err     error
}

// closedChan is the closed channel that Done returns once the result is
// there: a Future whose channel wake closed keeps this one instead, so
// that it needs no flag to close its own only once.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Go runs f on a worker of p and returns a Future of its result. Like
// [Pool.Submit], it blocks while the backlog is full, and returns ctx.Err() or
// [ErrClosed] if f could not be accepted.
//
// ctx also bounds f: if ctx is done before a worker starts f, f never starts
// and the Future's error is ctx.Err(); while f runs, its ctx carries ctx's
// values and is done when either ctx or the pool's ctx is (see [Task]). A
// panic in f becomes the Future's error, a [*PanicError]; a runtime.Goexit in
// f makes it [ErrGoexit]. If [Pool.Stop] takes f from the backlog, f never
// runs and the error is [ErrClosed].
//
// Go allocates the Future and nothing else, unless f asks its ctx for Done
// while ctx can be cancelled: then watching both contexts costs a few more.
func Go[R any](ctx context.Context, p *Pool, f func(context.Context) (R, error)) (*Future[R], error) {
	if f == nil {
		panic("pool: Go with nil function")
	}
	fu := &Future[R]{f: f, both: bothCtx{Context: ctx, p: p}}
	if err := p.submit(ctx, job{runner: fu}, false); err != nil {
		return nil, err
	}
	return fu, nil
}

// run is called by a worker. A panic or runtime.Goexit in f goes up to the
// worker, which calls fail.
func (fu *Future[R]) run(context.Context) {
	if err := fu.both.Context.Err(); err != nil {
		var zero R
		fu.complete(zero, err) // done before f started: f never starts
		return
	}
	defer fu.both.release()
	v, err := fu.f(&fu.both)
	fu.complete(v, err)
}

func (fu *Future[R]) fail(err error) {
	var zero R
	fu.complete(zero, err)
}

func (fu *Future[R]) abandon() { fu.fail(ErrClosed) }

// complete sets the result, once, and wakes every waiter.
func (fu *Future[R]) complete(v R, err error) {
	fu.val, fu.err = v, err
	fu.f = nil // let the function and what it captured be collected
	fu.finished.Store(true)
	if fu.watched.Load() {
		fu.wake()
	}
}

// wake closes done, if Done made it, and sends each parked Get its token,
// once: it runs only after finished was set.
func (fu *Future[R]) wake() {
	fu.mu.Lock()
	if fu.done != nil && fu.done != closedChan {
		close(fu.done)
		fu.done = closedChan
	}
	for g := fu.getters; g != nil; {
		next := g.next
		g.next = nil
		g.ready <- struct{}{}
		g = next
	}
	fu.getters = nil
	fu.mu.Unlock()
}

// getter is a parked Get: it waits for a token on ready, and for its ctx
// too if that can end. The pool keeps them for reuse, so a Get allocates
// nothing in steady state.
//
// A Get whose ctx cannot end waits on its getter as well, not on a
// sync.WaitGroup of the Future's: a channel's park and wake-up cost less
// than a semaphore's, and the Future is 16 bytes smaller. A round trip of
// Go and Get on a pool of 2 (BenchmarkFuture in the bench module, 5 rounds
// alternated) took 474 ns instead of 509 at ctx=background, and 543
// instead of 606 at ctx=cancel.
type getter struct {
	ready chan struct{} // capacity 1
	next  *getter       // the next parked Get of the same Future
}

// Get waits until the function has returned, or ctx is done, and returns its
// result, or ctx.Err(). Once the result is there, Get returns it at once, to
// every caller. Get allocates nothing (in steady state).
func (fu *Future[R]) Get(ctx context.Context) (R, error) {
	if fu.finished.Load() {
		return fu.val, fu.err
	}
	done := ctx.Done()
	if done != nil {
		// Parking with a ctx that can end costs more (a select over two
		// channels, and a lock to leave the list if ctx ends): yield the
		// processor once first. A function that was just submitted often
		// finishes in that scheduling round, on this processor, and then
		// nothing parks. (A Get that goes straight to the select took 6%
		// longer in the round trip above.)
		runtime.Gosched()
		if fu.finished.Load() {
			return fu.val, fu.err
		}
	}
	g, _ := fu.both.p.getters.Get().(*getter)
	if g == nil {
		g = &getter{ready: make(chan struct{}, 1)}
	}
	fu.mu.Lock()
	g.next, fu.getters = fu.getters, g
	fu.watched.Store(true)
	fu.mu.Unlock()
	if fu.finished.Load() {
		fu.wake() // complete may have missed watched
	}
	if onGetPark != nil {
		onGetPark(fu.both.p)
	}
	if done == nil {
		<-g.ready // a plain receive: cheaper than a select
	} else {
		select {
		case <-g.ready:
		case <-done:
			fu.mu.Lock()
			parked := fu.unpark(g)
			fu.mu.Unlock()
			if parked {
				fu.both.p.getters.Put(g)
				var zero R
				return zero, ctx.Err()
			}
			<-g.ready // woken as ctx ended: the token is there
		}
	}
	fu.both.p.getters.Put(g)
	return fu.val, fu.err
}

// unpark takes g out of getters, and reports whether it was there. fu.mu
// is held.
func (fu *Future[R]) unpark(g *getter) bool {
	for p := &fu.getters; *p != nil; p = &(*p).next {
		if *p == g {
			*p, g.next = g.next, nil
			return true
		}
	}
	return false
}

// Done returns a channel that is closed once the function has returned (or
// the Future was completed without running it).
func (fu *Future[R]) Done() <-chan struct{} {
	if fu.finished.Load() {
		fu.mu.Lock()
		done := fu.done
		fu.mu.Unlock()
		if done == nil {
			// Nobody asked before the result came: no channel of its own.
			return closedChan
		}
		if done == closedChan {
			return done
		}
	}
	fu.mu.Lock()
	done := fu.done
	if done == nil {
		done = make(chan struct{})
		fu.done = done
		fu.watched.Store(true)
	}
	fu.mu.Unlock()
	if fu.finished.Load() {
		fu.wake()
	}
	return done
}

// bothCtx is the ctx of a function run by Go: it has the values and the
// deadline of the caller's ctx (Context), and is done when that ctx or the
// pool's is. It lives in the Future, so running f under it allocates nothing
// unless f asks for Done: Err looks at both contexts, and only Done makes a
// channel, closed by context.AfterFunc on each, which release undoes once f
// has returned. That state is made by the first Done, so that a Future
// nobody's function asks for Done stays small.
type bothCtx struct {
	context.Context
	p    *Pool
	both atomic.Pointer[bothDone] // made by the first Done
}

// bothDone is what Done registers: the channel, and the AfterFuncs that
// close it.
type bothDone struct {
	mu    sync.Mutex
	done  chan struct{}
	stops [2]func() bool
}

func (c *bothCtx) Err() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	return c.p.ctx.Err()
}

func (c *bothCtx) Done() <-chan struct{} {
	if c.Context.Done() == nil {
		return c.p.ctx.Done() // the caller's ctx never ends
	}
	d := c.both.Load()
	if d == nil {
		d = &bothDone{done: make(chan struct{})}
		if !c.both.CompareAndSwap(nil, d) {
			return c.both.Load().done // another call made it first
		}
		d.mu.Lock()
		d.stops[0] = context.AfterFunc(c.Context, d.close)
		d.stops[1] = context.AfterFunc(c.p.ctx, d.close)
		d.mu.Unlock()
	}
	return d.done
}

func (d *bothDone) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	select {
	case <-d.done:
	default:
		close(d.done)
	}
}

// release unregisters what Done registered, so that a long-lived pool ctx
// or caller's ctx keeps no reference to a finished function. It runs when
// f has returned; if f never asked for Done, there is nothing to undo and
// it takes no lock. (A goroutine that f left behind and that asks for Done
// first, after release, registers what only the end of either ctx releases.)
func (c *bothCtx) release() {
	d := c.both.Load()
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, stop := range d.stops {
		if stop != nil {
			stop()
		}
	}
	d.stops = [2]func() bool{}
}

// Deadline is the caller's.
func (c *bothCtx) Deadline() (time.Time, bool) { return c.Context.Deadline() }
