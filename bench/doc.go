// Package bench compares lull's pool and queue with other worker pools and
// with the floors they all sit on: a plain channel pool and a program that
// only blocks.
//
// It is its own module, so that the competitors it pins never enter lull's
// go.mod. Every implementation is one adapter file in internal/impl.
//
// Two kinds of measurement live here:
//
//   - The idle cost of 1,000 parked workers (CPU time, context switches,
//     futex calls and syscalls over a window), by cmd/idle. Each
//     implementation runs in its own process, linked alone, so that one
//     library's background goroutines cannot wake another's.
//   - Throughput, by go test -bench in this package: BenchmarkSubmit,
//     BenchmarkQueue, BenchmarkFuture, BenchmarkResize and
//     BenchmarkMapReduce, each where it can under a context.Background() and
//     a cancellable ctx (sub-benchmarks ctx=background and ctx=cancel), and
//     BenchmarkPingPong, the host check taken before each family.
//
// `make bench` runs both and cmd/report turns the results into RESULTS.md
// and the table in lull's README. Numbers in those files come only from
// these runs.
package bench
