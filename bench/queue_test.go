package bench_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/lullgo/lull/bench/internal/heapq"
	"github.com/lullgo/lull/bench/internal/impl"
	"github.com/lullgo/lull/queue"
)

// fifo is what BenchmarkQueue needs of a queue: a blocking put and get.
type fifo interface {
	put(v int)
	get() int
}

// chanFIFO is a buffered channel; with a cancellable ctx it selects on
// ctx.Done() beside each send and receive, as a caller holding a ctx writes
// it.
type chanFIFO struct {
	c    chan int
	done <-chan struct{}
}

func (c chanFIFO) put(v int) {
	if c.done == nil {
		c.c <- v
		return
	}
	select {
	case c.c <- v:
	case <-c.done:
		panic("bench: channel send after cancel")
	}
}

func (c chanFIFO) get() int {
	if c.done == nil {
		return <-c.c
	}
	select {
	case v := <-c.c:
		return v
	case <-c.done:
		panic("bench: channel receive after cancel")
	}
}

// lullFIFO adapts both lull queue types, which share their method set, and
// passes ctx to every call.
type lullFIFO struct {
	ctx context.Context
	q   interface {
		Put(ctx context.Context, v int) error
		Get(ctx context.Context) (int, error)
	}
}

func (l lullFIFO) put(v int) {
	if err := l.q.Put(l.ctx, v); err != nil {
		panic(err)
	}
}

func (l lullFIFO) get() int {
	v, err := l.q.Get(l.ctx)
	if err != nil {
		panic(err)
	}
	return v
}

// heapFIFO is the mutex and container/heap queue; it takes no ctx.
type heapFIFO struct{ q *heapq.Queue[int] }

func (h heapFIFO) put(v int) { h.q.Put(v) }
func (h heapFIFO) get() int  { return h.q.Get() }

func less(a, b int) bool { return a < b }

// BenchmarkQueue moves b.N ints through a queue of impl.QueueSize items,
// with as many producers as consumers. One op is one item passed from a
// producer to a consumer. The buffered channel is the floor of the FIFOs;
// lull's Priority is set beside mutex-heap (internal/heapq: a sync.Mutex,
// container/heap and two sync.Conds) of the same capacity and order. The
// queues that take a ctx run under both ctx values (see benchCtx);
// mutex-heap, which takes none, only under ctx=background.
func BenchmarkQueue(b *testing.B) {
	queues := []struct {
		name     string
		takesCtx bool
		new      func(ctx context.Context) fifo
	}{
		{"channel", true, func(ctx context.Context) fifo { return chanFIFO{make(chan int, impl.QueueSize), ctx.Done()} }},
		{"lull-queue", true, func(ctx context.Context) fifo { return lullFIFO{ctx, queue.New[int](impl.QueueSize)} }},
		{"lull-priority", true, func(ctx context.Context) fifo { return lullFIFO{ctx, queue.NewPriority(impl.QueueSize, less)} }},
		{"mutex-heap", false, func(context.Context) fifo { return heapFIFO{heapq.New(impl.QueueSize, less)} }},
	}
	for _, q := range queues {
		ctxs := benchCtx[:1]
		if q.takesCtx {
			ctxs = benchCtx
		}
		for _, n := range []int{1, 4} {
			for _, c := range ctxs {
				b.Run(fmt.Sprintf("%s/producers=%d/consumers=%d/ctx=%s", q.name, n, n, c), func(b *testing.B) {
					withCtx(c, func(ctx context.Context) { benchQueue(b, q.new(ctx), n) })
				})
			}
		}
	}
}

func benchQueue(b *testing.B, q fifo, n int) {
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for s := range n {
		// Each side splits b.N the same way, so every get has its put.
		count := b.N / n
		if s < b.N%n {
			count++
		}
		wg.Go(func() {
			for j := range count {
				q.put(j)
			}
		})
		wg.Go(func() {
			for range count {
				q.get()
			}
		})
	}
	wg.Wait()
}
