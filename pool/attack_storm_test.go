package pool_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// TestAttackStormThenWait mixes Submit, TrySubmit, Go and Group.Go (some
// panicking, some calling runtime.Goexit, some with a ctx that ends) from
// several goroutines, while Resize flips the size (through 0 at times), on
// random configurations: with and without backlog, capacity 1 rings,
// autoscaling with a 1 ms idle timeout. Unlike TestStress, it ends the
// storm with Wait, not Close (which would start workers for what the storm
// left queued): once the last Resize left the pool running, Wait must
// return, and Stats at that quiet instant must agree with the ledger
// (Submitted = Completed = tasks accepted, Panicked = panics, nothing busy
// or queued, Workers = Idle). Then Close, and every accepted task ran once.
func TestAttackStormThenWait(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	rounds := attackRounds(2000, 30)
	for round := range rounds {
		stormRound(t, uint64(round))
	}
}

func stormRound(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	size := 1 + r.IntN(4)
	queue := []int{0, 1, 2, 64}[r.IntN(4)]
	opts := []pool.Option{pool.WithQueueSize(queue)}
	auto := r.IntN(2) == 0
	if auto {
		opts = append(opts, pool.WithMaxWorkers(size+2), pool.WithIdleTimeout(time.Millisecond))
	}
	var handled atomic.Int64
	opts = append(opts, pool.WithPanicHandler(func(*pool.PanicError) { handled.Add(1) }))
	p := pool.New(size, opts...)
	desc := fmt.Sprintf("seed %d: size %d queue %d auto %v", seed, size, queue, auto)

	const submitters, per = 3, 200
	const n = submitters * per
	var accepted, isGo [n]atomic.Bool
	var ran [n]atomic.Int32
	body := func(id int, fate uint64) {
		ran[id].Add(1)
		switch fate % 16 {
		case 0:
			panic("storm")
		case 1:
			runtime.Goexit()
		case 2, 3:
			runtime.Gosched()
		}
	}
	g, _ := p.Group(context.Background())
	var futs sync.Map
	var wg sync.WaitGroup
	for s := range submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(s)+100))
			for i := range per {
				id := s*per + i
				fate := r.Uint64()
				ctx, cancel := context.WithCancel(context.Background())
				if r.IntN(6) == 0 {
					go func() { runtime.Gosched(); cancel() }()
				}
				var err error
				switch r.IntN(6) {
				case 0:
					err = p.TrySubmit(func(context.Context) { body(id, fate) })
				case 1:
					isGo[id].Store(true)
					var fu *pool.Future[int]
					fu, err = pool.Go(ctx, p, func(context.Context) (int, error) { body(id, fate); return id, nil })
					if err == nil {
						futs.Store(id, fu)
					}
				case 2:
					err = g.Go(func(context.Context) error { body(id, fate%14+2); return nil })
				default:
					err = p.Submit(ctx, func(context.Context) { body(id, fate) })
				}
				cancel()
				switch {
				case err == nil:
					accepted[id].Store(true)
				case errors.Is(err, pool.ErrFull), errors.Is(err, context.Canceled):
				default:
					t.Errorf("%s: submit: %v", desc, err)
				}
			}
		}()
	}
	resized := make(chan struct{})
	go func() {
		defer close(resized)
		r := rand.New(rand.NewPCG(seed, 99))
		for range 100 {
			p.Resize(r.IntN(5))
			if r.IntN(3) == 0 {
				runtime.Gosched()
			}
		}
		p.Resize(size) // running at the end: Wait must then return
	}()
	// While the pool is paused, a Submit may block for room: the
	// resizer ends with the pool running, so it gets it.
	watchdog.Within(t, watchdog.Limit, desc+": submitters", wg.Wait)
	<-resized
	if err := g.Wait(); err != nil {
		t.Fatalf("%s: Group.Wait: %v", desc, err)
	}
	if err := p.Wait(watchdog.Ctx(t)); err != nil {
		t.Fatalf("%s: Wait after the storm: %v (%v)", desc, err, p.Stats())
	}
	st := p.Stats()
	notRun, futPanics := 0, 0
	futs.Range(func(k, v any) bool {
		_, err := v.(*pool.Future[int]).Get(context.Background())
		var pe *pool.PanicError
		switch {
		case errors.Is(err, context.Canceled):
			notRun++
			if ran[k.(int)].Load() != 0 {
				t.Errorf("%s: future %d ran, and says %v", desc, k, err)
			}
		case errors.As(err, &pe):
			futPanics++
		}
		return true
	})
	nAcc := 0
	for id := range n {
		if accepted[id].Load() {
			nAcc++
		}
	}
	if st.Submitted != uint64(nAcc) || st.Completed != st.Submitted || st.Busy != 0 || st.Queued != 0 || st.Workers != st.Idle {
		t.Fatalf("%s: after Wait, %v; %d accepted", desc, st, nAcc)
	}
	// Group functions never panic here (fate%14+2).
	if st.Panicked != uint64(handled.Load())+uint64(futPanics) {
		t.Fatalf("%s: Panicked %d; handler saw %d, futures %d", desc, st.Panicked, handled.Load(), futPanics)
	}
	watchdog.Within(t, watchdog.Limit, desc+": Close", func() {
		if err := p.Close(context.Background()); err != nil {
			t.Errorf("%s: Close: %v", desc, err)
		}
	})
	ranTotal := 0
	for id := range n {
		got := ran[id].Load()
		want := int32(0)
		if accepted[id].Load() {
			want = 1
		}
		if isGo[id].Load() && got == 0 && accepted[id].Load() {
			want = 0 // its ctx ended before it started
		}
		if got != want {
			t.Fatalf("%s: task %d accepted %v ran %d times", desc, id, accepted[id].Load(), got)
		}
		ranTotal += int(got)
	}
	if ranTotal+notRun != nAcc {
		t.Fatalf("%s: %d ran, %d futures skipped, %d accepted", desc, ranTotal, notRun, nAcc)
	}
}
