package pool_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullgo/lull/pool"
)

// benchPool is what BenchmarkSubmit needs of a pool; chanPool is the
// baseline: a buffered channel ranged over by a fixed set of goroutines.
type benchPool interface {
	submit(ctx context.Context, t pool.Task)
	close()
}

type chanPool struct {
	tasks chan pool.Task
	wg    sync.WaitGroup
}

func newChanPool(workers, backlog int) *chanPool {
	c := &chanPool{tasks: make(chan pool.Task, backlog)}
	for range workers {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for t := range c.tasks {
				t(context.Background())
			}
		}()
	}
	return c
}

func (c *chanPool) submit(_ context.Context, t pool.Task) { c.tasks <- t }
func (c *chanPool) close()                                { close(c.tasks); c.wg.Wait() }

type lullPool struct{ p *pool.Pool }

func (l lullPool) submit(ctx context.Context, t pool.Task) { _ = l.p.Submit(ctx, t) }
func (l lullPool) close()                                  { _ = l.p.Close(context.Background()) }

var counter atomic.Int64

func tiny(context.Context) { counter.Add(1) }

// BenchmarkSubmit runs b.N tiny tasks (an atomic add) from 1 and 4
// submitters on 2 and 64 workers, start-up and shutdown included; ns/op is
// per task.
func BenchmarkSubmit(b *testing.B) {
	impls := []struct {
		name string
		make func(workers int) benchPool
	}{
		{"chan", func(w int) benchPool { return newChanPool(w, pool.DefaultQueueSize) }},
		{"lull", func(w int) benchPool { return lullPool{pool.New(w)} }},
	}
	for _, workers := range []int{2, 64} {
		for _, submitters := range []int{1, 4} {
			for _, impl := range impls {
				name := fmt.Sprintf("%s/workers=%d/submitters=%d", impl.name, workers, submitters)
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					bp := impl.make(workers)
					ctx := context.Background()
					var wg sync.WaitGroup
					for s := range submitters {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for range b.N/submitters + boolInt(s < b.N%submitters) {
								bp.submit(ctx, tiny)
							}
						}()
					}
					wg.Wait()
					bp.close()
				})
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkGo submits a function through Go and gets its result.
func BenchmarkGo(b *testing.B) {
	b.ReportAllocs()
	p := pool.New(2)
	defer p.Close(context.Background())
	ctx := context.Background()
	f := func(context.Context) (int, error) { return 1, nil }
	for b.Loop() {
		fu, _ := pool.Go(ctx, p, f)
		_, _ = fu.Get(ctx)
	}
}

// BenchmarkResize runs a pool through a cycle of growth and shrinkage: from
// 10 workers to 1,000 running 1,000 tasks at once (each waits until all
// have started), then back to 10 idle ones. grow-ns is how long until the
// 1,000 tasks run; resize-ns is how long Resize(10) takes once they have
// returned and their workers are idle; exit-ns is how long until the 990
// retired goroutines have returned. allocs/op counts what a cycle
// allocates, goroutines and spare workers (see spareWorker) included.
func BenchmarkResize(b *testing.B) {
	const from, to = 1000, 10
	p := pool.New(to)
	defer p.Close(context.Background())
	base := runtime.NumGoroutine()
	var started atomic.Int64
	var all, release chan struct{}
	task := func(context.Context) {
		if started.Add(1) == from {
			close(all)
		}
		<-release
	}
	var grow, resize, exit time.Duration
	b.ReportAllocs()
	for b.Loop() {
		started.Store(0)
		all, release = make(chan struct{}), make(chan struct{})
		start := time.Now()
		p.Resize(from)
		for range from {
			if err := p.Submit(context.Background(), task); err != nil {
				b.Fatal(err)
			}
		}
		<-all
		grow += time.Since(start)
		close(release)
		if err := p.Wait(context.Background()); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		p.Resize(to)
		resize += time.Since(start)
		for runtime.NumGoroutine() > base+to { // benchmark-side polling, to time the exits
			runtime.Gosched()
		}
		exit += time.Since(start)
	}
	perOp := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) }
	b.ReportMetric(perOp(grow), "grow-ns")
	b.ReportMetric(perOp(resize), "resize-ns")
	b.ReportMetric(perOp(exit), "exit-ns")
}
