package rate_test

import (
	"math"
	"testing"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/rate"
)

func TestBitRate(t *testing.T) {
	const top = math.MaxUint64
	tests := []struct {
		name      string
		prev, cur rate.Reading
		speedMbps uint64
		want      uint64
		wantOK    bool
	}{
		{"1 MB/s for 1 s", rate.Reading{1000, 100}, rate.Reading{1_001_000, 200}, 1000, 8_000_000, true},
		{"idle", rate.Reading{5, 100}, rate.Reading{5, 30100}, 1000, 0, true},
		{"rounded", rate.Reading{0, 0}, rate.Reading{1, 300}, 0, 3, true}, // 8 bits in 3 s
		{"increase above speed: kept (speeds lie)", rate.Reading{0, 0}, rate.Reading{1e9, 100}, 10, 8e9, true},
		{"wrap past 2^64", rate.Reading{top - 999, 0}, rate.Reading{24_000, 100}, 1000, 200_000, true},
		{"wrap at speed exactly", rate.Reading{top, 0}, rate.Reading{124_999_999, 100}, 1000, 1_000_000_000, true},
		{"wrap faster than the port", rate.Reading{top - 999, 0}, rate.Reading{125_000_000, 100}, 1000, 0, false},
		{"counter reset", rate.Reading{1 << 40, 100}, rate.Reading{5, 200}, 1000, 0, false},
		{"counter lower, speed unknown", rate.Reading{top - 10, 100}, rate.Reading{5, 200}, 0, 0, false},
		{"agent restart", rate.Reading{1 << 40, 900_000}, rate.Reading{(1 << 40) + 10, 500}, 1000, 0, false},
		{"restart with counters from zero", rate.Reading{1 << 40, 900_000}, rate.Reading{7, 500}, 1000, 0, false},
		{"same sysUpTime", rate.Reading{1, 100}, rate.Reading{2, 100}, 1000, 0, false},
		{"sysUpTime wrapped after 497 days", rate.Reading{1, math.MaxUint32 - 10}, rate.Reading{2, 20}, 1000, 0, false},
		{"more than a uint64 of bit/s", rate.Reading{0, 0}, rate.Reading{top, 1}, 0, 0, false},
	}
	for _, tt := range tests {
		got, ok := rate.BitRate(tt.prev, tt.cur, tt.speedMbps)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: BitRate(%+v, %+v, %d) = %d, %v; want %d, %v", tt.name, tt.prev, tt.cur, tt.speedMbps, got, ok, tt.want, tt.wantOK)
		}
	}
}

// result makes a poll result of one device at sysUpTime up (nil: none),
// with one interface per counter pair, ifIndex 1, 2...
func result(up *uint32, counters ...[2]uint64) poll.Result {
	r := poll.Result{Target: "192.0.2.1:161", OK: true, UpTime: up}
	for i, c := range counters {
		in, out := c[0], c[1]
		r.Interfaces = append(r.Interfaces, ifmib.Interface{Index: i + 1, SpeedMbps: 1000, HCInOctets: &in, HCOutOctets: &out})
	}
	return r
}

func ticks(v uint32) *uint32 { return &v }

// rates returns the rates Update set, "-" for none.
func rates(r poll.Result) [][2]any {
	var out [][2]any
	for _, ifc := range r.Interfaces {
		pair := [2]any{"-", "-"}
		if ifc.InBps != nil {
			pair[0] = *ifc.InBps
		}
		if ifc.OutBps != nil {
			pair[1] = *ifc.OutBps
		}
		out = append(out, pair)
	}
	return out
}

func TestTracker(t *testing.T) {
	var tr rate.Tracker
	steps := []struct {
		name string
		r    poll.Result
		want [][2]any
	}{
		{"first poll: no rate", result(ticks(1000), [2]uint64{0, 0}, [2]uint64{10, 10}), [][2]any{{"-", "-"}, {"-", "-"}}},
		{"10 s later", result(ticks(2000), [2]uint64{1250, 2500}, [2]uint64{10, 10}), [][2]any{{uint64(1000), uint64(2000)}, {uint64(0), uint64(0)}}},
		{"failed poll: ignored", poll.Result{Target: "192.0.2.1:161", Kind: poll.KindTimeout}, nil},
		{"20 s after the last good one", result(ticks(4000), [2]uint64{3750, 2500}, [2]uint64{10, 10}), [][2]any{{uint64(1000), uint64(0)}, {uint64(0), uint64(0)}}},
		{"agent restarted", result(ticks(50), [2]uint64{100, 100}, [2]uint64{0, 0}), [][2]any{{"-", "-"}, {"-", "-"}}},
		{"after the restart", result(ticks(150), [2]uint64{225, 100}, [2]uint64{0, 0}, [2]uint64{5, 5}), [][2]any{{uint64(1000), uint64(0)}, {uint64(0), uint64(0)}, {"-", "-"}}},
		{"no sysUpTime: no rate", result(nil, [2]uint64{350, 100}), [][2]any{{"-", "-"}}},
		{"next is a first poll again", result(ticks(250), [2]uint64{475, 100}), [][2]any{{"-", "-"}}},
	}
	for _, s := range steps {
		r := s.r
		tr.Update(&r)
		got := rates(r)
		if len(got) != len(s.want) {
			t.Fatalf("%s: %d interfaces, want %d", s.name, len(got), len(s.want))
		}
		for i := range got {
			if got[i] != s.want[i] {
				t.Errorf("%s: ifIndex %d: rates %v, want %v", s.name, i+1, got[i], s.want[i])
			}
		}
	}
}

func TestTrackerKeepsDevicesApart(t *testing.T) {
	var tr rate.Tracker
	a, b := result(ticks(100), [2]uint64{0, 0}), result(ticks(100), [2]uint64{0, 0})
	b.Target = "192.0.2.2:161"
	tr.Update(&a)
	tr.Update(&b)
	a2 := result(ticks(200), [2]uint64{125, 0})
	tr.Update(&a2)
	b2 := result(ticks(200), [2]uint64{250, 0})
	b2.Target = b.Target
	tr.Update(&b2)
	if *a2.Interfaces[0].InBps != 1000 || *b2.Interfaces[0].InBps != 2000 {
		t.Errorf("rates %d and %d, want 1000 and 2000", *a2.Interfaces[0].InBps, *b2.Interfaces[0].InBps)
	}
}
