package poll_test

import (
	"testing"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/simagent"
)

// BenchmarkGoSNMP polls one simulated device (48 interfaces, 720 varbinds
// in 15 GetBulk round trips) per iteration. The agent runs in the same
// process, so time and allocations include its side of each exchange.
func BenchmarkGoSNMP(b *testing.B) {
	f, err := simagent.Start(1, simagent.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fn := poll.GoSNMP(quick())
	tg := targetOf(f, 0)
	b.ReportAllocs()
	for b.Loop() {
		if r := fn(b.Context(), tg); !r.OK {
			b.Fatalf("%s: %s", r.Kind, r.Error)
		}
	}
}
