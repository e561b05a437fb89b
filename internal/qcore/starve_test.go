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
	w := q.park(&q.putters)
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
	w := q.park(&q.getters)
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
