package bench_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/bench/internal/impl"
)

// benchCtx is the ctx dimension of every throughput family: "background"
// passes context.Background(), whose Done channel is nil, and "cancel" a
// context.WithCancel of it, as a caller holding a request's ctx passes;
// its Done channel is not nil, so a select on it cannot be skipped. The key
// comes last in each name, so that `benchstat -col /ctx` sets the two side
// by side.
var benchCtx = []string{"background", "cancel"}

// withCtx runs bench under the ctx named by name; the cancellable ctx is
// cancelled only once bench has returned.
func withCtx(name string, bench func(ctx context.Context)) {
	if name == "background" {
		bench(context.Background())
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bench(ctx)
}

// BenchmarkSubmit measures the cost of pushing tiny tasks (one atomic add)
// through each pool, from submission to the last task's completion. One op
// is one task, so ns/op reads as ns/task. Pool start-up and shutdown are
// outside the timer. Pools whose submission can wait under a ctx (lull's
// pool and queue, and the channel pools with a select on ctx.Done()) run
// under both ctx values; the others only under ctx=background.
func BenchmarkSubmit(b *testing.B) {
	for _, i := range impl.All() {
		if !i.Throughput {
			continue
		}
		ctxs := benchCtx[:1]
		if takesCtx(i) {
			ctxs = benchCtx
		}
		for _, workers := range []int{2, 64} {
			for _, submitters := range []int{1, 4} {
				for _, c := range ctxs {
					name := fmt.Sprintf("%s/workers=%d/submitters=%d/ctx=%s", i.Name, workers, submitters, c)
					b.Run(name, func(b *testing.B) {
						withCtx(c, func(ctx context.Context) {
							benchSubmit(b, ctx, i, workers, submitters)
						})
					})
				}
			}
		}
	}
}

// takesCtx reports whether i can bound its submissions by a cancellable
// ctx.
func takesCtx(i impl.Impl) bool {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := i.New(1)
	defer p.Close()
	_, ok := impl.Submitter(ctx, p, func() {})
	return ok
}

func benchSubmit(b *testing.B, ctx context.Context, i impl.Impl, workers, submitters int) {
	p := i.New(workers)
	defer p.Close()
	var ran atomic.Int64
	finished := make(chan struct{})
	total := int64(b.N)
	task := func() {
		if ran.Add(1) == total {
			close(finished)
		}
	}
	submit, _ := impl.Submitter(ctx, p, task)
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for s := range submitters {
		n := b.N / submitters
		if s < b.N%submitters {
			n++
		}
		wg.Go(func() {
			for range n {
				submit()
			}
		})
	}
	wg.Wait()
	<-finished
	b.StopTimer()
}
