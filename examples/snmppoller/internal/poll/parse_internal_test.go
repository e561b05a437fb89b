package poll

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/oid"
)

func TestParseValue(t *testing.T) {
	tests := []struct {
		in     string
		want   any
		wantOK bool
	}{
		{`INTEGER: 1`, 1, true},
		{`INTEGER: -5`, -5, true},
		{`Counter32: 4294967295`, uint(4294967295), true},
		{`Gauge32: 1000000000`, uint(1000000000), true},
		{`Timeticks: 855`, uint(855), true},
		{`4294967295`, uint(4294967295), true}, // TimeTicks as -Ot prints them
		{`Counter64: 18446744073709551615`, uint64(18446744073709551615), true},
		{`STRING: "eth0"`, "eth0", true},
		{`STRING: "say \"hi\""`, `say "hi"`, true},
		{`""`, "", true},
		{`Hex-STRING: 02 FC 00 0A `, "\x02\xfc\x00\x0a", true},
		{`No Such Object available on this agent at this OID`, nil, false},
	}
	for _, tt := range tests {
		got, ok, err := parseValue(tt.in)
		if b, isBytes := got.([]byte); isBytes {
			got = string(b)
		}
		if err != nil || ok != tt.wantOK || got != tt.want {
			t.Errorf("parseValue(%q) = %#v, %v, %v; want %#v, %v, nil", tt.in, got, ok, err, tt.want, tt.wantOK)
		}
	}
}

func TestParseWalk(t *testing.T) {
	out := `.1.3.6.1.2.1.31.1.1.1.1.1 = STRING: "lo"
.1.3.6.1.2.1.31.1.1.1.6.1 = Counter64: 3193
.1.3.6.1.2.1.31.1.1.1.17.1 = Hex-STRING: 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F
10 11
.1.3.6.1.2.1.31.1.1.1.18.1 = ""
`
	var tbl ifmib.Table
	n := 0
	err := parseWalk(strings.NewReader(out), ifmib.IfXTable, func(name oid.OID, v any) error {
		n++
		return tbl.Add(name, v)
	})
	if err != nil || n != 4 {
		t.Fatalf("parseWalk: %d values, %v; want 4, nil", n, err)
	}
	rows := tbl.Interfaces()
	if len(rows) != 1 || rows[0].Name != "lo" || *rows[0].HCInOctets != 3193 {
		t.Errorf("got %+v", rows)
	}
}

func TestClassify(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		err      error
		kind     string
		contains string
	}{
		{fmt.Errorf("dial: %w", &os.SyscallError{Syscall: "socket", Err: syscall.EMFILE}), KindOpenFiles, "lower -workers"},
		{fmt.Errorf("read: %w", syscall.ECONNREFUSED), KindUnreachable, "nothing listens"},
		{fmt.Errorf("walk: %w", context.DeadlineExceeded), KindTimeout, "device timeout"},
		{fmt.Errorf("walk: %w", context.Canceled), KindCanceled, "stopped"},
		{fmt.Errorf("%w: request timeout", errNoResponse), KindTimeout, "wrong community"},
		{fmt.Errorf("agent answered error-status GenErr"), KindProtocol, "GenErr"},
	}
	for _, tt := range tests {
		kind, msg := classify(tt.err, cfg)
		if kind != tt.kind || !strings.Contains(msg, tt.contains) {
			t.Errorf("classify(%v) = %q, %q; want %q containing %q", tt.err, kind, msg, tt.kind, tt.contains)
		}
	}
}

// FuzzParseName checks that parseName, which skips parsing the text of the
// walk's root, gives what parsing the whole name gives.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{
		".1.3.6.1.2.1.2.2.1.2.48", ".1.3.6.1.2.1.2.2.", ".1.3.6.1.2.1.2.2..5", ".1.3.6.1.2.1.2.2.1.",
		".1.3.6.1.2.1.2.2", ".1.3.6.1.2.1.2.20.1", "1.3.6.1.2.1.2.2.1.1.1", ".1.3.6.1.2.1.2.2.01.1", "",
	} {
		f.Add(s)
	}
	root := ifmib.IfTable
	under := root.String() + "."
	f.Fuzz(func(t *testing.T, s string) {
		want, wantErr := oid.Parse(s)
		got, err := parseName(make(oid.OID, 0, 4), root, under, s)
		if (err == nil) != (wantErr == nil) || err == nil && !slices.Equal(got, want) {
			t.Fatalf("parseName(%q) = %v, %v; oid.Parse gives %v, %v", s, got, err, want, wantErr)
		}
	})
}
