// Package scan polls a list of devices once through a [pool.Pool] and
// writes one JSON line per device.
//
// The pool is what makes the poller's concurrency adjustable while it
// runs: its size is the number of devices polled at once, and Resize or
// autoscaling changes it between two polls without stopping the scan.
// Each device's poll is one pool task.
package scan

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
	"github.com/lullgo/lull/pool"
)

// Summary counts what one scan did.
type Summary struct {
	// Devices is the number of targets, OK + Failed + Skipped.
	Devices int
	OK      int
	Failed  int
	// Skipped counts the devices never polled because the scan was
	// stopped first.
	Skipped  int
	Varbinds int64
	// Failures counts failed devices by [poll.Result].Kind.
	Failures map[string]int
	Wall     time.Duration
}

// Add adds the counts of o to s, for totals over several scans.
func (s *Summary) Add(o Summary) {
	s.Devices += o.Devices
	s.OK += o.OK
	s.Failed += o.Failed
	s.Skipped += o.Skipped
	s.Varbinds += o.Varbinds
	s.Wall += o.Wall
	for k, n := range o.Failures {
		if s.Failures == nil {
			s.Failures = make(map[string]int)
		}
		s.Failures[k] += n
	}
}

// FailureKinds returns the failure kinds of s in a stable order.
func (s Summary) FailureKinds() []string {
	return slices.Sorted(maps.Keys(s.Failures))
}

// Run polls every target once with fn through p, numbering results with
// scanNo, and passes each result to emit. emit is called from the pool's
// workers, so it must be safe for concurrent use.
//
// stop ends the scan early: once it is done, no more targets are
// submitted and queued polls that have not started are skipped. Polls
// already running are not interrupted by stop; they run in the ctx the
// pool gives its tasks, so they finish or time out (cfg.DeviceTimeout)
// and their line is written whole. To cut them short, call p.Stop: their
// ctx is cancelled, and they report [poll.KindCanceled].
//
// Run returns when every poll it submitted has ended. If p.Stop hands back
// tasks that never started, the caller must run them (with any ctx) so that
// they can count themselves as skipped, or Run will not return; they do no
// polling once stop is done, which it must be before Stop is called.
func Run(stop context.Context, p *pool.Pool, targets []target.Target, scanNo int, fn poll.Func, emit func(poll.Result)) Summary {
	start := time.Now()
	var (
		mu  sync.Mutex // guards sum while workers report
		sum = Summary{Devices: len(targets), Failures: make(map[string]int)}
		wg  sync.WaitGroup
	)
	skip := func() {
		mu.Lock()
		sum.Skipped++
		mu.Unlock()
	}
	for i, t := range targets {
		wg.Add(1)
		err := p.Submit(stop, func(ctx context.Context) {
			defer wg.Done()
			// Check-then-act race with stop: a poll that passes this check
			// just before stop is done runs to the end. That is the
			// contract (in-flight polls finish), not a leak: stop only
			// promises that nothing new starts after it is seen.
			if stop.Err() != nil {
				skip()
				return
			}
			r := fn(ctx, t)
			r.Scan = scanNo
			emit(r)
			mu.Lock()
			defer mu.Unlock()
			sum.Varbinds += int64(r.Varbinds)
			if r.OK {
				sum.OK++
			} else {
				sum.Failed++
				sum.Failures[r.Kind]++
			}
		})
		if err != nil {
			// stop is done (ctx.Err()) or the pool is closed: this target
			// and the ones after it are not polled in this scan.
			wg.Done()
			mu.Lock()
			sum.Skipped += len(targets) - i
			mu.Unlock()
			break
		}
	}
	wg.Wait()
	sum.Wall = time.Since(start)
	return sum
}

// LineWriter writes values as JSON lines. Each line goes to the underlying
// writer in a single Write call under a mutex, so lines from concurrent
// polls never interleave and a stopped poller leaves no half line behind.
// It is safe for concurrent use.
type LineWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
	// bufs holds line buffers between writes: a device's line is about
	// 11 KB, and the writers that need one at the same time are the
	// pool's workers.
	bufs sync.Pool
}

// NewLineWriter returns a LineWriter writing to w.
func NewLineWriter(w io.Writer) *LineWriter {
	return &LineWriter{w: w}
}

// jsonAppender is a value that encodes itself as JSON, as
// [poll.Result.AppendJSON] does.
type jsonAppender interface {
	AppendJSON(b []byte) []byte
}

// Write encodes v and writes it with a newline: with v's AppendJSON method
// if it has one, else with encoding/json. After the first error, later
// writes do nothing and return that error, so a full disk or a closed
// pipe is reported once, by [LineWriter.Err], not once per device.
func (l *LineWriter) Write(v any) error {
	// Encode outside the lock: it is the costly part and needs no order.
	var b []byte
	if a, ok := v.(jsonAppender); ok {
		bp, _ := l.bufs.Get().(*[]byte)
		if bp == nil {
			bp = new([]byte)
		}
		// The buffer goes back to the pool once written: io.Writer
		// implementations must not keep it.
		defer l.bufs.Put(bp)
		b = append(a.AppendJSON((*bp)[:0]), '\n')
		*bp = b
	} else {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return err
		}
		b = append(b, '\n')
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	_, l.err = l.w.Write(b)
	return l.err
}

// Err returns the first write error, or nil.
func (l *LineWriter) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}
