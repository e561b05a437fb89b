package mapreduce_test

// Regression tests for the mapreduce scenarios of issue 12: 7 (a call with
// WithPool on a pool with a small backlog deadlocks) and 11 (liveness on a
// shared pool, and a cancelled call stops reading its input), with the API
// decision that the feeder checks its ctx before it reads more input. They
// use only the public API. Every wait a bug could turn into a hang is
// bounded: the calls' ctx ends after watchdog.Limit, and a watchdog fails the test
// if a call outlives that too. Neither is a speed limit.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/mapreduce"
	"github.com/lullgo/lull/pool"
)

// scnInts yields 0, 1, …, n-1.
func scnInts(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// scnKeys is the number of keys of scnMapper.
const scnKeys = 7

// scnMapper emits (x % scnKeys, x) for input x.
func scnMapper(_ context.Context, x int, emit func(int, int)) error {
	emit(x%scnKeys, x)
	return nil
}

func scnSum(_ context.Context, _ int, values iter.Seq[int]) (int, error) {
	s := 0
	for v := range values {
		s += v
	}
	return s, nil
}

func scnAdd(a, b int) int { return a + b }

// scnWant is the result of Run and Combine over scnInts(n).
func scnWant(n int) map[int]int {
	want := map[int]int{}
	for x := range n {
		want[x%scnKeys] += x
	}
	return want
}

// scnCall is one of the three entry points, run over scnInts(n) on the
// given options, checked against the sequential result.
type scnCall struct {
	name string
	run  func(ctx context.Context, n int, opts ...mapreduce.Option) error
}

// scnCheck returns err, or an error if got is not the result over scnInts(n).
func scnCheck(got map[int]int, err error, n int) error {
	if err != nil {
		return err
	}
	if want := scnWant(n); !maps.Equal(got, want) {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	return nil
}

var scnCalls = []scnCall{
	{"Combine", func(ctx context.Context, n int, opts ...mapreduce.Option) error {
		got, err := mapreduce.Combine(ctx, scnInts(n), scnMapper, scnAdd, opts...)
		return scnCheck(got, err, n)
	}},
	{"Run", func(ctx context.Context, n int, opts ...mapreduce.Option) error {
		got, err := mapreduce.Run(ctx, scnInts(n), scnMapper, scnSum, opts...)
		return scnCheck(got, err, n)
	}},
	{"Map", func(ctx context.Context, n int, opts ...mapreduce.Option) error {
		i := 0
		for v, err := range mapreduce.Map(ctx, scnInts(n), func(_ context.Context, x int) (int, error) { return 2 * x, nil }, opts...) {
			if err != nil {
				return err
			}
			if v != 2*i {
				return fmt.Errorf("result %d: got %d, want %d", i, v, 2*i)
			}
			i++
		}
		if i != n {
			return fmt.Errorf("got %d results, want %d", i, n)
		}
		return nil
	}},
}

// scnClose closes p when the test ends; a call that deadlocked on p has
// returned by then (its ctx ended), so Close does not wait for it.
func scnClose(t *testing.T, p *pool.Pool) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), watchdog.Limit)
		defer cancel()
		if _, err := p.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

// scnOccupy takes one worker of p with a task of someone else's, and returns
// the function that releases it.
func scnOccupy(t *testing.T, ctx context.Context, p *pool.Pool) (release func()) {
	t.Helper()
	started, done := make(chan struct{}), make(chan struct{})
	if err := p.Submit(ctx, func(context.Context) {
		close(started)
		<-done
	}); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	<-started
	return func() { close(done) }
}

// Scenario 7: a call with WithPool on a pool of one worker and a backlog of
// 0 or 1 task, with WithWorkers(4), finishes: one free worker is enough.
func TestScenario07WithPoolSmallBacklogDeadlocks(t *testing.T) {
	for _, queueSize := range []int{0, 1} {
		for _, c := range scnCalls {
			t.Run(fmt.Sprintf("%s/QueueSize=%d", c.name, queueSize), func(t *testing.T) {
				t.Parallel()
				ctx := watchdog.Ctx(t)
				p := pool.New(1, pool.WithQueueSize(queueSize))
				scnClose(t, p)
				var err error
				watchdog.Within(t, 2*watchdog.Limit, c.name, func() {
					err = c.run(ctx, 1000, mapreduce.WithPool(p), mapreduce.WithWorkers(4))
				})
				if err != nil {
					t.Fatalf("%s with WithPool(pool.New(1, WithQueueSize(%d))) and WithWorkers(4): %v (pool Stats %+v)",
						c.name, queueSize, err, p.Stats())
				}
			})
		}
	}
}

// Scenario 11: calls that share a small pool all finish, also while one of
// its workers is taken for good by a task of someone else: one free worker
// is enough for every call to make progress.
func TestScenario11SharedPoolLiveness(t *testing.T) {
	for _, queueSize := range []int{0, 1, pool.DefaultQueueSize} {
		for _, blocked := range []bool{false, true} {
			t.Run(fmt.Sprintf("QueueSize=%d/oneWorkerBlocked=%v", queueSize, blocked), func(t *testing.T) {
				t.Parallel()
				ctx := watchdog.Ctx(t)
				p := pool.New(2, pool.WithQueueSize(queueSize))
				scnClose(t, p)
				if blocked {
					defer scnOccupy(t, ctx, p)()
				}
				errs := make(chan error, 2*len(scnCalls))
				var wg sync.WaitGroup
				for i := range 2 {
					for _, c := range scnCalls {
						wg.Add(1)
						go func() {
							defer wg.Done()
							if err := c.run(ctx, 500+i*300, mapreduce.WithPool(p), mapreduce.WithWorkers(4)); err != nil {
								errs <- fmt.Errorf("%s: %w", c.name, err)
							}
						}()
					}
				}
				watchdog.Within(t, 2*watchdog.Limit, "calls sharing the pool", wg.Wait)
				close(errs)
				for err := range errs {
					t.Errorf("%s (pool Stats %+v)", err, p.Stats())
				}
			})
		}
	}
}

// Scenario 11 and the API decision: a cancelled call stops reading its
// input at once. The sequence cancels the call's ctx itself, at a known
// input, once the adaptive chunks have grown; the feeder checks ctx before
// it reads more, so the sequence must not be asked for more than the input
// in flight.
func TestScenario11CancelledCallStopsReadingInput(t *testing.T) {
	const cancelAt = 20000
	for _, shared := range []bool{false, true} {
		for _, c := range scnCalls {
			t.Run(fmt.Sprintf("%s/WithPool=%v", c.name, shared), func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithCancel(watchdog.Ctx(t))
				defer cancel()
				var pulls, after atomic.Int64
				var cancelled atomic.Bool
				in := func(yield func(int) bool) {
					for i := 0; ; i++ { // endless: only the call's stopping ends it
						pulls.Add(1)
						if cancelled.Load() {
							after.Add(1)
						}
						if i == cancelAt {
							cancel()
							cancelled.Store(true)
						}
						if !yield(i) {
							return
						}
					}
				}
				opts := []mapreduce.Option{mapreduce.WithWorkers(4)}
				if c.name == "Map" {
					opts = append(opts, mapreduce.WithChunkSize(64)) // a window of 512 inputs
				}
				if shared {
					p := pool.New(2)
					scnClose(t, p)
					opts = append(opts, mapreduce.WithPool(p))
				}
				var err error
				watchdog.Within(t, 2*watchdog.Limit, c.name, func() {
					err = scnDrive(ctx, c.name, in, opts...)
				})
				if err != context.Canceled {
					t.Fatalf("%s cancelled by its sequence: %v, want context.Canceled", c.name, err)
				}
				if n := after.Load(); n > 1 {
					t.Fatalf("%s read %d more inputs after its ctx was cancelled at input %d (of %d read); want at most 1",
						c.name, n, cancelAt, pulls.Load())
				}
			})
		}
	}
}

// scnDrive runs the named call over in, and returns its error.
func scnDrive(ctx context.Context, name string, in iter.Seq[int], opts ...mapreduce.Option) error {
	switch name {
	case "Combine":
		_, err := mapreduce.Combine(ctx, in, scnMapper, scnAdd, opts...)
		return err
	case "Run":
		_, err := mapreduce.Run(ctx, in, scnMapper, scnSum, opts...)
		return err
	}
	for _, err := range mapreduce.Map(ctx, in, func(_ context.Context, x int) (int, error) { return x, nil }, opts...) {
		if err != nil {
			return err
		}
	}
	return errors.New("Map over an endless sequence ended without an error")
}

// Scenario 11: a call on a pool whose every worker is busy with someone
// else's task returns ctx.Err() as soon as its ctx is done, without waiting
// for a worker.
func TestScenario11CancelledCallReturnsOnBusyPool(t *testing.T) {
	for _, queueSize := range []int{0, 1, pool.DefaultQueueSize} {
		for _, c := range scnCalls {
			t.Run(fmt.Sprintf("%s/QueueSize=%d", c.name, queueSize), func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithCancel(watchdog.Ctx(t))
				p := pool.New(1, pool.WithQueueSize(queueSize))
				scnClose(t, p)
				defer scnOccupy(t, ctx, p)()
				ended := make(chan error, 1)
				go func() { ended <- c.run(ctx, 1000, mapreduce.WithPool(p), mapreduce.WithWorkers(4)) }()
				cancel()
				var err error
				watchdog.Within(t, 2*watchdog.Limit, c.name+" cancelled on a busy pool", func() { err = <-ended })
				if err != context.Canceled {
					t.Fatalf("%s cancelled while every worker of its pool is busy: %v, want context.Canceled", c.name, err)
				}
			})
		}
	}
}
