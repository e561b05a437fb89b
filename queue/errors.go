package queue

import "errors"

// The errors returned by a queue's methods. They may be tested with [errors.Is].
var (
	// ErrClosed is returned by Put and TryPut once the queue is closed, and by Get,
	// TryGet and GetBatch once it is closed and empty.
	ErrClosed = errors.New("queue: closed")

	// ErrFull is returned by TryPut when the queue holds Cap items.
	ErrFull = errors.New("queue: full")

	// ErrEmpty is returned by TryGet when the queue holds no item but is not closed.
	ErrEmpty = errors.New("queue: empty")
)
