package bench_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/lullgo/lull/bench/internal/impl"
)

const (
	resizeFrom = 1000
	resizeTo   = 10
	// resizeLimit bounds every wait so that a pool that never shrinks fails
	// the benchmark instead of hanging it.
	resizeLimit = 30 * time.Second
)

// BenchmarkResize measures how long a pool of 1,000 idle workers takes to
// get down to 10 live workers after being told to (down), and how long it
// then takes, once told to grow back, until 1,000 tasks run at the same
// time (up). Only pools implementing impl.Resizer take part; ants shrinks
// only when its purge ticker finds workers idle past their expiry, so its
// down time is that of its purge. Pools that keep no idle workers (pond:
// a worker exits when the queue is empty) are skipped, as they never hold
// 1,000 idle workers to shrink.
func BenchmarkResize(b *testing.B) {
	for _, i := range impl.All() {
		if i.New == nil {
			continue
		}
		probe := i.New(1)
		_, ok := probe.(impl.Resizer)
		probe.Close()
		if !ok {
			continue
		}
		b.Run(i.Name+"/down", func(b *testing.B) { benchResize(b, i, true) })
		b.Run(i.Name+"/up", func(b *testing.B) { benchResize(b, i, false) })
	}
}

func benchResize(b *testing.B, i impl.Impl, down bool) {
	p := i.New(resizeFrom)
	defer p.Close()
	r := p.(impl.Resizer)
	if err := impl.Warm(p, resizeFrom, resizeLimit); err != nil {
		b.Fatal(err)
	}
	if n := r.Live(); n < resizeFrom {
		b.Skipf("%s keeps %d live workers after a warm-up of %d: no idle workers to shrink", i.Name, n, resizeFrom)
	}
	b.ResetTimer()
	for range b.N {
		if down {
			r.Resize(resizeTo)
			waitLive(b, r, resizeTo)
			b.StopTimer()
			r.Resize(resizeFrom)
			if err := impl.Warm(p, resizeFrom, resizeLimit); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		} else {
			b.StopTimer()
			r.Resize(resizeTo)
			waitLive(b, r, resizeTo)
			b.StartTimer()
			r.Resize(resizeFrom)
			if err := impl.Warm(p, resizeFrom, resizeLimit); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// waitLive polls until r reports at most n live workers. Polling is fine in
// a benchmark (the library itself never polls); yielding between polls
// keeps the poller from starving the workers on a small machine.
func waitLive(b *testing.B, r impl.Resizer, n int) {
	deadline := time.Now().Add(resizeLimit)
	for r.Live() > n {
		if time.Now().After(deadline) {
			b.Fatalf("still %d live workers %v after Resize(%d)", r.Live(), resizeLimit, n)
		}
		runtime.Gosched()
	}
}
