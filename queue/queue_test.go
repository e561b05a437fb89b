package queue_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lullgo/lull/internal/slots"
	"github.com/lullgo/lull/queue"
	"github.com/stretchr/testify/require"
)

// fifo is what the tests need of both queue types.
type fifo[T any] interface {
	Put(ctx context.Context, v T) error
	TryPut(v T) error
	Get(ctx context.Context) (T, error)
	TryGet() (T, error)
	GetBatch(ctx context.Context, dst []T, max int) ([]T, error)
	All(ctx context.Context) iter.Seq[T]
	Close()
	Drain() []T
	Len() int
	Cap() int
	Done() <-chan struct{}
}

func intLess(a, b int) bool { return a < b }

// kinds builds each queue type with the given capacity.
var kinds = []struct {
	name string
	make func(capacity int) fifo[int]
}{
	{"Queue", func(c int) fifo[int] { return queue.New[int](c) }},
	{"Priority", func(c int) fifo[int] { return queue.NewPriority(c, intLess) }},
}

func TestNewPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"New(0)", func() { queue.New[int](0) }, "queue: New with capacity < 1"},
		{"New(-1)", func() { queue.New[int](-1) }, "queue: New with capacity < 1"},
		{"New(MaxCap+1)", func() { queue.New[int](slots.MaxCap + 1) }, "queue: New with capacity > 2^62 (2^30 on 32-bit platforms)"},
		{"NewPriority(0)", func() { queue.NewPriority(0, intLess) }, "queue: NewPriority with capacity < 1"},
		{"NewPriority(nil less)", func() { queue.NewPriority[int](1, nil) }, "queue: NewPriority with nil less"},
		{"GetBatch max 0", func() { queue.New[int](1).GetBatch(context.Background(), nil, 0) }, "queue: GetBatch with max < 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.PanicsWithValue(t, tc.want, tc.f)
		})
	}
	// A capacity New takes but cannot allocate panics like make, at once:
	// no loop rounding it up to a power of two overflows.
	require.Panics(t, func() { queue.New[int](slots.MaxCap) })
	require.Panics(t, func() { queue.NewPriority(slots.MaxCap, intLess) })
}

func TestTryOps(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			q := k.make(2)
			if got := q.Cap(); got != 2 {
				t.Fatalf("Cap() = %d, want 2", got)
			}
			if _, err := q.TryGet(); err != queue.ErrEmpty {
				t.Fatalf("TryGet on empty: got %v, want ErrEmpty", err)
			}
			require.NoError(t, q.TryPut(7))
			require.NoError(t, q.TryPut(3))
			if err := q.TryPut(5); err != queue.ErrFull {
				t.Fatalf("TryPut on full: got %v, want ErrFull", err)
			}
			if got := q.Len(); got != 2 {
				t.Fatalf("Len() = %d, want 2", got)
			}
			q.Close()
			if err := q.TryPut(5); err != queue.ErrClosed {
				t.Fatalf("TryPut after Close: got %v, want ErrClosed", err)
			}
			if err := q.Put(context.Background(), 5); err != queue.ErrClosed {
				t.Fatalf("Put after Close: got %v, want ErrClosed", err)
			}
			var got []int
			for range 2 {
				v, err := q.TryGet()
				require.NoError(t, err)
				got = append(got, v)
			}
			want := []int{7, 3}
			if k.name == "Priority" {
				want = []int{3, 7}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			if _, err := q.TryGet(); err != queue.ErrClosed {
				t.Fatalf("TryGet on closed and empty: got %v, want ErrClosed", err)
			}
			if _, err := q.Get(context.Background()); err != queue.ErrClosed {
				t.Fatalf("Get on closed and empty: got %v, want ErrClosed", err)
			}
		})
	}
}

func TestOrder(t *testing.T) {
	type item struct{ pri, seq int }
	in := []item{{3, 0}, {1, 1}, {2, 2}, {1, 3}, {3, 4}, {0, 5}, {2, 6}, {1, 7}}
	for _, tc := range []struct {
		name string
		q    fifo[item]
		want []int // seq of the items in Get order
	}{
		{"Queue", queue.New[item](len(in)), []int{0, 1, 2, 3, 4, 5, 6, 7}},
		// Least first, and equal priorities in the order they were put.
		{"Priority", queue.NewPriority(len(in), func(a, b item) bool { return a.pri < b.pri }), []int{5, 1, 3, 7, 2, 6, 0, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range in {
				require.NoError(t, tc.q.TryPut(v))
			}
			var got []int
			for range in {
				v, err := tc.q.TryGet()
				require.NoError(t, err)
				got = append(got, v.seq)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRingWraps fills and empties a queue past its end many times, with
// capacities that are and are not powers of two, against a slice.
func TestRingWraps(t *testing.T) {
	for _, capacity := range []int{1, 3, 16, 17, 100} {
		q := queue.New[int](capacity)
		var model []int
		next := 0
		for round := range 50 {
			for range (round*7)%capacity + 1 {
				if q.TryPut(next) == nil {
					model = append(model, next)
				}
				next++
			}
			for range (round*5)%capacity + 1 {
				v, err := q.TryGet()
				if len(model) == 0 {
					require.ErrorIs(t, err, queue.ErrEmpty)
					continue
				}
				require.NoError(t, err)
				if v != model[0] {
					t.Fatalf("cap %d round %d: got %d, want %d", capacity, round, v, model[0])
				}
				model = model[1:]
			}
			if q.Len() != len(model) {
				t.Fatalf("cap %d: Len() = %d, want %d", capacity, q.Len(), len(model))
			}
		}
		if got := q.Drain(); !slices.Equal(got, model) {
			t.Fatalf("cap %d: Drain() = %v, want %v", capacity, got, model)
		}
	}
}

func TestCloseWakesEveryWaiter(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, inBubble(func(t *testing.T) {
			const n = 5
			ctx := context.Background()

			// Consumers parked on an empty queue all get ErrClosed.
			q := k.make(1)
			errs := make(chan error, 2*n)
			for range n {
				go func() { _, err := q.Get(ctx); errs <- err }()
			}
			for range n {
				synctest.Wait()
			}
			q.Close()
			for range n {
				if err := <-errs; err != queue.ErrClosed {
					t.Fatalf("blocked Get after Close: got %v, want ErrClosed", err)
				}
			}

			// Producers parked on a full queue all get ErrClosed, and
			// the buffered item is still delivered.
			q = k.make(1)
			require.NoError(t, q.TryPut(42))
			for i := range n {
				go func() { errs <- q.Put(ctx, i) }()
			}
			for range n {
				synctest.Wait()
			}
			q.Close()
			for range n {
				if err := <-errs; err != queue.ErrClosed {
					t.Fatalf("blocked Put after Close: got %v, want ErrClosed", err)
				}
			}
			select {
			case <-q.Done():
				t.Fatal("Done closed while an item is still buffered")
			default:
			}
			v, err := q.Get(ctx)
			if err != nil || v != 42 {
				t.Fatalf("Get after Close: got %v, %v, want 42, nil", v, err)
			}
			<-q.Done() // closed and empty now
			q.Close()  // idempotent
		}))
	}
}

func TestCancelLeavesNoTrace(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name+"/Put", inBubble(func(t *testing.T) {
			q := k.make(1)
			require.NoError(t, q.TryPut(1))
			ctx, cancel := context.WithCancel(context.Background())
			errs := make(chan error, 2)
			go func() { errs <- q.Put(ctx, 2) }()
			synctest.Wait()
			go func() { errs <- q.Put(context.Background(), 3) }()
			synctest.Wait()
			cancel()
			if err := <-errs; err != context.Canceled {
				t.Fatalf("cancelled Put: got %v, want context.Canceled unwrapped", err)
			}
			// The room made by this Get goes to the Put still waiting.
			v, err := q.TryGet()
			require.NoError(t, err)
			require.Equal(t, 1, v)
			require.NoError(t, <-errs)
			if got := q.Drain(); !slices.Equal(got, []int{3}) {
				t.Fatalf("Drain() = %v, want [3]: the cancelled item must not be there", got)
			}
		}))
		t.Run(k.name+"/Get", inBubble(func(t *testing.T) {
			q := k.make(1)
			ctx, cancel := context.WithCancel(context.Background())
			type res struct {
				v   int
				err error
			}
			first, second := make(chan res, 1), make(chan res, 1)
			go func() { v, err := q.Get(ctx); first <- res{v, err} }()
			synctest.Wait()
			go func() { v, err := q.Get(context.Background()); second <- res{v, err} }()
			synctest.Wait()
			cancel()
			if r := <-first; r.err != context.Canceled {
				t.Fatalf("cancelled Get: got %v, want context.Canceled unwrapped", r.err)
			}
			// The item goes to the Get still waiting, not into the buffer.
			require.NoError(t, q.TryPut(9))
			if r := <-second; r.err != nil || r.v != 9 {
				t.Fatalf("waiting Get: got %v, %v, want 9, nil", r.v, r.err)
			}
			require.Equal(t, 0, q.Len())
		}))
		// Calls parked under one ctx wait for it through one link (see
		// internal/wait.Links), all but the first: when it ends, each
		// leaves, and what comes next goes to the call behind them.
		t.Run(k.name+"/SharedGets", inBubble(func(t *testing.T) {
			q := k.make(1)
			ctx, cancel := context.WithCancel(context.Background())
			errs := make(chan error, 3)
			for range 3 {
				go func() { _, err := q.Get(ctx); errs <- err }()
				synctest.Wait()
			}
			last := make(chan int, 1)
			go func() { v, _ := q.Get(context.Background()); last <- v }()
			synctest.Wait()
			cancel()
			for range 3 {
				if err := <-errs; err != context.Canceled {
					t.Fatalf("cancelled Get: got %v, want context.Canceled", err)
				}
			}
			checkParked(t, q)
			require.NoError(t, q.TryPut(9))
			if v := <-last; v != 9 {
				t.Fatalf("waiting Get: got %v, want 9", v)
			}
			require.Equal(t, 0, q.Len())
		}))
		t.Run(k.name+"/SharedPuts", inBubble(func(t *testing.T) {
			q := k.make(1)
			require.NoError(t, q.TryPut(1))
			ctx, cancel := context.WithCancel(context.Background())
			errs := make(chan error, 3)
			for i := range 3 {
				go func() { errs <- q.Put(ctx, 10+i) }()
				synctest.Wait()
			}
			last := make(chan error, 1)
			go func() { last <- q.Put(context.Background(), 3) }()
			synctest.Wait()
			cancel()
			for range 3 {
				if err := <-errs; err != context.Canceled {
					t.Fatalf("cancelled Put: got %v, want context.Canceled", err)
				}
			}
			checkParked(t, q)
			v, err := q.TryGet()
			require.NoError(t, err)
			require.Equal(t, 1, v)
			require.NoError(t, <-last)
			if got := q.Drain(); !slices.Equal(got, []int{3}) {
				t.Fatalf("Drain() = %v, want [3]: no cancelled item may be there", got)
			}
		}))
		t.Run(k.name+"/AlreadyDone", inBubble(func(t *testing.T) {
			q := k.make(1)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := q.Put(ctx, 1); err != context.Canceled {
				t.Fatalf("Put with done ctx: got %v, want context.Canceled", err)
			}
			require.NoError(t, q.TryPut(1))
			if _, err := q.Get(ctx); err != context.Canceled {
				t.Fatalf("Get with done ctx: got %v, want context.Canceled", err)
			}
			if _, err := q.GetBatch(ctx, nil, 4); err != context.Canceled {
				t.Fatalf("GetBatch with done ctx: got %v, want context.Canceled", err)
			}
			require.Equal(t, 1, q.Len())
		}))
	}
}

func TestDeadline(t *testing.T) {
	q := queue.New[int](1)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now())
	defer cancel()
	if _, err := q.Get(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get past deadline: got %v, want DeadlineExceeded", err)
	}
}

// TestFairness checks that parked producers and parked consumers are each
// served first-come, first-served.
func TestFairness(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name+"/producers", inBubble(func(t *testing.T) {
			const n = 8
			q := k.make(1)
			require.NoError(t, q.TryPut(-1))
			errs := make(chan error, n)
			// Each producer parks before the next starts; put the
			// largest values first so Priority order can't hide unfairness.
			for i := range n {
				go func() { errs <- q.Put(context.Background(), 100-i) }()
				synctest.Wait()
			}
			got := []int{}
			for range n + 1 {
				v, err := q.Get(context.Background())
				require.NoError(t, err)
				got = append(got, v)
			}
			for range n {
				require.NoError(t, <-errs)
			}
			want := []int{-1, 100, 99, 98, 97, 96, 95, 94, 93}
			if !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		}))
		t.Run(k.name+"/consumers", inBubble(func(t *testing.T) {
			const n = 8
			q := k.make(1)
			results := make([]chan int, n)
			for i := range n {
				results[i] = make(chan int, 1)
				go func() {
					v, err := q.Get(context.Background())
					if err != nil {
						v = -1
					}
					results[i] <- v
				}()
				synctest.Wait()
			}
			for i := range n {
				require.NoError(t, q.Put(context.Background(), n-i))
			}
			for i := range n {
				if got := <-results[i]; got != n-i {
					t.Fatalf("consumer %d got %d, want %d", i, got, n-i)
				}
			}
		}))
	}
}

func TestGetBatch(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, inBubble(func(t *testing.T) {
			ctx := context.Background()
			q := k.make(10)
			for i := range 5 {
				require.NoError(t, q.TryPut(i))
			}
			dst := []int{-1}
			dst, err := q.GetBatch(ctx, dst, 3)
			require.NoError(t, err)
			if !slices.Equal(dst, []int{-1, 0, 1, 2}) {
				t.Fatalf("got %v, want [-1 0 1 2]", dst)
			}
			dst, err = q.GetBatch(ctx, dst[:0], 64)
			require.NoError(t, err)
			if !slices.Equal(dst, []int{3, 4}) {
				t.Fatalf("got %v, want [3 4]", dst)
			}

			// A batch blocks for its first item only.
			got := make(chan []int, 1)
			go func() {
				b, err := q.GetBatch(ctx, nil, 64)
				if err != nil {
					b = nil
				}
				got <- b
			}()
			synctest.Wait()
			require.NoError(t, q.Put(ctx, 8))
			if b := <-got; len(b) < 1 || b[0] != 8 {
				t.Fatalf("blocked GetBatch got %v, want [8 ...]", b)
			}

			q.Close()
			if b, err := q.GetBatch(ctx, dst[:0], 4); err != queue.ErrClosed || len(b) != 0 {
				t.Fatalf("GetBatch on closed and empty: got %v, %v, want [], ErrClosed", b, err)
			}
		}))
	}
}

// TestGetBatchRefills checks that a batch takes only what is buffered (it is
// one atomic operation on a queue of at most Cap items), and that the parked
// producers then fill the room it made, first come, first served.
func TestGetBatchRefills(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := queue.New[int](2)
		require.NoError(t, q.TryPut(0))
		require.NoError(t, q.TryPut(1))
		errs := make(chan error, 3)
		for i := 2; i < 5; i++ {
			go func() { errs <- q.Put(context.Background(), i) }()
			synctest.Wait()
		}
		b, err := q.GetBatch(context.Background(), nil, 10)
		require.NoError(t, err)
		if !slices.Equal(b, []int{0, 1}) {
			t.Fatalf("got %v, want [0 1]", b)
		}
		for range 2 {
			require.NoError(t, <-errs)
		}
		b, err = q.GetBatch(context.Background(), b[:0], 10)
		require.NoError(t, err)
		if !slices.Equal(b, []int{2, 3}) {
			t.Fatalf("second batch: got %v, want [2 3]", b)
		}
		require.NoError(t, <-errs)
		if v, err := q.TryGet(); err != nil || v != 4 {
			t.Fatalf("TryGet: got %v, %v, want 4, nil", v, err)
		}
	})
}

func TestAll(t *testing.T) {
	q := queue.New[int](4)
	go func() {
		for i := range 10 {
			if q.Put(context.Background(), i) != nil {
				return
			}
		}
		q.Close()
	}()
	var got []int
	for v := range q.All(context.Background()) {
		got = append(got, v)
	}
	if want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}

	// Breaking out consumes the item broken on, and nothing more.
	q = queue.New[int](4)
	for i := range 4 {
		require.NoError(t, q.TryPut(i))
	}
	for v := range q.All(context.Background()) {
		if v == 1 {
			break
		}
	}
	if got := q.Drain(); !slices.Equal(got, []int{2, 3}) {
		t.Fatalf("after break: Drain() = %v, want [2 3]", got)
	}

	// A done ctx ends the loop.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range q.All(ctx) {
		t.Fatal("All yielded with a done ctx")
	}
}

func TestDrain(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, inBubble(func(t *testing.T) {
			q := k.make(4)
			if got := q.Drain(); got != nil {
				t.Fatalf("Drain() of empty = %v, want nil", got)
			}
			for _, v := range []int{4, 2, 3, 1} {
				require.NoError(t, q.TryPut(v))
			}
			// A producer waiting on the full queue gets in after Drain
			// and is not part of what Drain returns: Drain takes what
			// is buffered at once.
			errs := make(chan error, 1)
			go func() { errs <- q.Put(context.Background(), 0) }()
			synctest.Wait()
			want := []int{4, 2, 3, 1}
			if k.name == "Priority" {
				want = []int{1, 2, 3, 4}
			}
			if got := q.Drain(); !slices.Equal(got, want) {
				t.Fatalf("Drain() = %v, want %v", got, want)
			}
			require.NoError(t, <-errs)
			require.Equal(t, 1, q.Len())

			q.Close()
			select {
			case <-q.Done():
				t.Fatal("Done closed with an item left")
			default:
			}
			if got := q.Drain(); !slices.Equal(got, []int{0}) {
				t.Fatalf("Drain() after Close = %v, want [0]", got)
			}
			<-q.Done()
		}))
	}
}

// TestWaitingDoesNotAllocate checks that Puts and Gets that park reuse their
// waiters: 10,000 parked operations may allocate fewer than 100 times. It
// runs under a ctx that never ends, and under one that can, as real callers
// pass: the calls parked under that one share one link, made once and kept
// (see internal/wait.Links).
func TestWaitingDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, k := range kinds {
		for name, ctx := range map[string]context.Context{"background": context.Background(), "cancel": cancellable} {
			t.Run(k.name+"/"+name, func(t *testing.T) {
				q := k.make(1)
				const perRun = 100
				done := make(chan struct{})
				go func() {
					defer close(done)
					for {
						if _, err := q.Get(ctx); err != nil {
							return
						}
					}
				}()
				allocs := testing.AllocsPerRun(100, func() {
					for i := range perRun {
						_ = q.Put(ctx, i) // the queue holds one item: most Puts or Gets park
					}
				})
				q.Close()
				<-done
				// AllocsPerRun rounds down: under 1 per run is under 1 per 100 operations.
				if allocs >= 1 {
					t.Fatalf("%v allocations per %d parked Puts, want none", allocs, perRun)
				}
			})
		}
	}
}

// regCtx counts what context.AfterFunc registers on it, through the
// AfterFunc method it uses when a ctx has one (Value hides the parent's
// cancelCtx, which it would use instead).
type regCtx struct {
	context.Context
	mu                   sync.Mutex
	made, removed, fired int
}

func (c *regCtx) Value(any) any { return nil }

func (c *regCtx) AfterFunc(f func()) func() bool {
	c.mu.Lock()
	c.made++
	c.mu.Unlock()
	stop := context.AfterFunc(c.Context, func() {
		c.mu.Lock()
		c.fired++
		c.mu.Unlock()
		f()
	})
	return func() bool {
		ok := stop()
		if ok {
			c.mu.Lock()
			c.removed++
			c.mu.Unlock()
		}
		return ok
	}
}

// registered returns how many AfterFuncs are registered on c, and how many
// were ever.
func (c *regCtx) registered() (now, ever int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.made - c.removed - c.fired, c.made
}

// TestCloseLeavesNoLink parks Gets under one ctx, which they wait for
// through one link (see internal/wait.Links), and closes the queue: once
// they have returned, nothing of the queue is registered on the ctx, which
// would otherwise keep it reachable.
func TestCloseLeavesNoLink(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, inBubble(func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rc := &regCtx{Context: ctx}
			q := k.make(1)
			errs := make(chan error, 3)
			for range 3 {
				go func() { _, err := q.Get(rc); errs <- err }()
				synctest.Wait()
			}
			if _, ever := rc.registered(); ever != 1 {
				t.Fatalf("%d AfterFuncs for 3 Gets under one ctx, want 1", ever)
			}
			q.Close()
			for range 3 {
				if err := <-errs; err != queue.ErrClosed {
					t.Fatalf("Get: %v, want ErrClosed", err)
				}
			}
			if now, _ := rc.registered(); now != 0 {
				t.Fatalf("%d AfterFuncs still registered on the ctx after Close", now)
			}
		}))
	}
}

// checkParked fails t if q is a Queue whose counts of parked calls, which its
// fast paths read, do not match the calls parked in it.
func checkParked(t *testing.T, q fifo[int]) {
	t.Helper()
	if q, ok := q.(*queue.Queue[int]); ok {
		if err := queue.CheckParked(q); err != nil {
			t.Fatal(err)
		}
	}
}

// inBubble runs f in a synctest bubble, where synctest.Wait returns once
// every other goroutine of the bubble is durably blocked: a Put or Get
// parked in a queue made in the bubble (on a channel, for a Queue; on its
// waiter's channel, for a Priority). So a test knows a call is parked
// without sleeping.
func inBubble(f func(t *testing.T)) func(t *testing.T) {
	return func(t *testing.T) { synctest.Test(t, f) }
}
