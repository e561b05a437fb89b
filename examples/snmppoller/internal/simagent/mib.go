package simagent

import (
	"fmt"
	"slices"

	"github.com/gosnmp/gosnmp"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/oid"
)

// column says which value an OID of the table holds.
type column int

const (
	sysDescr column = iota
	sysObjectID
	sysUpTime
	sysName
	ifNumber
	ifIndex
	ifDescr
	ifType
	ifMtu
	ifSpeed
	ifAdminStatus
	ifOperStatus
	ifInOctets
	ifInErrors
	ifOutOctets
	ifName
	ifHCInOctets
	ifHCOutOctets
	ifHighSpeed
	ifAlias
)

// entry is one object instance of the table: its OID and what it holds.
type entry struct {
	oid  oid.OID
	name string // oid as gosnmp writes it, made once: every reply needs it
	col  column
	row  int // ifIndex for table columns, 0 for scalars
}

// layout is the sorted list of every OID an agent serves. All agents of a
// fleet have the same shape, so they share one layout and compute values
// on demand: 700 agents with a private table each would hold about a
// million varbinds for nothing.
type layout struct {
	entries []entry
	// descr and name hold ifDescr and ifName by ifIndex. They are the same
	// on every agent, so they are formatted once.
	descr, name []string
	// objects holds the OID of each object type (an instance OID without
	// its index) so Get can tell noSuchObject from noSuchInstance.
	objects []oid.OID
	// moving holds the positions of the entries whose value depends on
	// the epoch: sysUpTime and the octet counters.
	moving []int
}

var (
	sysDescrOID    = oid.MustParse(".1.3.6.1.2.1.1.1")
	sysObjectIDOID = oid.MustParse(".1.3.6.1.2.1.1.2")
	sysUpTimeOID   = oid.MustParse(".1.3.6.1.2.1.1.3")
	sysNameOID     = oid.MustParse(".1.3.6.1.2.1.1.5")
	ifNumberOID    = oid.MustParse(".1.3.6.1.2.1.2.1")
	// enterpriseOID is sysObjectID's value: RFC 5612's enterprise number for
	// documentation, so the simulated agents claim to be no real vendor.
	enterpriseOID = ".1.3.6.1.4.1.32473.1"
)

func newLayout(interfaces int) *layout {
	l := &layout{}
	scalar := func(obj oid.OID, col column) {
		l.objects = append(l.objects, obj)
		l.entries = append(l.entries, entry{oid: obj.Append(0), col: col})
	}
	scalar(sysDescrOID, sysDescr)
	scalar(sysObjectIDOID, sysObjectID)
	scalar(sysUpTimeOID, sysUpTime)
	scalar(sysNameOID, sysName)
	scalar(ifNumberOID, ifNumber)
	columns := []struct {
		entryOID oid.OID
		arc      uint32
		col      column
	}{
		{ifmib.IfEntry, ifmib.ColIfIndex, ifIndex},
		{ifmib.IfEntry, ifmib.ColIfDescr, ifDescr},
		{ifmib.IfEntry, ifmib.ColIfType, ifType},
		{ifmib.IfEntry, ifmib.ColIfMtu, ifMtu},
		{ifmib.IfEntry, ifmib.ColIfSpeed, ifSpeed},
		{ifmib.IfEntry, ifmib.ColIfAdminStatus, ifAdminStatus},
		{ifmib.IfEntry, ifmib.ColIfOperStatus, ifOperStatus},
		{ifmib.IfEntry, ifmib.ColIfInOctets, ifInOctets},
		{ifmib.IfEntry, 14, ifInErrors},
		{ifmib.IfEntry, ifmib.ColIfOutOctets, ifOutOctets},
		{ifmib.IfXEntry, ifmib.ColIfName, ifName},
		{ifmib.IfXEntry, ifmib.ColIfHCInOctets, ifHCInOctets},
		{ifmib.IfXEntry, ifmib.ColIfHCOutOctets, ifHCOutOctets},
		{ifmib.IfXEntry, ifmib.ColIfHighSpeed, ifHighSpeed},
		{ifmib.IfXEntry, ifmib.ColIfAlias, ifAlias},
	}
	for _, c := range columns {
		obj := c.entryOID.Append(c.arc)
		l.objects = append(l.objects, obj)
		for row := 1; row <= interfaces; row++ {
			l.entries = append(l.entries, entry{oid: obj.Append(uint32(row)), col: c.col, row: row})
		}
	}
	// Sort rather than trust the order written above: GetNext is only
	// right if the table is in SNMP order, and a sort makes that true.
	slices.SortFunc(l.entries, func(a, b entry) int { return oid.Compare(a.oid, b.oid) })
	for i, e := range l.entries {
		l.entries[i].name = e.oid.String()
		switch e.col {
		case sysUpTime, ifInOctets, ifOutOctets, ifHCInOctets, ifHCOutOctets:
			l.moving = append(l.moving, i)
		}
	}
	l.descr = make([]string, interfaces+1)
	l.name = make([]string, interfaces+1)
	for row := 1; row <= interfaces; row++ {
		l.descr[row], l.name[row] = ifDescrOf(row), ifNameOf(row)
	}
	return l
}

// next returns the position of the first entry strictly after o, or
// len(entries) when o is at or past the end of the MIB view.
func (l *layout) next(o oid.OID) int {
	i, found := slices.BinarySearchFunc(l.entries, o, func(e entry, t oid.OID) int { return oid.Compare(e.oid, t) })
	if found {
		i++
	}
	return i
}

// exact returns the position of the entry at o, or -1.
func (l *layout) exact(o oid.OID) int {
	i, found := slices.BinarySearchFunc(l.entries, o, func(e entry, t oid.OID) int { return oid.Compare(e.oid, t) })
	if !found {
		return -1
	}
	return i
}

// missing returns the exception Get answers for an OID that has no entry:
// noSuchInstance below a known object type, noSuchObject elsewhere.
func (l *layout) missing(o oid.OID) gosnmp.Asn1BER {
	for _, obj := range l.objects {
		if o.HasPrefix(obj) {
			return gosnmp.NoSuchInstance
		}
	}
	return gosnmp.NoSuchObject
}

// rowValues is what an agent serves for one interface at one epoch, less
// the strings, which are made only for the columns that hold them.
type rowValues struct {
	admin, oper int
	highSpeed   uint
	hcIn, hcOut uint64
	inErrors    uint
}

func ifDescrOf(row int) string { return fmt.Sprintf("GigabitEthernet0/%d", row-1) }
func ifNameOf(row int) string  { return fmt.Sprintf("ge-0/0/%d", row-1) }

// ifAliasOf gives every odd interface a description, as operators do for
// the ports that matter.
func ifAliasOf(device, row int) string {
	if row%2 == 0 {
		return ""
	}
	return fmt.Sprintf("sim%d uplink %d", device, row)
}

// values computes interface row of agent device at epoch. Everything is
// derived from a small integer hash, so two runs serve identical data.
func values(device, row int, epoch uint64) rowValues {
	h := mix(uint64(device)<<20 | uint64(row))
	v := rowValues{admin: 1, oper: 1, highSpeed: 1000}
	if row%8 == 0 {
		v.highSpeed = 10000
	}
	switch h % 10 {
	case 0:
		v.admin, v.oper = 2, 2 // shut down
	case 1:
		v.oper = 2 // cable pulled
	case 2:
		v.oper = 7 // lowerLayerDown
	}
	// A running port moves step octets per epoch on average, up to 20% of
	// its speed over the five minutes an epoch stands for, and between 0
	// and 2 steps in any one epoch: counter(e) = start + step*e + jitter(e)
	// with 0 <= jitter < step, so counters only grow and rates vary from
	// scan to scan. The start values are above 2^32 so a 32-bit counter
	// would already have wrapped: the 64-bit columns are the ones worth
	// reading.
	if v.oper == 1 {
		step := (h>>8)%(uint64(v.highSpeed)*7_500_000) + 1
		v.hcIn = 1<<33 + h%(1<<40) + step*epoch + jitter(h, epoch, step)
		v.hcOut = 1<<33 + (h>>4)%(1<<40) + step/2*epoch + jitter(h>>1, epoch, step/2)
	} else {
		v.hcIn = 1<<33 + h%(1<<40)
		v.hcOut = 1<<33 + (h>>4)%(1<<40)
	}
	v.inErrors = uint(h>>40) % 3
	return v
}

// jitter returns a number in [0, step) that depends on h and epoch only,
// or 0 if step is 0.
func jitter(h, epoch, step uint64) uint64 {
	if step == 0 {
		return 0
	}
	return mix(h^mix(epoch)) % step
}

// mix is SplitMix64's finaliser: a cheap, well-spread hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// varbind returns the value entry e holds on agent device at epoch.
func (l *layout) varbind(e entry, device, interfaces int, epoch uint64) gosnmp.SnmpPDU {
	pdu := gosnmp.SnmpPDU{Name: e.name}
	str := func(s string) { pdu.Type, pdu.Value = gosnmp.OctetString, s }
	integer := func(n int) { pdu.Type, pdu.Value = gosnmp.Integer, n }
	var rv rowValues
	switch e.col {
	case ifIndex, ifDescr, ifType, ifMtu, ifName, ifAlias:
		// Columns that do not depend on the hash: skip computing it.
	default:
		if e.row > 0 {
			rv = values(device, e.row, epoch)
		}
	}
	switch e.col {
	case sysDescr:
		str("lull simulated SNMPv2c agent")
	case sysObjectID:
		pdu.Type, pdu.Value = gosnmp.ObjectIdentifier, enterpriseOID
	case sysUpTime:
		// One epoch is shown as five minutes of uptime, in 1/100 s.
		pdu.Type, pdu.Value = gosnmp.TimeTicks, uint32(epoch*30000)
	case sysName:
		str(fmt.Sprintf("sim-%04d", device))
	case ifNumber:
		integer(interfaces)
	case ifIndex:
		integer(e.row)
	case ifDescr:
		str(l.descr[e.row])
	case ifType:
		integer(6) // ethernetCsmacd
	case ifMtu:
		integer(1500)
	case ifSpeed:
		// ifSpeed is a Gauge32 of bit/s and saturates above 4.29 Gb/s.
		pdu.Type, pdu.Value = gosnmp.Gauge32, uint(min(uint64(rv.highSpeed)*1_000_000, 1<<32-1))
	case ifAdminStatus:
		integer(rv.admin)
	case ifOperStatus:
		integer(rv.oper)
	case ifInOctets:
		pdu.Type, pdu.Value = gosnmp.Counter32, uint(uint32(rv.hcIn))
	case ifInErrors:
		pdu.Type, pdu.Value = gosnmp.Counter32, rv.inErrors
	case ifOutOctets:
		pdu.Type, pdu.Value = gosnmp.Counter32, uint(uint32(rv.hcOut))
	case ifName:
		str(l.name[e.row])
	case ifHCInOctets:
		pdu.Type, pdu.Value = gosnmp.Counter64, rv.hcIn
	case ifHCOutOctets:
		pdu.Type, pdu.Value = gosnmp.Counter64, rv.hcOut
	case ifHighSpeed:
		pdu.Type, pdu.Value = gosnmp.Gauge32, rv.highSpeed
	case ifAlias:
		str(ifAliasOf(device, e.row))
	}
	return pdu
}

// interfacesAt returns the interface table that agent device serves at
// epoch, in the poller's report form.
func interfacesAt(device, interfaces int, epoch uint64) []ifmib.Interface {
	out := make([]ifmib.Interface, 0, interfaces)
	for row := 1; row <= interfaces; row++ {
		v := values(device, row, epoch)
		in, outOctets := v.hcIn, v.hcOut
		out = append(out, ifmib.Interface{
			Index:       row,
			Name:        ifNameOf(row),
			Descr:       ifDescrOf(row),
			Alias:       ifAliasOf(device, row),
			Type:        6,
			MTU:         1500,
			AdminStatus: ifmib.Status(v.admin),
			OperStatus:  ifmib.Status(v.oper),
			SpeedMbps:   uint64(v.highSpeed),
			HCInOctets:  &in,
			HCOutOctets: &outOctets,
		})
	}
	return out
}
