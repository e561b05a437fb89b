// Package queue provides bounded, generic, context-aware queues that are shut
// down without sentinels and cost nothing while nobody uses them.
//
// [Queue] is first in, first out; [Priority] hands out the least item first.
// Both hold at most a fixed number of items, and behave alike:
//
//   - Put blocks while the queue is full and Get while it is empty. A blocked
//     call is parked on a channel, not polled: the package arms no timer,
//     and starts no goroutine of its own. So 1,000 goroutines blocked in Get
//     cost what 1,000 goroutines blocked on a channel receive cost.
//   - Every blocking call takes a [context.Context] and returns ctx.Err()
//     (unwrapped) when it is done first. A call that returns an error did
//     nothing: a failed Put added no item, a failed Get took none. Blocked
//     calls that share a ctx wait for it together, through one
//     [context.AfterFunc] (whose goroutine runs for a moment when the ctx
//     ends), which the queue keeps registered on the last such ctx until it
//     ends, another takes its place, or Close. If that ctx's values refer to
//     the queue, call Close before you drop the queue: until then, the ctx
//     keeps it reachable. (A ctx of a type that is neither built on the
//     standard library's nor has an AfterFunc method costs AfterFunc a
//     parked goroutine while it is registered.)
//   - Every operation is atomic (linearizable). A Queue orders its calls by
//     compare-and-swap on two counters, one for Puts and one for Gets, so
//     producers and consumers do not contend for one lock; a Priority takes
//     its one mutex once per operation. A call that has to wait parks, and
//     is completed by the call that makes its completion possible: a Get
//     that makes room puts the first blocked Put's item in, and a Put gives
//     the first blocked Get an item.
//   - Blocked producers, and blocked consumers, are served first come, first
//     served, and before any Put or Get that starts later. Only TryPut,
//     TryGet and Drain, which never wait, take what is there without
//     queueing behind them.
//
// # Shutdown
//
// Close replaces the sentinel value that producers used to send, one per
// consumer. After Close, Put returns [ErrClosed] at once; Get goes on
// returning buffered items, then ErrClosed to every consumer, however many.
// [Queue.All] ranges over the items until that point.
//
// To stop at once instead, call Close and then Drain: Drain takes back every
// item that was not consumed. At any moment, the items accepted by Put and
// TryPut are exactly those returned by Get, TryGet, GetBatch and All, those
// returned by Drain, and the Len still buffered: nothing is lost or
// duplicated.
//
// # Choosing a call
//
// Put and Get wait; TryPut and TryGet never do and say why they failed
// ([ErrFull], [ErrEmpty], [ErrClosed]). GetBatch takes up to a given number of
// buffered items in one step, which moves items faster than one Get each
// when a consumer can work in batches.
package queue
