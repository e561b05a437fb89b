// Package pool runs tasks on a bounded set of workers that can be resized at
// any time, cost nothing while idle, and lose no task on shutdown.
//
// A [Pool] has a number of workers (its Size) and a bounded backlog of tasks
// accepted while every worker is busy. Workers start as tasks need them, up
// to Size, and then stay. An idle worker is a goroutine parked on a channel:
// the pool has no ticker, no polling loop and no background goroutine, so a
// pool that waits for work costs what the same number of goroutines blocked
// on a channel cost.
//
// # Submitting
//
// [Pool.Submit] blocks while the backlog is full, so producers slow down to
// the pool's pace; its ctx bounds only that wait. [Pool.TrySubmit] never
// blocks and returns [ErrFull] instead, for callers that shed load. A task
// accepted by either runs exactly once, or is handed back by [Pool.Stop].
// [Go] runs a function and returns a [Future] of its result; [Pool.Group]
// is an errgroup whose functions run on the pool's workers. Their functions
// are never handed back: one that Stop takes from the backlog never runs,
// and its Future or Group fails with [ErrClosed]. Go's ctx also bounds the
// function: if it is done before the function starts, the function never
// starts.
//
// # Shutting down
//
// No sentinel task is ever queued. [Pool.Close] stops accepting tasks, runs
// every task already accepted, and waits for the workers to exit: use it for
// a graceful shutdown. [Pool.Stop] stops accepting, cancels the ctx of the
// running tasks, and hands back the tasks that never started: use it to stop
// now without losing work. Both take a ctx that bounds their wait.
// [Pool.Wait] waits until the pool has nothing queued or running, and keeps
// it open. [Pool.Done] is closed once the pool runs no more tasks. A task
// that calls Wait, Close or Stop on its own pool waits for itself among the
// others: it returns only when the ctx it passed ends, so pass one that
// does.
//
// # Resizing
//
// [Pool.Resize] changes the number of workers while tasks run, and returns at
// once, in time independent of the number of workers. Growing starts workers
// that take the backlog at once. Shrinking retires idle workers at once and
// busy ones as soon as their current task ends: nothing is queued behind real
// work, and nobody polls. Resize(0) pauses the pool: no task starts until
// the next Resize.
// [WithMaxWorkers] lets the pool grow by itself while a backlog waits, and
// [WithIdleTimeout] sets how long those extra workers stay idle before they
// exit. Only then does the pool use a timer, a single one, armed only while
// such a worker is idle.
//
// # Panics
//
// A panicking task never kills the pool nor vanishes: it becomes a
// [*PanicError] with its stack, the error of its Future or Group, or else
// goes to the handler of [WithPanicHandler]; with no handler, the next call
// of Wait or Close panics with it, and Stop returns it. [Stats] counts every
// panic, whatever the entry point. A task that calls runtime.Goexit ends its
// goroutine; the pool hands the worker to a new one.
//
// # Cost
//
// The backlog is a ring whose slots are claimed by compare-and-swap: a
// Submit that finds room and a worker that finds a task there take no lock.
// The rest of the pool's state is guarded by one mutex, taken when a worker
// starts, parks or exits, when a Submit must wait, and by Resize, Close,
// Stop, Wait and Stats. A task that finds a worker idle wakes it (the most
// recently parked, whose stack is warm) with one channel send; while
// tasks come faster than woken workers get to run, they wake one worker at
// a time, and busy workers take the rest from the ring. Submit allocates
// nothing; Go allocates its Future. A worker goroutine that exits leaves
// its state (about 220 bytes, not its stack) for the next one that parks,
// so a pool that shrinks and grows again allocates little; a pool keeps up
// to 4,096 of these, about 900 KiB at most, and none once it has shut
// down.
package pool
