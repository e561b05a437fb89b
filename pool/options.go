package pool

import (
	"time"

	"github.com/lullgo/lull/internal/slots"
)

// DefaultQueueSize is the backlog of a pool made without [WithQueueSize]: the
// tasks it accepts beyond those its workers are running before Submit blocks.
const DefaultQueueSize = 1024

// DefaultIdleTimeout is how long a worker above [Pool.Size] started by
// autoscaling ([WithMaxWorkers]) stays idle before it exits, unless
// [WithIdleTimeout] says otherwise.
const DefaultIdleTimeout = 5 * time.Second

// An Option configures a Pool made by [New].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	queueSize   int
	maxWorkers  int
	idleTimeout time.Duration
	onPanic     func(*PanicError)
}

func newConfig(opts []Option) config {
	c := config{queueSize: DefaultQueueSize, idleTimeout: DefaultIdleTimeout}
	for _, o := range opts {
		o.apply(&c)
	}
	return c
}

// WithQueueSize bounds the backlog: the tasks accepted while every worker is
// busy, not yet started. Submit blocks, and TrySubmit fails with [ErrFull],
// while the backlog is full. With n = 0 there is no backlog: a task is
// accepted only when a worker takes it at once. The default is
// [DefaultQueueSize]. Like a buffered channel's, the backlog's n slots are
// allocated when the pool is made, and like make, [New] panics if they are
// too many to allocate. WithQueueSize panics if n < 0, or if n exceeds 2^62
// (2^30 on 32-bit platforms), where rounding the slots up to a power of two
// would overflow.
func WithQueueSize(n int) Option {
	if n < 0 {
		panic("pool: WithQueueSize with n < 0")
	}
	if n > slots.MaxCap {
		panic("pool: WithQueueSize with n > 2^62 (2^30 on 32-bit platforms)")
	}
	return optionFunc(func(c *config) { c.queueSize = n })
}

// WithMaxWorkers lets the pool start workers beyond [Pool.Size], up to n in
// all, for tasks that would otherwise wait in the backlog. Those extra
// workers exit once idle for the idle timeout ([WithIdleTimeout]), back down
// to Size. A paused pool (Size 0) starts none. WithMaxWorkers panics if n < 0;
// an n below Size has no effect.
func WithMaxWorkers(n int) Option {
	if n < 0 {
		panic("pool: WithMaxWorkers with n < 0")
	}
	return optionFunc(func(c *config) { c.maxWorkers = n })
}

// WithIdleTimeout sets how long a worker above [Pool.Size] stays idle before
// it exits; the default is [DefaultIdleTimeout]. It matters only with
// [WithMaxWorkers]: workers up to Size never time out. While some worker above
// Size is idle the pool arms a single timer; otherwise it arms none.
// WithIdleTimeout panics if d <= 0.
func WithIdleTimeout(d time.Duration) Option {
	if d <= 0 {
		panic("pool: WithIdleTimeout with d <= 0")
	}
	return optionFunc(func(c *config) { c.idleTimeout = d })
}

// WithPanicHandler sets f to receive the panics of tasks run through Submit
// and TrySubmit, on the worker that ran the task, before the task counts as
// completed. f must not panic. Without a handler, such a panic is panicked
// again in the next caller of Wait, Close or Stop. Panics in the functions of
// [Go] and [Pool.Group] are their error instead, and never reach f.
func WithPanicHandler(f func(*PanicError)) Option {
	return optionFunc(func(c *config) { c.onPanic = f })
}
