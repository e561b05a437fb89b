package pool

import (
	"context"
	"sync"
	"sync/atomic"
)

// Future is the result of a function run on a pool by [Go]. Its methods are
// safe for concurrent use, by any number of goroutines.
type Future[R any] struct {
	f     func(context.Context) (R, error)
	state atomic.Int32 // queued, then running or abandoned: see run and abandon

	finished atomic.Bool // set once val and err are final
	mu       sync.Mutex
	done     chan struct{} // made on demand by a waiter, closed when finished
	val      R
	err      error
}

// Go runs f on a worker of p and returns a Future of its result. Like
// [Pool.Submit], it blocks while the backlog is full, and returns ctx.Err() or
// [ErrClosed] if f could not be accepted. f receives the pool's ctx. A panic
// in f becomes the Future's error, a [*PanicError]; a runtime.Goexit in f
// makes it [ErrGoexit]. Go allocates the Future and nothing else.
func Go[R any](ctx context.Context, p *Pool, f func(context.Context) (R, error)) (*Future[R], error) {
	if f == nil {
		panic("pool: Go with nil function")
	}
	fu := &Future[R]{f: f}
	if err := p.submit(ctx, job{runner: fu}); err != nil {
		return nil, err
	}
	return fu, nil
}

// The states of a Future's or a group member's task.
const (
	queued    = iota
	running   // a worker (or the caller of a handed-back task) runs it
	abandoned // Stop handed it back and completed its owner with ErrClosed
)

func (fu *Future[R]) run(ctx context.Context) {
	if !fu.state.CompareAndSwap(queued, running) {
		// Handed back by Stop, and the Future already says ErrClosed:
		// whoever runs the task now gets the call, not the result.
		_, _ = fu.f(ctx)
		return
	}
	returned := false
	defer func() {
		if returned {
			return
		}
		var zero R
		if v := recover(); v != nil {
			fu.complete(zero, newPanicError(v))
		} else {
			fu.complete(zero, ErrGoexit)
		}
	}()
	v, err := fu.f(ctx)
	returned = true
	fu.complete(v, err)
}

// abandon completes the Future with ErrClosed, if its task has not started.
func (fu *Future[R]) abandon() {
	if fu.state.CompareAndSwap(queued, abandoned) {
		var zero R
		fu.complete(zero, ErrClosed)
	}
}

// complete sets the result, keeping f when the task was abandoned, so
// that a handed-back task can still call it.
func (fu *Future[R]) complete(v R, err error) {
	fu.mu.Lock()
	fu.val, fu.err = v, err
	if fu.state.Load() != abandoned {
		fu.f = nil // let the function and what it captured be collected
	}
	fu.finished.Store(true)
	if fu.done != nil {
		close(fu.done)
	}
	fu.mu.Unlock()
}

// Get waits until the function has returned, or ctx is done, and returns its
// result, or ctx.Err(). Once the result is there, Get returns it at once,
// to every caller; it allocates only when it has to wait.
func (fu *Future[R]) Get(ctx context.Context) (R, error) {
	if !fu.finished.Load() {
		select {
		case <-fu.Done():
		case <-ctx.Done():
			var zero R
			return zero, ctx.Err()
		}
	}
	// finished was stored after val and err, under mu: they are final.
	return fu.val, fu.err
}

// Done returns a channel that is closed once the function has returned.
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
