package target_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lullgo/lull/examples/snmppoller/internal/target"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		in      string
		want    target.Target
		wantErr string // a substring of the error; "" means no error
	}{
		{in: "127.0.0.1:161", want: target.Target{Host: "127.0.0.1", Port: 161, Community: "public"}},
		{in: "  127.0.0.1:1161,private  ", want: target.Target{Host: "127.0.0.1", Port: 1161, Community: "private"}},
		{in: "127.0.0.1:1161 , s3cr#t", want: target.Target{Host: "127.0.0.1", Port: 1161, Community: "s3cr#t"}},
		{in: "[::1]:161,c", want: target.Target{Host: "::1", Port: 161, Community: "c"}},
		{in: "switch-01.example:65535", want: target.Target{Host: "switch-01.example", Port: 65535, Community: "public"}},
		{in: "127.0.0.1:161,a,b", wantErr: `community contains ','`},
		{in: "127.0.0.1", wantErr: "is not host:port"},
		{in: "::1:161", wantErr: "is not host:port"},
		{in: ":161", wantErr: "missing host"},
		{in: "127.0.0.1:0", wantErr: "port 0 out of range 1-65535"},
		{in: "127.0.0.1:65536", wantErr: "port 65536 out of range 1-65535"},
		{in: "127.0.0.1:99999999999999999999", wantErr: "out of range 1-65535"},
		{in: "127.0.0.1:-1", wantErr: "port -1 out of range"},
		{in: "127.0.0.1:+1", wantErr: "is not a number"},
		{in: "127.0.0.1:", wantErr: "is not a number"},
		{in: "127.0.0.1:snmp", wantErr: "is not a number"},
		{in: "127.0.0.1:161,", wantErr: "empty community"},
		{in: "127.0.0.1:161,with space", wantErr: "community contains ' '"},
		{in: "127.0.0.1:161," + strings.Repeat("c", 256), wantErr: "at most 255"},
		{in: "bad/host:161", wantErr: "not an IP address or host name"},
		{in: "", wantErr: "empty target"},
	}
	for _, tt := range tests {
		got, err := target.ParseLine(tt.in)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ParseLine(%q) error = %v, want nil", tt.in, err)
		case tt.wantErr != "" && err == nil:
			t.Errorf("ParseLine(%q) = %+v, want error containing %q", tt.in, got, tt.wantErr)
		case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
			t.Errorf("ParseLine(%q) error = %q, want it to contain %q", tt.in, err, tt.wantErr)
		case tt.wantErr == "" && got != tt.want:
			t.Errorf("ParseLine(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	in := `# lab fleet
127.0.0.1:1161

   # indented comment
127.0.0.1:1162,private
[::1]:1163
`
	got, err := target.Parse(strings.NewReader(in), "fleet.txt")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []target.Target{
		{Host: "127.0.0.1", Port: 1161, Community: "public"},
		{Host: "127.0.0.1", Port: 1162, Community: "private"},
		{Host: "::1", Port: 1163, Community: "public"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d targets, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("target %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"line number", "127.0.0.1:1\n\n# x\n127.0.0.1:70000\n", "fleet.txt:4: port 70000 out of range 1-65535"},
		{"malformed", "127.0.0.1:1\nnot a target\n", "fleet.txt:2: "},
		{"duplicate", "127.0.0.1:1\n127.0.0.1:1,other\n", "fleet.txt:2: 127.0.0.1:1 is already listed on line 1"},
		{"empty", "# nothing\n\n", "fleet.txt: no targets"},
	}
	for _, tt := range tests {
		_, err := target.Parse(strings.NewReader(tt.in), "fleet.txt")
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "targets.txt")
	if err := os.WriteFile(path, []byte("127.0.0.1:1161\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := target.Load(path)
	if err != nil || len(got) != 1 {
		t.Fatalf("Load = %v, %v; want 1 target", got, err)
	}
	_, err = target.Load(filepath.Join(dir, "missing.txt"))
	if err == nil || !strings.Contains(err.Error(), "reading targets") {
		t.Errorf("Load(missing) error = %v, want a reading-targets error", err)
	}
}
