package bench_test

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// hostChecks are the points of a throughput run at which `make
// bench-throughput` takes BenchmarkPingPong: before each benchmark family, and
// at the end; and "spell", which `make bench-spell` takes under load. The
// sub-benchmarks are alike; the name only says when it ran.
var hostChecks = []string{"submit", "queue", "future", "resize", "mapreduce", "end", "spell"}

// BenchmarkPingPong times one round trip of a cache line between two
// threads: two goroutines locked to their threads take turns writing one
// atomic word, each spinning until the other has written. It measures the
// host, not lull. On the shared 2-vCPU machines of this project it reads
// 80-130 ns; in slow spells, of seconds to minutes, it reads about 400 ns,
// and so it does while cmd/load keeps every CPU busy (see README.md, "Slow
// spells"). cmd/report prints the readings next to the tables, so that a
// slow host is not taken for a slow change.
func BenchmarkPingPong(b *testing.B) {
	for _, at := range hostChecks {
		b.Run("at="+at, pingPong)
	}
}

func pingPong(b *testing.B) {
	var turn atomic.Int64 // odd: the partner's turn; even: ours; -1: stop
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer close(done)
		for {
			switch v := turn.Load(); {
			case v < 0:
				return
			case v&1 == 1:
				turn.Store(v + 1)
			}
		}
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for i := int64(0); b.Loop(); i++ {
		turn.Store(2*i + 1)
		for turn.Load() != 2*i+2 {
		}
	}
	turn.Store(-1)
	<-done
}
