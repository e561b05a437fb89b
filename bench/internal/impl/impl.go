// Package impl puts every worker pool the suite compares behind one small
// interface. Each implementation lives in its own file, which registers it
// from an init func and carries a build constraint of the form
//
//	//go:build !solo || solo_<tag>
//
// so a build without tags (the benchmarks, the tests) has all of them, while
// a build with -tags solo,solo_<tag> links exactly one. The idle measurement
// needs that: some libraries start goroutines as soon as they are imported
// (ants builds a default pool at init), which would wake every other
// implementation's process too. Adding a competitor is adding one file.
package impl

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// QueueSize is the task buffer given to every implementation that takes
// one (the channel pools, lull), so that none wins by buffering more.
const QueueSize = 1024

// Pool runs tasks on a set of worker goroutines.
type Pool interface {
	// Submit hands t to the pool, blocking while the pool cannot take it.
	// It is safe for concurrent use.
	Submit(t func())
	// Close waits until every submitted task has returned and the pool's
	// goroutines have exited (or, for libraries that cannot be joined, have
	// been told to). The pool is not used after Close.
	Close()
}

// Resizer is implemented by pools whose worker count can change while they
// run.
type Resizer interface {
	// Resize sets the target number of workers. It need not wait.
	Resize(n int)
	// Live reports how many workers the pool says exist right now.
	Live() int
}

// Idler is implemented by pools that report how many of their workers are
// parked, waiting for a task. BenchmarkResize waits for all of them before
// it tells a warmed pool to shrink: a worker still on its way back from the
// warm-up's task (lull's yields once before it parks) is not idle, and one
// that exits from there, without being woken, would make the shrink look
// cheaper than that of idle workers.
type Idler interface {
	Idle() int
}

// Repeater is implemented by adapters whose library takes a task type other
// than func(). Repeat converts t once and returns a func that submits the
// converted task, so that a benchmark submitting the same task over and over
// does not count a conversion (a closure allocation) per submission.
type Repeater interface {
	Repeat(t func()) (submit func())
}

// ContextRepeater is implemented by adapters that can bound each submission's
// wait for room by a context, as a caller holding a request's ctx does: lull's
// pool and queue take the ctx themselves, and the channel pools select on
// ctx.Done() beside the send. RepeatContext is Repeat with every submission
// under ctx; a submission refused because ctx is done panics, since the
// benchmarks never cancel while they submit.
type ContextRepeater interface {
	RepeatContext(ctx context.Context, t func()) (submit func())
}

// Submitter returns a func that submits t to p, each submission under ctx,
// through RepeatContext or Repeat where p implements them. ok is false when
// ctx can be cancelled (its Done channel is not nil) and p has no way to
// honour it: such a pool is only measured with context.Background().
func Submitter(ctx context.Context, p Pool, t func()) (submit func(), ok bool) {
	if r, ok := p.(ContextRepeater); ok {
		return r.RepeatContext(ctx, t), true
	}
	if ctx.Done() != nil {
		return nil, false
	}
	if r, ok := p.(Repeater); ok {
		return r.Repeat(t), true
	}
	return func() { p.Submit(t) }, true
}

// Impl describes one implementation.
type Impl struct {
	// Name identifies the implementation in flags, tables and benchmark
	// names, e.g. "ants".
	Name string
	// Tag selects the file that defines it: build with -tags solo,solo_<Tag>
	// to link it alone.
	Tag string
	// Doc says in a few words what is measured, for table footnotes.
	Doc string
	// New returns a pool of workers workers. It is nil for the runtime
	// floor, which has no pool at all.
	New func(workers int) Pool
	// Settle, if set, is called after warm-up and before the idle window,
	// and blocks until the pool has reached its resting state (for an
	// autoscaled pool: its idle timeout has passed and it has shrunk).
	Settle func(p Pool) error
	// Throughput reports whether the pool takes part in the throughput
	// benchmarks; the runtime floor does not.
	Throughput bool
	// IdleExit reports that a worker exits as soon as it finds no task
	// (pond): an idle pool holds no workers, so there are none to shrink.
	IdleExit bool
}

var (
	mu       sync.Mutex
	registry = map[string]Impl{}
)

// register adds i to the registry. It is called from the init funcs of the
// adapter files and panics on a duplicate name, which is a programming
// error.
func register(i Impl) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[i.Name]; dup {
		panic("impl: duplicate name " + i.Name)
	}
	registry[i.Name] = i
}

// order fixes the row order of tables: floors first, then lull, then the
// rest by name. Names not listed sort after these, by name.
var order = []string{
	"runtime-floor", "channel", "channel-q0", "lull-pool", "lull-pool-q0",
	"lull-pool-auto", "lull-queue", "sync-shrink", "poll-1s", "poll-100ms",
}

// All returns the registered implementations in table order.
func All() []Impl {
	mu.Lock()
	defer mu.Unlock()
	rank := map[string]int{}
	for i, n := range order {
		rank[n] = i + 1
	}
	out := make([]Impl, 0, len(registry))
	for _, i := range registry {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool {
		ra, rb := rank[out[a].Name], rank[out[b].Name]
		if ra == 0 {
			ra = len(order) + 1
		}
		if rb == 0 {
			rb = len(order) + 1
		}
		if ra != rb {
			return ra < rb
		}
		return out[a].Name < out[b].Name
	})
	return out
}

// Lookup returns the implementation called name.
func Lookup(name string) (Impl, bool) {
	mu.Lock()
	defer mu.Unlock()
	i, ok := registry[name]
	return i, ok
}

// Warm makes n workers of p exist at once: it submits n tasks that each
// block until all n have started, then releases them and waits until all n
// have returned. It gives up after timeout, which happens when p cannot run
// n tasks at the same time.
func Warm(p Pool, n int, timeout time.Duration) error {
	return RunAtOnce(p, n, timeout, nil)
}

// RunAtOnce is Warm that calls allRunning, if not nil, at the moment all n
// tasks are running at the same time, before it lets them return: a
// benchmark of growth stops its timer there. The n tasks are one function,
// made once and submitted through Submitter, as the throughput benchmarks
// do: no pool pays for a closure per task, nor for an adapter's.
func RunAtOnce(p Pool, n int, timeout time.Duration, allRunning func()) error {
	var started, finished atomic.Int64
	allStarted := make(chan struct{})
	allFinished := make(chan struct{})
	release := make(chan struct{})
	submitted := make(chan struct{})
	submit, _ := Submitter(context.Background(), p, func() {
		if started.Add(1) == int64(n) {
			close(allStarted)
		}
		<-release
		if finished.Add(1) == int64(n) {
			close(allFinished)
		}
	})
	go func() {
		defer close(submitted)
		for range n {
			submit()
		}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-allStarted:
	case <-timer.C:
		// Let the stuck tasks go so that the caller can still close p; the
		// submitting goroutine then finishes too.
		close(release)
		<-submitted
		return fmt.Errorf("impl: only %d of %d tasks ran at once after %v", started.Load(), n, timeout)
	}
	if allRunning != nil {
		allRunning()
	}
	close(release)
	<-submitted
	select {
	case <-allFinished:
		return nil
	case <-timer.C:
		return fmt.Errorf("impl: only %d of %d tasks returned after %v", finished.Load(), n, timeout)
	}
}
