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
//   - A Put or Get that need not wait takes no lock: Queue's buffer is a
//     lock-free ring, and only waiting goes through a mutex.
//   - Blocked producers, and blocked consumers, are served first come, first
//     served. A newcomer that finds room or an item takes it without queueing
//     behind them; but once a blocked call has waited a millisecond and finds
//     its turn taken, newcomers queue behind the blocked ones until they are
//     served (as [sync.Mutex] does), so none starves under load.
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
// ([ErrFull], [ErrEmpty], [ErrClosed]). GetBatch waits for one item, then
// takes what else is buffered with one atomic claim, which moves items
// several times faster than one Get each when a consumer can work in batches.
package queue
