package ifmib_test

import (
	"encoding/json"
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
