package mapreduce_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lullgo/lull/mapreduce"
	"github.com/lullgo/lull/pool"
)

// TestMapOrder checks that results come in input order whatever the
// workers and chunk size, and that each range is a run of its own.
func TestMapOrder(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{1, 2, 5} {
		for _, chunk := range []int{0, 1, 3, 100} {
			name := fmt.Sprintf("workers=%d/chunk=%d", workers, chunk)
			opts := []mapreduce.Option{mapreduce.WithWorkers(workers)}
			if chunk > 0 {
				opts = append(opts, mapreduce.WithChunkSize(chunk))
			}
			seq := mapreduce.Map(context.Background(), ints(1000),
				func(_ context.Context, x int) (string, error) { return fmt.Sprint(x * x), nil }, opts...)
			for run := range 2 {
				i := 0
				for got, err := range seq {
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if want := fmt.Sprint(i * i); got != want {
						t.Fatalf("%s run %d: result %d is %q, want %q", name, run, i, got, want)
					}
					i++
				}
				if i != 1000 {
					t.Fatalf("%s run %d: %d results, want 1000", name, run, i)
				}
			}
		}
	}
}

func TestMapEmpty(t *testing.T) {
	t.Parallel()
	for range mapreduce.Map(context.Background(), ints(0), func(_ context.Context, x int) (int, error) { return x, nil }) {
		t.Fatal("a result from no input")
	}
}

// TestMapWindow counts, at each read of the input, the inputs read and not
// yet yielded: never more than 2 × workers × chunk, even when the loop body
// is slower than the workers.
func TestMapWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ workers, chunk int }{{1, 1}, {3, 1}, {2, 4}, {4, 16}} {
		t.Run(fmt.Sprintf("workers=%d/chunk=%d", tc.workers, tc.chunk), func(t *testing.T) {
			t.Parallel()
			const n = 5000
			var read, yielded, worst int64 // the ranging goroutine's own: no atomics
			in := func(yield func(int) bool) {
				for i := range n {
					read++
					worst = max(worst, read-yielded)
					if !yield(i) {
						return
					}
				}
			}
			id := func(_ context.Context, x int) (int, error) { return x, nil }
			for v, err := range mapreduce.Map(context.Background(), in, id,
				mapreduce.WithWorkers(tc.workers), mapreduce.WithChunkSize(tc.chunk)) {
				require.NoError(t, err)
				require.Equal(t, int(yielded), v)
				yielded++
			}
			window := int64(2 * tc.workers * tc.chunk)
			if worst > window {
				t.Errorf("%d inputs read and not yielded, want at most %d", worst, window)
			}
			if yielded != n {
				t.Errorf("%d results, want %d", yielded, n)
			}
		})
	}
}

// TestMapBreak breaks out of the loop early: the calls in flight are
// cancelled, no more input is read beyond the window, and (goleak checks
// it at the end) nothing is left running.
func TestMapBreak(t *testing.T) {
	t.Parallel()
	const workers, stopAt = 3, 10
	var read, calls, cancelled atomic.Int64
	in := func(yield func(int) bool) {
		for i := 0; ; i++ {
			read.Add(1)
			if !yield(i) {
				return
			}
		}
	}
	f := func(ctx context.Context, x int) (int, error) {
		calls.Add(1)
		if x > stopAt+2*workers {
			// Beyond the window: never called. Just in case, block
			// until cancelled.
			<-ctx.Done()
			cancelled.Add(1)
		}
		return x, nil
	}
	got := 0
	for v, err := range mapreduce.Map(context.Background(), in, f, mapreduce.WithWorkers(workers)) {
		require.NoError(t, err)
		if v == stopAt {
			break
		}
		got++
	}
	require.Equal(t, stopAt, got)
	// Once Map's loop is over, every call has returned: the counts are final.
	if r := read.Load(); r > stopAt+1+2*workers {
		t.Errorf("%d inputs read, want at most %d", r, stopAt+1+2*workers)
	}
	if c := calls.Load(); c > stopAt+1+2*workers {
		t.Errorf("%d calls of f, want at most %d", c, stopAt+1+2*workers)
	}
	if cancelled.Load() != 0 {
		t.Errorf("f was called beyond the window")
	}
}

// TestMapBreakCancels breaks out while workers are blocked in f: their ctx
// is cancelled, and the loop ends.
func TestMapBreakCancels(t *testing.T) {
	t.Parallel()
	const workers = 3
	var cancelled atomic.Int64
	f := func(ctx context.Context, x int) (int, error) {
		if x == 0 {
			return 0, nil
		}
		<-ctx.Done()
		cancelled.Add(1)
		return 0, ctx.Err()
	}
	for range mapreduce.Map(context.Background(), ints(100), f, mapreduce.WithWorkers(workers)) {
		break // after result 0, while the others are blocked
	}
	t.Logf("%d calls cancelled", cancelled.Load())
}

// TestMapError: the first failure is the last pair, an *InputError, after
// the results before it.
func TestMapError(t *testing.T) {
	t.Parallel()
	const bad = 42
	f := func(_ context.Context, x int) (int, error) {
		if x == bad {
			return 0, errBoom
		}
		return x, nil
	}
	// One worker and chunks of one: the results before the failure are
	// all yielded before it, deterministically.
	var results []int
	var last error
	n := 0
	for v, err := range mapreduce.Map(context.Background(), ints(100), f, mapreduce.WithWorkers(1)) {
		n++
		if err != nil {
			last = err
			continue
		}
		if last != nil {
			t.Fatalf("a result after the error")
		}
		results = append(results, v)
	}
	var ie *mapreduce.InputError
	if !errors.As(last, &ie) || ie.Index != bad || !errors.Is(last, errBoom) {
		t.Fatalf("got %v, want an *InputError of input %d wrapping errBoom", last, bad)
	}
	if len(results) > bad || n != len(results)+1 {
		t.Fatalf("%d results then %d pairs; want at most %d results and the error last", len(results), n, bad)
	}
	for i, v := range results {
		if v != i {
			t.Fatalf("result %d is %d", i, v)
		}
	}
}

func TestMapPanic(t *testing.T) {
	t.Parallel()
	f := func(_ context.Context, x int) (int, error) {
		if x == 7 {
			panic(fmt.Sprintf("bad input %d", x))
		}
		return x, nil
	}
	var last error
	for _, err := range mapreduce.Map(context.Background(), ints(50), f, mapreduce.WithWorkers(4)) {
		if err != nil {
			last = err
		}
	}
	var pe *pool.PanicError
	var ie *mapreduce.InputError
	if !errors.As(last, &pe) || pe.Value != "bad input 7" || !errors.As(last, &ie) || ie.Index != 7 {
		t.Fatalf("got %v, want an *InputError of input 7 with a *pool.PanicError", last)
	}
}

// A loop body that panics propagates out of the range, after the workers
// are stopped and joined.
func TestMapBodyPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if v := recover(); v != "body bug" {
			t.Errorf("recovered %v, want the loop body's panic", v)
		}
	}()
	id := func(_ context.Context, x int) (int, error) { return x, nil }
	for v := range mapreduce.Map(context.Background(), ints(100), id, mapreduce.WithWorkers(3)) {
		if v == 5 {
			panic("body bug")
		}
	}
	t.Errorf("the loop ended; want the body's panic")
}

func TestMapProgress(t *testing.T) {
	t.Parallel()
	var reports []mapreduce.Progress
	id := func(_ context.Context, x int) (int, error) { return x, nil }
	for _, err := range mapreduce.Map(context.Background(), ints(300), id,
		mapreduce.WithProgress(func(p mapreduce.Progress) { reports = append(reports, p) })) {
		require.NoError(t, err)
	}
	require.Equal(t, mapreduce.Progress{Phase: mapreduce.PhaseMap}, reports[0])
	require.Equal(t, mapreduce.Progress{Phase: mapreduce.PhaseDone, InputsDone: 300}, reports[len(reports)-1])
	for i := 1; i < len(reports); i++ {
		require.GreaterOrEqual(t, reports[i].InputsDone, reports[i-1].InputsDone)
	}
}
