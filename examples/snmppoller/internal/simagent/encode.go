package simagent

import (
	"errors"
	"sort"

	"github.com/gosnmp/gosnmp"
)

// This file keeps the agents' replies cheap to build while every byte of
// them still comes from gosnmp's encoder.
//
// A GetBulk reply is a short envelope (version, community, request ID,
// error status) around a list of varbinds, and the varbinds are entries of
// the agent's table, whose encodings only change when the epoch does (the
// counters and sysUpTime) or never (everything else). So each agent has
// gosnmp encode its whole table once, keeps the bytes of each varbind, and
// re-encodes only the entries that move when the epoch changes. A reply is
// then gosnmp's encoding of the envelope with an empty varbind list, with
// the cached varbinds put in and the three enclosing BER lengths written
// again. TestReplyMatchesGoSNMP checks that this gives, byte for byte, what
// gosnmp's MarshalMsg gives for the same packet.
//
// The fleet simulates remote devices, whose CPU is not the poller's: the
// less of the machine it takes, the more the benchmark measures the poller.

// item is one varbind of a reply: entry pos of the table, or, when pos is
// negative, the exception typ (noSuchObject, noSuchInstance, endOfMibView)
// named name.
type item struct {
	pos  int
	name string
	typ  gosnmp.Asn1BER
}

// span is where one entry's encoded varbind lies in agent.blob.
type span struct{ start, end uint32 }

// agent is what one agent's goroutine keeps between requests: its decoder,
// the encoded varbinds of its table, and buffers reused for every reply.
// Only that goroutine uses it.
type agent struct {
	f      *Fleet
	device int
	// dec decodes requests. gosnmp's decoder writes defaults into the
	// GoSNMP it runs on, so each agent has its own rather than sharing one.
	dec *gosnmp.GoSNMP
	// blob holds gosnmp's encoding of every entry's varbind; span[i] says
	// where entry i's is. The entries of layout.moving are encoded again,
	// after blob[:static], when the epoch changes.
	blob   []byte
	static int
	span   []span
	epoch  uint64
	// Scratch space, reused from one request to the next.
	items []item
	vbl   []byte
	ends  []int
	out   []byte
}

// newAgent encodes agent device's table at epoch.
func newAgent(f *Fleet, device int, epoch uint64) (*agent, error) {
	l := f.layout
	a := &agent{
		f:      f,
		device: device,
		dec:    &gosnmp.GoSNMP{Version: gosnmp.Version2c},
		span:   make([]span, len(l.entries)),
		epoch:  epoch,
	}
	all := make([]int, len(l.entries))
	for i := range all {
		all[i] = i
	}
	if err := a.encode(all, epoch); err != nil {
		return nil, err
	}
	a.static = len(a.blob)
	return a, nil
}

// setEpoch re-encodes the entries whose values depend on the epoch, if
// the agent's encodings are of another epoch.
func (a *agent) setEpoch(epoch uint64) error {
	if epoch == a.epoch {
		return nil
	}
	a.blob = a.blob[:a.static]
	if err := a.encode(a.f.layout.moving, epoch); err != nil {
		return err
	}
	a.epoch = epoch
	return nil
}

// encode has gosnmp encode the varbinds of entries idx at epoch, in one
// message, and appends each to blob, recording where it went.
func (a *agent) encode(idx []int, epoch uint64) error {
	l := a.f.layout
	vars := make([]gosnmp.SnmpPDU, len(idx))
	for k, i := range idx {
		vars[k] = l.varbind(l.entries[i], a.device, a.f.cfg.Interfaces, epoch)
	}
	vbs, err := encodeVarbinds(vars)
	if err != nil {
		return err
	}
	for k, vb := range vbs {
		start := len(a.blob)
		a.blob = append(a.blob, vb...)
		a.span[idx[k]] = span{uint32(start), uint32(len(a.blob))}
	}
	return nil
}

// encodeVarbinds returns gosnmp's encoding of each of vars: the varbinds of
// a message it marshals with them, cut apart.
func encodeVarbinds(vars []gosnmp.SnmpPDU) ([][]byte, error) {
	msg, err := (&gosnmp.SnmpPacket{Version: gosnmp.Version2c, PDUType: gosnmp.GetResponse, Variables: vars}).MarshalMsg()
	if err != nil {
		return nil, err
	}
	_, _, vbl, err := splitMessage(msg)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(vars))
	for len(vbl) > 0 {
		_, n, ok := readTLV(vbl)
		if !ok {
			return nil, errMalformed
		}
		out = append(out, vbl[:n:n])
		vbl = vbl[n:]
	}
	if len(out) != len(vars) {
		return nil, errMalformed
	}
	return out, nil
}

// errMalformed means gosnmp encoded something this file cannot take apart:
// a bug here, or a change in gosnmp.
var errMalformed = errors.New("simagent: unexpected encoding from gosnmp")

// readTLV reads the header of the BER element at the start of b, as gosnmp
// writes it (a one-byte tag, a short or long form length). It returns the
// header's length and the whole element's, or ok false if b does not hold
// a whole element.
func readTLV(b []byte) (hdr, n int, ok bool) {
	if len(b) < 2 {
		return 0, 0, false
	}
	length := int(b[1])
	hdr = 2
	if length&0x80 != 0 {
		k := length & 0x7f
		if k == 0 || k > 4 || len(b) < 2+k {
			return 0, 0, false
		}
		length = 0
		for _, c := range b[2 : 2+k] {
			length = length<<8 | int(c)
		}
		hdr += k
	}
	if len(b)-hdr < length {
		return 0, 0, false
	}
	return hdr, hdr + length, true
}

// splitMessage takes apart an SNMPv2c message as gosnmp encodes it:
// head is the content of the message before the PDU (version and
// community), pdu the content of the PDU before its varbind list (request
// ID, error status and index), and vbl the content of the varbind list.
func splitMessage(msg []byte) (head, pdu, vbl []byte, err error) {
	hdr, n, ok := readTLV(msg)
	if !ok || msg[0] != byte(gosnmp.Sequence) || n != len(msg) {
		return nil, nil, nil, errMalformed
	}
	body := msg[hdr:]
	off, ok := skipTLVs(body, 2) // version, community
	if !ok {
		return nil, nil, nil, errMalformed
	}
	head = body[:off]
	hdr, n, ok = readTLV(body[off:])
	if !ok || off+n != len(body) {
		return nil, nil, nil, errMalformed
	}
	p := body[off+hdr : off+n]
	if off, ok = skipTLVs(p, 3); !ok { // request ID, error status, error index
		return nil, nil, nil, errMalformed
	}
	pdu = p[:off]
	hdr, n, ok = readTLV(p[off:])
	if !ok || p[off] != byte(gosnmp.Sequence) || off+n != len(p) {
		return nil, nil, nil, errMalformed
	}
	return head, pdu, p[off+hdr : off+n], nil
}

// skipTLVs returns the length of the first k whole BER elements of b, or
// ok false if b does not start with k of them.
func skipTLVs(b []byte, k int) (off int, ok bool) {
	for range k {
		_, n, ok := readTLV(b[off:])
		if !ok {
			return 0, false
		}
		off += n
	}
	return off, true
}

// appendLength appends the BER length n as gosnmp writes it: one byte up
// to 127, else 0x80 plus the number of bytes that follow, big-endian with
// no leading zeros.
func appendLength(b []byte, n int) []byte {
	if n <= 127 {
		return append(b, byte(n))
	}
	k := lengthBytes(n) - 1
	b = append(b, 0x80|byte(k))
	for i := k - 1; i >= 0; i-- {
		b = append(b, byte(n>>(8*i)))
	}
	return b
}

// lengthBytes returns how many bytes appendLength writes for n.
func lengthBytes(n int) int {
	k := 1
	if n > 127 {
		for ; n > 0; n >>= 8 {
			k++
		}
	}
	return k
}

// tlvSize returns the encoded size of an element with n bytes of content.
func tlvSize(n int) int { return 1 + lengthBytes(n) + n }

// envelope returns gosnmp's encoding of the GetResponse to req with error
// status and index and no varbinds, cut into the parts that surround the
// varbind list: head (version, community) and pdu (request ID, error
// status and index). ok is false if gosnmp cannot encode it.
func envelope(req *gosnmp.SnmpPacket, status gosnmp.SNMPError, index uint8) (head, pdu []byte, ok bool) {
	msg, err := (&gosnmp.SnmpPacket{
		Version:    gosnmp.Version2c,
		Community:  req.Community,
		PDUType:    gosnmp.GetResponse,
		RequestID:  req.RequestID,
		Error:      status,
		ErrorIndex: index,
	}).MarshalMsg()
	if err != nil {
		return nil, nil, false
	}
	head, pdu, vbl, err := splitMessage(msg)
	if err != nil || len(vbl) != 0 {
		return nil, nil, false
	}
	return head, pdu, true
}

// vblLen returns the length of the first k varbinds of a.vbl.
func (a *agent) vblLen(k int) int {
	if k == 0 {
		return 0
	}
	return a.ends[k-1]
}

// size returns the encoded size of a reply made of head and pdu (as
// [envelope] returns them) and the first k varbinds of a.vbl.
func (a *agent) size(head, pdu []byte, k int) int {
	return tlvSize(len(head) + tlvSize(len(pdu)+tlvSize(a.vblLen(k))))
}

// fit returns how many of the varbinds in a.vbl fit in a reply of at most
// limit bytes with head and pdu.
func (a *agent) fit(head, pdu []byte, limit int) int {
	// The size grows with k, so the varbinds that fit are a prefix.
	return sort.Search(len(a.ends)+1, func(k int) bool { return a.size(head, pdu, k) > limit }) - 1
}

// assemble writes into a.out, and returns, the reply made of head and pdu
// (as [envelope] returns them) and the first k varbinds of a.vbl: what
// gosnmp's MarshalMsg gives for that packet. The three lengths around the
// varbinds are written again; everything else is gosnmp's bytes.
func (a *agent) assemble(head, pdu []byte, k int) []byte {
	v := a.vblLen(k)
	pduLen := len(pdu) + tlvSize(v)
	b := a.out[:0]
	b = append(b, byte(gosnmp.Sequence))
	b = appendLength(b, len(head)+tlvSize(pduLen))
	b = append(b, head...)
	b = append(b, byte(gosnmp.GetResponse))
	b = appendLength(b, pduLen)
	b = append(b, pdu...)
	b = append(b, byte(gosnmp.Sequence))
	b = appendLength(b, v)
	b = append(b, a.vbl[:v]...)
	a.out = b
	return b
}

// encodeItems puts the encoded varbinds of items in a.vbl, and in a.ends
// where each ends. Exceptions, which are named after whatever OID a request
// asked for, are encoded by gosnmp on the spot, all in one message.
func (a *agent) encodeItems(items []item) error {
	var exc [][]byte
	var excVars []gosnmp.SnmpPDU
	for _, it := range items {
		if it.pos < 0 {
			excVars = append(excVars, gosnmp.SnmpPDU{Name: it.name, Type: it.typ})
		}
	}
	if len(excVars) > 0 {
		var err error
		if exc, err = encodeVarbinds(excVars); err != nil {
			return err
		}
	}
	a.vbl, a.ends = a.vbl[:0], a.ends[:0]
	for _, it := range items {
		if it.pos >= 0 {
			s := a.span[it.pos]
			a.vbl = append(a.vbl, a.blob[s.start:s.end]...)
		} else {
			a.vbl = append(a.vbl, exc[0]...)
			exc = exc[1:]
		}
		a.ends = append(a.ends, len(a.vbl))
	}
	return nil
}
