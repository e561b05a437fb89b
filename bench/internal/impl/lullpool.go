//go:build !solo || solo_lullpool

package impl

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/lullgo/lull/pool"
)

// autoIdleTimeout is the idle timeout of the autoscaled lull pool: short, so
// that the idle measurement, which starts only once it has passed, stays
// short too.
const autoIdleTimeout = time.Second

// lull-pool is lull's pool at a fixed size: every worker parks on a channel
// of its own and the pool arms no timer. lull-pool-q0 is the same with no
// backlog (pool.WithQueueSize(0)): Submit hands a task to a worker or waits
// for one, like the designs that hold no task waiting. lull-pool-auto starts at one
// worker and grows up to n for tasks that would otherwise wait, then lets
// the extra workers go after autoIdleTimeout; it is measured idle once they
// have gone, when its one timer should be disarmed again.
func init() {
	register(Impl{
		Name:       "lull-pool",
		Tag:        "lullpool",
		Doc:        "lull pool.New(n, pool.WithQueueSize(1024))",
		New:        func(n int) Pool { return newLullPool(n) },
		Throughput: true,
	})
	register(Impl{
		Name:       "lull-pool-q0",
		Tag:        "lullpool",
		Doc:        "lull pool.New(n, pool.WithQueueSize(0)): no backlog",
		New:        func(n int) Pool { return newLullPool(n, pool.WithQueueSize(0)) },
		Throughput: true,
	})
	register(Impl{
		Name: "lull-pool-auto",
		Tag:  "lullpool",
		Doc: fmt.Sprintf("lull pool.New(1, pool.WithMaxWorkers(n), pool.WithIdleTimeout(%v), pool.WithQueueSize(1024)), idle after the timeout",
			autoIdleTimeout),
		New: func(n int) Pool {
			return newLullPool(1, pool.WithMaxWorkers(n), pool.WithIdleTimeout(autoIdleTimeout))
		},
		Settle: func(p Pool) error {
			return p.(*lullPool).settle(1, autoIdleTimeout+30*time.Second)
		},
		Throughput: true,
	})
}

type lullPool struct{ p *pool.Pool }

func newLullPool(n int, opts ...pool.Option) *lullPool {
	return &lullPool{p: pool.New(n, append([]pool.Option{pool.WithQueueSize(QueueSize)}, opts...)...)}
}

func (l *lullPool) Submit(t func()) {
	l.submit(context.Background(), func(context.Context) { t() })
}

func (l *lullPool) submit(ctx context.Context, t pool.Task) {
	// The benchmarks never cancel ctx while they submit, so Submit fails
	// only once the pool is closed: a bug in the caller.
	if err := l.p.Submit(ctx, t); err != nil {
		panic("impl: lull pool Submit: " + err.Error())
	}
}

// RepeatContext converts t to a pool.Task once, so that the benchmarks do
// not count a closure per submission, and submits it under ctx.
func (l *lullPool) RepeatContext(ctx context.Context, t func()) func() {
	task := func(context.Context) { t() }
	return func() { l.submit(ctx, task) }
}

func (l *lullPool) Close() {
	if err := l.p.Close(context.Background()); err != nil {
		panic("impl: lull pool Close: " + err.Error())
	}
}

func (l *lullPool) Resize(n int) { l.p.Resize(n) }

// Live reports Stats().Workers: workers not yet told to exit, which is the
// pool's own notion of its size (a retired worker's goroutine may still be
// returning).
func (l *lullPool) Live() int { return l.p.Stats().Workers }

// Idle reports Stats().Idle: the workers parked for a task.
func (l *lullPool) Idle() int { return l.p.Stats().Idle }

// settle waits until the pool is down to n workers, and then until the
// retired workers' goroutines have returned (the number of goroutines stops
// falling), polling: benchmarks may poll, the library does not. Without the
// second wait, a measurement that starts the moment the last workers are
// retired counts their exits in its window.
func (l *lullPool) settle(n int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for l.p.Stats().Workers > n {
		if time.Now().After(deadline) {
			return fmt.Errorf("impl: lull pool still has %d workers after %v, want %d", l.p.Stats().Workers, limit, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for g := runtime.NumGoroutine(); ; {
		time.Sleep(10 * time.Millisecond)
		next := runtime.NumGoroutine()
		if next >= g {
			return nil
		}
		g = next
	}
}
