//go:build !linux

package bench_test

// yieldThread does nothing where the benchmarks do not run: they measure
// on Linux (see README.md).
func yieldThread() {}
