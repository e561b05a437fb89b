// Package fake holds benchmarks for cmd/rounds's tests: each reports the
// process it ran in, so that a test can tell one process per sample.
package fake

import (
	"os"
	"testing"
)

func pid(b *testing.B) {
	for range b.N {
	}
	b.ReportMetric(float64(os.Getpid()), "pid")
}

func BenchmarkA(b *testing.B) {
	for _, x := range []string{"x", "x.y", "xzy"} {
		b.Run(x, func(b *testing.B) {
			b.Run("n=1", pid)
			b.Run("n=2", pid)
		})
	}
}

func BenchmarkB(b *testing.B) { pid(b) }
