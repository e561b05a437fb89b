// Package mapreduce maps, groups and reduces a stream of inputs in parallel,
// on the workers of a [pool.Pool], in one blocking call that leaves nothing
// running behind it.
//
// # The model
//
// A [Mapper] turns one input into any number of key-value pairs. [Run] maps
// every input of an [iter.Seq], groups the values by key, and calls a
// [Reducer] once per key with all of that key's values. [Combine] does the same
// for a reduction that is a fold in any order (a sum, a count, a min or max, a
// merge of sets), folding as it goes. [Map] applies a function to every input
// and yields the results in input order, as they become ready. [RunSlice] and
// [CombineSlice] are Run and Combine over a slice.
//
// Every call runs in two stages on a set of workers ([WithWorkers], by default
// GOMAXPROCS):
//
//   - Map phase. The calling goroutine reads the sequence, lazily, and hands
//     it out in chunks of consecutive inputs; each worker takes the next chunk
//     as soon as it has finished its last one. So the load balances itself:
//     a slow input delays only the rest of its own chunk, never another
//     worker, and only a few chunks of inputs are ever held in memory, even
//     for a sequence of a billion items. Over a slice, each worker claims
//     the next chunk of the slice itself.
//   - Reduce phase (Run and Combine). Each worker spreads its keys over a few
//     partitions per worker by a hash of the key ([hash/maphash]); the
//     workers then reduce the partitions in parallel, each taking the next
//     partition when it is free, and the call gathers the outputs in a map.
//     Each key is reduced exactly once, with every value emitted for it; the
//     values come in no promised order.
//
// The result depends neither on the number of workers, nor on the chunk size,
// nor on the partitioning, as long as the reducer ignores the order of the
// values (and combine is associative and commutative).
//
// # Run, Combine or Map
//
//   - Use [Combine] whenever the reduction can fold two values into one, in
//     any order: word counts, sums, histograms, minimum and maximum, unions.
//     Each worker keeps one value per key, so memory is O(distinct keys ×
//     workers) however many pairs are emitted, and a pair costs one map
//     lookup.
//   - Use [Run] when the reducer needs all of a key's values together: a
//     median, a sort, a join, the first N. Every value is kept until its key
//     is reduced, so memory is O(pairs): for a large input, see whether the
//     job can be written as a Combine, or emit fewer, larger values.
//   - Use [Map] for one result per input, in order, consumed as a stream:
//     fetching URLs, parsing files, resizing images. It holds a bounded window
//     of inputs in flight, so it can run over an endless sequence; breaking
//     out of its loop stops the work.
//   - Use [RunSlice] or [CombineSlice] when the inputs are in a slice already
//     and each costs nanoseconds to map (numbers, short records). Over a
//     sequence, the calling goroutine stores every input into a chunk for
//     the workers, a few nanoseconds each on a goroutine of its own; over a
//     slice, the workers take runs of it in place, and nothing else runs.
//
// # The cost of a pair
//
// Every pair goes through two calls of function values, the mapper's emit
// and, in Combine, combine, where a loop written for one job would have
// neither. Where that matters, build the program with profile-guided
// optimization (https://go.dev/doc/pgo) and make combine a top-level
// function rather than a closure: the compiler can then call it directly,
// inlined, where the profile finds it hot. In this package's word-count
// benchmark, that took 5 to 7% off Combine's time.
//
// # Chunk size
//
// A worker takes a chunk of inputs at a time ([WithChunkSize]). Handing over
// a chunk costs from under a microsecond to several (when a parked goroutine
// must be woken), so chunks matter only for inputs that take microseconds or
// less; the price of large chunks is a ragged end,
// when one worker maps its last chunk while the others have nothing left.
// Run and Combine size chunks by themselves: they start at one input, and
// each worker sizes the next chunk after how long its last one took, aiming
// at about 250µs per chunk, growing at most twofold at a time, and at most
// 4096 inputs, or as many as fit in 128 KiB if that is more (16384 ints). So
// slow inputs (a file, a request) go one at a time, and tiny ones (a line, a
// number) go by thousands. Map takes one input at a time unless
// told otherwise, because a chunk must fill up before its results can come
// out. Set a chunk size only to trade latency for throughput in Map, or to
// pin down the schedule in a test.
//
// # Errors, panics and cancellation
//
// The first error of a mapper or reducer, or panic, cancels the ctx of every
// other call and is returned, wrapped in an [*InputError] (with the input's
// position) or a [*KeyError] (with the key); a panic is a [*pool.PanicError]
// with its stack. Both unwrap, so [errors.Is] and [errors.As] find the
// original error or the panic. If the caller's ctx ends first, the call
// returns ctx.Err(), unwrapped, as soon as the mappers and reducers in flight
// return. The sequence itself runs on the calling goroutine and is not
// interrupted: a sequence that blocks should watch ctx too.
//
// # Pools and goroutines
//
// By default a call makes a private pool of its workers and closes it before
// it returns. With [WithPool] the workers run as tasks of the given pool,
// which stays open. Either way, when a call returns (or a range over Map
// ends, by breaking out or not), every goroutine it started has returned and
// no mapper, reducer or function of the caller is running; at most, tasks
// still waiting in a busy pool's backlog return at once when they start.
// [WithProgress] reports the counts as the call goes, by count, never by
// time: the package arms no timer and polls nothing.
//
// # Apache Beam
//
// In Beam's terms, a [Mapper] is the DoFn of a ParDo that outputs KVs, Run is
// ParDo + GroupByKey + a ParDo over the groups, Combine is ParDo +
// CombinePerKey with a combine function that is associative and commutative
// (Beam's "combiner lifting" is what each worker's local fold does), and Map
// is a ParDo with one output per input whose order is kept. The input is a
// bounded PCollection read once; there are no windows nor triggers.
//
// The nested module github.com/lullgo/lull/mapreduce/beam (package lullbeam)
// builds those transforms from the same functions, so that a job that
// outgrows one machine runs unchanged on Beam's runners: prism in-process,
// Flink, Spark or Dataflow. This module never requires Beam.
package mapreduce
