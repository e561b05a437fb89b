package bench_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/lullgo/lull/bench/internal/impl"
	"github.com/lullgo/lull/queue"
)

// fifo is what BenchmarkQueue needs of a queue: a blocking put and get.
type fifo interface {
	put(v int)
	get() int
}

type chanFIFO chan int

func (c chanFIFO) put(v int) { c <- v }
func (c chanFIFO) get() int  { return <-c }

// lullFIFO adapts both lull queue types, which share their method set.
type lullFIFO struct {
	q interface {
		Put(ctx context.Context, v int) error
		Get(ctx context.Context) (int, error)
	}
}

func (l lullFIFO) put(v int) {
	if err := l.q.Put(context.Background(), v); err != nil {
		panic(err)
	}
}

func (l lullFIFO) get() int {
	v, err := l.q.Get(context.Background())
	if err != nil {
		panic(err)
	}
	return v
}

// BenchmarkQueue moves b.N ints through a queue of impl.QueueSize items,
// with as many producers as consumers. One op is one item passed from a
// producer to a consumer. The buffered channel is the floor.
func BenchmarkQueue(b *testing.B) {
	queues := []struct {
		name string
		new  func() fifo
	}{
		{"channel", func() fifo { return make(chanFIFO, impl.QueueSize) }},
		{"lull-queue", func() fifo { return lullFIFO{queue.New[int](impl.QueueSize)} }},
		{"lull-priority", func() fifo {
			return lullFIFO{queue.NewPriority(impl.QueueSize, func(a, b int) bool { return a < b })}
		}},
	}
	for _, q := range queues {
		for _, n := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/producers=%d/consumers=%d", q.name, n, n), func(b *testing.B) {
				benchQueue(b, q.new(), n)
			})
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
