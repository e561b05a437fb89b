package queue_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/lullgo/lull/queue"
)

type tagged struct{ producer, seq int }

// TestStress runs producers, consumers, cancellations, Drain and a concurrent
// Close on one queue, then checks that every successful Put was taken exactly
// once (by a Get, TryGet, GetBatch, All or Drain) and that no failed Put's
// item appeared; for Queue, also that each consumer saw each producer's items
// in the order they were put.
func TestStress(t *testing.T) {
	for _, tc := range []struct {
		name string
		fifo bool
		make func() fifo[tagged]
	}{
		{"Queue", true, func() fifo[tagged] { return queue.New[tagged](8) }},
		{"Priority", false, func() fifo[tagged] {
			return queue.NewPriority(8, func(a, b tagged) bool { return a.seq%7 < b.seq%7 })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 20 {
				stressRound(t, tc.make(), tc.fifo, uint64(round))
			}
		})
	}
}

func stressRound(t *testing.T, q fifo[tagged], fifo bool, seed uint64) {
	const producers, consumers, perProducer = 4, 4, 400
	var wg sync.WaitGroup

	// maybeCancel returns a ctx that, one time in four, is cancelled by
	// another goroutine at a moment chosen by the scheduler.
	maybeCancel := func(r *rand.Rand) (context.Context, func()) {
		if r.IntN(4) != 0 {
			return context.Background(), func() {}
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			runtime.Gosched()
			cancel()
			close(done)
		}()
		return ctx, func() { <-done }
	}

	put := make([][]bool, producers) // put[p][i]: item i of producer p was accepted
	closeAt := perProducer / 2
	for p := range producers {
		put[p] = make([]bool, perProducer)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(p)))
			for i := range perProducer {
				if p == 0 && i == closeAt {
					q.Close()
				}
				v := tagged{p, i}
				var err error
				if r.IntN(4) == 0 {
					err = q.TryPut(v)
				} else {
					ctx, wait := maybeCancel(r)
					err = q.Put(ctx, v)
					wait()
				}
				switch {
				case err == nil:
					put[p][i] = true
				case errors.Is(err, queue.ErrClosed):
					return
				case errors.Is(err, queue.ErrFull), errors.Is(err, context.Canceled):
				default:
					t.Errorf("Put: unexpected error %v", err)
					return
				}
			}
		}()
	}

	got := make([][]tagged, consumers) // in the order each consumer took them
	var drained [][]tagged
	var mu sync.Mutex
	for c := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 100+uint64(c)))
			for {
				var err error
				switch r.IntN(10) {
				case 0:
					var v tagged
					if v, err = q.TryGet(); err == nil {
						got[c] = append(got[c], v)
					} else if errors.Is(err, queue.ErrEmpty) {
						runtime.Gosched()
					}
				case 1:
					got[c], err = q.GetBatch(context.Background(), got[c], 1+r.IntN(8))
				case 2:
					// All ends on its own only once q is closed and drained.
					err = queue.ErrClosed
					for v := range q.All(context.Background()) {
						got[c] = append(got[c], v)
						if r.IntN(3) == 0 {
							err = nil
							break
						}
					}
				case 3:
					if c == 0 {
						if d := q.Drain(); d != nil {
							mu.Lock()
							drained = append(drained, d)
							mu.Unlock()
						}
					}
				default:
					ctx, wait := maybeCancel(r)
					var v tagged
					if v, err = q.Get(ctx); err == nil {
						got[c] = append(got[c], v)
					}
					wait()
				}
				if errors.Is(err, queue.ErrClosed) {
					return
				}
			}
		}()
	}
	wg.Wait()
	if rest := q.Drain(); rest != nil {
		drained = append(drained, rest)
	}
	if n := q.Len(); n != 0 {
		t.Fatalf("Len() = %d after the final Drain", n)
	}
	<-q.Done()

	seen := make([][]int, producers)
	for p := range seen {
		seen[p] = make([]int, perProducer)
	}
	check := func(who string, items []tagged) {
		last := make([]int, producers)
		for p := range last {
			last[p] = -1
		}
		for _, v := range items {
			seen[v.producer][v.seq]++
			if fifo && v.seq <= last[v.producer] {
				t.Fatalf("%s took item %d of producer %d after item %d", who, v.seq, v.producer, last[v.producer])
			}
			last[v.producer] = v.seq
		}
	}
	for c := range got {
		check("a consumer", got[c])
	}
	for _, d := range drained {
		check("Drain", d)
	}
	if testing.Verbose() && seed == 0 {
		n := 0
		for p := range put {
			for _, ok := range put[p] {
				if ok {
					n++
				}
			}
		}
		t.Logf("round 0: %d items accepted, %d drains", n, len(drained))
	}
	for p := range put {
		for i, ok := range put[p] {
			want := 0
			if ok {
				want = 1
			}
			if seen[p][i] != want {
				t.Fatalf("item %d of producer %d: accepted %v, taken %d times", i, p, ok, seen[p][i])
			}
		}
	}
}
