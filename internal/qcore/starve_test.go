package qcore

import (
	"context"
	"testing"
	"time"

	"github.com/lullgo/lull/internal/wait"
)

// TestStarvingPutters checks the guard against newcomers overtaking a parked
// Put for ever: a putter that has waited past starveAfter and still finds no
// room makes the putters' list starving, and then TryPut leaves the room to
// it, until it is served.
func TestStarvingPutters(t *testing.T) {
	q := NewFIFO[int](1)
	if err := q.TryPut(1); err != nil {
		t.Fatal(err)
	}
	// A putter parked an hour ago, as Put parks one.
	q.mu.Lock()
	q.putters.n.Add(1)
	w := q.park(&q.putters, nil)
	w.Item = 2
	w.Parked = time.Now().Add(-time.Hour)
	q.settle() // no room: its turn has been taken for too long
	q.mu.Unlock()
	if !q.putters.starving.Load() {
		t.Fatal("putters not starving after the first one waited an hour")
	}
	if err := q.TryPut(3); err != ErrFull {
		t.Fatalf("TryPut while putters starve: %v, want ErrFull", err)
	}

	// The next Get makes room, which goes to the parked putter.
	if v, err := q.Get(context.Background()); v != 1 || err != nil {
		t.Fatalf("Get = %v, %v, want 1, nil", v, err)
	}
	<-w.Ready
	if w.State != wait.Served {
		t.Fatalf("parked putter ended in state %v, want Served", w.State)
	}
	if q.putters.starving.Load() {
		t.Fatal("putters still starving with none parked")
	}
	if v, err := q.TryGet(); v != 2 || err != nil {
		t.Fatalf("TryGet = %v, %v, want the parked putter's 2", v, err)
	}
}

// TestStarvingGetters is TestStarvingPutters for Gets: while parked getters
// starve, TryGet leaves the items to them, and a Put serves the first.
func TestStarvingGetters(t *testing.T) {
	q := NewFIFO[int](4)
	q.mu.Lock()
	q.getters.n.Add(1)
	w := q.park(&q.getters, nil)
	w.Parked = time.Now().Add(-time.Hour)
	q.settle() // no item: its turn has been taken for too long
	q.mu.Unlock()
	if !q.getters.starving.Load() {
		t.Fatal("getters not starving after the first one waited an hour")
	}
	// An item that reached the store before the parked getter was
	// handed it is the getter's: TryGet leaves it alone.
	if q.items.push(7) != pushOK {
		t.Fatal("push into an empty store failed")
	}
	if _, err := q.TryGet(); err != ErrEmpty {
		t.Fatalf("TryGet while getters starve: %v, want ErrEmpty", err)
	}
	q.pushed() // what a Put does after its push
	<-w.Ready
	if w.State != wait.Served || w.Item != 7 {
		t.Fatalf("parked getter: state %v, item %v, want Served, 7", w.State, w.Item)
	}
	if q.getters.starving.Load() {
		t.Fatal("getters still starving with none parked")
	}
	if err := q.Put(context.Background(), 8); err != nil {
		t.Fatal(err)
	}
	if v, err := q.TryGet(); v != 8 || err != nil {
		t.Fatalf("TryGet after the hand-off = %v, %v, want 8, nil", v, err)
	}
}

// TestNoRoom checks a Core of capacity 0: a Put or TryPut succeeds only by
// handing its item to a Get, and Pushes counts those hand-offs.
func TestNoRoom(t *testing.T) {
	ctx := context.Background()
	q := NewFIFO[int](0)
	if err := q.TryPut(1); err != ErrFull {
		t.Fatalf("TryPut with nobody waiting: %v, want ErrFull", err)
	}
	if _, err := q.TryGet(); err != ErrEmpty {
		t.Fatalf("TryGet with nobody waiting: %v, want ErrEmpty", err)
	}
	parked := make(chan struct{}, 4)
	q.OnPark = func(bool) { parked <- struct{}{} }

	// A parked Get is handed the item of a TryPut, then of a Put.
	got := make(chan int, 1)
	for i, put := range []func(int) error{q.TryPut, func(v int) error { return q.Put(ctx, v) }} {
		go func() {
			v, err := q.Get(ctx)
			if err != nil {
				v = -1
			}
			got <- v
		}()
		<-parked
		if err := put(i); err != nil {
			t.Fatalf("put %d to a parked Get: %v", i, err)
		}
		if v := <-got; v != i {
			t.Fatalf("parked Get got %d, want %d", v, i)
		}
	}

	// A parked Put hands its item to a TryGet, then to a Get.
	errs := make(chan error, 2)
	go func() { errs <- q.Put(ctx, 8) }()
	<-parked
	if v, err := q.TryGet(); v != 8 || err != nil {
		t.Fatalf("TryGet from a parked Put = %v, %v, want 8, nil", v, err)
	}
	go func() { errs <- q.Put(ctx, 9) }()
	<-parked
	if v, err := q.Get(ctx); v != 9 || err != nil {
		t.Fatalf("Get from a parked Put = %v, %v, want 9, nil", v, err)
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := q.Pushes(); n != 4 {
		t.Fatalf("Pushes = %d, want the 4 hand-offs", n)
	}
	q.Close()
	if err := q.Put(ctx, 1); err != ErrClosed {
		t.Fatalf("Put after Close: %v, want ErrClosed", err)
	}
	if _, err := q.Get(ctx); err != ErrClosed {
		t.Fatalf("Get after Close: %v, want ErrClosed", err)
	}
}
