package poll_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
)

// checkAppendJSON fails t unless r.AppendJSON gives what json.Marshal does.
func checkAppendJSON(t *testing.T, r poll.Result) {
	t.Helper()
	want, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	prefix := []byte("x")
	got := r.AppendJSON(prefix)
	if string(got[:1]) != "x" || string(got[1:]) != string(want) {
		t.Errorf("AppendJSON differs from json.Marshal\ngot  %s\nwant %s", got[1:], want)
	}
}

func TestAppendJSON(t *testing.T) {
	in, out := uint64(1<<40), uint64(0)
	upTime := uint32(math.MaxUint32)
	when := time.Date(2026, 11, 25, 19, 59, 4, 577081148, time.UTC)
	for _, r := range []poll.Result{
		{},
		{Target: "127.0.0.1:161", Scan: 1, Time: when, OK: true, Millis: 29.219, Varbinds: 720, UpTime: &upTime, Interfaces: []ifmib.Interface{
			{Index: 1, Name: "ge-0/0/0", Descr: "GigabitEthernet0/0", Alias: "uplink", Type: 6, MTU: 1500,
				AdminStatus: "up", OperStatus: "up", SpeedMbps: 1000, HCInOctets: &in, HCOutOctets: &out, InBps: &in, OutBps: &out},
			{Index: 4, InBps: &out},
			{Index: 5, OutBps: &in},
			{Index: 2},
			{Index: -3, Type: -1, MTU: math.MaxInt, SpeedMbps: math.MaxUint64},
		}},
		{Target: "[2001:db8::1]:161", Scan: -2, Time: when.In(time.FixedZone("", -5*3600-30*60)), Kind: poll.KindTimeout,
			Error: `timeout: "quoted" <b>&amp;</b> \ back`, Millis: 2000},
		// Millis as small, large and round as a float64 gets: the cases
		// where encoding/json changes notation.
		{Millis: 1e-7}, {Millis: 1e-6}, {Millis: 1e20}, {Millis: 1e21}, {Millis: -1.5e-9}, {Millis: 0.1 + 0.2},
		{Millis: math.SmallestNonzeroFloat64}, {Millis: math.MaxFloat64},
		// Strings from agents hold any bytes: controls, invalid UTF-8,
		// the separators JSON allows and JavaScript does not.
		{Interfaces: []ifmib.Interface{{
			Descr: "tab\there\nnew\rcr\bbs\fff\x00\x01\x1f\x7f",
			Alias: "bad \xff\xfe utf8 \xe2\x82 cut, ok é € 𝄞, \u2028 \u2029",
			Name:  "<script>&</script>",
		}}},
	} {
		checkAppendJSON(t, r)
	}
}

// FuzzAppendJSON checks AppendJSON against json.Marshal on any strings
// and numbers.
func FuzzAppendJSON(f *testing.F) {
	f.Add("127.0.0.1:161", "GigabitEthernet0/0", "sim1 uplink 1", 29.219, 48, uint64(1000))
	f.Add("", "\x00\xff\u2028<&>", "\"\\", 1e-9, -1, uint64(math.MaxUint64))
	f.Add("é", "\xe2\x82", "𝄞", 1e21, 0, uint64(0))
	f.Fuzz(func(t *testing.T, target, descr, alias string, millis float64, index int, speed uint64) {
		if math.IsNaN(millis) || math.IsInf(millis, 0) {
			return // json.Marshal fails on these; a poll never gives them
		}
		r := poll.Result{
			Target: target, Error: descr, Millis: millis, Varbinds: index,
			Interfaces: []ifmib.Interface{{Index: index, Descr: descr, Alias: alias, SpeedMbps: speed, HCInOctets: &speed}},
		}
		// The optional fields, present or not, by bits of speed.
		if speed&1 != 0 {
			up := uint32(speed >> 32)
			r.UpTime = &up
		}
		if speed&2 != 0 {
			r.Interfaces[0].InBps = &speed
		}
		if speed&4 != 0 {
			r.Interfaces[0].OutBps = &speed
		}
		checkAppendJSON(t, r)
	})
}

// BenchmarkAppendJSON encodes one device's line, 48 interfaces, the way
// the poller does and the way encoding/json does.
func BenchmarkAppendJSON(b *testing.B) {
	r := poll.Result{Target: "127.0.0.1:52561", Scan: 1, Time: time.Now(), OK: true, Millis: 29.219, Varbinds: 720}
	for i := range 48 {
		in, out := uint64(1<<40+i), uint64(1<<35+i)
		r.Interfaces = append(r.Interfaces, ifmib.Interface{
			Index: i + 1, Name: "ge-0/0/0", Descr: "GigabitEthernet0/0", Alias: "sim30 uplink 1", Type: 6, MTU: 1500,
			AdminStatus: "up", OperStatus: "down", SpeedMbps: 1000, HCInOctets: &in, HCOutOctets: &out,
		})
	}
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = r.AppendJSON(buf[:0])
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
