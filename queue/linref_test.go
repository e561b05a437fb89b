package queue_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lullgo/lull/queue"
)

// linRef is a trivially correct bounded queue: one mutex over a slice, and a
// channel closed (and replaced) at every change for the calls that wait. It
// checks the linearizability harness itself: the model must accept every
// history of linRef, and reject those of linRef with one bug planted.
type linRef struct {
	mu      sync.Mutex
	items   []int
	cap     int
	closed  bool
	less    func(a, b int) bool // nil: FIFO
	changed chan struct{}
}

func newLinRef(capacity int, less func(a, b int) bool) *linRef {
	return &linRef{cap: capacity, less: less, changed: make(chan struct{})}
}

// notify wakes every waiting call. q.mu is held.
func (q *linRef) notify() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// head returns the index of the item Get takes. q.mu is held.
func (q *linRef) head() int {
	best := 0
	for i := range q.items {
		if q.less != nil && q.less(q.items[i], q.items[best]) {
			best = i
		}
	}
	return best
}

// take removes and returns up to n items in Get order. q.mu is held.
func (q *linRef) take(n int) []int {
	var out []int
	for range min(n, len(q.items)) {
		i := q.head()
		out = append(out, q.items[i])
		q.items = slices.Delete(q.items, i, i+1)
	}
	if len(out) > 0 {
		q.notify()
	}
	return out
}

// wait runs try under q.mu until it reports done, waiting for a change
// between tries, or returns ctx.Err().
func (q *linRef) wait(ctx context.Context, try func() bool) error {
	for {
		q.mu.Lock()
		if try() {
			q.mu.Unlock()
			return nil
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (q *linRef) Put(ctx context.Context, v int) error {
	var err error
	werr := q.wait(ctx, func() bool {
		err = q.tryPut(v)
		return err != queue.ErrFull
	})
	if werr != nil {
		return werr
	}
	return err
}

func (q *linRef) tryPut(v int) error {
	switch {
	case q.closed:
		return queue.ErrClosed
	case len(q.items) == q.cap:
		return queue.ErrFull
	}
	q.items = append(q.items, v)
	q.notify()
	return nil
}

func (q *linRef) TryPut(v int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.tryPut(v)
}

func (q *linRef) GetBatch(ctx context.Context, dst []int, max int) ([]int, error) {
	var got []int
	var err error
	werr := q.wait(ctx, func() bool {
		got, err = q.tryGet(max)
		return err != queue.ErrEmpty
	})
	if werr != nil {
		return dst, werr
	}
	if err != nil {
		return dst, err
	}
	return append(dst, got...), nil
}

func (q *linRef) tryGet(n int) ([]int, error) {
	if len(q.items) == 0 {
		if q.closed {
			return nil, queue.ErrClosed
		}
		return nil, queue.ErrEmpty
	}
	return q.take(n), nil
}

func (q *linRef) Get(ctx context.Context) (int, error) {
	got, err := q.GetBatch(ctx, nil, 1)
	if err != nil {
		return 0, err
	}
	return got[0], nil
}

func (q *linRef) TryGet() (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	got, err := q.tryGet(1)
	if err != nil {
		return 0, err
	}
	return got[0], nil
}

func (q *linRef) Drain() []int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.take(len(q.items))
}

func (q *linRef) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

func (q *linRef) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		q.notify()
	}
}

// Planted bugs, each of a kind issue 12 reports or the model must catch.

// linFullWhenEmpty: TryPut now and then says ErrFull on an empty queue.
type linFullWhenEmpty struct {
	*linRef
	n atomic.Int32
}

func (q *linFullWhenEmpty) TryPut(v int) error {
	if q.Len() == 0 && q.n.Add(1)%3 == 0 {
		return queue.ErrFull
	}
	return q.linRef.TryPut(v)
}

// linCancelledPutLands: a Put whose ctx is done adds its item anyway, and
// returns ctx.Err().
type linCancelledPutLands struct{ *linRef }

func (q linCancelledPutLands) Put(ctx context.Context, v int) error {
	if ctx.Err() != nil && q.linRef.TryPut(v) == nil {
		return ctx.Err()
	}
	return q.linRef.Put(ctx, v)
}

// linDrainLosesOne: Drain of more than one item loses the last.
type linDrainLosesOne struct{ *linRef }

func (q linDrainLosesOne) Drain() []int {
	out := q.linRef.Drain()
	if len(out) > 1 {
		out = out[:len(out)-1]
	}
	return out
}

// linBatchStopsEarly: GetBatch takes one item even when more are there.
type linBatchStopsEarly struct{ *linRef }

func (q linBatchStopsEarly) GetBatch(ctx context.Context, dst []int, max int) ([]int, error) {
	return q.linRef.GetBatch(ctx, dst, 1)
}

// linLenOffByOne: Len counts one too many when the queue is full.
type linLenOffByOne struct{ *linRef }

func (q linLenOffByOne) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == q.cap {
		return q.cap + 1
	}
	return len(q.items)
}

// linEmptyAfterClose: TryGet says ErrEmpty, not ErrClosed, on a closed,
// empty queue.
type linEmptyAfterClose struct{ *linRef }

func (q linEmptyAfterClose) TryGet() (int, error) {
	v, err := q.linRef.TryGet()
	if err == queue.ErrClosed {
		err = queue.ErrEmpty
	}
	return v, err
}

// linNewestFirst: TryGet takes the newest item, not the head.
type linNewestFirst struct{ *linRef }

func (q linNewestFirst) TryGet() (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n := len(q.items); n > 1 {
		v := q.items[n-1]
		q.items = q.items[:n-1]
		q.notify()
		return v, nil
	}
	v, err := q.tryGet(1)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// TestLinearizableHarness runs the linearizability check on linRef, which
// must pass, and on linRef with each planted bug, which must fail: the check
// neither blames a correct queue nor misses these bugs.
func TestLinearizableHarness(t *testing.T) {
	for _, prio := range []bool{false, true} {
		var less func(a, b int) bool
		name := "FIFO"
		if prio {
			less, name = linPrioLess, "Priority"
		}
		cfg := linConfig{prio: prio, capacity: 2, clients: 6, ops: 12}
		model := linModel(cfg.capacity, prio)
		t.Run(name+"/correct", func(t *testing.T) {
			if err := linCheck(t, cfg, func() linQueue { return newLinRef(cfg.capacity, less) }, model); err != "" {
				t.Fatalf("the model rejects a correct queue:\n%s", err)
			}
		})
		for _, bug := range []struct {
			name string
			wrap func(*linRef) linQueue
		}{
			{"TryPutFullWhenEmpty", func(q *linRef) linQueue { return &linFullWhenEmpty{linRef: q} }},
			{"CancelledPutLands", func(q *linRef) linQueue { return linCancelledPutLands{q} }},
			{"DrainLosesOne", func(q *linRef) linQueue { return linDrainLosesOne{q} }},
			{"GetBatchStopsEarly", func(q *linRef) linQueue { return linBatchStopsEarly{q} }},
			{"LenOffByOne", func(q *linRef) linQueue { return linLenOffByOne{q} }},
			{"TryGetEmptyAfterClose", func(q *linRef) linQueue { return linEmptyAfterClose{q} }},
			{"TryGetNewestFirst", func(q *linRef) linQueue { return linNewestFirst{q} }},
		} {
			t.Run(name+"/"+bug.name, func(t *testing.T) {
				if linCheck(t, cfg, func() linQueue { return bug.wrap(newLinRef(cfg.capacity, less)) }, model) == "" {
					t.Fatal("the check missed a planted bug")
				}
			})
		}
	}
}
