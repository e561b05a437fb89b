// Package lullbeam runs the jobs of [mapreduce] on Apache Beam, unchanged:
// the same mapper, combine and reducer that [mapreduce.Combine],
// [mapreduce.Run] and [mapreduce.Map] run in-process become a Beam pipeline
// that runs on prism (Beam's in-process runner), Flink, Spark or Google Cloud
// Dataflow. It lives in its own module, so that the library's module never
// requires Beam, and its package name is lullbeam so that it does not clash
// with Beam's own package beam:
//
//	import lullbeam "github.com/lullgo/lull/mapreduce/beam"
//
// # The transforms
//
//   - [Combine](s, col, mapper, combine): a ParDo of the mapper, then a
//     CombinePerKey of combine. Beam lifts the combine (each worker folds its
//     own pairs before the shuffle), so memory stays bounded by the keys, as
//     with mapreduce.Combine. Returns KV<K, V>, one per key.
//   - [Run](s, col, mapper, reducer): a ParDo of the mapper, a GroupByKey, and
//     a ParDo of the reducer, which gets a key's values as an [iter.Seq].
//     Returns KV<K, Out>, one per key.
//   - [Map](s, col, f): a ParDo of f, one output per input. Unlike
//     mapreduce.Map, the output has no order: a PCollection is a bag.
//
// # The rules: top-level functions, registered in init
//
// Beam runs a pipeline on workers that are other processes running the same
// binary. A function reaches them by name, so every function given to these
// transforms must be declared at the top level of its package, and
// registered from an init function (or a package-level variable), which runs
// in every process before beam.Init:
//
//	func init() {
//		lullbeam.RegisterMapper(words)
//		lullbeam.RegisterCombine(add)
//	}
//
// with [RegisterMapper], [RegisterCombine], [RegisterReducer] and
// [RegisterFunc]. A closure or a method value has no such name (and a
// closure's captured variables would not travel): the transforms refuse it
// when the pipeline is built, with an error wrapping [ErrNotTopLevel], and an
// unregistered function with [ErrNotRegistered], rather than let a worker
// fail. Combine, Run and Map panic with that error, as beam.ParDo does;
// [TryCombine], [TryRun] and [TryMap] return it.
//
// A mapper that needs configuration (a directory, a pattern) is a struct
// with exported fields and a Map method (see [Mapper]), registered with
// [RegisterMapperType]: Beam encodes its fields as JSON, and calls its
// Setup method, if it has one, on each worker. In-process, its method value
// is the mapreduce.Mapper: mapreduce.Combine(ctx, in, job.Map, add) and
// lullbeam.Combine(s, col, job, add) run the same code.
//
// Keys, values and inputs are encoded by Beam: strings, numbers, byte slices,
// and structs with exported fields of those (which the Register functions
// register with Beam) all work.
//
// # Errors
//
// An error or a panic of a mapper, reducer or function fails the bundle,
// and so the pipeline: the runner's error, returned by beamx.Run or the
// runner's Execute, includes the text "lullbeam: input X: ..." (or "key X"),
// with the stack for a panic. Only text crosses from a remote worker, so the
// error names the input itself, not its position.
//
// # Runners
//
// prism, Beam's in-process runner, is the one the tests use: it runs the
// portable path (the pipeline encoded as a proto, functions found again by
// name, an SDK harness in loopback) on one machine, with no setup. See the
// module's README for Flink and Dataflow.
package lullbeam
