package ifmib_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/oid"
)

func TestTable(t *testing.T) {
	var tbl ifmib.Table
	add := func(root oid.OID, col, index uint32, v any) {
		t.Helper()
		if err := tbl.Add(root.Append(col, index), v); err != nil {
			t.Fatalf("Add: %v", err)
		}
	}
	// Rows arrive column by column, as a walk returns them, and index 10
	// before index 2 to check that output is sorted numerically.
	add(ifmib.IfEntry, ifmib.ColIfIndex, 10, 10)
	add(ifmib.IfEntry, ifmib.ColIfIndex, 2, 2)
	add(ifmib.IfEntry, ifmib.ColIfDescr, 10, []byte("eth9"))
	add(ifmib.IfEntry, ifmib.ColIfDescr, 2, []byte("eth1"))
	add(ifmib.IfEntry, ifmib.ColIfSpeed, 2, uint(100_000_000))
	add(ifmib.IfEntry, ifmib.ColIfOperStatus, 10, 2)
	add(ifmib.IfEntry, ifmib.ColIfOperStatus, 2, 1)
	add(ifmib.IfXEntry, ifmib.ColIfName, 10, "ge9")
	add(ifmib.IfXEntry, ifmib.ColIfHighSpeed, 10, uint(10_000))
	add(ifmib.IfXEntry, ifmib.ColIfHCInOctets, 10, uint64(1<<40))
	add(ifmib.IfXEntry, ifmib.ColIfHCOutOctets, 10, uint64(7))

	got, err := json.Marshal(tbl.Interfaces())
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"index":2,"descr":"eth1","oper_status":"up","speed_mbps":100,"hc_in_octets":null,"hc_out_octets":null},` +
		`{"index":10,"name":"ge9","descr":"eth9","oper_status":"down","speed_mbps":10000,"hc_in_octets":1099511627776,"hc_out_octets":7}]`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// varbind is one name and value of a walk.
type varbind struct {
	name oid.OID
	v    any
}

// collect adds the varbinds of a walk to a new Table, in order.
func collect(walk []varbind) (*ifmib.Table, error) {
	tbl := new(ifmib.Table)
	for _, vb := range walk {
		if err := tbl.Add(vb.name, vb.v); err != nil {
			return nil, err
		}
	}
	return tbl, nil
}

// TestTableAnyOrder feeds the same varbinds in walk order and shuffled:
// Add finds rows by a guess first, and a wrong guess must cost time only.
func TestTableAnyOrder(t *testing.T) {
	var walk []varbind
	for _, c := range []struct {
		root oid.OID
		col  uint32
		v    func(i uint32) any
	}{
		{ifmib.IfEntry, ifmib.ColIfDescr, func(i uint32) any { return []byte(fmt.Sprint("eth", i)) }},
		{ifmib.IfEntry, ifmib.ColIfOperStatus, func(i uint32) any { return int(i%2 + 1) }},
		{ifmib.IfXEntry, ifmib.ColIfHCInOctets, func(i uint32) any { return uint64(i) << 33 }},
		{ifmib.IfXEntry, ifmib.ColIfHighSpeed, func(i uint32) any { return uint(i * 1000) }},
	} {
		// Sparse and out-of-order indexes, as some agents number ports.
		for _, i := range []uint32{3, 1000001, 7, 2, 500} {
			if c.col == ifmib.ColIfHighSpeed && i == 7 {
				continue // a column without this row
			}
			walk = append(walk, varbind{c.root.Append(c.col, i), c.v(i)})
		}
	}
	encode := func(vbs []varbind) string {
		tbl, err := collect(vbs)
		if err != nil {
			t.Fatalf("Add: %v", err)
		}
		b, err := json.Marshal(tbl.Interfaces())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	want := encode(walk)
	if n := strings.Count(want, `"index"`); n != 5 {
		t.Fatalf("walk order gives %d interfaces, want 5: %s", n, want)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		shuffled := slices.Clone(walk)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := encode(shuffled); got != want {
			t.Fatalf("shuffled varbinds give\n%s\nwalk order gives\n%s", got, want)
		}
	}
}

func TestTableWrongType(t *testing.T) {
	var tbl ifmib.Table
	if err := tbl.Add(ifmib.IfXEntry.Append(ifmib.ColIfHCInOctets, 1), "lots"); err == nil {
		t.Error("Add(string counter) = nil, want an error")
	}
	// Columns the poller does not report still show the row exists, but
	// OIDs with a two-arc index are not IF-MIB rows and are ignored.
	if err := tbl.Add(ifmib.IfEntry.Append(99, 1), "whatever"); err != nil {
		t.Errorf("Add(unknown column) = %v, want nil", err)
	}
	if err := tbl.Add(ifmib.IfEntry.Append(ifmib.ColIfDescr, 1, 2), "x"); err != nil {
		t.Errorf("Add(two-arc index) = %v, want nil", err)
	}
	if n := len(tbl.Interfaces()); n != 1 {
		t.Errorf("got %d interfaces, want 1", n)
	}
}

func TestStatus(t *testing.T) {
	for v, want := range map[int]string{1: "up", 2: "down", 7: "lowerLayerDown", 0: "unknown(0)", 8: "unknown(8)"} {
		if got := ifmib.Status(v); got != want {
			t.Errorf("Status(%d) = %q, want %q", v, got, want)
		}
	}
}

// BenchmarkTableAdd collects one device's walk: 15 columns of 48 rows, in
// walk order, then its interfaces.
func BenchmarkTableAdd(b *testing.B) {
	var walk []varbind
	for _, c := range []struct {
		root oid.OID
		col  uint32
		v    any
	}{
		{ifmib.IfEntry, ifmib.ColIfIndex, 1}, {ifmib.IfEntry, ifmib.ColIfDescr, []byte("GigabitEthernet0/0")},
		{ifmib.IfEntry, ifmib.ColIfType, 6}, {ifmib.IfEntry, ifmib.ColIfMtu, 1500},
		{ifmib.IfEntry, ifmib.ColIfSpeed, uint(1e9)}, {ifmib.IfEntry, ifmib.ColIfAdminStatus, 1},
		{ifmib.IfEntry, ifmib.ColIfOperStatus, 1}, {ifmib.IfEntry, ifmib.ColIfInOctets, uint(1)},
		{ifmib.IfEntry, 14, uint(0)}, {ifmib.IfEntry, ifmib.ColIfOutOctets, uint(1)},
		{ifmib.IfXEntry, ifmib.ColIfName, []byte("ge-0/0/0")}, {ifmib.IfXEntry, ifmib.ColIfHCInOctets, uint64(1 << 40)},
		{ifmib.IfXEntry, ifmib.ColIfHCOutOctets, uint64(1 << 40)}, {ifmib.IfXEntry, ifmib.ColIfHighSpeed, uint(1000)},
		{ifmib.IfXEntry, ifmib.ColIfAlias, []byte("uplink")},
	} {
		for i := range uint32(48) {
			walk = append(walk, varbind{c.root.Append(c.col, i+1), c.v})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		tbl, err := collect(walk)
		if err != nil {
			b.Fatal(err)
		}
		if len(tbl.Interfaces()) != 48 {
			b.Fatal("not 48 interfaces")
		}
	}
}
