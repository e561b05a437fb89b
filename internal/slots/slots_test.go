package slots

import (
	"sync"
	"testing"
	"testing/synctest"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestParkInBubbles makes a get wait for a put that has claimed its slot
// but not written it, long enough to park, in two testing/synctest bubbles
// one after the other. A waiter shared between bubbles (once, through a
// sync.Pool) made the second one a fatal error: a receive on a channel of
// another bubble.
func TestParkInBubbles(t *testing.T) {
	for range 2 {
		synctest.Test(t, func(t *testing.T) {
			var r Ring[int]
			r.Init(2)
			p, ok, _ := r.ClaimPut(false)
			if !ok {
				t.Fatal("ClaimPut on an empty ring failed")
			}
			g, n, _, _, _ := r.ClaimGet(1, false)
			if n != 1 || g != p {
				t.Fatalf("ClaimGet = %d, %d items; want %d, 1", g, n, p)
			}
			got := make(chan int)
			go func() { got <- r.Read(g) }()
			synctest.Wait() // the reader spun, yielded, and parked
			r.mu.Lock()
			parked := len(r.parked)
			r.mu.Unlock()
			if parked != 1 {
				t.Fatalf("%d goroutines parked for a slot, want 1", parked)
			}
			r.Write(p, 42)
			if v := <-got; v != 42 {
				t.Fatalf("Read = %d, want 42", v)
			}
		})
	}
}

// TestTryClaim checks the one-shot claims that the pool's fast paths use:
// they fail on a set gate, on a full or empty ring, and otherwise claim the
// same positions as ClaimPut and ClaimGet.
func TestTryClaim(t *testing.T) {
	var r Ring[int]
	r.Init(3)
	if _, ok, contended := r.TryClaimGet(); ok || contended {
		t.Fatalf("TryClaimGet on an empty ring: ok %v, contended %v", ok, contended)
	}
	for i := range 3 {
		p, ok, _ := r.TryClaimPut()
		if !ok || p != uint64(i) {
			t.Fatalf("TryClaimPut %d = %d, %v; want %d, true", i, p, ok, i)
		}
		r.Write(p, i)
	}
	if _, ok, contended := r.TryClaimPut(); ok || contended {
		t.Fatalf("TryClaimPut on a full ring: ok %v, contended %v", ok, contended)
	}
	r.SetHeadGate(true)
	if _, ok, _ := r.TryClaimGet(); ok {
		t.Fatal("TryClaimGet with the head's gate set succeeded")
	}
	if p, n, _, _, _ := r.ClaimGet(1, true); n != 1 || r.Read(p) != 0 {
		t.Fatal("ClaimGet bypassing the head's gate did not take the first item")
	}
	r.SetHeadGate(false)
	r.SetTailGate(true)
	if _, ok, _ := r.TryClaimPut(); ok {
		t.Fatal("TryClaimPut with the tail's gate set succeeded")
	}
	for i := 1; i < 3; i++ {
		p, ok, _ := r.TryClaimGet()
		if !ok {
			t.Fatalf("TryClaimGet %d failed", i)
		}
		if v := r.Read(p); v != i {
			t.Fatalf("item %d = %d", i, v)
		}
	}
	if h, tl := r.Counts(); h != 3 || tl != 3 {
		t.Fatalf("Counts = %d, %d; want 3, 3", h, tl)
	}
}

// TestTryClaimConcurrent has puts and gets race through the one-shot
// claims, retrying when they fail, and checks that every item is taken
// exactly once.
func TestTryClaimConcurrent(t *testing.T) {
	const per, sides = 20000, 4
	var r Ring[int]
	r.Init(8)
	var wg sync.WaitGroup
	seen := make([][]int, sides)
	for s := range sides {
		wg.Go(func() {
			for i := range per {
				for {
					if p, ok, _ := r.TryClaimPut(); ok {
						r.Write(p, s*per+i)
						break
					}
				}
			}
		})
		wg.Go(func() {
			for range per {
				for {
					if p, ok, _ := r.TryClaimGet(); ok {
						seen[s] = append(seen[s], r.Read(p))
						break
					}
				}
			}
		})
	}
	wg.Wait()
	got := make([]bool, sides*per)
	for _, vs := range seen {
		for _, v := range vs {
			if got[v] {
				t.Fatalf("item %d taken twice", v)
			}
			got[v] = true
		}
	}
	for v, ok := range got {
		if !ok {
			t.Fatalf("item %d never taken", v)
		}
	}
}
