package queue_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/lullgo/lull/queue"
)

// model is a trivially correct queue: a slice, searched for the least item
// when it models a Priority.
type model struct {
	items    []tagged
	capacity int
	closed   bool
	priority bool
}

// pri is the priority the fuzz test gives an item: few distinct values, so
// that ties (and so stability) are common.
func pri(v tagged) int { return v.seq % 3 }

func (m *model) next() int {
	if !m.priority {
		return 0
	}
	best := 0
	for i, v := range m.items {
		if pri(v) < pri(m.items[best]) {
			best = i
		}
	}
	return best
}

func (m *model) put(v tagged) error {
	switch {
	case m.closed:
		return queue.ErrClosed
	case len(m.items) == m.capacity:
		return queue.ErrFull
	}
	m.items = append(m.items, v)
	return nil
}

func (m *model) get() (tagged, error) {
	if len(m.items) == 0 {
		if m.closed {
			return tagged{}, queue.ErrClosed
		}
		return tagged{}, queue.ErrEmpty
	}
	i := m.next()
	v := m.items[i]
	m.items = slices.Delete(m.items, i, i+1)
	return v, nil
}

// FuzzOps runs a sequence of single-goroutine operations, each chosen by a
// byte of the input, on a queue and on the model, and compares every result.
// The first byte picks the kind and the capacity.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0x03, 0, 0, 0, 0, 2, 2, 2, 2, 2})
	f.Add([]byte{0x83, 0, 0x10, 0x20, 0, 4, 6, 2, 5, 2})
	f.Add([]byte{0x01, 0, 1, 3, 2, 0, 0, 5, 6, 0, 4, 7})
	f.Add([]byte{0x85, 0, 0, 0, 0, 0, 0x14, 0x24, 6, 4, 4, 2, 7})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 {
			return
		}
		m := &model{capacity: int(ops[0]&0x0f) + 1, priority: ops[0]&0x80 != 0}
		var q fifo[tagged]
		if m.priority {
			q = queue.NewPriority(m.capacity, func(a, b tagged) bool { return pri(a) < pri(b) })
		} else {
			q = queue.New[tagged](m.capacity)
		}
		cancelled, cancel := context.WithCancel(context.Background())
		cancel()
		seq := 0
		for step, op := range ops[1:] {
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("step %d (op %d): "+format, append([]any{step, op & 7}, args...)...)
			}
			switch op & 7 {
			case 0: // TryPut
				v := tagged{0, seq}
				seq++
				if got, want := q.TryPut(v), m.put(v); got != want {
					fail("TryPut: got %v, want %v", got, want)
				}
			case 1: // Put: with a done ctx where it would block
				v := tagged{0, seq}
				seq++
				if !m.closed && len(m.items) == m.capacity {
					if err := q.Put(cancelled, v); err != context.Canceled {
						fail("Put on full with done ctx: got %v, want Canceled", err)
					}
					break
				}
				if got, want := q.Put(context.Background(), v), m.put(v); got != want {
					fail("Put: got %v, want %v", got, want)
				}
			case 2: // TryGet
				gv, gerr := q.TryGet()
				wv, werr := m.get()
				if gv != wv || gerr != werr {
					fail("TryGet: got %v, %v, want %v, %v", gv, gerr, wv, werr)
				}
			case 3: // Get with a done ctx takes nothing
				if _, err := q.Get(cancelled); err != context.Canceled {
					fail("Get with done ctx: got %v, want Canceled", err)
				}
			case 4: // GetBatch, where it would not block
				if !m.closed && len(m.items) == 0 {
					break
				}
				max := int(op>>4) + 1
				got, gerr := q.GetBatch(context.Background(), nil, max)
				var want []tagged
				var werr error
				for len(want) < max {
					v, err := m.get()
					if err != nil {
						if len(want) == 0 {
							werr = err
						}
						break
					}
					want = append(want, v)
				}
				if !slices.Equal(got, want) || !errors.Is(gerr, werr) {
					fail("GetBatch(%d): got %v, %v, want %v, %v", max, got, gerr, want, werr)
				}
			case 5: // Drain
				got := q.Drain()
				var want []tagged
				for v, err := m.get(); err == nil; v, err = m.get() {
					want = append(want, v)
				}
				if !slices.Equal(got, want) {
					fail("Drain: got %v, want %v", got, want)
				}
			case 6:
				q.Close()
				m.closed = true
			case 7: // observers
				if got, want := q.Len(), len(m.items); got != want {
					fail("Len: got %d, want %d", got, want)
				}
				done := false
				select {
				case <-q.Done():
					done = true
				default:
				}
				if want := m.closed && len(m.items) == 0; done != want {
					fail("Done closed: got %v, want %v", done, want)
				}
			}
		}
	})
}
