package wait

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// owner is the smallest owner of Links: a mutex, two lists, and a record of
// the waiters its drop was called for.
type owner struct {
	mu      sync.Mutex
	a, b    List[int]
	links   Links[int]
	dropped []*Waiter[int]
}

func newOwner() *owner {
	o := &owner{}
	o.links.Init(&o.mu, func(w *Waiter[int], l *List[int]) {
		if w.list != nil || w.link != nil {
			panic("drop: w is still in a list or a link")
		}
		o.dropped = append(o.dropped, w)
	}, &o.a, &o.b)
	return o
}

// push parks a new waiter in l under ctx and returns it and the channel to
// park on.
func (o *owner) push(l *List[int], ctx context.Context) (*Waiter[int], <-chan struct{}) {
	o.mu.Lock()
	defer o.mu.Unlock()
	w := New[int]()
	return w, o.links.Push(l, w, ctx)
}

// serve completes w, as a Put or Get would, and wakes it.
func (o *owner) serve(l *List[int], w *Waiter[int]) {
	o.mu.Lock()
	l.Remove(w)
	w.State = Served
	o.mu.Unlock()
	w.Wake()
}

// episode parks two waiters under ctx in list a, the second linked, and
// serves them.
func (o *owner) episode(ctx context.Context) {
	w1, d1 := o.push(&o.a, ctx)
	w2, d2 := o.push(&o.a, ctx)
	o.serve(&o.a, w1)
	o.serve(&o.a, w2)
	w1.Park(d1)
	w2.Park(d2)
}

// count reports how many links o has, and whether one is idle.
func (o *owner) count() (links int, idle bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.links.byDone), o.links.idle.Load() != nil
}

// countCtx counts the AfterFuncs registered on it, through the AfterFunc
// method that context.AfterFunc uses when a ctx has one, and their removals.
type countCtx struct {
	context.Context
	afters, stops atomic.Int32
	stopped       chan struct{} // closed by the first removal
	once          sync.Once
}

func newCountCtx(parent context.Context) *countCtx {
	return &countCtx{Context: parent, stopped: make(chan struct{})}
}

// Value hides the parent's values, among them what context.AfterFunc would
// use to link to the parent directly, without the AfterFunc method.
func (c *countCtx) Value(any) any { return nil }

func (c *countCtx) AfterFunc(f func()) func() bool {
	c.afters.Add(1)
	stop := context.AfterFunc(c.Context, f)
	return func() bool {
		c.stops.Add(1)
		c.once.Do(func() { close(c.stopped) })
		return stop()
	}
}

func TestLinkJoinsTheWaiterBefore(t *testing.T) {
	o := newOwner()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cc := newCountCtx(ctx)

	w1, d1 := o.push(&o.a, cc)
	if d1 != ctx.Done() {
		t.Fatal("a waiter alone under a new ctx should select on its Done")
	}
	w2, d2 := o.push(&o.a, cc)
	w3, d3 := o.push(&o.a, cc)
	if d2 != nil || d3 != nil {
		t.Fatal("waiters under the ctx of the waiter before should wait linked")
	}
	if n := cc.afters.Load(); n != 1 {
		t.Fatalf("%d AfterFuncs for one ctx, want 1", n)
	}
	// Under another ctx, in the other list: alone, so it selects.
	other, cancelOther := context.WithCancel(context.Background())
	defer cancelOther()
	w4, d4 := o.push(&o.b, other)
	if d4 != other.Done() {
		t.Fatal("a waiter under a new ctx should select")
	}

	cancel()
	for _, w := range []*Waiter[int]{w2, w3} {
		if !w.Park(nil) || w.State != Cancelled {
			t.Fatalf("linked waiter woke with state %d, want Cancelled", w.State)
		}
		if w.list != nil {
			t.Fatal("a cancelled waiter is still in its list")
		}
	}
	o.mu.Lock()
	if len(o.dropped) != 2 || o.dropped[0] != w2 || o.dropped[1] != w3 {
		t.Errorf("drop was called for %v, want w2 and w3", o.dropped)
	}
	if o.a.Len() != 1 || o.a.Front() != w1 || w1.State != Waiting {
		t.Error("the selecting waiter should be left to its own select")
	}
	if o.b.Len() != 1 || w4.State != Waiting {
		t.Error("a waiter under another ctx was touched")
	}
	if len(o.links.byDone) != 0 {
		t.Errorf("%d links left after their ctx ended", len(o.links.byDone))
	}
	o.mu.Unlock()
	if w1.Park(d1) {
		t.Fatal("the selecting waiter was woken")
	}
	o.serve(&o.b, w4)
	if !w4.Park(d4) || w4.State != Served {
		t.Fatal("the waiter under another ctx was not served")
	}
}

func TestLinkIdleIsReused(t *testing.T) {
	o := newOwner()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cc := newCountCtx(ctx)

	// Episodes of parked waiters under one ctx, one after the other: the
	// link is made once, kept idle in between.
	for range 5 {
		o.episode(cc)
		if n, idle := o.count(); n != 1 || !idle {
			t.Fatalf("%d links, idle %v after an episode: want 1, idle", n, idle)
		}
	}
	// A waiter alone under the ctx of the last one joins the idle link.
	w, d := o.push(&o.b, cc)
	if d != nil {
		t.Fatal("a waiter under the idle link's ctx should wait linked")
	}
	if _, idle := o.count(); idle {
		t.Fatal("the link is still idle with a waiter")
	}
	o.serve(&o.b, w)
	w.Park(nil)
	if a, s := cc.afters.Load(), cc.stops.Load(); a != 1 || s != 0 {
		t.Fatalf("%d AfterFuncs and %d removals, want 1 and 0", a, s)
	}

	// Another ctx's link going idle takes its place.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	cc2 := newCountCtx(ctx2)
	o.episode(cc2)
	if n, idle := o.count(); n != 1 || !idle || cc.stops.Load() != 1 {
		t.Fatalf("%d links, idle %v, %d removals of the first ctx's: want 1, true, 1", n, idle, cc.stops.Load())
	}

	// Close removes the idle link.
	o.mu.Lock()
	o.links.Close()
	o.mu.Unlock()
	if n, idle := o.count(); n != 0 || idle || cc2.stops.Load() != 1 {
		t.Fatalf("after Close: %d links, idle %v, %d removals: want 0, false, 1", n, idle, cc2.stops.Load())
	}
}

// TestLinkForTheLastCtx parks one waiter at a time under one ctx: the first
// selects, and the second, under the ctx of the last that selected, makes a
// link, which the next ones reuse.
func TestLinkForTheLastCtx(t *testing.T) {
	o := newOwner()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cc := newCountCtx(ctx)
	for i := range 4 {
		w, d := o.push(&o.a, cc)
		if (d == nil) != (i > 0) {
			t.Fatalf("waiter %d: linked %v, want %v", i, d == nil, i > 0)
		}
		o.serve(&o.a, w)
		w.Park(d)
	}
	if n := cc.afters.Load(); n != 1 {
		t.Fatalf("%d AfterFuncs, want 1", n)
	}
}

// TestLinksClosed closes Links with a busy link, as an owner's Close does
// before it wakes its waiters: the link goes with its last waiter instead of
// staying idle, and no link is made after, so nothing stays registered on
// the ctx.
func TestLinksClosed(t *testing.T) {
	o := newOwner()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cc := newCountCtx(ctx)
	var ws []*Waiter[int]
	for range 3 {
		w, _ := o.push(&o.a, cc)
		ws = append(ws, w)
	}
	o.mu.Lock()
	o.links.Close()
	for w := o.a.PopFront(); w != nil; w = o.a.PopFront() {
		w.State = Closed
		w.Wake()
	}
	o.mu.Unlock()
	for _, w := range ws {
		w.Park(nil)
	}
	for range 3 {
		w, d := o.push(&o.a, cc)
		if d == nil {
			t.Fatal("a waiter linked after Close")
		}
		o.serve(&o.a, w)
		w.Park(d)
	}
	if n, idle := o.count(); n != 0 || idle {
		t.Fatalf("%d links, idle %v after Close", n, idle)
	}
	if a, s := cc.afters.Load(), cc.stops.Load(); a != 1 || s != 1 {
		t.Fatalf("%d AfterFuncs, %d removed: want 1 and 1", a, s)
	}
}

func TestLinkNotMadeForNewCtxs(t *testing.T) {
	o := newOwner()
	for range 10 {
		ctx, cancel := context.WithCancel(context.Background())
		cc := newCountCtx(ctx)
		w, d := o.push(&o.a, cc)
		if d != ctx.Done() {
			t.Fatal("a waiter under a new ctx should select")
		}
		o.serve(&o.a, w)
		w.Park(d)
		cancel()
		if cc.afters.Load() != 0 {
			t.Fatal("a link was made for a ctx no other waiter had")
		}
	}
	// Nor for a ctx that never ends.
	for range 2 {
		w, d := o.push(&o.a, context.Background())
		if d != nil {
			t.Fatal("a waiter under Background should park on its own channel")
		}
		o.serve(&o.a, w)
		w.Park(d)
	}
	if n, _ := o.count(); n != 0 {
		t.Fatalf("%d links, want none", n)
	}
}

func TestLinkIdleCancelled(t *testing.T) {
	o := newOwner()
	ctx, cancel := context.WithCancel(context.Background())
	cc := newCountCtx(ctx)
	o.episode(cc)

	// The idle link's ctx ends: the link goes, and nothing is dropped.
	cancel()
	<-cc.Done()
	// Its AfterFunc runs in a goroutine of its own; a push under the same
	// ctx now, before or after it, is cancelled all the same.
	w, d := o.push(&o.a, cc)
	if !w.Park(d) {
		if w.State != Waiting {
			t.Fatalf("state %d after a select that saw ctx end", w.State)
		}
		o.mu.Lock()
		o.a.Remove(w)
		o.mu.Unlock()
	} else if w.State != Cancelled {
		t.Fatalf("state %d, want Cancelled", w.State)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.a.Len() != 0 {
		t.Fatal("a waiter is left in the list")
	}
	// The links go once their AfterFuncs have run: wait for each by taking
	// the mutex they take, until none is left.
	for len(o.links.byDone) != 0 || o.links.idle.Load() != nil {
		o.mu.Unlock()
		runtime.Gosched()
		o.mu.Lock()
	}
}

// TestIdleLinkKeepsNoOwner drops an owner with an idle link under a ctx that
// lives on, and checks that the owner's cleanup removes the link's
// AfterFunc: so the link did not keep the owner reachable.
func TestIdleLinkKeepsNoOwner(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cc := newCountCtx(ctx)
	func() {
		o := newOwner()
		o.episode(cc)
		if _, idle := o.count(); !idle {
			t.Fatal("no idle link")
		}
	}()
	for i := 0; ; i++ {
		runtime.GC()
		select {
		case <-cc.stopped:
			return
		default:
		}
		if i == 1000 {
			t.Fatal("the idle link's AfterFunc is still there after 1000 collections")
		}
		runtime.Gosched()
	}
}

// TestLinkRace parks many waiters under a few ctxs while others serve them
// and the ctxs end, and checks that each wait ended once, served or
// cancelled, and that every link went with its ctx.
func TestLinkRace(t *testing.T) {
	for round := range 50 {
		o := newOwner()
		var ctxs [3]context.Context
		var cancels [3]context.CancelFunc
		for i := range ctxs {
			ctxs[i], cancels[i] = context.WithCancel(context.Background())
		}
		const waiters = 64
		var served, cancelled, gaveUp atomic.Int32
		var wg sync.WaitGroup
		for i := range waiters {
			wg.Go(func() {
				l := &o.a
				if i%2 == 1 {
					l = &o.b
				}
				ctx := ctxs[i%len(ctxs)]
				w, d := o.push(l, ctx)
				if w.Park(d) {
					switch w.State {
					case Served:
						served.Add(1)
					case Cancelled:
						cancelled.Add(1)
					default:
						t.Errorf("woken with state %d", w.State)
					}
					return
				}
				o.mu.Lock()
				if w.State == Waiting {
					l.Remove(w)
					o.mu.Unlock()
					gaveUp.Add(1)
					return
				}
				o.mu.Unlock()
				w.Settle()
				served.Add(1)
			})
		}
		// Serve from both lists, while the ctxs end one by one.
		wg.Go(func() {
			for i := range 3 * waiters {
				if i%(waiters/2) == round%(waiters/2) {
					cancels[i/(waiters/2)%len(cancels)]()
				}
				l := &o.a
				if i%2 == 1 {
					l = &o.b
				}
				o.mu.Lock()
				w := l.PopFront()
				if w != nil {
					w.State = Served
				}
				o.mu.Unlock()
				if w != nil {
					w.Wake()
				}
				runtime.Gosched()
			}
			for _, c := range cancels {
				c()
			}
		})
		wg.Wait()
		// Waiters may have pushed after the server's last pop, and waited
		// for their ctx; all ctxs ended, so all returned.
		if got := served.Load() + cancelled.Load() + gaveUp.Load(); got != waiters {
			t.Fatalf("round %d: %d waits ended (%d served, %d cancelled, %d gave up), want %d", round, got, served.Load(), cancelled.Load(), gaveUp.Load(), waiters)
		}
		o.mu.Lock()
		if int(cancelled.Load()) != len(o.dropped) {
			t.Fatalf("round %d: %d cancelled, %d dropped", round, cancelled.Load(), len(o.dropped))
		}
		o.mu.Unlock()
		// Every ctx ended: the links go once their AfterFuncs have run.
		o.mu.Lock()
		for len(o.links.byDone) != 0 {
			o.mu.Unlock()
			runtime.Gosched()
			o.mu.Lock()
		}
		o.mu.Unlock()
	}
}
