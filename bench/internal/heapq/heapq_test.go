package heapq_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/lullgo/lull/bench/internal/heapq"
)

// TestOrder checks Get's order against a sorted copy, for random inputs
// that fill the queue to capacity.
func TestOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 10, 100} {
		in := make([]int, n)
		for i := range in {
			in[i] = r.IntN(50) - 25
		}
		q := heapq.New(n, func(a, b int) bool { return a < b })
		for _, v := range in {
			q.Put(v)
		}
		if got := q.Len(); got != n {
			t.Fatalf("n=%d: Len = %d after %d puts", n, got, n)
		}
		var got []int
		for range n {
			got = append(got, q.Get())
		}
		want := slices.Clone(in)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: got %v, want %v", n, got, want)
		}
	}
}

// TestPutWaitsForRoom parks a Put on a full queue and checks that it goes
// through once a Get makes room, and not before: the item put late comes out
// after the one Get took.
func TestPutWaitsForRoom(t *testing.T) {
	q := heapq.New(1, func(a, b int) bool { return a < b })
	q.Put(5)
	done := make(chan struct{})
	go func() {
		defer close(done)
		q.Put(1) // less than 5: had it gone in first, Get would return it
	}()
	if got := q.Get(); got != 5 {
		t.Fatalf("first Get = %d, want 5: Put did not wait for room", got)
	}
	<-done
	if got := q.Get(); got != 1 {
		t.Fatalf("second Get = %d, want 1", got)
	}
}

// TestConcurrent moves items through a small queue from several producers
// to several consumers and checks that each arrives exactly once.
func TestConcurrent(t *testing.T) {
	const producers, per, capacity = 4, 2000, 8
	q := heapq.New(capacity, func(a, b int) bool { return a < b })
	var wg sync.WaitGroup
	got := make(chan int, producers*per)
	for p := range producers {
		wg.Go(func() {
			for i := range per {
				q.Put(p*per + i)
			}
		})
		wg.Go(func() {
			for range per {
				got <- q.Get()
			}
		})
	}
	wg.Wait()
	close(got)
	seen := make([]bool, producers*per)
	for v := range got {
		if seen[v] {
			t.Fatalf("%d delivered twice", v)
		}
		seen[v] = true
	}
	if i := slices.Index(seen, false); i >= 0 {
		t.Fatalf("%d never delivered", i)
	}
	if n := q.Len(); n != 0 {
		t.Fatalf("Len = %d at the end, want 0", n)
	}
}
