package queue_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lullgo/lull/queue"
)

// benchQueue is what a benchmark needs of a queue; chanQueue gives a plain
// buffered channel the same shape, as the baseline.
type benchQueue interface {
	Put(ctx context.Context, v int) error
	Get(ctx context.Context) (int, error)
}

type chanQueue chan int

// Put and Get are a plain send and receive: the floor a user would write by
// hand, not a select on ctx.
func (c chanQueue) Put(_ context.Context, v int) error { c <- v; return nil }
func (c chanQueue) Get(context.Context) (int, error)   { return <-c, nil }

const benchCap = 128

var benchImpls = []struct {
	name string
	make func() benchQueue
}{
	{"chan", func() benchQueue { return make(chanQueue, benchCap) }},
	{"Queue", func() benchQueue { return queue.New[int](benchCap) }},
	{"Priority", func() benchQueue { return queue.NewPriority(benchCap, func(a, b int) bool { return a < b }) }},
}

// share splits n into k nearly equal parts.
func share(n, k, i int) int {
	s := n / k
	if i < n%k {
		s++
	}
	return s
}

// BenchmarkPutGet moves b.N items through a queue of capacity 128 from
// producers to consumers; ns/op is per item.
func BenchmarkPutGet(b *testing.B) {
	for _, pc := range []struct{ p, c int }{{1, 1}, {4, 4}} {
		for _, impl := range benchImpls {
			b.Run(fmt.Sprintf("%dx%d/%s", pc.p, pc.c, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				q := impl.make()
				ctx := context.Background()
				var wg sync.WaitGroup
				b.ResetTimer()
				for i := range pc.p {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for j := range share(b.N, pc.p, i) {
							_ = q.Put(ctx, j)
						}
					}()
				}
				for i := range pc.c {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range share(b.N, pc.c, i) {
							_, _ = q.Get(ctx)
						}
					}()
				}
				wg.Wait()
			})
		}
	}
}

// BenchmarkTake compares taking items one Get at a time with GetBatch(…, 64)
// on a queue that is filled between rounds; take-ns/item times the taking only.
func BenchmarkTake(b *testing.B) {
	const batch = 64
	for _, mode := range []string{"Get", "GetBatch64"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			q := queue.New[int](batch)
			buf := make([]int, 0, batch)
			var taking time.Duration
			for moved := 0; moved < b.N; moved += batch {
				for i := range batch {
					_ = q.TryPut(i)
				}
				start := time.Now()
				if mode == "Get" {
					for range batch {
						_, _ = q.Get(ctx)
					}
				} else {
					buf, _ = q.GetBatch(ctx, buf[:0], batch)
				}
				taking += time.Since(start)
			}
			b.ReportMetric(float64(taking.Nanoseconds())/float64(b.N), "take-ns/item")
		})
	}
}
