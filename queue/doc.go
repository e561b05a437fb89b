// Package queue provides bounded, generic, context-aware queues that are shut
// down without sentinels and cost nothing while nobody uses them.
//
// [Queue] is first in, first out; [Priority] hands out the least item first.
// Both hold at most a fixed number of items, and share one blocking core:
//
//   - Put blocks while the queue is full and Get while it is empty. A blocked
//     call is parked on a channel, not polled: the package starts no goroutine
//     and arms no timer, so 1,000 goroutines blocked in Get cost what 1,000
//     goroutines blocked on a channel receive cost.
//   - Every blocking call takes a [context.Context] and returns ctx.Err()
//     (unwrapped) when it is done first. A call that returns an error did
//     nothing: a failed Put added no item, a failed Get took none.
//   - Every operation is atomic (linearizable): it takes the queue's one
//     mutex once and does all its work under it. A call that has to wait
//     parks, and is completed by the call that makes its completion possible,
//     under that same mutex: a Get that makes room moves the first blocked
//     Put's item in, and a Put that finds a blocked Get hands its item over.
//   - Blocked producers, and blocked consumers, are served first come, first
//     served, and before any newcomer: a blocked call cannot starve.
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
// buffered items under one hold of the lock, which moves items faster than
// one Get each when a consumer can work in batches.
package queue
