package impl_test

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullgo/lull/bench/internal/impl"
)

// TestPools checks every adapter the same way: n tasks submitted from
// several goroutines all run exactly once, Warm really makes the workers
// exist at the same time, and Close returns.
func TestPools(t *testing.T) {
	for _, i := range impl.All() {
		if i.New == nil {
			continue
		}
		t.Run(i.Name, func(t *testing.T) {
			t.Parallel()
			const workers, submitters, perSubmitter = 8, 4, 250
			p := i.New(workers)
			if err := impl.Warm(p, workers, 10*time.Second); err != nil {
				t.Fatalf("Warm: %v", err)
			}
			var ran atomic.Int64
			var wg sync.WaitGroup
			for range submitters {
				wg.Go(func() {
					for range perSubmitter {
						p.Submit(func() { ran.Add(1) })
					}
				})
			}
			wg.Wait()
			p.Close()
			if got, want := ran.Load(), int64(submitters*perSubmitter); got != want {
				t.Errorf("tasks run = %d, want %d", got, want)
			}
		})
	}
}

// TestWarmTimeout checks that Warm reports a pool that cannot run n tasks
// at once instead of hanging, and leaves it usable for Close.
func TestWarmTimeout(t *testing.T) {
	i, ok := impl.Lookup("channel")
	if !ok {
		t.Fatal("channel adapter not registered")
	}
	p := i.New(2)
	err := impl.Warm(p, 3, 50*time.Millisecond)
	if err == nil {
		t.Fatal("Warm(3 tasks on 2 workers) = nil, want an error")
	}
	p.Close()
}

func TestRegistry(t *testing.T) {
	var names []string
	for _, i := range impl.All() {
		names = append(names, i.Name)
		if i.Tag == "" || i.Doc == "" {
			t.Errorf("%s: Tag %q and Doc %q must both be set", i.Name, i.Tag, i.Doc)
		}
		if got, ok := impl.Lookup(i.Name); !ok || got.Name != i.Name {
			t.Errorf("Lookup(%q) = %q, %v", i.Name, got.Name, ok)
		}
	}
	// The floors come first so that tables read from the bottom up.
	if len(names) < 2 || names[0] != "runtime-floor" || names[1] != "channel" {
		t.Errorf("All() starts %v, want runtime-floor, channel", names)
	}
	for _, want := range []string{
		"ants", "pond", "workerpool", "conc", "errgroup", "poll-1s", "poll-100ms", "lull-queue",
		"channel-q0", "lull-pool-q0", "sync-shrink",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("All() lacks %q: %v", want, names)
		}
	}
	if _, ok := impl.Lookup("no-such-pool"); ok {
		t.Error(`Lookup("no-such-pool") found something`)
	}
}

// TestSubmitter checks which pools can be measured under a cancellable ctx,
// and that what Submitter returns submits, under either ctx.
func TestSubmitter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	takesCtx := []string{"channel", "channel-q0", "lull-pool", "lull-pool-q0", "lull-pool-auto", "lull-queue"}
	for _, i := range impl.All() {
		if i.New == nil {
			continue
		}
		for _, c := range []struct {
			name string
			ctx  context.Context
		}{{"background", context.Background()}, {"cancel", ctx}} {
			p := i.New(2)
			var ran atomic.Int64
			submit, ok := impl.Submitter(c.ctx, p, func() { ran.Add(1) })
			if want := c.name == "background" || slices.Contains(takesCtx, i.Name); ok != want {
				t.Errorf("%s: Submitter(ctx=%s) ok = %v, want %v", i.Name, c.name, ok, want)
			}
			if ok {
				for range 100 {
					submit()
				}
			}
			p.Close()
			if want := map[bool]int64{true: 100}[ok]; ran.Load() != want {
				t.Errorf("%s, ctx=%s: %d tasks ran, want %d", i.Name, c.name, ran.Load(), want)
			}
		}
	}
}

// running wraps a Pool and counts the tasks running at the moment.
type running struct {
	impl.Pool
	now atomic.Int64
}

func (r *running) Submit(t func()) {
	r.Pool.Submit(func() {
		r.now.Add(1)
		defer r.now.Add(-1)
		t()
	})
}

// TestRunAtOnce checks that allRunning is called while all n tasks run, and
// once.
func TestRunAtOnce(t *testing.T) {
	i, _ := impl.Lookup("channel")
	r := &running{Pool: i.New(5)}
	calls := 0
	err := impl.RunAtOnce(r, 5, 10*time.Second, func() {
		calls++
		if n := r.now.Load(); n != 5 {
			t.Errorf("allRunning called with %d tasks running, want 5", n)
		}
	})
	if err != nil || calls != 1 {
		t.Errorf("RunAtOnce = %v, with %d calls of allRunning; want nil and 1", err, calls)
	}
	r.Close()
}

// TestSyncShrinkJoins checks that the synchronous shrink lets a busy worker
// finish its task before Resize returns.
func TestSyncShrinkJoins(t *testing.T) {
	i, _ := impl.Lookup("sync-shrink")
	p := i.New(1)
	r := p.(impl.Resizer)
	started, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	p.Submit(func() {
		close(started)
		<-release
		finished.Store(true)
	})
	<-started
	resized := make(chan bool)
	go func() {
		r.Resize(0)
		resized <- finished.Load()
	}()
	close(release)
	if !<-resized {
		t.Error("Resize(0) returned before the busy worker's task did")
	}
	if n := r.Live(); n != 0 {
		t.Errorf("Live() = %d after Resize(0), want 0", n)
	}
	r.Resize(2)
	if n := r.Live(); n != 2 {
		t.Errorf("Live() = %d after Resize(2), want 2", n)
	}
	p.Close()
}

// TestIdle checks lull's impl.Idler, which BenchmarkResize waits on before
// it shrinks: no worker is idle before the first task, and every worker
// that ran one parks again.
func TestIdle(t *testing.T) {
	const n = 8
	var i impl.Impl
	for _, c := range impl.All() {
		if c.Name == "lull-pool" {
			i = c
		}
	}
	p := i.New(n)
	defer p.Close()
	id, ok := p.(impl.Idler)
	if !ok {
		t.Fatal("lull-pool does not implement impl.Idler")
	}
	if got := id.Idle(); got != 0 {
		t.Errorf("Idle() = %d before any task, want 0", got)
	}
	if err := impl.Warm(p, n, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// The workers park once they are back from their tasks: wait for it,
	// yielding, as BenchmarkResize does.
	deadline := time.Now().Add(30 * time.Second)
	for got := id.Idle(); got != n; got = id.Idle() {
		if got > n || time.Now().After(deadline) {
			t.Fatalf("Idle() = %d after the warm-up, want %d", got, n)
		}
		runtime.Gosched()
	}
	// A worker running a task is not idle.
	started, release := make(chan struct{}), make(chan struct{})
	p.Submit(func() {
		close(started)
		<-release
	})
	<-started
	if got := id.Idle(); got != n-1 {
		t.Errorf("Idle() = %d with one task running, want %d", got, n-1)
	}
	close(release)
}
