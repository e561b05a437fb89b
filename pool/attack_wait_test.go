package pool_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// waitParkedIn blocks until some goroutine's stack shows it blocked in a
// select or channel receive inside fn: the test's way to know that a call
// has gone to sleep, without sleeping.
func waitParkedIn(t *testing.T, fn string) {
	t.Helper()
	ctx := watchdog.Ctx(t)
	buf := make([]byte, 1<<20)
	for ctx.Err() == nil {
		n := runtime.Stack(buf, true)
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			if (strings.Contains(g, "[select") || strings.Contains(g, "[chan receive")) && strings.Contains(g, fn) {
				return
			}
		}
		runtime.Gosched()
	}
	t.Fatalf("no goroutine parked in %s after %v", fn, watchdog.Limit)
}

// TestAttackWaitMissesQuietWhenParkedSubmitGivesUp: on a paused pool with
// no backlog (New(0, WithQueueSize(0))), a Submit parks, and counts as
// queued for Wait. Wait then blocks. When the Submit's ctx ends, its task
// leaves the pool (it was never accepted): nothing is queued or running, the
// pool is quiet, and Wait must return. Nothing else happens in the pool
// afterwards, so a Wait that missed this wake-up blocks for ever.
func TestAttackWaitMissesQuietWhenParkedSubmitGivesUp(t *testing.T) {
	p := pool.New(0, pool.WithQueueSize(0))
	parked := pool.OnPark(p, 4)
	ctx, cancel := context.WithCancel(context.Background())
	subErr := make(chan error, 1)
	go func() { subErr <- p.Submit(ctx, func(context.Context) { t.Error("a refused task ran") }) }()
	watchdog.Recv(t, "Submit to park", parked)
	waitErr := make(chan error, 1)
	go func() { waitErr <- p.Wait(watchdog.Ctx(t)) }()
	waitParkedIn(t, "pool.(*Pool).Wait")
	cancel()
	if err := watchdog.Recv(t, "Submit to give up", subErr); !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit: %v, want Canceled", err)
	}
	if s := p.Stats(); s.Queued != 0 || s.Busy != 0 {
		t.Fatalf("%v: not quiet", s)
	}
	if err := <-waitErr; err != nil {
		t.Errorf("Wait: %v on a quiet pool (%v)", err, p.Stats())
	}
	if err := p.Close(watchdog.Ctx(t)); err != nil {
		t.Fatal(err)
	}
}

// TestWaitWokenWhenLinkedSubmitsGiveUp is the same with Submits that wait
// linked (see internal/wait.Links): several parked under one ctx, which
// ends while they are the only thing a Wait waits for. The link that
// cancels them must tell Wait as a Submit that gave up by itself would.
//
// The first Submit under ctx selects on it, and the next ones link; so the
// first is let run (Resize(1), then Resize(0) so that its worker leaves
// after it) before Wait, which then waits for linked Submits only.
func TestWaitWokenWhenLinkedSubmitsGiveUp(t *testing.T) {
	p := pool.New(0, pool.WithQueueSize(0))
	parked := pool.OnPark(p, 8)
	workers := pool.OnWorkers(p, 8)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	const linked = 3
	subErr := make(chan error, 1+linked)
	go func() { subErr <- p.Submit(ctx, func(context.Context) { <-release }) }()
	watchdog.Recv(t, "the first Submit to park", parked)
	for range linked {
		go func() { subErr <- p.Submit(ctx, func(context.Context) { t.Error("a refused task ran") }) }()
		watchdog.Recv(t, "a Submit to park", parked)
	}
	p.Resize(1) // the worker takes the first Submit's task
	if err := watchdog.Recv(t, "the first Submit", subErr); err != nil {
		t.Fatalf("first Submit: %v", err)
	}
	p.Resize(0) // ... and leaves once it has run it
	close(release)
	for n := -1; n != 0; {
		n = watchdog.Recv(t, "the worker to leave", workers)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- p.Wait(watchdog.Ctx(t)) }()
	waitParkedIn(t, "pool.(*Pool).Wait")
	cancel()
	for range linked {
		if err := watchdog.Recv(t, "Submit to give up", subErr); !errors.Is(err, context.Canceled) {
			t.Fatalf("Submit: %v, want Canceled", err)
		}
	}
	if err := watchdog.Recv(t, "Wait", waitErr); err != nil {
		t.Errorf("Wait: %v on a quiet pool (%v)", err, p.Stats())
	}
	if err := pool.CheckParked(p); err != nil {
		t.Error(err)
	}
	if s := p.Stats(); s.Queued != 0 || s.Busy != 0 || s.Submitted != 1 {
		t.Fatalf("%v: want quiet, 1 task accepted", s)
	}
	if err := p.Close(watchdog.Ctx(t)); err != nil {
		t.Fatal(err)
	}
}
