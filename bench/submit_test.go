package bench_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/bench/internal/impl"
)

// BenchmarkSubmit measures the cost of pushing tiny tasks (one atomic add)
// through each pool, from submission to the last task's completion. One op
// is one task, so ns/op reads as ns/task. Pool start-up and shutdown are
// outside the timer.
func BenchmarkSubmit(b *testing.B) {
	for _, i := range impl.All() {
		if !i.Throughput {
			continue
		}
		for _, workers := range []int{2, 64} {
			for _, submitters := range []int{1, 4} {
				name := fmt.Sprintf("%s/workers=%d/submitters=%d", i.Name, workers, submitters)
				b.Run(name, func(b *testing.B) {
					benchSubmit(b, i, workers, submitters)
				})
			}
		}
	}
}

func benchSubmit(b *testing.B, i impl.Impl, workers, submitters int) {
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
	submit := impl.Submitter(p, task)
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
