package simagent

import (
	"bytes"
	"testing"

	"github.com/gosnmp/gosnmp"
)

// reference is the plain way to answer req, which the agents took before
// they cached encodings: build the reply's varbinds as gosnmp values and
// have gosnmp marshal the whole message, shortening a GetBulk reply by
// marshalling shorter and shorter ones.
func reference(f *Fleet, device int, req *gosnmp.SnmpPacket) []byte {
	l, epoch := f.layout, f.Epoch()
	resp := &gosnmp.SnmpPacket{
		Version:   gosnmp.Version2c,
		Community: req.Community,
		PDUType:   gosnmp.GetResponse,
		RequestID: req.RequestID,
	}
	marshal := func() []byte {
		b, err := resp.MarshalMsg()
		if err != nil {
			panic(err)
		}
		return b
	}
	tooBig := func() []byte {
		resp.Variables, resp.Error = nil, gosnmp.TooBig
		return marshal()
	}
	var items []item
	switch req.PDUType {
	case gosnmp.GetRequest:
		items = l.get(nil, req.Variables)
	case gosnmp.GetNextRequest:
		items = l.getNext(nil, req.Variables)
	case gosnmp.GetBulkRequest:
		if f.cfg.TooBigAbove > 0 && int(req.MaxRepetitions) > f.cfg.TooBigAbove {
			return tooBig()
		}
		items = l.getBulk(nil, req.Variables, int(req.NonRepeaters), int(req.MaxRepetitions))
	}
	for _, it := range items {
		if it.pos < 0 {
			resp.Variables = append(resp.Variables, gosnmp.SnmpPDU{Name: it.name, Type: it.typ})
		} else {
			resp.Variables = append(resp.Variables, l.varbind(l.entries[it.pos], device, f.cfg.Interfaces, epoch))
		}
	}
	if out := marshal(); len(out) <= f.cfg.MaxMessageSize {
		return out
	}
	if req.PDUType != gosnmp.GetBulkRequest {
		return tooBig()
	}
	all := resp.Variables
	lo, hi := 0, len(all) // a prefix of lo varbinds fits; hi does not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		resp.Variables = all[:mid]
		if len(marshal()) <= f.cfg.MaxMessageSize {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo < max(len(req.Variables), 1) {
		return tooBig()
	}
	resp.Variables = all[:lo]
	return marshal()
}

// TestReplyMatchesGoSNMP checks that the replies built from cached
// encodings are, byte for byte, those gosnmp marshals for the same packet:
// for requests starting everywhere in the table, of every size around the
// BER length boundaries (127/128 and 255/256 bytes), shortened to fit or
// not, across epochs.
func TestReplyMatchesGoSNMP(t *testing.T) {
	type request struct {
		pdu          gosnmp.PDUType
		names        []string
		nonRepeaters uint8
		reps         uint32
	}
	f := newFleet(Config{Interfaces: 6})
	l := f.layout
	var reqs []request
	starts := []string{".1.3", ".1.3.6.1.2.1.2.2", ".1.3.6.1.2.1.31.1.1", ".1.3.6.1.2.1.99", ".2.1"}
	// Every third entry: each column's first rows and last, the scalars
	// and the end of the MIB are among them.
	for i := 0; i < len(l.entries); i += 3 {
		starts = append(starts, l.entries[i].name)
	}
	starts = append(starts, l.entries[len(l.entries)-1].name)
	for _, s := range starts {
		reqs = append(reqs,
			request{pdu: gosnmp.GetRequest, names: []string{s}},
			request{pdu: gosnmp.GetNextRequest, names: []string{s}},
			request{pdu: gosnmp.GetBulkRequest, names: []string{s, starts[1]}, nonRepeaters: 1, reps: 3},
		)
		for _, reps := range []uint32{1, 2, 5, 6, 7, 12, 13, 50, 255} {
			reqs = append(reqs, request{pdu: gosnmp.GetBulkRequest, names: []string{s}, reps: reps})
		}
	}
	reqs = append(reqs,
		request{pdu: gosnmp.GetRequest, names: starts},
		request{pdu: gosnmp.GetNextRequest, names: starts},
		request{pdu: gosnmp.GetBulkRequest, names: starts[:4], reps: 20},
	)
	forms := map[int]bool{} // the sizes of the varbind lists' lengths seen
	for _, limit := range []int{65507, 300, 130, 60} {
		f.cfg.MaxMessageSize = limit
		for _, tooBigAbove := range []int{0, 8} {
			f.cfg.TooBigAbove = tooBigAbove
			for device := range 2 {
				a, err := newAgent(f, device, f.Epoch())
				if err != nil {
					t.Fatal(err)
				}
				for _, epoch := range []uint64{0, 1, 1_000_000} {
					f.epoch.Store(epoch)
					for i, r := range reqs {
						vars := make([]gosnmp.SnmpPDU, len(r.names))
						for k, n := range r.names {
							vars[k] = gosnmp.SnmpPDU{Name: n, Type: gosnmp.Null}
						}
						// Request IDs of every encoded length.
						id := uint32(i) * 0x01010101 >> (i % 32)
						msg, err := (&gosnmp.SnmpPacket{
							Version: gosnmp.Version2c, Community: "public", PDUType: r.pdu, RequestID: id,
							NonRepeaters: r.nonRepeaters, MaxRepetitions: r.reps, Variables: vars,
						}).MarshalMsg()
						if err != nil {
							t.Fatal(err)
						}
						req, err := (&gosnmp.GoSNMP{Version: gosnmp.Version2c}).SnmpDecodePacket(msg)
						if err != nil {
							t.Fatal(err)
						}
						want := reference(f, device, req)
						got := a.handle(msg)
						if _, _, vbl, err := splitMessage(got); err == nil {
							forms[lengthBytes(len(vbl))] = true
						}
						if !bytes.Equal(got, want) {
							t.Fatalf("limit %d, device %d, epoch %d, %v %v reps %d: reply differs from gosnmp's\ngot  %x\nwant %x",
								limit, device, epoch, r.pdu, r.names, r.reps, got, want)
						}
					}
				}
			}
		}
	}
	// Short, one-byte long and two-byte long forms (up to 127, 255 and
	// 65535 bytes) must all have been checked.
	for n := 1; n <= 3; n++ {
		if !forms[n] {
			t.Errorf("no reply had a varbind list whose length takes %d bytes", n)
		}
	}
}

func TestAppendLength(t *testing.T) {
	for _, n := range []int{0, 1, 126, 127, 128, 255, 256, 65535, 65536} {
		got := appendLength(nil, n)
		if len(got) != lengthBytes(n) {
			t.Errorf("appendLength(%d) = %x, but lengthBytes says %d bytes", n, got, lengthBytes(n))
		}
		// An OCTET STRING of n bytes, marshalled by gosnmp, starts with
		// the tag and then the length.
		msg, err := (&gosnmp.SnmpPacket{Version: gosnmp.Version2c, PDUType: gosnmp.GetResponse, Variables: []gosnmp.SnmpPDU{
			{Name: ".1.3", Type: gosnmp.OctetString, Value: make([]byte, n)},
		}}).MarshalMsg()
		if err != nil {
			t.Fatal(err)
		}
		_, _, vbl, err := splitMessage(msg)
		if err != nil {
			t.Fatal(err)
		}
		// vbl: 30 len [06 01 2b] [04 len ...]
		hdr, _, _ := readTLV(vbl)
		value := vbl[hdr+3:]
		if want := value[1 : 1+lengthBytes(n)]; !bytes.Equal(got, want) {
			t.Errorf("appendLength(%d) = %x, gosnmp writes %x", n, got, want)
		}
	}
}
