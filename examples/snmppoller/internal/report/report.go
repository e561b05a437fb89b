// Package report counts what a scan found and writes it: one JSON line
// per device ([LineWriter]), and the figures of the summary a person reads
// ([Tally], [Summary]).
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
)

// TopN is the number of busiest interfaces a [Summary] lists.
const TopN = 5

// Summary counts what one scan found, or several added up.
type Summary struct {
	// Devices is the number of targets, OK + Failed + Skipped.
	Devices int
	OK      int
	Failed  int
	// Skipped counts the devices not polled because the poller was told
	// to stop first.
	Skipped  int
	Varbinds int64
	// Failures counts failed devices by [poll.Result].Kind.
	Failures map[string]int
	// Up, Down and Disabled count the interfaces of the devices polled:
	// operationally up; administratively up but not operationally up
	// (down, lowerLayerDown, dormant...); administratively down.
	Up, Down, Disabled int
	// Busiest lists the TopN busiest interfaces, busiest first: by bit
	// rate (in + out) when ByRate, else by the octets their counters hold
	// (in + out), which is what they carried since the counters started.
	Busiest []Busy
	ByRate  bool
	Wall    time.Duration
}

// Busy is one interface of [Summary].Busiest. In and Out are bit/s when
// the summary is ByRate, octets otherwise.
type Busy struct {
	Target string
	Index  int
	Name   string
	Alias  string
	In     uint64
	Out    uint64
}

// Add adds the counts of o to s, for totals over several scans. Busiest
// becomes o's: a list of the busiest interfaces is about one moment.
func (s *Summary) Add(o Summary) {
	s.Devices += o.Devices
	s.OK += o.OK
	s.Failed += o.Failed
	s.Skipped += o.Skipped
	s.Varbinds += o.Varbinds
	s.Up += o.Up
	s.Down += o.Down
	s.Disabled += o.Disabled
	s.Wall += o.Wall
	s.Busiest, s.ByRate = o.Busiest, o.ByRate
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

// Tally builds the [Summary] of one scan from its results as they come.
// It is safe for concurrent use: results come from the pool's workers.
type Tally struct {
	mu       sync.Mutex
	sum      Summary
	byRate   []Busy // the top TopN by rate, busiest first
	byOctets []Busy // the top TopN by octets, busiest first
}

// NewTally returns a Tally for a scan of devices targets.
func NewTally(devices int) *Tally {
	return &Tally{sum: Summary{Devices: devices, Failures: make(map[string]int)}}
}

// Add counts r.
func (t *Tally) Add(r poll.Result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := &t.sum
	s.Varbinds += int64(r.Varbinds)
	if !r.OK {
		s.Failed++
		s.Failures[r.Kind]++
		return
	}
	s.OK++
	for _, ifc := range r.Interfaces {
		switch {
		case ifc.AdminStatus == "down":
			s.Disabled++
		case ifc.OperStatus == "up":
			s.Up++
		default:
			s.Down++
		}
		b := Busy{Target: r.Target, Index: ifc.Index, Name: ifc.Name, Alias: ifc.Alias}
		if ifc.InBps != nil && ifc.OutBps != nil {
			b.In, b.Out = *ifc.InBps, *ifc.OutBps
			t.byRate = keepTop(t.byRate, b)
		}
		if ifc.HCInOctets != nil && ifc.HCOutOctets != nil {
			b.In, b.Out = *ifc.HCInOctets, *ifc.HCOutOctets
			t.byOctets = keepTop(t.byOctets, b)
		}
	}
}

// keepTop inserts b into top, kept sorted busiest first and at most TopN
// long. Ties keep the one seen first.
func keepTop(top []Busy, b Busy) []Busy {
	// In + Out in 128 bits would be exact; a float64 sum orders two
	// interfaces wrongly only when they differ by less than one part in
	// 2^52, which a list for a person can live with.
	load := func(b Busy) float64 { return float64(b.In) + float64(b.Out) }
	i, _ := slices.BinarySearchFunc(top, b, func(e, b Busy) int {
		// Busiest first: an element ranks before b while it is at least
		// as busy, so b goes after its ties.
		if load(e) >= load(b) {
			return -1
		}
		return 1
	})
	if i >= TopN {
		return top
	}
	top = slices.Insert(top, i, b)
	return top[:min(len(top), TopN)]
}

// Summary returns the counts so far, with wall as the scan's time.
// Skipped is what was neither OK nor Failed.
func (t *Tally) Summary(wall time.Duration) Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sum
	s.Failures = maps.Clone(t.sum.Failures)
	s.Skipped = s.Devices - s.OK - s.Failed
	s.Wall = wall
	s.ByRate = len(t.byRate) > 0
	s.Busiest = slices.Clone(t.byOctets)
	if s.ByRate {
		s.Busiest = slices.Clone(t.byRate)
	}
	return s
}

// Bits formats a rate in bit/s for a person: "812 Mb/s".
func Bits(bps uint64) string {
	return decimal(bps, "b/s")
}

// Bytes formats an octet count for a person: "1.10 TB".
func Bytes(n uint64) string {
	return decimal(n, "B")
}

// decimal writes n with three significant digits, an SI prefix (k =
// 1000) and unit.
func decimal(n uint64, unit string) string {
	const prefixes = "kMGTPE"
	if n < 1000 {
		return fmt.Sprintf("%d %s", n, unit)
	}
	v, p := float64(n)/1000, 0
	// Divide while v would round to 1000 or more.
	for v >= 999.5 && p < len(prefixes)-1 {
		v /= 1000
		p++
	}
	digits := 0
	switch {
	case v < 9.995:
		digits = 2
	case v < 99.95:
		digits = 1
	}
	return fmt.Sprintf("%.*f %c%s", digits, v, prefixes[p], unit)
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
