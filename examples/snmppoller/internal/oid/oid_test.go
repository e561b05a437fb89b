package oid_test

import (
	"slices"
	"testing"

	"github.com/lullgo/lull/examples/snmppoller/internal/oid"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    oid.OID
		wantErr bool
	}{
		{in: ".1.3.6.1", want: oid.OID{1, 3, 6, 1}},
		{in: "1.3.6.1", want: oid.OID{1, 3, 6, 1}},
		{in: ".0", want: oid.OID{0}},
		{in: ".1.4294967295", want: oid.OID{1, 4294967295}},
		{in: "", wantErr: true},
		{in: ".", wantErr: true},
		{in: "..1", wantErr: true},
		{in: ".1.", wantErr: true},
		{in: ".1.+3", wantErr: true},
		{in: ".1.-3", wantErr: true},
		{in: ".1.4294967296", wantErr: true},
		{in: ".1.a", wantErr: true},
	}
	for _, tt := range tests {
		got, err := oid.Parse(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("Parse(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if err == nil {
			if back := got.String(); back != "."+trimDot(tt.in) {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, back, "."+trimDot(tt.in))
			}
		}
	}
}

func trimDot(s string) string {
	if len(s) > 0 && s[0] == '.' {
		return s[1:]
	}
	return s
}

func TestAppendParseReusesBuffer(t *testing.T) {
	buf := make(oid.OID, 0, 16)
	o, err := oid.AppendParse(buf[:0], ".1.3.6.1.2.1.2.2.1.2.48")
	if err != nil || !slices.Equal(o, oid.OID{1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 48}) {
		t.Fatalf("AppendParse = %v, %v", o, err)
	}
	if &o[0] != &buf[:1][0] {
		t.Error("AppendParse did not parse into the buffer it was given room in")
	}
	if allocs := testing.AllocsPerRun(100, func() { o, _ = oid.AppendParse(buf[:0], ".1.3.6.1.2.1.31.1.1.1.18.47") }); allocs != 0 {
		t.Errorf("AppendParse into a buffer with room: %v allocations, want 0", allocs)
	}
	if o, err := oid.AppendParse(oid.OID{1}, ".1.x"); err == nil || !slices.Equal(o, oid.OID{1}) {
		t.Errorf("AppendParse({1}, bad) = %v, %v; want {1} and an error", o, err)
	}
}

func TestCompare(t *testing.T) {
	// Each OID sorts strictly before the next one; string order would put
	// .1.3.6.1.10 before .1.3.6.1.9, which is the mistake this guards against.
	ordered := []string{".1", ".1.3", ".1.3.6.1.2", ".1.3.6.1.9", ".1.3.6.1.10", ".1.3.6.1.10.0", ".2"}
	for i := range ordered {
		for j := range ordered {
			a, b := oid.MustParse(ordered[i]), oid.MustParse(ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := oid.Compare(a, b); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestHasPrefix(t *testing.T) {
	root := oid.MustParse(".1.3.6.1.2.1.2.2")
	tests := []struct {
		in   string
		want bool
	}{
		{".1.3.6.1.2.1.2.2", true},
		{".1.3.6.1.2.1.2.2.1.1.1", true},
		{".1.3.6.1.2.1.2.20", false},
		{".1.3.6.1.2.1.2", false},
		{".1.3.6.1.2.1.31.1.1", false},
	}
	for _, tt := range tests {
		if got := oid.MustParse(tt.in).HasPrefix(root); got != tt.want {
			t.Errorf("%s.HasPrefix(%s) = %v, want %v", tt.in, root, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{".1.3.6.1", "1", ".4294967295", ".4294967296", "..1", ".1.", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := oid.Parse(s)
		// AppendParse after a prefix, into a buffer with room, gives the
		// prefix and then what Parse gives, or the prefix and the error.
		prefix := append(make(oid.OID, 0, 64), 7, 8)
		app, appErr := oid.AppendParse(prefix, s)
		if (err == nil) != (appErr == nil) || !slices.Equal(app, append(oid.OID{7, 8}, o...)) {
			t.Fatalf("AppendParse({7, 8}, %q) = %v, %v; Parse gives %v, %v", s, app, appErr, o, err)
		}
		if err != nil {
			return
		}
		// What parses prints back the same, up to the optional leading dot
		// and leading zeros within arcs.
		again, err := oid.Parse(o.String())
		if err != nil || !slices.Equal(o, again) {
			t.Fatalf("Parse(%q) = %v, whose String %q parses to %v, %v", s, o, o.String(), again, err)
		}
	})
}
