package simagent_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/oid"
	"github.com/lullgo/lull/examples/snmppoller/internal/simagent"
)

// startFleet starts n agents and stops them when the test ends.
func startFleet(t *testing.T, n int, cfg simagent.Config) *simagent.Fleet {
	t.Helper()
	f, err := simagent.Start(n, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return f
}

// client connects a gosnmp client to agent i. The timeout only matters for
// the tests where the agent must stay silent; a reply on loopback comes
// back in well under a millisecond.
func client(t *testing.T, f *simagent.Fleet, i int, community string) *gosnmp.GoSNMP {
	t.Helper()
	addr := f.Addr(i)
	g := &gosnmp.GoSNMP{
		Target:    addr.Addr().String(),
		Port:      addr.Port(),
		Community: community,
		Version:   gosnmp.Version2c,
		Timeout:   2 * time.Second,
		Retries:   0,
	}
	if err := g.Connect(); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func TestBulkWalkGivesTable(t *testing.T) {
	f := startFleet(t, 3, simagent.Config{})
	f.Advance()
	for dev := range f.Len() {
		g := client(t, f, dev, "public")
		var tbl ifmib.Table
		total := 0
		for _, root := range []oid.OID{ifmib.IfTable, ifmib.IfXTable} {
			pdus, err := g.BulkWalkAll(root.String())
			if err != nil {
				t.Fatalf("agent %d: BulkWalkAll(%s): %v", dev, root, err)
			}
			total += len(pdus)
			for _, p := range pdus {
				if err := tbl.Add(oid.MustParse(p.Name), p.Value); err != nil {
					t.Fatalf("agent %d: %v", dev, err)
				}
			}
		}
		// 10 ifTable columns and 5 ifXTable columns, 48 rows each.
		if want := 15 * 48; total != want {
			t.Errorf("agent %d: walked %d varbinds, want %d", dev, total, want)
		}
		got, _ := json.Marshal(tbl.Interfaces())
		want, _ := json.Marshal(f.Interfaces(dev))
		if string(got) != string(want) {
			t.Errorf("agent %d: walked table differs from the model\ngot  %.300s\nwant %.300s", dev, got, want)
		}
	}
}

func TestWalkWholeMIBInOrder(t *testing.T) {
	f := startFleet(t, 1, simagent.Config{Interfaces: 4})
	g := client(t, f, 0, "public")
	// GetNext walk from the top: every instance once, in increasing order.
	pdus, err := g.WalkAll(".1.3")
	if err != nil {
		t.Fatalf("WalkAll: %v", err)
	}
	if want := 5 + 15*4; len(pdus) != want {
		t.Fatalf("walked %d varbinds, want %d", len(pdus), want)
	}
	for i := 1; i < len(pdus); i++ {
		if oid.Compare(oid.MustParse(pdus[i-1].Name), oid.MustParse(pdus[i].Name)) >= 0 {
			t.Fatalf("OIDs not increasing: %s then %s", pdus[i-1].Name, pdus[i].Name)
		}
	}
	// GetNext past the last instance is endOfMibView, named as asked.
	last := pdus[len(pdus)-1].Name
	resp, err := g.GetNext([]string{last})
	if err != nil {
		t.Fatalf("GetNext: %v", err)
	}
	if v := resp.Variables[0]; v.Type != gosnmp.EndOfMibView || v.Name != last {
		t.Errorf("GetNext(%s) = %s %v, want endOfMibView at the same OID", last, v.Name, v.Type)
	}
}

func TestGet(t *testing.T) {
	f := startFleet(t, 2, simagent.Config{})
	g := client(t, f, 1, "public")
	resp, err := g.Get([]string{".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.2.1.0", ".1.3.6.1.2.1.1.5.1", ".1.3.6.1.2.1.99.0", ".1.3.6.1.2.1.31.1.1.1.6.48"})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := []struct {
		typ   gosnmp.Asn1BER
		value any
	}{
		{gosnmp.OctetString, "sim-0001"},
		{gosnmp.Integer, 48},
		{gosnmp.NoSuchInstance, nil},
		{gosnmp.NoSuchObject, nil},
		{gosnmp.Counter64, *f.Interfaces(1)[47].HCInOctets},
	}
	for i, w := range want {
		v := resp.Variables[i]
		got := v.Value
		if b, ok := got.([]byte); ok {
			got = string(b)
		}
		if v.Type != w.typ || got != w.value {
			t.Errorf("varbind %d (%s): got %v %v, want %v %v", i, v.Name, v.Type, got, w.typ, w.value)
		}
	}
}

func TestWrongCommunityTimesOut(t *testing.T) {
	f := startFleet(t, 1, simagent.Config{Community: "s3cret"})
	g := client(t, f, 0, "public")
	// No reply can ever come, so the short timeout is not a race: it only
	// bounds how long the test waits for the silence it expects.
	g.Timeout = 100 * time.Millisecond
	_, err := g.Get([]string{".1.3.6.1.2.1.1.5.0"})
	if err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("Get with a wrong community: error = %v, want a timeout", err)
	}
	// The right community on the same agent works.
	g2 := client(t, f, 0, "s3cret")
	if _, err := g2.Get([]string{".1.3.6.1.2.1.1.5.0"}); err != nil {
		t.Fatalf("Get with the right community: %v", err)
	}
}

func TestGetBulkPaging(t *testing.T) {
	f := startFleet(t, 1, simagent.Config{Interfaces: 6})
	g := client(t, f, 0, "public")
	descr := ifmib.IfEntry.Append(ifmib.ColIfDescr).String()
	oper := ifmib.IfEntry.Append(ifmib.ColIfOperStatus).String()

	// Two repeaters, 4 rounds: varbinds come interleaved, row by row.
	resp, err := g.GetBulk([]string{descr, oper}, 0, 4)
	if err != nil {
		t.Fatalf("GetBulk: %v", err)
	}
	var names []string
	for _, v := range resp.Variables {
		names = append(names, v.Name)
	}
	want := []string{descr + ".1", oper + ".1", descr + ".2", oper + ".2", descr + ".3", oper + ".3", descr + ".4", oper + ".4"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("GetBulk names:\ngot  %v\nwant %v", names, want)
	}

	// One non-repeater gets one GetNext; the repeater gets the rounds.
	resp, err = g.GetBulk([]string{".1.3.6.1.2.1.1", descr}, 1, 3)
	if err != nil {
		t.Fatalf("GetBulk: %v", err)
	}
	names = names[:0]
	for _, v := range resp.Variables {
		names = append(names, v.Name)
	}
	want = []string{".1.3.6.1.2.1.1.1.0", descr + ".1", descr + ".2", descr + ".3"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("GetBulk with a non-repeater:\ngot  %v\nwant %v", names, want)
	}

	// Paging by hand with 7 repetitions from the table root, each page
	// starting after the last OID of the previous one, gives exactly what
	// a GetNext walk gives, then endOfMibView.
	walked, err := g.WalkAll(".1.3.6.1.2.1.2.2")
	if err != nil {
		t.Fatalf("WalkAll: %v", err)
	}
	var paged []gosnmp.SnmpPDU
	cursor := ".1.3.6.1.2.1.2.2"
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		resp, err := g.GetBulk([]string{cursor}, 0, 7)
		if err != nil {
			t.Fatalf("GetBulk: %v", err)
		}
		if len(resp.Variables) == 0 {
			t.Fatal("empty GetBulk reply")
		}
		done := false
		for _, v := range resp.Variables {
			if v.Type == gosnmp.EndOfMibView || !strings.HasPrefix(v.Name, ".1.3.6.1.2.1.2.2.") {
				done = true
				break
			}
			paged = append(paged, v)
		}
		if done {
			break
		}
		cursor = resp.Variables[len(resp.Variables)-1].Name
	}
	if len(paged) != len(walked) {
		t.Fatalf("paged %d varbinds, walked %d", len(paged), len(walked))
	}
	for i := range paged {
		if paged[i].Name != walked[i].Name {
			t.Fatalf("varbind %d: paged %s, walked %s", i, paged[i].Name, walked[i].Name)
		}
	}

	// At the end of the MIB, every round is endOfMibView and the agent
	// stops after the first.
	last := ifmib.IfXEntry.Append(ifmib.ColIfAlias, 6).String()
	resp, err = g.GetBulk([]string{last}, 0, 10)
	if err != nil {
		t.Fatalf("GetBulk: %v", err)
	}
	if len(resp.Variables) != 1 || resp.Variables[0].Type != gosnmp.EndOfMibView {
		t.Errorf("GetBulk at the end: got %+v, want one endOfMibView", resp.Variables)
	}
}

func TestGetBulkShortenedToFit(t *testing.T) {
	f := startFleet(t, 1, simagent.Config{MaxMessageSize: 600})
	g := client(t, f, 0, "public")
	resp, err := g.GetBulk([]string{ifmib.IfTable.String()}, 0, 50)
	if err != nil {
		t.Fatalf("GetBulk: %v", err)
	}
	if n := len(resp.Variables); n == 0 || n >= 50 {
		t.Fatalf("GetBulk into 600 bytes returned %d varbinds, want between 1 and 49", n)
	}
	// A walk still gets the whole table, in more requests.
	pdus, err := g.BulkWalkAll(ifmib.IfTable.String())
	if err != nil || len(pdus) != 10*48 {
		t.Fatalf("BulkWalkAll: %d varbinds, %v; want %d", len(pdus), err, 10*48)
	}
}

// TestTooBigQuirk pins the gosnmp behaviour the poller works around: a
// tooBig reply ends BulkWalk with no varbinds and no error.
func TestTooBigQuirk(t *testing.T) {
	f := startFleet(t, 1, simagent.Config{TooBigAbove: 20})
	g := client(t, f, 0, "public")
	resp, err := g.GetBulk([]string{ifmib.IfTable.String()}, 0, 50)
	if err != nil {
		t.Fatalf("GetBulk: %v", err)
	}
	if resp.Error != gosnmp.TooBig || len(resp.Variables) != 0 {
		t.Errorf("GetBulk(50) = %v with %d varbinds, want tooBig with none", resp.Error, len(resp.Variables))
	}
	pdus, err := g.BulkWalkAll(ifmib.IfTable.String())
	if err != nil || len(pdus) != 0 {
		t.Errorf("BulkWalkAll = %d varbinds, %v; want 0 and nil (the gosnmp behaviour)", len(pdus), err)
	}
	g.MaxRepetitions = 20
	pdus, err = g.BulkWalkAll(ifmib.IfTable.String())
	if err != nil || len(pdus) != 10*48 {
		t.Errorf("BulkWalkAll(20) = %d varbinds, %v; want %d", len(pdus), err, 10*48)
	}
}

func TestAdvanceMovesCounters(t *testing.T) {
	f := startFleet(t, 1, simagent.Config{})
	before := f.Interfaces(0)
	f.Advance()
	after := f.Interfaces(0)
	moved := 0
	for i := range before {
		b, a := *before[i].HCInOctets, *after[i].HCInOctets
		switch {
		case before[i].OperStatus == "up" && a > b:
			moved++
		case before[i].OperStatus != "up" && a != b:
			t.Errorf("interface %d is %s but its counter moved", i+1, before[i].OperStatus)
		case a < b:
			t.Errorf("interface %d: counter went back from %d to %d", i+1, b, a)
		}
		// The start values are past 2^32: a 32-bit counter has wrapped.
		if b < 1<<32 {
			t.Errorf("interface %d: counter %d below 2^32", i+1, b)
		}
	}
	if moved == 0 {
		t.Error("no counter moved")
	}
	// Traffic varies: some port moves a different number of octets in the
	// next epoch than in this one.
	f.Advance()
	later := f.Interfaces(0)
	varies := false
	for i := range before {
		if *after[i].HCInOctets-*before[i].HCInOctets != *later[i].HCInOctets-*after[i].HCInOctets {
			varies = true
		}
		if *later[i].HCInOctets < *after[i].HCInOctets || *later[i].HCOutOctets < *after[i].HCOutOctets {
			t.Errorf("interface %d: a counter went back in the second epoch", i+1)
		}
	}
	if !varies {
		t.Error("every port moved the same number of octets in two epochs")
	}
}

func TestStartRejectsZero(t *testing.T) {
	if _, err := simagent.Start(0, simagent.Config{}); err == nil {
		t.Error("Start(0) = nil error, want one")
	}
}

func TestV1Ignored(t *testing.T) {
	f := startFleet(t, 1, simagent.Config{})
	g := client(t, f, 0, "public")
	g.Version = gosnmp.Version1
	g.Timeout = 100 * time.Millisecond // bounds the wait for a silence
	if _, err := g.Get([]string{".1.3.6.1.2.1.1.5.0"}); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("SNMPv1 Get: error = %v, want a timeout (v1 is not served)", err)
	}
}
