// Package ifmib knows the parts of IF-MIB (RFC 2863) that the poller
// reports, and turns the varbinds of an ifTable and an ifXTable walk into
// one record per interface.
//
// Both ways of polling feed it: gosnmp hands over decoded Go values and the
// snmpbulkwalk parser hands over the values it read from text, so the two
// modes give the same JSON for the same agent.
package ifmib

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/lullgo/lull/examples/snmppoller/internal/oid"
)

// Walk roots and the entry OIDs below them. A walk of IfTable returns
// IfEntry.column.ifIndex for every column and interface, column by column.
var (
	// IfTable is IF-MIB::ifTable, the walk root for the classic table.
	IfTable = oid.MustParse(".1.3.6.1.2.1.2.2")
	// IfEntry is IF-MIB::ifEntry; its children are the ifTable columns.
	IfEntry = oid.MustParse(".1.3.6.1.2.1.2.2.1")
	// IfXTable is IF-MIB::ifXTable, the walk root for the extension table
	// that carries names, aliases and the 64-bit counters.
	IfXTable = oid.MustParse(".1.3.6.1.2.1.31.1.1")
	// IfXEntry is IF-MIB::ifXEntry; its children are the ifXTable columns.
	IfXEntry = oid.MustParse(".1.3.6.1.2.1.31.1.1.1")
)

// Columns of ifTable (children of [IfEntry]) that the poller reads.
const (
	ColIfIndex       = 1
	ColIfDescr       = 2
	ColIfType        = 3
	ColIfMtu         = 4
	ColIfSpeed       = 5
	ColIfAdminStatus = 7
	ColIfOperStatus  = 8
	ColIfInOctets    = 10
	ColIfOutOctets   = 16
)

// Columns of ifXTable (children of [IfXEntry]) that the poller reads.
const (
	ColIfName        = 1
	ColIfHCInOctets  = 6
	ColIfHCOutOctets = 10
	ColIfHighSpeed   = 15
	ColIfAlias       = 18
)

// Interface is one row of the interface table as the poller reports it.
//
// The octet counters are the 64-bit ifHCInOctets/ifHCOutOctets: the 32-bit
// ifInOctets wraps in 34 s on a saturated 1 Gb/s port, faster than most
// polling intervals, so a rate computed from it would be wrong. They are
// nil when the agent has no ifXTable (SNMPv1-era agents).
type Interface struct {
	Index       int     `json:"index"`
	Name        string  `json:"name,omitempty"`
	Descr       string  `json:"descr,omitempty"`
	Alias       string  `json:"alias,omitempty"`
	Type        int     `json:"type,omitempty"`
	MTU         int     `json:"mtu,omitempty"`
	AdminStatus string  `json:"admin_status,omitempty"`
	OperStatus  string  `json:"oper_status,omitempty"`
	SpeedMbps   uint64  `json:"speed_mbps"`
	HCInOctets  *uint64 `json:"hc_in_octets"`
	HCOutOctets *uint64 `json:"hc_out_octets"`
	// InBps and OutBps are the bit rates since the previous poll of the
	// device, which the poller computes from the counters when it polls
	// again and again (-interval). They are nil on a first poll, and when
	// no rate can be trusted (see package rate).
	InBps  *uint64 `json:"in_bps,omitempty"`
	OutBps *uint64 `json:"out_bps,omitempty"`
}

// Status returns the textual name of an ifAdminStatus/ifOperStatus value,
// as IF-MIB spells it, or "unknown(n)" for values outside the MIB.
func Status(v int) string {
	names := [...]string{1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "notPresent", 7: "lowerLayerDown"}
	if v >= 1 && v < len(names) {
		return names[v]
	}
	return fmt.Sprintf("unknown(%d)", v)
}

// Table collects the varbinds of one device's ifTable and ifXTable walks.
// The zero value is an empty table ready to use. A Table is not safe for
// concurrent use; the poller keeps one per device.
type Table struct {
	// rows are sorted by ifIndex.
	rows []row
	// next is the place after the row of the last varbind. A walk returns
	// a table column by column, each column in ifIndex order, so the next
	// varbind is almost always for that row, or for the first one when a
	// new column starts: Add looks there before it searches.
	next int
}

// row is one interface being collected.
type row struct {
	Interface
	// speed32 keeps ifSpeed (bit/s) until the end: ifHighSpeed (Mb/s)
	// wins when present because ifSpeed saturates at 4294967295 above
	// 4 Gb/s.
	speed32 uint64
	// The 64-bit counters and whether they came. Interfaces points the
	// result's HCInOctets and HCOutOctets at them, once rows stop moving
	// in memory.
	hcIn, hcOut       uint64
	hasHCIn, hasHCOut bool
}

// Add records the value of one varbind. name is the varbind's OID and value
// is what gosnmp decodes (int, uint, uint32, uint64, []byte, string); Add
// keeps neither name nor a []byte value. Varbinds outside the columns the
// poller reports, or whose index is not a single arc, are ignored; a value
// of an unexpected type is an error, since it means the agent does not
// follow IF-MIB.
func (t *Table) Add(name oid.OID, value any) error {
	var col uint32
	var x bool
	switch {
	case name.HasPrefix(IfEntry) && len(name) == len(IfEntry)+2:
		col = name[len(IfEntry)]
	case name.HasPrefix(IfXEntry) && len(name) == len(IfXEntry)+2:
		col, x = name[len(IfXEntry)], true
	default:
		return nil
	}
	row := t.row(int(name[len(name)-1]))

	var err error
	switch {
	case !x && col == ColIfDescr:
		row.Descr, err = asString(value)
	case !x && col == ColIfType:
		row.Type, err = asInt(value)
	case !x && col == ColIfMtu:
		row.MTU, err = asInt(value)
	case !x && col == ColIfSpeed:
		row.speed32, err = asUint(value)
	case !x && col == ColIfAdminStatus:
		var v int
		v, err = asInt(value)
		row.AdminStatus = Status(v)
	case !x && col == ColIfOperStatus:
		var v int
		v, err = asInt(value)
		row.OperStatus = Status(v)
	case x && col == ColIfName:
		row.Name, err = asString(value)
	case x && col == ColIfAlias:
		row.Alias, err = asString(value)
	case x && col == ColIfHighSpeed:
		row.SpeedMbps, err = asUint(value)
	case x && col == ColIfHCInOctets:
		row.hcIn, err = asUint(value)
		row.hasHCIn = err == nil
	case x && col == ColIfHCOutOctets:
		row.hcOut, err = asUint(value)
		row.hasHCOut = err == nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// row returns the row of ifIndex index, adding it if it is new. The
// pointer is valid until the next call.
func (t *Table) row(index int) *row {
	switch {
	case t.next < len(t.rows) && t.rows[t.next].Index == index:
	case len(t.rows) > 0 && t.rows[0].Index == index:
		t.next = 0
	default:
		i, found := slices.BinarySearchFunc(t.rows, index, func(r row, index int) int { return cmp.Compare(r.Index, index) })
		if !found {
			if t.rows == nil {
				// Room for a typical switch's ports in one allocation.
				t.rows = make([]row, 0, 64)
			}
			// The first column walked brings the rows in order, so this
			// appends; a row first seen in a later column is inserted.
			t.rows = slices.Insert(t.rows, i, row{Interface: Interface{Index: index}})
		}
		t.next = i
	}
	r := &t.rows[t.next]
	t.next++
	return r
}

// Interfaces returns the collected rows sorted by ifIndex. Call it once,
// after the last Add: the counters it returns point into t.
func (t *Table) Interfaces() []Interface {
	out := make([]Interface, len(t.rows))
	for i := range t.rows {
		r := &t.rows[i]
		out[i] = r.Interface
		if out[i].SpeedMbps == 0 {
			out[i].SpeedMbps = r.speed32 / 1_000_000
		}
		if r.hasHCIn {
			out[i].HCInOctets = &r.hcIn
		}
		if r.hasHCOut {
			out[i].HCOutOctets = &r.hcOut
		}
	}
	return out
}

func asString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("got %T, want an octet string", v)
}

func asInt(v any) (int, error) {
	switch v := v.(type) {
	case int:
		return v, nil
	case int64:
		return int(v), nil
	}
	return 0, fmt.Errorf("got %T, want an INTEGER", v)
}

func asUint(v any) (uint64, error) {
	switch v := v.(type) {
	case uint:
		return uint64(v), nil
	case uint32:
		return uint64(v), nil
	case uint64:
		return v, nil
	}
	return 0, fmt.Errorf("got %T, want a Counter/Gauge", v)
}
