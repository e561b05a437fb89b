package report_test

import (
	"errors"
	"testing"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/report"
)

// iface makes an interface with the given status and counters; a rate
// below 0 means none.
func iface(index int, admin, oper string, in, out uint64, inBps, outBps int64) ifmib.Interface {
	ifc := ifmib.Interface{Index: index, Name: "ge-0/0/" + string(rune('0'+index)), AdminStatus: admin, OperStatus: oper,
		HCInOctets: &in, HCOutOctets: &out}
	if inBps >= 0 && outBps >= 0 {
		i, o := uint64(inBps), uint64(outBps)
		ifc.InBps, ifc.OutBps = &i, &o
	}
	return ifc
}

func TestTallyCounts(t *testing.T) {
	tally := report.NewTally(5)
	tally.Add(poll.Result{Target: "a", OK: true, Varbinds: 10, Interfaces: []ifmib.Interface{
		iface(1, "up", "up", 100, 100, -1, -1),
		iface(2, "up", "down", 900, 0, -1, -1),
		iface(3, "down", "down", 0, 0, -1, -1),
		iface(4, "up", "lowerLayerDown", 50, 0, -1, -1),
	}})
	tally.Add(poll.Result{Target: "b", Kind: poll.KindTimeout, Varbinds: 2})
	tally.Add(poll.Result{Target: "c", Kind: poll.KindTimeout})
	tally.Add(poll.Result{Target: "d", Kind: poll.KindUnreachable})
	s := tally.Summary(0)
	if s.Devices != 5 || s.OK != 1 || s.Failed != 3 || s.Skipped != 1 || s.Varbinds != 12 {
		t.Errorf("devices %d ok %d failed %d skipped %d varbinds %d; want 5 1 3 1 12", s.Devices, s.OK, s.Failed, s.Skipped, s.Varbinds)
	}
	if s.Failures[poll.KindTimeout] != 2 || s.Failures[poll.KindUnreachable] != 1 || len(s.Failures) != 2 {
		t.Errorf("failures %v, want 2 timeouts and 1 unreachable", s.Failures)
	}
	if s.Up != 1 || s.Down != 2 || s.Disabled != 1 {
		t.Errorf("interfaces up %d down %d disabled %d; want 1 2 1", s.Up, s.Down, s.Disabled)
	}
	if s.ByRate || len(s.Busiest) != 4 || s.Busiest[0].Index != 2 || s.Busiest[1].Index != 1 || s.Busiest[3].Index != 3 {
		t.Errorf("busiest %+v (by rate %v), want by octets: 2, 1, 4, 3", s.Busiest, s.ByRate)
	}
}

func TestTallyBusiestByRate(t *testing.T) {
	tally := report.NewTally(2)
	// More than TopN interfaces, in no order; rates win over octets once
	// any interface has one.
	var ifcs []ifmib.Interface
	for i, bps := range []int64{30, 10, 70, 50, 20, 60, 40} {
		ifcs = append(ifcs, iface(i+1, "up", "up", uint64(1000-bps), 0, bps, 1))
	}
	ifcs = append(ifcs, iface(9, "up", "up", 1<<40, 0, -1, -1)) // most octets, no rate
	tally.Add(poll.Result{Target: "a", OK: true, Interfaces: ifcs})
	tally.Add(poll.Result{Target: "b", OK: true, Interfaces: []ifmib.Interface{iface(1, "up", "up", 0, 0, 60, 1)}})
	s := tally.Summary(0)
	if !s.ByRate || len(s.Busiest) != report.TopN {
		t.Fatalf("by rate %v, %d busiest; want by rate and %d", s.ByRate, len(s.Busiest), report.TopN)
	}
	want := []struct {
		target string
		in     uint64
	}{{"a", 70}, {"a", 60}, {"b", 60}, {"a", 50}, {"a", 40}}
	for i, w := range want {
		if b := s.Busiest[i]; b.Target != w.target || b.In != w.in {
			t.Errorf("busiest[%d] = %s %d b/s, want %s %d (ties in arrival order)", i, b.Target, b.In, w.target, w.in)
		}
	}
}

func TestSummaryAdd(t *testing.T) {
	var total report.Summary
	total.Add(report.Summary{Devices: 3, OK: 2, Failed: 1, Failures: map[string]int{"timeout": 1}, Up: 4})
	total.Add(report.Summary{Devices: 3, OK: 1, Failed: 1, Skipped: 1, Failures: map[string]int{"timeout": 1}, Up: 2, ByRate: true,
		Busiest: []report.Busy{{Target: "x"}}})
	if total.Devices != 6 || total.OK != 3 || total.Failed != 2 || total.Skipped != 1 || total.Failures["timeout"] != 2 || total.Up != 6 {
		t.Errorf("total %+v", total)
	}
	if !total.ByRate || len(total.Busiest) != 1 {
		t.Errorf("busiest %+v (by rate %v), want the last scan's", total.Busiest, total.ByRate)
	}
}

func TestDecimal(t *testing.T) {
	for _, tt := range []struct {
		n          uint64
		bits, byts string
	}{
		{0, "0 b/s", "0 B"},
		{999, "999 b/s", "999 B"},
		{1000, "1.00 kb/s", "1.00 kB"},
		{99_949, "99.9 kb/s", "99.9 kB"},
		{99_950, "100 kb/s", "100 kB"},
		{812_400_000, "812 Mb/s", "812 MB"},
		{999_499, "999 kb/s", "999 kB"},
		{999_500, "1.00 Mb/s", "1.00 MB"},
		{1_100_000_000_000, "1.10 Tb/s", "1.10 TB"},
		{1<<64 - 1, "18.4 Eb/s", "18.4 EB"},
	} {
		if got := report.Bits(tt.n); got != tt.bits {
			t.Errorf("Bits(%d) = %q, want %q", tt.n, got, tt.bits)
		}
		if got := report.Bytes(tt.n); got != tt.byts {
			t.Errorf("Bytes(%d) = %q, want %q", tt.n, got, tt.byts)
		}
	}
}

func TestLineWriterKeepsFirstError(t *testing.T) {
	w := report.NewLineWriter(failWriter{})
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
