// Package oid parses, prints and orders SNMP object identifiers.
//
// Both the simulated agent and the poller need the same order: SNMP walks
// rely on the agent answering GetNext with the lexicographically next OID,
// compared arc by arc as unsigned integers (so .1.3.6.1.10 sorts after
// .1.3.6.1.9, which plain string order gets wrong).
package oid

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// OID is an object identifier as its list of arcs.
// The zero value is the empty OID, which sorts before every other OID.
type OID []uint32

// ErrSyntax is returned by [Parse] for text that is not a dotted OID.
var ErrSyntax = errors.New("oid: invalid syntax")

// Parse reads a dotted OID such as ".1.3.6.1.2.1" or "1.3.6.1.2.1".
// A single leading dot is allowed (gosnmp and net-snmp print one); empty
// arcs, signs and values above 2^32-1 are rejected with [ErrSyntax].
func Parse(s string) (OID, error) {
	o, err := AppendParse(make(OID, 0, strings.Count(s, ".")+1), s)
	if err != nil {
		return nil, err
	}
	return o, nil
}

// AppendParse is like [Parse] but appends the arcs of s to dst and returns
// the extended OID, so a caller that parses many OIDs can reuse one
// buffer. On error it returns dst unchanged (in length; arcs past it may
// have been written) and [ErrSyntax].
func AppendParse(dst OID, s string) (OID, error) {
	s = strings.TrimPrefix(s, ".")
	if s == "" {
		return dst, ErrSyntax
	}
	// A hand-written scan rather than Split and ParseUint: the poller parses
	// the name of every varbind it receives, half a million a scan, and
	// this allocates nothing when dst has room.
	o := dst
	var arc uint64
	digits := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 {
				return dst, ErrSyntax // empty arc: "..", or a trailing dot
			}
			o = append(o, uint32(arc))
			arc, digits = 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return dst, ErrSyntax
		}
		arc = arc*10 + uint64(c-'0')
		if arc > math.MaxUint32 {
			return dst, ErrSyntax
		}
		digits++
	}
	return o, nil
}

// MustParse is like [Parse] but panics on invalid input. It is meant for
// OID constants written in the program's source.
func MustParse(s string) OID {
	o, err := Parse(s)
	if err != nil {
		panic("oid: MustParse(" + strconv.Quote(s) + "): invalid syntax")
	}
	return o
}

// String returns o with a leading dot, the form gosnmp uses in
// [github.com/gosnmp/gosnmp.SnmpPDU] names.
func (o OID) String() string {
	var b strings.Builder
	b.Grow(len(o) * 4)
	for _, arc := range o {
		b.WriteByte('.')
		b.WriteString(strconv.FormatUint(uint64(arc), 10))
	}
	return b.String()
}

// Compare returns -1, 0 or +1 as a sorts before, equal to or after b in
// SNMP order: arc by arc as unsigned integers, and a proper prefix before
// any OID that extends it.
func Compare(a, b OID) int {
	for i := range min(len(a), len(b)) {
		switch {
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// HasPrefix reports whether o lies in the subtree rooted at prefix, that is
// whether o starts with every arc of prefix. An OID is in its own subtree.
func (o OID) HasPrefix(prefix OID) bool {
	if len(o) < len(prefix) {
		return false
	}
	for i, arc := range prefix {
		if o[i] != arc {
			return false
		}
	}
	return true
}

// Append returns a new OID made of o followed by arcs. It never shares
// memory with o, so table OIDs built from a common root stay independent.
func (o OID) Append(arcs ...uint32) OID {
	out := make(OID, 0, len(o)+len(arcs))
	out = append(out, o...)
	return append(out, arcs...)
}
