package scan_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/scan"
	"github.com/lullgo/lull/examples/snmppoller/internal/simagent"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
	"github.com/lullgo/lull/pool"
)

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

// TestScanFleet is the end-to-end test: a scan of 50 simulated agents
// through a pool, output checked device by device, twice, with the
// counters advancing in between.
func TestScanFleet(t *testing.T) {
	f, err := simagent.Start(50, simagent.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	targets := f.Targets()

	p := pool.New(4, pool.WithMaxWorkers(16), pool.WithIdleTimeout(time.Second))
	closePool(t, p)
	cfg := poll.DefaultConfig()

	var prev map[string]poll.Result
	for scanNo := 1; scanNo <= 2; scanNo++ {
		if scanNo > 1 {
			f.Advance()
		}
		var out bytes.Buffer
		w := scan.NewLineWriter(&out)
		sum := scan.Run(t.Context(), p, targets, scanNo, poll.GoSNMP(cfg), func(r poll.Result) {
			if err := w.Write(r); err != nil {
				t.Errorf("write: %v", err)
			}
		})
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
			if !r.OK || r.Scan != scanNo || r.Varbinds != 15*48 {
				t.Errorf("scan %d device %d: ok=%v scan=%d varbinds=%d error=%q", scanNo, i, r.OK, r.Scan, r.Varbinds, r.Error)
			}
			gotJSON, _ := json.Marshal(r.Interfaces)
			wantJSON, _ := json.Marshal(f.Interfaces(i))
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("scan %d device %d: interfaces differ\ngot  %.200s\nwant %.200s", scanNo, i, gotJSON, wantJSON)
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

func TestScanReportsFailures(t *testing.T) {
	f, err := simagent.Start(3, simagent.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	targets := f.Targets()
	targets[1].Community = "wrong" // silent agent: a timeout line

	p := pool.New(3)
	closePool(t, p)
	cfg := poll.DefaultConfig()
	cfg.Timeout, cfg.Retries = 100*time.Millisecond, 0
	var out bytes.Buffer
	w := scan.NewLineWriter(&out)
	sum := scan.Run(t.Context(), p, targets, 1, poll.GoSNMP(cfg), func(r poll.Result) { _ = w.Write(r) })
	if sum.OK != 2 || sum.Failed != 1 || sum.Failures[poll.KindTimeout] != 1 {
		t.Fatalf("summary = %+v, want 2 ok and 1 timeout", sum)
	}
	got := readLines(t, &out)
	if r := got[targets[1].Addr()]; r.OK || r.Kind != poll.KindTimeout || len(r.Interfaces) != 0 {
		t.Errorf("wrong-community line = %+v, want a timeout with no interfaces", r)
	}
}

func TestStopSkipsUnstarted(t *testing.T) {
	targets := make([]target.Target, 20)
	for i := range targets {
		targets[i] = target.Target{Host: "127.0.0.1", Port: uint16(1000 + i), Community: "public"}
	}
	// One worker: the first poll runs and stops the scan, so every other
	// device is skipped, whether it was queued already or not.
	p := pool.New(1)
	closePool(t, p)
	stop, cancel := context.WithCancel(t.Context())
	defer cancel()
	polled := 0
	fn := func(ctx context.Context, tg target.Target) poll.Result {
		polled++ // one worker: no concurrent access
		cancel()
		return poll.Result{Target: tg.Addr(), OK: true}
	}
	sum := scan.Run(stop, p, targets, 1, fn, func(poll.Result) {})
	if polled != 1 || sum.OK != 1 || sum.Skipped != 19 {
		t.Errorf("polled %d, summary %+v; want 1 polled, 1 ok, 19 skipped", polled, sum)
	}
}

func TestPoolStopCancelsInFlight(t *testing.T) {
	targets := make([]target.Target, 10)
	for i := range targets {
		targets[i] = target.Target{Host: "127.0.0.1", Port: uint16(1000 + i), Community: "public"}
	}
	p := pool.New(2)
	stop, cancel := context.WithCancel(t.Context())
	defer cancel()
	started := make(chan struct{}, len(targets))
	// Each poll parks until its task ctx is cancelled, as a poll waiting
	// on a silent device would until pool.Stop.
	fn := func(ctx context.Context, tg target.Target) poll.Result {
		started <- struct{}{}
		<-ctx.Done()
		return poll.Result{Target: tg.Addr(), Kind: poll.KindCanceled}
	}
	var (
		wg  sync.WaitGroup
		sum scan.Summary
	)
	wg.Go(func() { sum = scan.Run(stop, p, targets, 1, fn, func(poll.Result) {}) })
	<-started
	<-started // both workers are inside a poll
	cancel()  // first ^C: nothing new starts
	unstarted, err := p.Stop(t.Context())
	if err != nil {
		t.Fatalf("pool Stop: %v", err)
	}
	// As Run's doc asks: run what Stop handed back, so it counts as skipped.
	for _, task := range unstarted {
		task(stop)
	}
	wg.Wait()
	if sum.Failed != 2 || sum.Failures[poll.KindCanceled] != 2 || sum.OK+sum.Failed+sum.Skipped != len(targets) {
		t.Errorf("summary %+v, want 2 canceled and the rest skipped", sum)
	}
}

func TestLineWriterKeepsFirstError(t *testing.T) {
	w := scan.NewLineWriter(failWriter{})
	if err := w.Write(1); err == nil {
		t.Fatal("Write to a failing writer = nil")
	}
	if err := w.Write(2); err == nil || w.Err() == nil {
		t.Errorf("later Write = %v, Err = %v; want the first error", err, w.Err())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errFull }

var errFull = errors.New("disk full")
