package target_test

import (
	"strings"
	"testing"

	"github.com/lullgo/lull/examples/snmppoller/internal/target"
)

// FuzzParseTarget checks ParseLine against its contract on any input: it
// never panics, what it accepts is a valid target, and printing a parsed
// target gives a line that parses back to the same target.
func FuzzParseTarget(f *testing.F) {
	for _, seed := range []string{
		"127.0.0.1:161", "127.0.0.1:1161,private", "[::1]:161,c", "host.example:65535",
		"127.0.0.1:0", "127.0.0.1:65536", "::1:161", "", ",", "a:1,", "[fe80::1%eth0]:161",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got, err := target.ParseLine(line)
		if err != nil {
			return
		}
		if got.Host == "" || got.Port == 0 || got.Community == "" || len(got.Community) > 255 {
			t.Fatalf("ParseLine(%q) = %+v: accepted an invalid target", line, got)
		}
		if strings.ContainsAny(got.Community, " \t,") {
			t.Fatalf("ParseLine(%q) = %+v: community with a separator", line, got)
		}
		back, err := target.ParseLine(got.String())
		if err != nil {
			t.Fatalf("ParseLine(%q) = %+v, but its String %q does not parse: %v", line, got, got.String(), err)
		}
		if back != got {
			t.Fatalf("round trip of %q: got %+v, want %+v", line, back, got)
		}
	})
}
