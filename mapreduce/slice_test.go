package mapreduce_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lullgo/lull/mapreduce"
	"github.com/lullgo/lull/pool"
)

// TestSliceMapsEachOnce counts the calls of the mapper per element: each
// element of the slice is mapped exactly once, whatever the workers and the
// chunk size, however the claims of the workers interleave.
func TestSliceMapsEachOnce(t *testing.T) {
	t.Parallel()
	const n = 20_011
	in := slices.Collect(ints(n))
	for _, workers := range []int{1, 2, 7, 32} {
		for _, chunk := range []int{0, 1, 3, 1000, n + 1, mapreduce.MaxChunkSize} {
			t.Run(fmt.Sprintf("workers=%d/chunk=%d", workers, chunk), func(t *testing.T) {
				t.Parallel()
				calls := make([]atomic.Int32, n)
				m := func(_ context.Context, x int, emit func(int, int)) error {
					calls[x].Add(1)
					emit(x%3, 1)
					return nil
				}
				opts := []mapreduce.Option{mapreduce.WithWorkers(workers)}
				if chunk > 0 {
					opts = append(opts, mapreduce.WithChunkSize(chunk))
				}
				got, err := mapreduce.CombineSlice(context.Background(), in, m, add, opts...)
				require.NoError(t, err)
				require.Equal(t, map[int]int{0: 6671, 1: 6670, 2: 6670}, got)
				for x := range calls {
					if c := calls[x].Load(); c != 1 {
						t.Fatalf("input %d mapped %d times, want once", x, c)
					}
				}
			})
		}
	}
}

// TestSliceStopsClaiming fails an input while another worker is inside the
// next chunk: that worker may finish its own chunk, but no worker claims
// another, so no input past the first two chunks is ever mapped.
func TestSliceStopsClaiming(t *testing.T) {
	t.Parallel()
	const chunk, bad, other = 10, 5, 15 // bad in chunk 0, other in chunk 1
	for _, fn := range []string{"RunSlice", "CombineSlice"} {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			var highest atomic.Int64
			inOther := make(chan struct{})
			m := func(ctx context.Context, x int, emit func(int, int)) error {
				for {
					h := highest.Load()
					if int64(x) <= h || highest.CompareAndSwap(h, int64(x)) {
						break
					}
				}
				switch x {
				case bad:
					// Chunk 1 is claimed by the other worker, as
					// this one waits here.
					<-inOther
					return errBoom
				case other:
					close(inOther)
					<-ctx.Done() // cancelled by bad's failure
				}
				emit(x%2, x)
				return nil
			}
			err := callByName(context.Background(), fn, 1000, m,
				mapreduce.WithWorkers(2), mapreduce.WithChunkSize(chunk))
			var ie *mapreduce.InputError
			if !errors.As(err, &ie) || ie.Index != bad || !errors.Is(err, errBoom) {
				t.Fatalf("got %v, want an *InputError for input %d that is errBoom", err, bad)
			}
			if h := highest.Load(); h >= 2*chunk {
				t.Errorf("input %d was mapped after the failure, want none past %d", h, 2*chunk-1)
			}
		})
	}
}

// TestSlicePanicAndGoexit: a panic comes back as an *InputError for its
// index, holding a *pool.PanicError; a runtime.Goexit ends the call with
// pool.ErrGoexit.
func TestSlicePanicAndGoexit(t *testing.T) {
	t.Parallel()
	in := slices.Collect(ints(500))
	m := func(_ context.Context, x int, emit func(int, int)) error {
		if x == 321 {
			panic("mapper bug")
		}
		emit(x, 1)
		return nil
	}
	_, err := mapreduce.CombineSlice(context.Background(), in, m, add, mapreduce.WithWorkers(3))
	var pe *pool.PanicError
	var ie *mapreduce.InputError
	if !errors.As(err, &pe) || pe.Value != "mapper bug" || !errors.As(err, &ie) || ie.Index != 321 {
		t.Fatalf("got %v, want an *InputError for input 321 holding a *pool.PanicError", err)
	}

	exit := func(_ context.Context, x int, emit func(int, int)) error {
		if x == 3 {
			runtime.Goexit()
		}
		return nil
	}
	_, err = mapreduce.RunSlice(context.Background(), in, exit, sortedValues, mapreduce.WithWorkers(2))
	if !errors.Is(err, pool.ErrGoexit) {
		t.Fatalf("got %v, want pool.ErrGoexit", err)
	}
}

// TestSliceProgress: the last report counts every element and pair.
func TestSliceProgress(t *testing.T) {
	t.Parallel()
	const n = 3000
	var last mapreduce.Progress
	got, err := mapreduce.RunSlice(context.Background(), slices.Collect(ints(n)), spread(10), sortedValues,
		mapreduce.WithWorkers(3), mapreduce.WithProgress(func(p mapreduce.Progress) { last = p }))
	require.NoError(t, err)
	pairs := 0
	for _, vs := range got {
		pairs += len(vs)
	}
	require.Equal(t, mapreduce.Progress{Phase: mapreduce.PhaseDone, InputsDone: n, PairsEmitted: pairs, KeysReduced: len(got)}, last)
}

// TestPoolStoppedWhileWaiting stops a busy pool while a call waits for its
// first task, still in the pool's backlog: the call returns pool.ErrClosed.
// Over a slice, or a sequence fed to its end in one chunk, the call waits at
// once, and must notice the stop after it has woken for it. Not parallel:
// it sets the package's hook.
func TestPoolStoppedWhileWaiting(t *testing.T) {
	for _, fn := range []string{"Combine", "CombineSlice"} {
		t.Run(fn, func(t *testing.T) {
			p := pool.New(1)
			busy := make(chan struct{})
			require.NoError(t, p.Submit(context.Background(), func(ctx context.Context) {
				close(busy)
				<-ctx.Done() // until Stop
			}))
			<-busy
			waiting := make(chan struct{})
			var once sync.Once
			defer mapreduce.OnCrewWait(func() { once.Do(func() { close(waiting) }) })()
			errc := make(chan error, 1)
			go func() {
				_, err := combineByName(context.Background(), fn, []int{1, 2, 3}, spread(3),
					mapreduce.WithPool(p), mapreduce.WithChunkSize(10))
				errc <- err
			}()
			<-waiting
			_, _ = p.Stop(context.Background())
			if err := <-errc; !errors.Is(err, pool.ErrClosed) {
				t.Fatalf("got %v, want pool.ErrClosed", err)
			}
		})
	}
}
