package bench_test

import (
	"context"
	"testing"

	"github.com/alitto/pond/v2"
	"github.com/lullgo/lull/bench/internal/impl"
	"github.com/lullgo/lull/pool"
)

// futureWorkers is the size of the pools whose futures are measured: small,
// so that the round trip, not the parallelism, is what is timed.
const futureWorkers = 2

// answer is what every future's function returns; each round trip checks
// it.
const answer = 42

// roundTrip starts the function and waits for its result, under ctx.
type roundTrip func(ctx context.Context) int

// futureImpl makes a roundTrip and the func that releases what it holds.
type futureImpl struct {
	name string
	new  func() (rt roundTrip, close func())
}

// futureImpls are the futures of BenchmarkFuture:
//
//   - lull-go: pool.Go and Future.Get on a lull pool of futureWorkers, both
//     given the ctx;
//   - goroutine: no pool, a goroutine per call writing into a channel of one,
//     the future a pool's must not be slower than;
//   - pond: pond's ResultPool of futureWorkers, SubmitErr and the task's Wait.
//
// goroutine and pond take no ctx of their own; under a cancellable ctx they
// wait with a select on ctx.Done() beside the result, as a caller holding a
// ctx writes it.
var futureImpls = []futureImpl{
	{"lull-go", func() (roundTrip, func()) {
		p := pool.New(futureWorkers, pool.WithQueueSize(impl.QueueSize))
		f := func(context.Context) (int, error) { return answer, nil }
		rt := func(ctx context.Context) int {
			fu, err := pool.Go(ctx, p, f)
			if err != nil {
				panic(err)
			}
			v, err := fu.Get(ctx)
			if err != nil {
				panic(err)
			}
			return v
		}
		return rt, func() {
			if err := p.Close(context.Background()); err != nil {
				panic(err)
			}
		}
	}},
	{"goroutine", func() (roundTrip, func()) {
		f := func() int { return answer }
		rt := func(ctx context.Context) int {
			ch := make(chan int, 1)
			go func() { ch <- f() }()
			done := ctx.Done()
			if done == nil {
				return <-ch
			}
			select {
			case v := <-ch:
				return v
			case <-done:
				panic(ctx.Err())
			}
		}
		return rt, func() {}
	}},
	{"pond", func() (roundTrip, func()) {
		p := pond.NewResultPool[int](futureWorkers)
		f := func() (int, error) { return answer, nil }
		rt := func(ctx context.Context) int {
			t := p.SubmitErr(f)
			if done := ctx.Done(); done != nil {
				select {
				case <-t.Done():
				case <-done:
					panic(ctx.Err())
				}
			}
			v, err := t.Wait()
			if err != nil {
				panic(err)
			}
			return v
		}
		return rt, p.StopAndWait
	}},
}

// BenchmarkFuture measures the round trip of a future: one caller starts a
// function that returns an int at once, and waits for its result, over and
// over. One op is one round trip; allocations are reported, since a future
// costs at least its own. Each runs under both ctx values (see benchCtx).
func BenchmarkFuture(b *testing.B) {
	for _, fi := range futureImpls {
		for _, c := range benchCtx {
			b.Run(fi.name+"/ctx="+c, func(b *testing.B) {
				withCtx(c, func(ctx context.Context) {
					rt, closeFn := fi.new()
					defer closeFn()
					if v := rt(ctx); v != answer {
						b.Fatalf("%s: got %d, want %d", fi.name, v, answer)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						if rt(ctx) != answer {
							b.Fatal("wrong result")
						}
					}
					b.StopTimer()
				})
			})
		}
	}
}
