package poll

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
)

// AppendJSON appends r as JSON to b and returns the extended buffer: the
// bytes encoding/json's Marshal gives for r, field for field (TestAppendJSON
// and FuzzAppendJSON check it), at a fraction of the cost. The poller
// writes one such line per device, 48 interfaces each, and Marshal spends
// most of its time finding by reflection what this code knows.
//
// Marshal fails on a Millis that is NaN or infinite and on a Time that RFC
// 3339 cannot write (a year outside 0-9999, for one); AppendJSON writes
// null for those instead. A poll never gives either.
func (r Result) AppendJSON(b []byte) []byte {
	b = append(b, `{"target":`...)
	b = appendString(b, r.Target)
	b = append(b, `,"scan":`...)
	b = strconv.AppendInt(b, int64(r.Scan), 10)
	b = append(b, `,"time":`...)
	if t, err := r.Time.MarshalJSON(); err == nil {
		b = append(b, t...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"ok":`...)
	b = strconv.AppendBool(b, r.OK)
	if r.Kind != "" {
		b = append(b, `,"error_kind":`...)
		b = appendString(b, r.Kind)
	}
	if r.Error != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, r.Error)
	}
	b = append(b, `,"duration_ms":`...)
	b = appendFloat(b, r.Millis)
	b = append(b, `,"varbinds":`...)
	b = strconv.AppendInt(b, int64(r.Varbinds), 10)
	if r.UpTime != nil {
		b = append(b, `,"sys_uptime":`...)
		b = strconv.AppendUint(b, uint64(*r.UpTime), 10)
	}
	if len(r.Interfaces) > 0 {
		b = append(b, `,"interfaces":[`...)
		for i, ifc := range r.Interfaces {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendInterface(b, ifc)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendInterface appends ifc as encoding/json encodes it, by its struct
// tags: omitempty on every field but speed_mbps and the counters (the
// rates are pointers with omitempty: absent when nil).
func appendInterface(b []byte, ifc ifmib.Interface) []byte {
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, int64(ifc.Index), 10)
	b = appendStringField(b, `,"name":`, ifc.Name)
	b = appendStringField(b, `,"descr":`, ifc.Descr)
	b = appendStringField(b, `,"alias":`, ifc.Alias)
	b = appendIntField(b, `,"type":`, ifc.Type)
	b = appendIntField(b, `,"mtu":`, ifc.MTU)
	b = appendStringField(b, `,"admin_status":`, ifc.AdminStatus)
	b = appendStringField(b, `,"oper_status":`, ifc.OperStatus)
	b = append(b, `,"speed_mbps":`...)
	b = strconv.AppendUint(b, ifc.SpeedMbps, 10)
	b = appendCounter(b, `,"hc_in_octets":`, ifc.HCInOctets)
	b = appendCounter(b, `,"hc_out_octets":`, ifc.HCOutOctets)
	if ifc.InBps != nil {
		b = appendCounter(b, `,"in_bps":`, ifc.InBps)
	}
	if ifc.OutBps != nil {
		b = appendCounter(b, `,"out_bps":`, ifc.OutBps)
	}
	return append(b, '}')
}

// appendStringField appends key and v, unless v is empty (omitempty).
func appendStringField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(append(b, key...), v)
}

// appendIntField appends key and v, unless v is 0 (omitempty).
func appendIntField(b []byte, key string, v int) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), int64(v), 10)
}

// appendCounter appends key and *v, or null if v is nil.
func appendCounter(b []byte, key string, v *uint64) []byte {
	b = append(b, key...)
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendUint(b, *v, 10)
}

// appendFloat appends f as encoding/json does: like ES6's number to string
// conversion, decimal unless very small or large.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 is written e-9.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendString appends s as a JSON string the way encoding/json does by
// default: with <, > and & escaped for HTML, invalid UTF-8 replaced by
// U+FFFD, and U+2028 and U+2029 escaped. Agents put any bytes they like
// in ifDescr and ifAlias, so every case matters.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
