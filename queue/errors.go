package queue

import "github.com/lullgo/lull/internal/qcore"

// The errors returned by a queue's methods. They may be tested with [errors.Is].
var (
	// ErrClosed is returned by Put and TryPut once the queue is closed, and by Get,
	// TryGet and GetBatch once it is closed and empty.
	ErrClosed = qcore.ErrClosed

	// ErrFull is returned by TryPut when the queue holds Cap items.
	ErrFull = qcore.ErrFull

	// ErrEmpty is returned by TryGet when the queue holds no item but is not closed.
	ErrEmpty = qcore.ErrEmpty
)
