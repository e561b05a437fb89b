package mapreduce_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/lullgo/lull/mapreduce"
	"github.com/lullgo/lull/pool"
)

// ints yields 0, 1, …, n-1.
func ints(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// spread is the mapper of the reference tests: input x emits x%5 pairs,
// (x % keys, x*10+j) for j < x%5, so that some inputs emit nothing and keys
// get values from many inputs.
func spread(keys int) mapreduce.Mapper[int, int, int] {
	return func(_ context.Context, x int, emit func(int, int)) error {
		for j := range x % 5 {
			emit(x%keys, x*10+j)
		}
		return nil
	}
}

// sortedValues is a reducer that ignores the order of the values by
// returning them sorted.
func sortedValues(_ context.Context, _ int, values iter.Seq[int]) ([]int, error) {
	return slices.Sorted(values), nil
}

func add(a, b int) int { return a + b }

// reference runs spread sequentially: the trivially correct Run and Combine.
func reference(inputs []int, keys int) (groups map[int][]int, sums map[int]int) {
	groups, sums = map[int][]int{}, map[int]int{}
	for _, x := range inputs {
		_ = spread(keys)(context.Background(), x, func(k, v int) {
			groups[k] = append(groups[k], v)
			sums[k] += v
		})
	}
	for k := range groups {
		slices.Sort(groups[k])
	}
	return groups, sums
}

// TestAgainstReference checks that Run and Combine, over a sequence or a
// slice, give the sequential result whatever the workers, chunk size and
// partitions.
func TestAgainstReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 100, 3000} {
		inputs := make([]int, n)
		for i := range inputs {
			inputs[i] = rng.IntN(1000)
		}
		for _, keys := range []int{1, 13, 997} {
			wantGroups, wantSums := reference(inputs, keys)
			for _, workers := range []int{1, 2, 3, 8} {
				for _, chunk := range []int{0, 1, 3, 64} {
					for _, parts := range []int{1, 2, 7, 64} {
						name := fmt.Sprintf("n=%d/keys=%d/workers=%d/chunk=%d/parts=%d", n, keys, workers, chunk, parts)
						opts := []mapreduce.Option{mapreduce.WithWorkers(workers), mapreduce.WithPartitions(parts)}
						if chunk > 0 {
							opts = append(opts, mapreduce.WithChunkSize(chunk))
						}
						ctx := context.Background()
						gotGroups, err := mapreduce.Run(ctx, slices.Values(inputs), spread(keys), sortedValues, opts...)
						if err != nil {
							t.Fatalf("%s: Run: %v", name, err)
						}
						if !maps.EqualFunc(gotGroups, wantGroups, slices.Equal) {
							t.Fatalf("%s: Run got %v, want %v", name, gotGroups, wantGroups)
						}
						gotSums, err := mapreduce.Combine(ctx, slices.Values(inputs), spread(keys), add, opts...)
						if err != nil {
							t.Fatalf("%s: Combine: %v", name, err)
						}
						if !maps.Equal(gotSums, wantSums) {
							t.Fatalf("%s: Combine got %v, want %v", name, gotSums, wantSums)
						}
						gotGroups, err = mapreduce.RunSlice(ctx, inputs, spread(keys), sortedValues, opts...)
						if err != nil {
							t.Fatalf("%s: RunSlice: %v", name, err)
						}
						if !maps.EqualFunc(gotGroups, wantGroups, slices.Equal) {
							t.Fatalf("%s: RunSlice got %v, want %v", name, gotGroups, wantGroups)
						}
						gotSums, err = mapreduce.CombineSlice(ctx, inputs, spread(keys), add, opts...)
						if err != nil {
							t.Fatalf("%s: CombineSlice: %v", name, err)
						}
						if !maps.Equal(gotSums, wantSums) {
							t.Fatalf("%s: CombineSlice got %v, want %v", name, gotSums, wantSums)
						}
					}
				}
			}
		}
	}
}

// TestFeedLoops checks Run and Combine against the reference under the
// feeder's two loops: a ctx that can never be cancelled, read with a look at
// the stopped flag after each input, and a cancellable one (never
// cancelled here), read with a look at ctx. The inputs are many enough for
// the adaptive chunks to reach their cap, and end in a partial chunk.
func TestFeedLoops(t *testing.T) {
	t.Parallel()
	const n, keys = 100_003, 97
	inputs := slices.Collect(ints(n))
	wantGroups, wantSums := reference(inputs, keys)
	for _, cancellable := range []bool{false, true} {
		for _, workers := range []int{1, 2, 5} {
			t.Run(fmt.Sprintf("cancellable=%v/workers=%d", cancellable, workers), func(t *testing.T) {
				t.Parallel()
				ctx := feedCtx(t, cancellable)
				opt := mapreduce.WithWorkers(workers)
				gotGroups, err := mapreduce.Run(ctx, ints(n), spread(keys), sortedValues, opt)
				require.NoError(t, err)
				if !maps.EqualFunc(gotGroups, wantGroups, slices.Equal) {
					t.Errorf("Run: got %d keys, want %d, or some groups differ", len(gotGroups), len(wantGroups))
				}
				gotSums, err := mapreduce.Combine(ctx, ints(n), spread(keys), add, opt)
				require.NoError(t, err)
				if !maps.Equal(gotSums, wantSums) {
					t.Errorf("Combine: got %v, want %v", gotSums, wantSums)
				}
			})
		}
	}
}

func TestEmptyInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	got, err := mapreduce.Run(ctx, ints(0), spread(3), sortedValues)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("Run: got %v, %v; want an empty non-nil map, nil", got, err)
	}
	sums, err := mapreduce.Combine(ctx, ints(0), spread(3), add)
	if err != nil || sums == nil || len(sums) != 0 {
		t.Errorf("Combine: got %v, %v; want an empty non-nil map, nil", sums, err)
	}
	got, err = mapreduce.RunSlice(ctx, []int(nil), spread(3), sortedValues)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("RunSlice: got %v, %v; want an empty non-nil map, nil", got, err)
	}
	sums, err = mapreduce.CombineSlice(ctx, []int{}, spread(3), add)
	if err != nil || sums == nil || len(sums) != 0 {
		t.Errorf("CombineSlice: got %v, %v; want an empty non-nil map, nil", sums, err)
	}
	// Inputs that emit nothing make an empty result too.
	none := func(context.Context, int, func(int, int)) error { return nil }
	sums, err = mapreduce.Combine(ctx, ints(100), none, add)
	if err != nil || sums == nil || len(sums) != 0 {
		t.Errorf("Combine of no pairs: got %v, %v; want an empty non-nil map, nil", sums, err)
	}
}

// goid returns the id of the calling goroutine, from its stack header
// "goroutine N [...]". Tests use it to see which worker ran what.
func goid() string {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	return strings.Fields(string(buf[:n]))[1]
}

// TestDynamicBalancing runs an input that is slower than all the others put
// together: it blocks until every input outside its own chunk is done. With
// static splitting the inputs queued behind it would never be done, and the
// run would hang; with dynamic balancing the other workers take all of them.
// Inputs c, 2c and 3c (the first of chunks 1 to 3) meet at a barrier, which
// proves that the three other workers were busy at the same time.
func TestDynamicBalancing(t *testing.T) {
	t.Parallel()
	const workers, n = 4, 400
	for _, chunk := range []int{0, 1, 4} {
		for _, fn := range []string{"Combine", "CombineSlice"} {
			t.Run(fmt.Sprintf("%s/chunk=%d", fn, chunk), func(t *testing.T) {
				t.Parallel()
				c := max(chunk, 1) // the default starts with chunks of 1: see below
				var (
					mu     sync.Mutex
					ranOn  = map[int]string{} // input → goroutine
					others atomic.Int64       // inputs >= c done
					allIn  = make(chan struct{})
					met    atomic.Int64
					meet   = make(chan struct{})
				)
				m := func(ctx context.Context, x int, emit func(int, int)) error {
					mu.Lock()
					ranOn[x] = goid()
					mu.Unlock()
					switch {
					case x == 0:
						<-allIn // the slow input
					case x == c || x == 2*c || x == 3*c:
						if met.Add(1) == 3 {
							close(meet)
						}
						<-meet
					}
					if x >= c && others.Add(1) == n-int64(c) {
						close(allIn)
					}
					emit(0, 1)
					return nil
				}
				opts := []mapreduce.Option{mapreduce.WithWorkers(workers)}
				if chunk > 0 {
					opts = append(opts, mapreduce.WithChunkSize(chunk))
				}
				// With the default, chunks 0 to 3 have one input each: the
				// feeder, or the workers of a slice, size a chunk from the
				// chunks finished so far, and none finishes before the
				// barrier opens.
				var got map[int]int
				var err error
				if fn == "Combine" {
					got, err = mapreduce.Combine(context.Background(), ints(n), m, add, opts...)
				} else {
					got, err = mapreduce.CombineSlice(context.Background(), slices.Collect(ints(n)), m, add, opts...)
				}
				require.NoError(t, err)
				require.Equal(t, map[int]int{0: n}, got)

				perWorker := map[string]int{}
				for _, g := range ranOn {
					perWorker[g]++
				}
				slow := ranOn[0]
				if perWorker[slow] != c {
					t.Errorf("the worker of the slow input ran %d inputs, want %d (its own chunk)", perWorker[slow], c)
				}
				if len(perWorker) != workers {
					t.Errorf("%d workers ran inputs, want %d: %v", len(perWorker), workers, perWorker)
				}
				busy := 0
				for g, k := range perWorker {
					if g != slow {
						busy += k
					}
				}
				if busy != n-c {
					t.Errorf("the other workers ran %d inputs, want %d", busy, n-c)
				}
				t.Logf("inputs per worker: %v (slow input on %s)", perWorker, slow)
			})
		}
	}
}

// TestStreamingInput checks that Run and Combine read the input only as
// fast as the workers map it: at most 2 × workers chunks of inputs are read
// and not yet mapped.
func TestStreamingInput(t *testing.T) {
	t.Parallel()
	const workers, chunk, n = 3, 5, 20000
	var read, mapped, worst atomic.Int64
	in := func(yield func(int) bool) {
		for i := range n {
			ahead := read.Add(1) - mapped.Load()
			for {
				w := worst.Load()
				if ahead <= w || worst.CompareAndSwap(w, ahead) {
					break
				}
			}
			if !yield(i) {
				return
			}
		}
	}
	m := func(_ context.Context, x int, emit func(int, int)) error {
		emit(x%7, 1)
		mapped.Add(1)
		return nil
	}
	got, err := mapreduce.Combine(context.Background(), in, m, add,
		mapreduce.WithWorkers(workers), mapreduce.WithChunkSize(chunk))
	require.NoError(t, err)
	require.Len(t, got, 7)
	if limit := int64(2 * workers * chunk); worst.Load() > limit {
		t.Errorf("up to %d inputs were read and not mapped, want at most %d", worst.Load(), limit)
	}
	t.Logf("at most %d inputs read ahead of the mappers", worst.Load())
}

var errBoom = errors.New("boom")

// TestMapperError checks that the first failing input cancels the others
// and comes back as an *InputError with its position.
func TestMapperError(t *testing.T) {
	t.Parallel()
	for _, fn := range []string{"Run", "Combine", "RunSlice", "CombineSlice"} {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			const bad, workers = 37, 4
			var cancelled, blocked atomic.Int64
			othersBlocked := make(chan struct{})
			m := func(ctx context.Context, x int, emit func(int, int)) error {
				switch {
				case x < bad:
					emit(x, x)
					return nil
				case x == bad:
					// Fail once the other workers are inside a
					// mapper, so that they must be cancelled.
					<-othersBlocked
					return fmt.Errorf("input %d: %w", x, errBoom)
				default:
					if blocked.Add(1) == workers-1 {
						close(othersBlocked)
					}
					<-ctx.Done()
					cancelled.Add(1)
					return ctx.Err()
				}
			}
			opts := []mapreduce.Option{mapreduce.WithWorkers(workers), mapreduce.WithChunkSize(1)}
			err := callByName(context.Background(), fn, 1000, m, opts...)
			if !errors.Is(err, errBoom) {
				t.Fatalf("got %v, want an error that is errBoom", err)
			}
			var ie *mapreduce.InputError
			if !errors.As(err, &ie) || ie.Index != bad {
				t.Fatalf("got %#v, want an *InputError for input %d", err, bad)
			}
			if want := "mapreduce: input 37: input 37: boom"; err.Error() != want {
				t.Errorf("got message %q, want %q", err.Error(), want)
			}
			if got := cancelled.Load(); got != workers-1 {
				t.Errorf("%d other mappers saw their ctx cancelled, want %d", got, workers-1)
			}
		})
	}
}

// TestMapperErrorEndsEndlessInput fails an input of an endless sequence,
// once the adaptive chunks have grown: the call must stop reading and return
// the error. The feeder reads a ctx that can never be cancelled
// (context.Background) in a loop of its own, which stops on the failure
// through the phase's stopped flag; a cancellable ctx, in the other loop,
// which looks at ctx after each input. Both must end, and the sequence must
// be told to stop.
func TestMapperErrorEndsEndlessInput(t *testing.T) {
	t.Parallel()
	const bad = 20000
	for _, fn := range []string{"Run", "Combine"} {
		for _, cancellable := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/cancellable=%v", fn, cancellable), func(t *testing.T) {
				t.Parallel()
				ctx := feedCtx(t, cancellable)
				var told atomic.Bool
				endless := func(yield func(int) bool) {
					for i := 0; ; i++ {
						if !yield(i) {
							told.Store(true)
							return
						}
					}
				}
				m := func(_ context.Context, x int, emit func(int, int)) error {
					if x == bad {
						return errBoom
					}
					emit(x%7, x)
					return nil
				}
				var err error
				opts := []mapreduce.Option{mapreduce.WithWorkers(2)}
				if fn == "Run" {
					_, err = mapreduce.Run(ctx, endless, m, sortedValues, opts...)
				} else {
					_, err = mapreduce.Combine(ctx, endless, m, add, opts...)
				}
				var ie *mapreduce.InputError
				if !errors.As(err, &ie) || ie.Index != bad || !errors.Is(err, errBoom) {
					t.Fatalf("got %v, want an *InputError for input %d that is errBoom", err, bad)
				}
				if !told.Load() {
					t.Errorf("the call returned, but its yield never returned false")
				}
			})
		}
	}
}

// TestChunkCap checks the cap of adaptive chunks: as many inputs as fit in
// 128 KiB, but at least 4096.
func TestChunkCap(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"int", mapreduce.ChunkCap[int](), (128 << 10) / int(unsafe.Sizeof(0))}, // 16384 on 64-bit
		{"string", mapreduce.ChunkCap[string](), (128 << 10) / int(unsafe.Sizeof(""))},
		{"byte", mapreduce.ChunkCap[byte](), 128 << 10},
		{"struct{}", mapreduce.ChunkCap[struct{}](), 128 << 10},
		{"[64]byte", mapreduce.ChunkCap[[64]byte](), 4096},
	} {
		if c.got != c.want {
			t.Errorf("chunk cap of %s: got %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestMapperPanic(t *testing.T) {
	t.Parallel()
	m := func(_ context.Context, x int, emit func(int, int)) error {
		if x == 5 {
			panic("mapper bug")
		}
		emit(x, 1)
		return nil
	}
	_, err := mapreduce.Combine(context.Background(), ints(50), m, add, mapreduce.WithWorkers(2))
	var pe *pool.PanicError
	if !errors.As(err, &pe) || pe.Value != "mapper bug" {
		t.Fatalf("got %v, want a *pool.PanicError of \"mapper bug\"", err)
	}
	if !strings.Contains(string(pe.Stack), "mapreduce_test") {
		t.Errorf("the panic's stack does not show the mapper:\n%s", pe.Stack)
	}
	var ie *mapreduce.InputError
	if !errors.As(err, &ie) || ie.Index != 5 {
		t.Errorf("got %v, want an *InputError for input 5", err)
	}
}

// A panicking mapper whose value is an error: errors.Is sees through both
// the InputError and the PanicError.
func TestMapperPanicError(t *testing.T) {
	t.Parallel()
	m := func(_ context.Context, x int, emit func(int, int)) error { panic(errBoom) }
	_, err := mapreduce.Run(context.Background(), ints(3), m, sortedValues)
	if !errors.Is(err, errBoom) {
		t.Fatalf("got %v, want an error that is errBoom", err)
	}
}

// A mapper that calls runtime.Goexit (as t.FailNow does) ends its worker's
// task; the run fails with pool.ErrGoexit instead of hanging.
func TestMapperGoexit(t *testing.T) {
	t.Parallel()
	m := func(_ context.Context, x int, emit func(int, int)) error {
		if x == 3 {
			runtime.Goexit()
		}
		return nil
	}
	_, err := mapreduce.Combine(context.Background(), ints(100), m, add, mapreduce.WithWorkers(2))
	if !errors.Is(err, pool.ErrGoexit) {
		t.Fatalf("got %v, want pool.ErrGoexit", err)
	}
}

func TestReducerError(t *testing.T) {
	t.Parallel()
	var cancelled atomic.Int64
	r := func(ctx context.Context, k int, values iter.Seq[int]) ([]int, error) {
		switch {
		case k == 3:
			return nil, errBoom
		case k > 3:
			// Keys are reduced in no set order: k 3 may come first, and
			// then these see a cancelled ctx at once.
			select {
			case <-ctx.Done():
				cancelled.Add(1)
				return nil, ctx.Err()
			default:
			}
		}
		return slices.Collect(values), nil
	}
	_, err := mapreduce.Run(context.Background(), ints(200), spread(10), r, mapreduce.WithWorkers(3))
	if !errors.Is(err, errBoom) {
		t.Fatalf("got %v, want an error that is errBoom", err)
	}
	var ke *mapreduce.KeyError[int]
	if !errors.As(err, &ke) || ke.Key != 3 {
		t.Fatalf("got %#v, want a *KeyError[int] for key 3", err)
	}
	if want := "mapreduce: key 3: boom"; err.Error() != want {
		t.Errorf("got message %q, want %q", err.Error(), want)
	}
}

func TestReducerPanic(t *testing.T) {
	t.Parallel()
	r := func(_ context.Context, k string, values iter.Seq[int]) (int, error) {
		if k == "b" {
			var m map[string]int
			m[k] = 1 // a runtime error
		}
		return 0, nil
	}
	m := func(_ context.Context, s string, emit func(string, int)) error {
		emit(s, 1)
		return nil
	}
	_, err := mapreduce.Run(context.Background(), slices.Values([]string{"a", "b", "c"}), m, r)
	var pe *pool.PanicError
	var re runtime.Error
	if !errors.As(err, &pe) || !errors.As(err, &re) {
		t.Fatalf("got %v, want a *pool.PanicError of a runtime.Error", err)
	}
	var ke *mapreduce.KeyError[string]
	if !errors.As(err, &ke) || ke.Key != "b" {
		t.Fatalf("got %v, want a *KeyError[string] for key b", err)
	}
}

// A panic in combine while the workers' tables merge comes back as a
// *pool.PanicError; one while a mapper folds, as an *InputError of one.
func TestCombinePanic(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	combine := func(a, b int) int {
		if calls.Add(1) == 1 {
			panic("combine bug")
		}
		return a + b
	}
	m := func(_ context.Context, x int, emit func(int, int)) error {
		emit(0, x)
		return nil
	}
	_, err := mapreduce.Combine(context.Background(), ints(100), m, combine, mapreduce.WithWorkers(3))
	var pe *pool.PanicError
	if !errors.As(err, &pe) || pe.Value != "combine bug" {
		t.Fatalf("got %v, want a *pool.PanicError of \"combine bug\"", err)
	}
}

// TestCancel cancels the caller's ctx while every worker is inside a
// mapper: the call returns ctx.Err() itself, not wrapped, not the cause.
func TestCancel(t *testing.T) {
	t.Parallel()
	for _, fn := range []string{"Run", "Combine", "RunSlice", "CombineSlice", "Map"} {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			const workers = 3
			ctx, cancel := context.WithCancelCause(context.Background())
			var started atomic.Int64
			allStarted := make(chan struct{})
			m := func(ctx context.Context, x int, emit func(int, int)) error {
				if started.Add(1) == workers {
					close(allStarted)
				}
				<-ctx.Done()
				return fmt.Errorf("interrupted: %w", ctx.Err())
			}
			go func() {
				<-allStarted
				cancel(errBoom)
			}()
			opts := []mapreduce.Option{mapreduce.WithWorkers(workers), mapreduce.WithChunkSize(1)}
			var err error
			if fn == "Map" {
				f := func(ctx context.Context, x int) (int, error) { return 0, m(ctx, x, nil) }
				for _, e := range mapreduce.Map(ctx, ints(1000), f, opts...) {
					err = e
				}
			} else {
				err = callByName(ctx, fn, 1000, m, opts...)
			}
			if err != context.Canceled {
				t.Fatalf("got %v, want context.Canceled itself", err)
			}
		})
	}
}

// A call whose ctx is done before it starts maps nothing and returns the
// ctx's error.
func TestCancelledBeforeStart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, fn := range []string{"Combine", "CombineSlice"} {
		var calls atomic.Int64
		m := func(_ context.Context, x int, emit func(int, int)) error {
			calls.Add(1)
			return nil
		}
		_, err := combineByName(ctx, fn, slices.Collect(ints(1000)), m)
		if err != context.Canceled {
			t.Fatalf("%s: got %v, want context.Canceled", fn, err)
		}
		if c := calls.Load(); c != 0 {
			t.Errorf("%s: %d mapper calls, want none", fn, c)
		}
	}
}

// Cancelled in the reduce phase: the reducers that start later do not run.
func TestCancelInReduce(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := func(ctx context.Context, k int, values iter.Seq[int]) ([]int, error) {
		cancel()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	_, err := mapreduce.Run(ctx, ints(100), spread(50), r, mapreduce.WithWorkers(2))
	if err != context.Canceled {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestWithPool runs on a pool of the caller's: the call's tasks run there,
// and the pool stays open.
func TestWithPool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := pool.New(3)
	before := p.Stats().Submitted
	got, err := mapreduce.Combine(ctx, ints(1000), spread(7), add, mapreduce.WithPool(p))
	require.NoError(t, err)
	_, want := reference(slices.Collect(ints(1000)), 7)
	require.Equal(t, want, got)
	if p.Stats().Submitted == before {
		t.Errorf("no task ran on the given pool")
	}
	// The pool is still open, and idle.
	done := make(chan struct{})
	require.NoError(t, p.Submit(ctx, func(context.Context) { close(done) }))
	<-done
	for v, err := range mapreduce.Map(ctx, ints(10), func(_ context.Context, x int) (int, error) { return x, nil },
		mapreduce.WithPool(p)) {
		require.NoError(t, err)
		_ = v
	}
	require.NoError(t, p.Submit(ctx, func(context.Context) {}))
	require.NoError(t, p.Close(ctx))

	// On a closed pool, a call fails with pool.ErrClosed.
	_, err = mapreduce.Combine(ctx, ints(10), spread(7), add, mapreduce.WithPool(p))
	if !errors.Is(err, pool.ErrClosed) {
		t.Errorf("Combine on a closed pool: got %v, want pool.ErrClosed", err)
	}
	for _, err = range mapreduce.Map(ctx, ints(10), func(_ context.Context, x int) (int, error) { return x, nil },
		mapreduce.WithPool(p)) {
	}
	if !errors.Is(err, pool.ErrClosed) {
		t.Errorf("Map on a closed pool: got %v, want pool.ErrClosed", err)
	}
}

// A pool with fewer workers than the call asks for runs it all the same:
// the one task that starts maps every chunk, and must call the feeder for
// more, and the tasks still in the backlog return at once when they start.
func TestPoolSmallerThanWorkers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := pool.New(1)
	inputs := slices.Collect(ints(500))
	_, want := reference(inputs, 7)
	for _, fn := range []string{"Combine", "CombineSlice"} {
		for _, chunk := range []int{0, 1, 3} {
			opts := []mapreduce.Option{mapreduce.WithPool(p), mapreduce.WithWorkers(4)}
			if chunk > 0 {
				opts = append(opts, mapreduce.WithChunkSize(chunk))
			}
			got, err := combineByName(ctx, fn, inputs, spread(7), opts...)
			require.NoError(t, err, "%s, chunk %d", fn, chunk)
			require.Equal(t, want, got, "%s, chunk %d", fn, chunk)
		}
	}
	require.NoError(t, p.Close(ctx))
}

// A pool stopped under a running call ends it with pool.ErrClosed.
func TestPoolStoppedDuringRun(t *testing.T) {
	t.Parallel()
	for _, fn := range []string{"Combine", "CombineSlice"} {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			p := pool.New(2)
			started := make(chan struct{})
			var once sync.Once
			m := func(ctx context.Context, x int, emit func(int, int)) error {
				once.Do(func() { close(started) })
				<-ctx.Done()
				return ctx.Err()
			}
			go func() {
				<-started
				_, _ = p.Stop(context.Background())
			}()
			_, err := combineByName(context.Background(), fn, slices.Collect(ints(100)), m, mapreduce.WithPool(p))
			if !errors.Is(err, pool.ErrClosed) {
				t.Fatalf("got %v, want pool.ErrClosed", err)
			}
		})
	}
}

// A sequence that panics panics in the caller, after the workers are gone
// (goleak checks that at the end of the package).
func TestSequencePanics(t *testing.T) {
	t.Parallel()
	in := func(yield func(int) bool) {
		for i := range 100 {
			if i == 50 {
				panic("sequence bug")
			}
			if !yield(i) {
				return
			}
		}
	}
	defer func() {
		if v := recover(); v != "sequence bug" {
			t.Errorf("recovered %v, want the sequence's panic", v)
		}
	}()
	_, _ = mapreduce.Combine(context.Background(), in, spread(3), add, mapreduce.WithWorkers(2))
	t.Errorf("Combine returned; want the sequence's panic")
}

// TestProgress checks the reports: phases in order, counts that only grow,
// one call at a time, and a last report with the totals.
func TestProgress(t *testing.T) {
	t.Parallel()
	const n = 5000
	var (
		inside  atomic.Int64
		reports []mapreduce.Progress
	)
	report := func(p mapreduce.Progress) {
		if inside.Add(1) != 1 {
			t.Errorf("two progress calls at once")
		}
		reports = append(reports, p)
		inside.Add(-1)
	}
	got, err := mapreduce.Run(context.Background(), ints(n), spread(100), sortedValues,
		mapreduce.WithWorkers(4), mapreduce.WithProgress(report), mapreduce.WithChunkSize(7))
	require.NoError(t, err)

	pairs := 0
	for _, vs := range got {
		pairs += len(vs)
	}
	require.GreaterOrEqual(t, len(reports), 4)
	first, last := reports[0], reports[len(reports)-1]
	require.Equal(t, mapreduce.Progress{Phase: mapreduce.PhaseMap}, first)
	require.Equal(t, mapreduce.Progress{Phase: mapreduce.PhaseDone, InputsDone: n, PairsEmitted: pairs, KeysReduced: len(got)}, last)
	sawReduce := false
	for i := 1; i < len(reports); i++ {
		a, b := reports[i-1], reports[i]
		if b.Phase < a.Phase || b.InputsDone < a.InputsDone || b.PairsEmitted < a.PairsEmitted || b.KeysReduced < a.KeysReduced {
			t.Fatalf("report %d went back: %+v after %+v", i, b, a)
		}
		if b.Phase == mapreduce.PhaseReduce && a.Phase == mapreduce.PhaseMap {
			sawReduce = true
			if b.InputsDone != n {
				t.Errorf("reduce began with %d inputs done, want %d", b.InputsDone, n)
			}
		}
	}
	if !sawReduce {
		t.Errorf("no report of the reduce phase")
	}
	if len(reports) > 1000 {
		t.Errorf("%d reports for %d inputs: want about 1%% steps", len(reports), n)
	}
	t.Logf("%d reports", len(reports))

	// A failed run reports PhaseDone last too.
	reports = nil
	_, err = mapreduce.Combine(context.Background(), ints(10),
		func(context.Context, int, func(int, int)) error { return errBoom }, add, mapreduce.WithProgress(report))
	require.ErrorIs(t, err, errBoom)
	require.Equal(t, mapreduce.PhaseDone, reports[len(reports)-1].Phase)
}

// A progress function that panics: a report on the calling goroutine (one
// that begins or ends a phase, or any of Map's) lets the panic go up through
// the call; one on a worker (Run's and Combine's reports in between) makes
// the call return it as a *pool.PanicError. No goroutine is left either way
// (goleak, at the end of the package), and a pool given by WithPool still
// runs tasks.
func TestProgressPanics(t *testing.T) {
	t.Parallel()
	p := pool.New(2)
	defer p.Close(context.Background())
	double := func(_ context.Context, x int) (int, error) { return 2 * x, nil }
	panicAt := func(bad func(mapreduce.Progress) bool) mapreduce.Option {
		return mapreduce.WithProgress(func(pr mapreduce.Progress) {
			if bad(pr) {
				panic("progress bug")
			}
		})
	}
	onCaller := func(name string, call func()) {
		t.Helper()
		defer func() {
			if v := recover(); v != "progress bug" {
				t.Errorf("%s: recovered %v, want the progress function's panic", name, v)
			}
		}()
		call()
		t.Errorf("%s: returned; want the progress function's panic", name)
	}
	for _, ph := range []mapreduce.Phase{mapreduce.PhaseMap, mapreduce.PhaseReduce, mapreduce.PhaseDone} {
		at := panicAt(func(pr mapreduce.Progress) bool { return pr.Phase == ph })
		onCaller("Combine, "+ph.String(), func() {
			_, _ = mapreduce.Combine(context.Background(), ints(100), spread(3), add, mapreduce.WithWorkers(2), at)
		})
		onCaller("Run on a pool, "+ph.String(), func() {
			_, _ = mapreduce.Run(context.Background(), ints(100), spread(3), sortedValues, mapreduce.WithPool(p), at)
		})
	}
	onCaller("Map, done", func() {
		for _, err := range mapreduce.Map(context.Background(), ints(100), double,
			panicAt(func(pr mapreduce.Progress) bool { return pr.Phase == mapreduce.PhaseDone })) {
			require.NoError(t, err)
		}
	})

	// Chunks of one input: the periodic reports come from the workers.
	between := panicAt(func(pr mapreduce.Progress) bool { return pr.Phase == mapreduce.PhaseMap && pr.InputsDone > 0 })
	_, err := mapreduce.Run(context.Background(), ints(100), spread(3), sortedValues,
		mapreduce.WithPool(p), mapreduce.WithChunkSize(1), between)
	var pe *pool.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "progress bug", pe.Value)
	// Map makes every report on the goroutine that ranges over it.
	onCaller("Map, between", func() {
		for _, err := range mapreduce.Map(context.Background(), ints(100), double, mapreduce.WithChunkSize(1), between) {
			require.NoError(t, err)
		}
	})

	fu, err := pool.Go(context.Background(), p, func(context.Context) (int, error) { return 1, nil })
	require.NoError(t, err)
	v, err := fu.Get(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, v)
}

func TestOptionPanics(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"WithWorkers(0)", func() { mapreduce.WithWorkers(0) }, "mapreduce: WithWorkers with n < 1"},
		{"WithChunkSize(-1)", func() { mapreduce.WithChunkSize(-1) }, "mapreduce: WithChunkSize with n < 1"},
		{"WithChunkSize(MaxChunkSize+1)", func() { mapreduce.WithChunkSize(mapreduce.MaxChunkSize + 1) }, "mapreduce: WithChunkSize with n > MaxChunkSize"},
		{"WithPool(nil)", func() { mapreduce.WithPool(nil) }, "mapreduce: WithPool with nil pool"},
		{"nil Option", func() { _, _ = mapreduce.Combine(context.Background(), ints(1), spread(1), add, nil) }, "mapreduce: nil Option"},
		{"nil mapper", func() { _, _ = mapreduce.Combine[int, int, int](context.Background(), ints(1), nil, add) }, "mapreduce: Combine with nil mapper or combine"},
		{"nil reducer", func() { _, _ = mapreduce.Run[int, int, int, int](context.Background(), ints(1), spread(1), nil) }, "mapreduce: Run with nil mapper or reducer"},
		{"nil combine, slice", func() { _, _ = mapreduce.CombineSlice(context.Background(), []int{1}, spread(1), nil) }, "mapreduce: CombineSlice with nil mapper or combine"},
		{"nil mapper, slice", func() { _, _ = mapreduce.RunSlice[int, int, int](context.Background(), []int{1}, nil, sortedValues) }, "mapreduce: RunSlice with nil mapper or reducer"},
		{"nil function", func() { mapreduce.Map[int, int](context.Background(), ints(1), nil) }, "mapreduce: Map with nil function"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.PanicsWithValue(t, tc.want, tc.f)
		})
	}
}

// The values of a key may be ranged over more than once, and a reducer may
// stop early.
func TestReducerValues(t *testing.T) {
	t.Parallel()
	r := func(_ context.Context, k int, values iter.Seq[int]) (string, error) {
		n := 0
		for range values {
			n++
		}
		var first int
		for v := range values {
			first = v
			break
		}
		_ = first
		return strconv.Itoa(n), nil
	}
	m := func(_ context.Context, x int, emit func(int, int)) error {
		emit(x%3, x)
		return nil
	}
	got, err := mapreduce.Run(context.Background(), ints(30), m, r, mapreduce.WithWorkers(4), mapreduce.WithChunkSize(2))
	require.NoError(t, err)
	require.Equal(t, map[int]string{0: "10", 1: "10", 2: "10"}, got)
}

// Keys of a struct type, and of an interface type, partition like any other.
func TestKeyTypes(t *testing.T) {
	t.Parallel()
	type key struct {
		file  string
		level int
	}
	m := func(_ context.Context, x int, emit func(key, int)) error {
		emit(key{"f" + strconv.Itoa(x%4), x % 3}, 1)
		return nil
	}
	got, err := mapreduce.Combine(context.Background(), ints(120), m, add, mapreduce.WithWorkers(3))
	require.NoError(t, err)
	require.Len(t, got, 12)
	for k, v := range got {
		require.Equal(t, 10, v, "key %v", k)
	}

	mi := func(_ context.Context, x int, emit func(any, int)) error {
		if x%2 == 0 {
			emit(x%4, 1)
		} else {
			emit("odd", 1)
		}
		return nil
	}
	gotAny, err := mapreduce.Combine(context.Background(), ints(100), mi, add, mapreduce.WithWorkers(3))
	require.NoError(t, err)
	require.Equal(t, map[any]int{0: 25, 2: 25, "odd": 50}, gotAny)
}

// feedCtx returns a ctx that can be cancelled (it is, once t ends), with
// which the feeder watches ctx itself, or, unless cancellable, one that
// never ends, with which it watches only its own stop flag.
func feedCtx(t *testing.T, cancellable bool) context.Context {
	if !cancellable {
		return context.Background()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx
}

// combineByName runs Combine over slices.Values(in), or CombineSlice over
// in, as fn names it, with m and add.
func combineByName(ctx context.Context, fn string, in []int, m mapreduce.Mapper[int, int, int], opts ...mapreduce.Option) (map[int]int, error) {
	if fn == "Combine" {
		return mapreduce.Combine(ctx, slices.Values(in), m, add, opts...)
	}
	return mapreduce.CombineSlice(ctx, in, m, add, opts...)
}

// callByName runs Run, Combine, RunSlice or CombineSlice, as fn names it,
// over the inputs 0 to n-1 with m (and sortedValues or add), and returns its
// error.
func callByName(ctx context.Context, fn string, n int, m mapreduce.Mapper[int, int, int], opts ...mapreduce.Option) error {
	var err error
	switch fn {
	case "Run":
		_, err = mapreduce.Run(ctx, ints(n), m, sortedValues, opts...)
	case "Combine":
		_, err = mapreduce.Combine(ctx, ints(n), m, add, opts...)
	case "RunSlice":
		_, err = mapreduce.RunSlice(ctx, slices.Collect(ints(n)), m, sortedValues, opts...)
	case "CombineSlice":
		_, err = mapreduce.CombineSlice(ctx, slices.Collect(ints(n)), m, add, opts...)
	default:
		panic("callByName: no function " + fn)
	}
	return err
}
