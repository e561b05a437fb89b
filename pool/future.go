package pool

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Future is the result of a function run on a pool by [Go]. Its methods are
// safe for concurrent use, by any number of goroutines.
type Future[R any] struct {
	f func(context.Context) (R, error)
	// ctx is the caller's ctx, carried to the worker like a request's: f
	// does not start if it is done by then, and runs under it. It is
	// dropped when f starts.
	ctx  context.Context
	both bothCtx // f's ctx when the caller's never ends: no allocation

	finished atomic.Bool    // set once val and err are final
	wg       sync.WaitGroup // done once finished: Get with a ctx that never ends waits on it
	mu       sync.Mutex
	done     chan struct{} // made on demand by Done or Get, closed when finished
	val      R
	err      error
}

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
// Go allocates the Future and nothing else when ctx can never be done; with
// a cancellable ctx, running f under both contexts costs a few more.
func Go[R any](ctx context.Context, p *Pool, f func(context.Context) (R, error)) (*Future[R], error) {
	if f == nil {
		panic("pool: Go with nil function")
	}
	fu := &Future[R]{f: f, ctx: ctx}
	fu.wg.Add(1)
	if err := p.submit(ctx, job{runner: fu}, false); err != nil {
		return nil, err
	}
	return fu, nil
}

// run is called by a worker. A panic or runtime.Goexit in f goes up to the
// worker, which calls fail.
func (fu *Future[R]) run(poolCtx context.Context) {
	ctx, f := fu.ctx, fu.f
	fu.ctx = nil
	var zero R
	if ctx.Done() == nil {
		fu.both = bothCtx{ctx, poolCtx}
		v, err := f(&fu.both)
		fu.complete(v, err)
		return
	}
	if err := ctx.Err(); err != nil {
		fu.complete(zero, err) // done before f started: f never starts
		return
	}
	runCtx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(poolCtx, cancel)
	defer func() {
		stop()
		cancel()
	}()
	v, err := f(runCtx)
	fu.complete(v, err)
}

func (fu *Future[R]) fail(err error) {
	var zero R
	fu.complete(zero, err)
}

func (fu *Future[R]) abandon() { fu.fail(ErrClosed) }

// complete sets the result, once, and wakes every waiter.
func (fu *Future[R]) complete(v R, err error) {
	fu.mu.Lock()
	fu.val, fu.err = v, err
	fu.f, fu.ctx = nil, nil // let the function and what it captured be collected
	fu.finished.Store(true)
	if fu.done != nil {
		close(fu.done)
	}
	fu.mu.Unlock()
	fu.wg.Done()
}

// Get waits until the function has returned, or ctx is done, and returns its
// result, or ctx.Err(). Once the result is there, Get returns it at once, to
// every caller. Get allocates nothing when the result is there or ctx can
// never be done, and one channel, shared with Done, otherwise.
func (fu *Future[R]) Get(ctx context.Context) (R, error) {
	if !fu.finished.Load() {
		if ctx.Done() == nil {
			fu.wg.Wait()
		} else {
			select {
			case <-fu.Done():
			case <-ctx.Done():
				var zero R
				return zero, ctx.Err()
			}
		}
	}
	return fu.val, fu.err
}

// Done returns a channel that is closed once the function has returned (or
// the Future was completed without running it).
func (fu *Future[R]) Done() <-chan struct{} {
	fu.mu.Lock()
	defer fu.mu.Unlock()
	if fu.done == nil {
		fu.done = make(chan struct{})
		if fu.finished.Load() {
			close(fu.done)
		}
	}
	return fu.done
}

// bothCtx is the ctx of a function run by Go whose caller's ctx (Context)
// can never be done: it has that ctx's values and deadline, and the pool
// ctx's cancellation.
type bothCtx struct {
	context.Context
	pool context.Context
}

func (c *bothCtx) Done() <-chan struct{} { return c.pool.Done() }
func (c *bothCtx) Err() error            { return c.pool.Err() }

// Deadline is the caller's, which has none unless a custom ctx says so.
func (c *bothCtx) Deadline() (time.Time, bool) { return c.Context.Deadline() }
