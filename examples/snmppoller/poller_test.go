package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/report"
	"github.com/lullgo/lull/examples/snmppoller/internal/simagent"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
	"github.com/lullgo/lull/pool"
)

// testPool returns a pool of n workers that is closed when the test ends.
func testPool(t *testing.T, n int) *pool.Pool {
	p := newPool(n, 0, time.Second)
	closePool(t, p)
	return p
}

// closePool closes p when the test ends, so no worker outlives it.
func closePool(t *testing.T, p *pool.Pool) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("pool Close: %v", err)
		}
	})
}

// readLines decodes the JSON lines in out, keyed by target address.
func readLines(t *testing.T, out *bytes.Buffer) map[string]poll.Result {
	t.Helper()
	got := make(map[string]poll.Result)
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r poll.Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("output line is not JSON (%v): %.200s", err, sc.Text())
		}
		if _, dup := got[r.Target]; dup {
			t.Fatalf("two lines for %s", r.Target)
		}
		got[r.Target] = r
	}
	return got
}

// fakeTargets returns n targets that no poll in these tests sends to.
func fakeTargets(n int) []target.Target {
	targets := make([]target.Target, n)
	for i := range targets {
		targets[i] = target.Target{Host: "127.0.0.1", Port: uint16(1000 + i), Community: "public"}
	}
	return targets
}

// TestScanFleet is the end-to-end test of a scan: 50 simulated agents
// polled through an autoscaled pool, output checked device by device,
// twice, with the counters advancing in between.
func TestScanFleet(t *testing.T) {
	f, err := simagent.Start(50, simagent.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	targets := f.Targets()
	p := newPool(4, 16, time.Second)
	closePool(t, p)

	var prev map[string]poll.Result
	for scanNo := 1; scanNo <= 2; scanNo++ {
		if scanNo > 1 {
			f.Advance()
		}
		var out bytes.Buffer
		w := report.NewLineWriter(&out)
		tally := report.NewTally(len(targets))
		err := scanFleet(t.Context(), t.Context(), p, targets, poll.GoSNMP(poll.DefaultConfig()), func(r poll.Result) {
			tally.Add(r)
			if err := w.Write(r); err != nil {
				t.Errorf("write: %v", err)
			}
		})
		if err != nil {
			t.Fatalf("scan %d: %v", scanNo, err)
		}
		sum := tally.Summary(0)
		if sum.Devices != 50 || sum.OK != 50 || sum.Failed != 0 || sum.Skipped != 0 || sum.Varbinds != 50*15*48 {
			t.Fatalf("scan %d summary = %+v, want 50 devices all ok with %d varbinds", scanNo, sum, 50*15*48)
		}
		got := readLines(t, &out)
		if len(got) != 50 {
			t.Fatalf("scan %d: %d lines, want 50", scanNo, len(got))
		}
		for i, tg := range targets {
			r, ok := got[tg.Addr()]
			if !ok {
				t.Fatalf("scan %d: no line for device %d (%s)", scanNo, i, tg.Addr())
			}
			gotJSON, _ := json.Marshal(r.Interfaces)
			wantJSON, _ := json.Marshal(f.Interfaces(i))
			if !r.OK || !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("scan %d device %d: ok=%v error=%q, interfaces\ngot  %.200s\nwant %.200s", scanNo, i, r.OK, r.Error, gotJSON, wantJSON)
			}
			if prev != nil {
				before := prev[tg.Addr()].Interfaces
				for k, ifc := range r.Interfaces {
					if *ifc.HCInOctets < *before[k].HCInOctets {
						t.Errorf("device %d if %d: counter went back", i, ifc.Index)
					}
				}
			}
		}
		prev = got
	}
}

func TestStopSkipsUnstarted(t *testing.T) {
	// One worker: the first poll runs and stops the scan, so every other
	// device is skipped, whether it was queued already or not.
	p, targets := testPool(t, 1), fakeTargets(20)
	stop, cancel := context.WithCancel(t.Context())
	defer cancel()
	polled := 0
	fn := func(ctx context.Context, tg target.Target) poll.Result {
		polled++ // one worker: no concurrent access
		cancel()
		return poll.Result{Target: tg.Addr(), OK: true}
	}
	tally := report.NewTally(len(targets))
	if err := scanFleet(stop, t.Context(), p, targets, fn, tally.Add); err != nil {
		t.Fatal(err)
	}
	if sum := tally.Summary(0); polled != 1 || sum.OK != 1 || sum.Skipped != 19 {
		t.Errorf("polled %d, summary %+v; want 1 polled, 1 ok, 19 skipped", polled, sum)
	}
}

// TestCancelEndsPollsInFlight is the second SIGINT: the polls running are
// cancelled, and the ones not started are skipped.
func TestCancelEndsPollsInFlight(t *testing.T) {
	targets := fakeTargets(10)
	p := testPool(t, 2)
	stop, stopNow := context.WithCancel(t.Context())
	defer stopNow()
	cancel, cancelNow := context.WithCancel(t.Context())
	defer cancelNow()
	started := make(chan struct{}, len(targets))
	// Each poll parks until its ctx is cancelled, as a poll waiting on a
	// silent device would.
	fn := func(ctx context.Context, tg target.Target) poll.Result {
		started <- struct{}{}
		<-ctx.Done()
		return poll.Result{Target: tg.Addr(), Kind: poll.KindCanceled}
	}
	tally := report.NewTally(len(targets))
	var (
		wg  sync.WaitGroup
		err error
	)
	wg.Go(func() { err = scanFleet(stop, cancel, p, targets, fn, tally.Add) })
	<-started
	<-started   // both workers are inside a poll
	stopNow()   // first ^C: nothing new starts
	cancelNow() // second ^C: the two polls end
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sum := tally.Summary(0); sum.Failed != 2 || sum.Failures[poll.KindCanceled] != 2 || sum.Skipped != 8 {
		t.Errorf("summary %+v, want 2 canceled and 8 skipped", sum)
	}
}

func TestScanFleetReturnsAPanic(t *testing.T) {
	p := testPool(t, 2)
	fn := func(ctx context.Context, tg target.Target) poll.Result { panic("bug in a poll") }
	err := scanFleet(t.Context(), t.Context(), p, fakeTargets(3), fn, func(poll.Result) {})
	var pe *pool.PanicError
	if !errors.As(err, &pe) || pe.Value != "bug in a poll" {
		t.Errorf("scanFleet = %v, want the poll's *pool.PanicError", err)
	}
}

func TestHandleSignals(t *testing.T) {
	p := testPool(t, 4)
	sigs := make(chan os.Signal, 8)
	var stops, cancels atomic.Int32
	var log syncBuffer
	// Every signal is sent before done is closed: the handler serves all of
	// them, then returns.
	for _, s := range []os.Signal{syscall.SIGUSR1, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGINT, syscall.SIGTERM} {
		sigs <- s
	}
	done := make(chan struct{})
	close(done)
	logf := (&logger{w: &log}).printf
	handleSignals(sigs, done, p, 10, func() { stops.Add(1) }, func() { cancels.Add(1) }, logf)
	if p.Size() != 5 || stops.Load() != 1 || cancels.Load() != 1 {
		t.Errorf("size %d, stop called %d times, cancel %d; want 5, 1, 1", p.Size(), stops.Load(), cancels.Load())
	}
	for _, want := range []string{"SIGUSR1: workers 4 -> 8", "not growing past 10 workers", "SIGUSR1: workers 8 -> 10", "SIGUSR2: workers 10 -> 5",
		"SIGINT: stopping", "SIGTERM: cancelling the polls in flight"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}
