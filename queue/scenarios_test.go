package queue_test

// Regression tests for the queue scenarios of issue 12 ("Nothing lost,
// provably"): 5 (ErrFull and ErrEmpty must mean what their docs say), 6 (a
// panicking less must not wedge a Priority) and 10 (every operation that
// scans, counts or empties the ring is right while a pusher or popper is
// preempted mid-operation). They use only the public API.
//
// The races are reproduced by bounded randomized runs with GOMAXPROCS above
// the number of CPUs, so that the OS preempts goroutines in the middle of an
// operation. Each check is one that a linearizable queue can never fail: a
// probe by the only producer (or the only consumer) of a queue, whose own
// operations pin down what the queue holds. Every wait a bug could turn into
// a hang is bounded by watchdog.Limit: a hang guard, never a speed limit.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/queue"
)

// scnProcs sets GOMAXPROCS to n for the test; above the number of CPUs, the
// OS preempts threads in the middle of an operation.
func scnProcs(t *testing.T, n int) {
	old := runtime.GOMAXPROCS(n)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

// scnCounts counts how many times each item of 0..n-1 came out of a queue.
type scnCounts []atomic.Int32

// check reports the first item that did not come out exactly once.
func (c scnCounts) check() error {
	for v := range c {
		if got := c[v].Load(); got != 1 {
			return fmt.Errorf("item %d came out %d times, want once", v, got)
		}
	}
	return nil
}

// scnQuiet checks a queue that nobody uses any more, and that holds no item:
// TryPut must then succeed, and TryGet return that item. A flag left behind
// by the storm (a side said to be starving with no waiter left) fails it.
func scnQuiet(q *queue.Queue[int]) error {
	if n := q.Len(); n != 0 {
		return fmt.Errorf("quiet queue: Len() = %d, want 0", n)
	}
	if err := q.TryPut(-2); err != nil {
		return fmt.Errorf("quiet, empty queue (nobody parked): TryPut = %v, want nil", err)
	}
	if v, err := q.TryGet(); err != nil || v != -2 {
		return fmt.Errorf("quiet queue holding one item: TryGet = %d, %v, want -2, nil", v, err)
	}
	return nil
}

// Scenario 5, the popping side: with capacity 1, TryPut must not report the
// queue full while it is empty, which it is once a pop has claimed the slot,
// even if that pop has not released the slot yet. The producer is the only
// one, and before each item it tries to take one itself: when its TryGet
// finds the queue empty, nobody can fill it before its TryPut, which must
// then succeed. The consumers pop with TryGet and never park (so that no
// starving Get may keep an item from TryGet): they pop as soon as an item is
// there, and are often preempted in the middle of a pop.
func TestScenario05TryPutFullOnEmptyQueue(t *testing.T) {
	for _, procs := range []int{4, 8, 16} {
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			scnProcs(t, procs)
			for round := range scnEmpty.rounds {
				if err := scnEmptyRound(t, scnEmpty.items); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		})
	}
}

// scnEmptyRound runs one round of TestScenario05TryPutFullOnEmptyQueue.
func scnEmptyRound(t *testing.T, items int) error {
	ctx := watchdog.Ctx(t)
	const consumers = 8
	q := queue.New[int](1)
	got := make(scnCounts, items)
	var wg sync.WaitGroup
	for range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				v, err := q.TryGet()
				switch {
				case err == nil:
					got[v].Add(1)
				case errors.Is(err, queue.ErrClosed):
					return
				default:
					runtime.Gosched()
				}
			}
		}()
	}
	defer func() { // on every return: Close is idempotent
		q.Close()
		wg.Wait()
	}()
	bad := 0
	for i := range items {
		for {
			v, err := q.TryGet()
			if err == nil {
				got[v].Add(1)
				continue
			}
			if !errors.Is(err, queue.ErrEmpty) {
				return fmt.Errorf("TryGet: %v", err)
			}
			// Empty, and only this goroutine puts: the queue is empty
			// until this TryPut.
			err = q.TryPut(i)
			if err == nil {
				break
			}
			if !errors.Is(err, queue.ErrFull) {
				return fmt.Errorf("TryPut: %v", err)
			}
			bad++
			if err := q.Put(ctx, i); err != nil {
				return fmt.Errorf("Put: %v", err)
			}
			break
		}
	}
	q.Close()
	watchdog.Within(t, watchdog.Limit, "consumers to end after Close", wg.Wait)
	if bad > 0 {
		return fmt.Errorf("TryGet found the queue empty, and the only producer's next TryPut said ErrFull: for %d of %d items",
			bad, items)
	}
	return got.check()
}

// Scenario 5, the pushing side: with capacity 1, TryGet must not report the
// queue empty while it holds an item, which it does once a push has claimed
// the slot, even if that push has not filled it yet. The consumer is the
// only one, and never parked while it probes: when it has seen the queue
// full, nobody can empty it before its next TryGet, which must then succeed.
// It sees the queue full either by its own TryPut failing with ErrFull
// (with producers that never park, so that no starving Put holds the room)
// or by Len. Afterwards, with nobody left, TryPut and TryGet must work on
// the quiet queue: a starving flag left set fails them.
func TestScenario05TryGetEmptyOnFullQueue(t *testing.T) {
	scnProcs(t, 16)
	for _, tc := range []struct {
		witness                        string
		rounds, producers, perProducer int
	}{
		{"TryPut", scnFull.tryPutRounds, 4, 1000},
		{"Len", scnFull.lenRounds, 4, 2000},
	} {
		t.Run(tc.witness+" says full", func(t *testing.T) {
			for round := range tc.rounds {
				if err := scnFullRound(t, tc.witness == "TryPut", tc.producers, tc.perProducer); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		})
	}
}

// scnFullRound runs one round of TestScenario05TryGetEmptyOnFullQueue.
func scnFullRound(t *testing.T, tryPut bool, producers, perProducer int) (err error) {
	ctx, cancel := context.WithCancel(watchdog.Ctx(t))
	var quit atomic.Bool // the consumer gave up: the producers stop, saying nothing
	q := queue.New[int](1)
	n := producers * perProducer
	got := make(scnCounts, n)
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perProducer {
				v := p*perProducer + i
				if !tryPut {
					if err := q.Put(ctx, v); err != nil {
						if !quit.Load() {
							t.Errorf("Put: %v", err)
						}
						return
					}
					continue
				}
				for q.TryPut(v) != nil {
					if ctx.Err() != nil {
						if !quit.Load() {
							t.Errorf("TryPut: still full after %v", watchdog.Limit)
						}
						return
					}
					runtime.Gosched()
				}
			}
		}()
	}
	defer func() {
		// Stop the producers if the round ends early, so that they
		// report nothing after the test ended and its error is seen.
		quit.Store(true)
		cancel()
		if err != nil {
			wg.Wait()
		}
	}()
	probes, bad, taken := 0, 0, 0
	take := func(v int) {
		if v >= 0 { // -1 is the consumer's own probe item
			got[v].Add(1)
			taken++
		}
	}
	for taken < n {
		full := false
		if tryPut {
			switch err := q.TryPut(-1); {
			case errors.Is(err, queue.ErrFull):
				full = true
			case err != nil:
				return fmt.Errorf("TryPut: %v", err)
			}
		} else {
			full = q.Len() == 1
		}
		if full {
			// Full, and only this goroutine gets: the queue holds an
			// item until this TryGet.
			probes++
			if v, err := q.TryGet(); err != nil {
				bad++
			} else {
				take(v)
				continue
			}
		}
		v, err := q.Get(ctx)
		if err != nil {
			return fmt.Errorf("Get with %d of %d items taken: %v (Len %d)", taken, n, err, q.Len())
		}
		take(v)
	}
	watchdog.Within(t, watchdog.Limit, "producers to end", wg.Wait)
	// Only probe items may be left.
	for v, err := q.TryGet(); err == nil; v, err = q.TryGet() {
		take(v)
	}
	quiet := scnQuiet(q)
	witness := "TryPut found"
	if !tryPut {
		witness = "Len() found"
	}
	if bad > 0 {
		return fmt.Errorf("%s the queue full, and the only consumer's next TryGet said ErrEmpty: %d times in %d probes (then, quiet: %v)",
			witness, bad, probes, quiet)
	}
	if quiet != nil {
		return quiet
	}
	return got.check()
}

// Scenario 5, the starving flag: after a storm of blocking and non-blocking
// calls on a small queue, in which waiters park, may wait over a millisecond
// (the OS preempts their wakers) and make their side starve, every waiter
// has been served: TryPut on the quiet, empty queue must succeed and TryGet
// must return its item.
func TestScenario05StarvingFlagOutlivesWaiters(t *testing.T) {
	scnProcs(t, 16)
	const rounds, pairs, ops = 20, 4, 300
	for round := range rounds {
		ctx := watchdog.Ctx(t)
		q := queue.New[int](1 + round%2)
		var wg sync.WaitGroup
		for range pairs {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := range ops {
					// One TryPut in three, tried once: the others Put.
					if i%3 == 0 && q.TryPut(i) == nil {
						continue
					}
					if err := q.Put(ctx, i); err != nil {
						t.Errorf("Put: %v", err)
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for i := range ops {
					if i%3 == 0 {
						if _, err := q.TryGet(); err == nil {
							continue
						}
					}
					if _, err := q.Get(ctx); err != nil {
						t.Errorf("Get: %v", err)
						return
					}
				}
			}()
		}
		watchdog.Within(t, watchdog.Limit, "the storm", wg.Wait)
		if t.Failed() {
			t.FailNow()
		}
		if err := scnQuiet(q); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

// errLess is the panic value of the less function of the scenario 6 tests.
var errLess = errors.New("less panicked")

// Scenario 6: a panic in a Priority's less reaches the caller whose
// operation called it, and leaves the queue usable: TryGet, Close, Drain and
// Get work afterwards, and no item is lost or handed out twice.
func TestScenario06PanickingLessWedgesPriority(t *testing.T) {
	t.Run("settling a parked Put", func(t *testing.T) {
		// A Get makes room in a full queue for a parked Put, and less
		// must place the Put's item among those left: less panics. Whether
		// the Put is parked when the Get comes depends on the scheduler,
		// so rounds go on until a Get has met the panic (the Put may also
		// meet it itself, pushing on its own; that round proves less).
		getPanicked := 0
		for round := 0; round < 50 && getPanicked == 0; round++ {
			if scnLessRound(t, round) {
				getPanicked++
			}
			if t.Failed() {
				return
			}
		}
		t.Logf("a Get met the panic of less after a few rounds: %v", getPanicked > 0)
	})
	t.Run("TryPut", func(t *testing.T) {
		var panicking atomic.Bool
		q := queue.NewPriority(4, func(a, b int) bool {
			if panicking.Load() {
				panic(errLess)
			}
			return a < b
		})
		for _, v := range []int{5, 7} {
			if err := q.TryPut(v); err != nil {
				t.Fatal(err)
			}
		}
		panicking.Store(true)
		var pv any
		func() {
			defer func() { pv = recover() }()
			_ = q.TryPut(1)
		}()
		panicking.Store(false)
		if pv != errLess {
			t.Fatalf("TryPut whose less panicked: recovered %v, want the panic of less", pv)
		}
		ctx := watchdog.Ctx(t)
		var got []int
		watchdog.Within(t, watchdog.Limit, "Get after the panic", func() {
			if v, err := q.Get(ctx); err == nil {
				got = append(got, v)
			} else {
				t.Errorf("Get: %v", err)
			}
		})
		watchdog.Within(t, watchdog.Limit, "Close after the panic", q.Close)
		watchdog.Within(t, watchdog.Limit, "Drain after the panic", func() { got = append(got, q.Drain()...) })
		count := map[int]int{}
		for _, v := range got {
			count[v]++
		}
		if count[5] != 1 || count[7] != 1 || count[1] > 1 {
			t.Fatalf("after a panicking TryPut(1): items out %v, want 5 and 7 once each, 1 at most once", got)
		}
	})
}

// scnLessRound runs one round of the parked-Put case of scenario 6, and
// reports whether the Get met the panic.
func scnLessRound(t *testing.T, round int) bool {
	t.Helper()
	ctx := watchdog.Ctx(t)
	var panicking, panicked atomic.Bool
	q := queue.NewPriority(2, func(a, b int) bool {
		if panicking.Load() && (a == 3 || b == 3) {
			panicked.Store(true)
			panic(errLess)
		}
		return a < b
	})
	for _, v := range []int{1, 2} {
		if err := q.TryPut(v); err != nil {
			t.Fatal(err)
		}
	}
	panicking.Store(true)
	type result struct {
		err error
		pv  any
	}
	putDone := make(chan result, 1)
	putCtx, cancelPut := context.WithCancel(ctx)
	defer cancelPut()
	calling := make(chan struct{})
	go func() {
		var r result
		defer func() {
			r.pv = recover()
			putDone <- r
		}()
		close(calling)
		r.err = q.Put(putCtx, 3) // the queue is full: it waits for room
	}()
	<-calling
	for range 8 {
		runtime.Gosched() // most often, the Put is parked by now
	}
	var getPV any
	var got []int
	watchdog.Within(t, watchdog.Limit, fmt.Sprintf("round %d: Get while a Put waits", round), func() {
		defer func() { getPV = recover() }()
		v, err := q.Get(ctx)
		if err != nil {
			t.Errorf("Get: %v", err)
			return
		}
		got = append(got, v)
	})
	if t.Failed() {
		return false
	}
	// The queue must still work, whoever met the panic.
	watchdog.Within(t, watchdog.Limit, fmt.Sprintf("round %d (Get panicked: %v): TryGet after the panic", round, getPV != nil), func() {
		if v, err := q.TryGet(); err == nil {
			got = append(got, v)
		}
	})
	if t.Failed() {
		return false
	}
	watchdog.Within(t, watchdog.Limit, fmt.Sprintf("round %d (Get panicked: %v): Close after the panic", round, getPV != nil), q.Close)
	if t.Failed() {
		return false
	}
	watchdog.Within(t, watchdog.Limit, fmt.Sprintf("round %d: Drain after the panic", round), func() { got = append(got, q.Drain()...) })
	if t.Failed() {
		return false
	}
	var put result
	watchdog.Within(t, watchdog.Limit, fmt.Sprintf("round %d: the Put to return after Close", round), func() { put = <-putDone })
	if t.Failed() {
		return false
	}
	watchdog.Within(t, watchdog.Limit, fmt.Sprintf("round %d: Get on the closed, drained queue", round), func() {
		if _, err := q.Get(ctx); !errors.Is(err, queue.ErrClosed) {
			t.Errorf("Get on a closed, drained queue: %v, want ErrClosed", err)
		}
	})
	panicking.Store(false)
	// The panic of less must reach someone: this Get, or the Put. (If the
	// Put came only once the queue was empty, or closed, less never ran
	// with 3.)
	if panicked.Load() && getPV == nil && put.pv == nil {
		t.Fatalf("round %d: less panicked and nobody saw it (Put returned %v; items out %v)", round, put.err, got)
	}
	for _, pv := range []any{getPV, put.pv} {
		if pv != nil && pv != errLess {
			t.Fatalf("round %d: panic value %v, want the one less raised", round, pv)
		}
	}
	// 1 and 2 were put before anything panicked: each comes out once
	// (the Get that panicked may have taken one and lost it only if it
	// returned no item). 3 comes out once if its Put returned nil, never if
	// it failed. Nothing comes out twice.
	count := map[int]int{}
	for _, v := range got {
		count[v]++
	}
	for v, c := range count {
		if c > 1 {
			t.Fatalf("round %d: item %d came out %d times (%v)", round, v, c, got)
		}
	}
	if want := 2; count[1]+count[2] != want && getPV == nil {
		t.Fatalf("round %d: items 1 and 2 came out %d times in all, want %d (%v)", round, count[1]+count[2], want, got)
	}
	if count[2] != 1 {
		t.Fatalf("round %d: item 2 came out %d times, want once (%v)", round, count[2], got)
	}
	switch {
	case put.pv == nil && put.err == nil && count[3] != 1:
		t.Fatalf("round %d: Put(3) returned nil but 3 came out %d times (%v)", round, count[3], got)
	case (put.pv != nil || put.err != nil) && count[3] != 0:
		t.Fatalf("round %d: Put(3) failed (%v, panic %v) but 3 came out (%v)", round, put.err, put.pv, got)
	}
	return getPV != nil
}

// scnObserve is one configuration of the producers of scenario 10.
type scnObserve struct {
	procs, producers, perProducer, capacity int
	tryPut                                  bool // every other item by TryPut, retried while full
	yields                                  int  // runtime.Gosched calls after each put: slower producers keep the queue near empty
}

// Scenario 10: Len, TryGet, GetBatch and Drain agree while producers are
// preempted in the middle of a Put. The consumer is the only one: once Len
// has counted k items, they stay until the consumer takes them, so TryGet
// must find one, GetBatch(k) must take k, and Drain at least k. Drain must
// also return every item whose Put had returned before Drain began. Each
// probe runs under a few producer configurations: where the holes left by
// preempted pushes fall (at the head, or behind it) depends on how full the
// queue runs.
func TestScenario10ObserversUnderPreemption(t *testing.T) {
	configs := []scnObserve{
		{16, 8, 3000, 64, false, 0},
		{16, 8, 1500, 64, true, 0},
		{16, 8, 3000, 64, false, 4},
		{16, 8, 3000, 8, false, 0},
		{8, 6, 4000, 16, false, 2},
	}
	for _, probe := range []string{"TryGet", "GetBatch", "Drain"} {
		t.Run("Len then "+probe, func(t *testing.T) {
			var report []string
			for _, cfg := range configs {
				probes, bad, first := scnObserveRun(t, probe, cfg)
				if bad > 0 {
					report = append(report, fmt.Sprintf("%+v: %d of %d probes failed; first: %s", cfg, bad, probes, first))
				}
			}
			if len(report) > 0 {
				t.Fatalf("probes by the only consumer failed:\n%s", strings.Join(report, "\n"))
			}
		})
	}
}

// scnObserveRun runs one configuration of scenario 10 with the given probe,
// and returns how many probes were made, how many failed, and the first
// failure.
func scnObserveRun(t *testing.T, probe string, cfg scnObserve) (probes, bad int, first string) {
	t.Helper()
	scnProcs(t, cfg.procs)
	ctx := watchdog.Ctx(t)
	n := cfg.producers * cfg.perProducer
	q := queue.New[int](cfg.capacity)
	got := make(scnCounts, n)
	// putDone[p] counts the Puts of producer p that returned; each producer
	// puts its items in order, and a Queue keeps that order, so the consumer
	// takes each producer's items in order.
	putDone := make([]atomic.Int64, cfg.producers)
	var wg sync.WaitGroup
	for p := range cfg.producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range cfg.perProducer {
				v := p*cfg.perProducer + i
				var err error
				if cfg.tryPut && i%2 == 1 {
					for err = q.TryPut(v); errors.Is(err, queue.ErrFull); err = q.TryPut(v) {
						runtime.Gosched()
					}
				} else {
					err = q.Put(ctx, v)
				}
				if err != nil {
					t.Errorf("put: %v", err)
					return
				}
				putDone[p].Add(1)
				for range cfg.yields {
					runtime.Gosched()
				}
			}
		}()
	}
	takenOf := make([]int64, cfg.producers) // items of each producer taken so far
	taken := 0
	take := func(vs ...int) {
		for _, v := range vs {
			got[v].Add(1)
			takenOf[v/cfg.perProducer]++
		}
		taken += len(vs)
	}
	var batch []int
	before := make([]int64, cfg.producers)
	for taken < n {
		if ctx.Err() != nil {
			t.Fatalf("%+v: %d of %d items taken after %v", cfg, taken, n, watchdog.Limit)
		}
		if probe == "Drain" {
			for p := range before {
				before[p] = putDone[p].Load()
			}
		}
		k := q.Len()
		if k == 0 {
			runtime.Gosched()
			continue
		}
		probes++
		switch probe {
		case "TryGet":
			v, err := q.TryGet()
			if err != nil {
				bad++
				if first == "" {
					first = fmt.Sprintf("Len() = %d, then TryGet: %v", k, err)
				}
				continue
			}
			take(v)
		case "GetBatch":
			var err error
			batch, err = q.GetBatch(ctx, batch[:0], k)
			if err != nil {
				t.Fatalf("GetBatch: %v", err)
			}
			if len(batch) != k {
				bad++
				if first == "" {
					first = fmt.Sprintf("Len() = %d, then GetBatch(%d) took %d", k, k, len(batch))
				}
			}
			take(batch...)
		case "Drain":
			out := q.Drain()
			take(out...)
			missed := int64(0)
			for p := range before {
				missed += max(before[p]-takenOf[p], 0)
			}
			if len(out) < k || missed > 0 {
				bad++
				if first == "" {
					first = fmt.Sprintf("Len() = %d, then Drain returned %d items, and left %d whose Put had returned before it",
						k, len(out), missed)
				}
			}
		}
	}
	watchdog.Within(t, watchdog.Limit, "producers to end", wg.Wait)
	if err := got.check(); err != nil {
		t.Fatalf("%+v: %v", cfg, err)
	}
	return probes, bad, first
}
