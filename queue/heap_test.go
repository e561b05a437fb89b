package queue

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestHeapPanicLeavesItUnchanged makes less panic at its k-th call, for
// every k that an operation reaches, in Push, Pop and a batch of pops
// (PopTo), and checks that the heap is left exactly as it was, and still
// hands out its items in order afterwards.
func TestHeapPanicLeavesItUnchanged(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		n := 1 + r.IntN(40)
		calls, failAt := 0, -1
		less := func(a, b int) bool {
			calls++
			if calls == failAt {
				panic("less")
			}
			return a < b
		}
		h := newHeap(n+1, less)
		for range n {
			h.Push(r.IntN(10))
		}
		ops := []struct {
			name string
			do   func()
		}{
			{"Push", func() { h.Push(r.IntN(10)) }},
			{"Pop", func() { h.Pop() }},
			{"PopTo", func() { h.PopTo(nil, 1+r.IntN(n)) }},
		}
		for _, op := range ops {
			for k := 1; ; k++ {
				before := slices.Clone(h.items)
				seq := h.seq
				calls, failAt = 0, k
				panicked := func() (p bool) {
					defer func() { p = recover() != nil }()
					op.do()
					return false
				}()
				calls, failAt = 0, -1
				if !panicked {
					// The operation needed fewer than k calls and
					// went through: undo it for the next round.
					h.items = append(h.items[:0], before...)
					h.seq = seq
					break
				}
				if !slices.Equal(h.items, before) || h.seq != seq {
					t.Fatalf("round %d: %s with less panicking at call %d changed the heap", round, op.name, k)
				}
			}
		}
		// Still a heap: items come out in order, ties first in first out.
		var got []int
		for h.Len() > 0 {
			got = append(got, h.Pop())
		}
		if !slices.IsSorted(got) {
			t.Fatalf("round %d: after the panics, the heap hands out %v", round, got)
		}
	}
}
