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

// BenchmarkResize measures, for each pool that can resize (impl.Resizer):
//
//   - down: a pool of 1,000 idle workers (all parked, for the pools that
//     say so: see impl.Idler) is told to keep 10. ns/op runs until both of
//     the following hold, and three metrics say when each point was
//     reached: call-ns/op, Resize has returned; live-ns/op, the pool's own
//     count (impl.Resizer.Live) reads 10 or fewer; exit-ns/op, the 990
//     retired goroutines have all exited (runtime.NumGoroutine is down by
//     990 from the warmed pool's count, see waitShrunk).
//   - up: a pool of 10 workers, whose retired goroutines are gone, is told
//     to grow to 1,000; ns/op runs until 1,000 tasks run at once, and
//     call-ns/op until Resize returned.
//
// Each timed op starts after runtime.GC(), for every pool: otherwise a
// collection that the untimed warm-up made due (it starts goroutines and
// submits tasks, which allocate tens to hundreds of KB depending on the
// pool) may mark during the op, which then pays for work not its own. The
// ops themselves are measured as they are, with what they allocate
// (-benchmem): none for the shrinks of lull and sync-shrink.
//
// sync-shrink (internal/impl) is the reference for the goroutine exit: its
// Resize stops and joins each retired worker before it returns, as tunny's
// does. ants shrinks only when its purge ticker finds workers idle past
// their expiry (1 s by default), so its down time is that of its purge.
// pond keeps no idle workers (a worker exits when the queue is empty), so
// it has nothing to shrink and takes part in up only.
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
		if !i.IdleExit {
			b.Run(i.Name+"/down", func(b *testing.B) { benchShrink(b, i) })
		}
		b.Run(i.Name+"/up", func(b *testing.B) { benchGrow(b, i) })
	}
}

// warmed is a pool of resizeFrom workers that have all run a task at once,
// with what the shrink waits for.
type warmed struct {
	p impl.Pool
	r impl.Resizer
	// base is runtime.NumGoroutine() before the pool was made.
	base int
}

func newWarmed(b *testing.B, i impl.Impl) *warmed {
	w := &warmed{base: runtime.NumGoroutine()}
	w.p = i.New(resizeFrom)
	w.r = w.p.(impl.Resizer)
	w.warm(b)
	return w
}

// warm resizes to resizeFrom and runs resizeFrom tasks at once, then, for a
// pool that reports its idle workers (impl.Idler), waits until all of them
// are parked, polling as waitShrunk does.
func (w *warmed) warm(b *testing.B) {
	w.r.Resize(resizeFrom)
	if err := impl.Warm(w.p, resizeFrom, resizeLimit); err != nil {
		b.Fatal(err)
	}
	id, ok := w.p.(impl.Idler)
	if !ok {
		return
	}
	start := time.Now()
	for id.Idle() < resizeFrom {
		if time.Since(start) > resizeLimit {
			b.Fatalf("%v after the warm-up: %d of %d workers idle", resizeLimit, id.Idle(), resizeFrom)
		}
		runtime.Gosched()
	}
}

// shrinkTarget returns the goroutine count at which the workers retired by
// a shrink from the warm pool's resizeFrom to resizeTo have all exited: the
// count now, less resizeFrom-resizeTo. The count now includes the pool's
// helper goroutines (ants has two), which stay. It is taken once impl.Warm
// has returned; Warm's own submitting goroutine has then returned from its
// function, and has had the time all resizeFrom tasks took to return to
// leave the count, so the target is exact but for that goroutine's last
// steps.
func (w *warmed) shrinkTarget() int {
	return runtime.NumGoroutine() - (resizeFrom - resizeTo)
}

func benchShrink(b *testing.B, i impl.Impl) {
	w := newWarmed(b, i)
	defer w.p.Close()
	if n := w.r.Live(); n < resizeFrom {
		b.Fatalf("%s keeps %d live workers after a warm-up of %d", i.Name, n, resizeFrom)
	}
	var call, live, exit time.Duration
	runtime.GC()
	b.ResetTimer()
	for range b.N {
		target := w.shrinkTarget()
		start := time.Now()
		w.r.Resize(resizeTo)
		call += time.Since(start)
		l, e := waitShrunk(b, w.r, target, start)
		b.StopTimer()
		live += l
		exit += e
		w.warm(b)
		runtime.GC()
		b.StartTimer()
	}
	b.StopTimer()
	perOp := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) }
	b.ReportMetric(perOp(call), "call-ns/op")
	b.ReportMetric(perOp(live), "live-ns/op")
	b.ReportMetric(perOp(exit), "exit-ns/op")
}

func benchGrow(b *testing.B, i impl.Impl) {
	w := newWarmed(b, i)
	defer w.p.Close()
	var call time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		target := w.shrinkTarget()
		w.r.Resize(resizeTo)
		if i.IdleExit {
			// Its workers leave by themselves once idle: wait for the
			// pool's count only.
			target = -1
		}
		waitShrunk(b, w.r, target, time.Now())
		runtime.GC()
		b.StartTimer()
		start := time.Now()
		w.r.Resize(resizeFrom)
		call += time.Since(start)
		if err := impl.RunAtOnce(w.p, resizeFrom, resizeLimit, b.StopTimer); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(call.Nanoseconds())/float64(b.N), "call-ns/op")
}

// waitShrunk waits until r reports at most resizeTo live workers and, unless
// target < 0, runtime.NumGoroutine() reads at most target, and returns how
// long after start each held first. The runtime tells no one when a
// goroutine exits, so this polls: it yields between reads (see yieldPoll),
// never sleeps, which lets the exiting goroutines run and reads each point
// within a scheduling round of when it is reached. The polling is the
// benchmark's own; lull itself never polls.
func waitShrunk(b *testing.B, r impl.Resizer, target int, start time.Time) (live, exit time.Duration) {
	liveDone, exitDone := false, target < 0
	for {
		if !liveDone && r.Live() <= resizeTo {
			live, liveDone = time.Since(start), true
		}
		if !exitDone && runtime.NumGoroutine() <= target {
			exit, exitDone = time.Since(start), true
		}
		if liveDone && exitDone {
			return live, exit
		}
		if time.Since(start) > resizeLimit {
			b.Fatalf("%v after Resize(%d): %d live workers, %d goroutines (want at most %d)",
				resizeLimit, resizeTo, r.Live(), runtime.NumGoroutine(), target)
		}
		yieldPoll()
	}
}

// yieldPoll is the yield of waitShrunk's loop: its thread's CPU to any
// other thread that wants it (yieldThread), then its P to the goroutines
// that are ready (runtime.Gosched).
//
// The Go yield alone keeps both CPUs busy while a pool's retired
// goroutines exit after Resize returned: the poller on one P, the exits on
// the other. A neighbour on the shared host then gets a CPU only by
// preempting one of those threads. When it preempts the thread of the
// exits, they wait for the kernel to run it again, since the poller's P
// finds the poller on the global queue each time it yields and steals
// nothing. A shrink that joins its workers (sync-shrink) leaves a CPU idle
// while it waits, so it was never caught so. lull-pool's down, 120 shrinks
// in 6 processes with each poller: Gosched alone, 9 over 2 ms (3.7-5 ms,
// with a CPU time close to the wall time and 7-10 involuntary context
// switches each), a mean of 848 µs; with the thread's yield first, 1 over
// 2 ms, a mean of 638 µs. sync-shrink's: 597 and 608 µs, none over 2 ms.
func yieldPoll() {
	yieldThread()
	runtime.Gosched()
}
