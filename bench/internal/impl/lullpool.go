//go:build !solo || solo_lullpool

package impl

import (
	"context"
	"fmt"
	"time"

	"github.com/lullgo/lull/pool"
)

// autoIdleTimeout is the idle timeout of the autoscaled lull pool: short, so
// that the idle measurement, which starts only once it has passed, stays
// short too.
const autoIdleTimeout = time.Second

// lull-pool is lull's pool at a fixed size: every worker parks on a channel
// of its own and the pool arms no timer. lull-pool-auto starts at one
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
	l.submit(func(context.Context) { t() })
}

func (l *lullPool) submit(t pool.Task) {
	// With a background ctx, Submit fails only once the pool is closed.
	if err := l.p.Submit(context.Background(), t); err != nil {
		panic("impl: lull pool Submit: " + err.Error())
	}
}

// Repeat converts t to a pool.Task once, so that the benchmarks do not
// count a closure per submission.
func (l *lullPool) Repeat(t func()) func() {
	task := func(context.Context) { t() }
	return func() { l.submit(task) }
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

// settle waits until the pool is down to n workers, polling: benchmarks may
// poll, the library does not.
func (l *lullPool) settle(n int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for l.p.Stats().Workers > n {
		if time.Now().After(deadline) {
			return fmt.Errorf("impl: lull pool still has %d workers after %v, want %d", l.p.Stats().Workers, limit, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}
