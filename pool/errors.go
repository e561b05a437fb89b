package pool

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// The errors returned by a pool's methods. They may be tested with [errors.Is].
var (
	// ErrClosed is returned for a task submitted after Close or Stop began,
	// or while its submitter waited for room when they began. Such a task
	// was not accepted and will not run.
	ErrClosed = errors.New("pool: closed")

	// ErrFull is returned by TrySubmit when every worker is busy, no more may
	// start, and the backlog holds as many tasks as it may.
	ErrFull = errors.New("pool: full")

	// ErrGoexit is the error of a Future or Group whose function called
	// [runtime.Goexit] instead of returning.
	ErrGoexit = errors.New("pool: task called runtime.Goexit")

	// ErrStopped is returned by Close when Stop began before Close
	// returned: the tasks that had not started were handed back or
	// abandoned, not run, and the running ones had their ctx cancelled.
	ErrStopped = errors.New("pool: stopped")
)

// PanicError is a panic recovered from a task, with the stack of the
// goroutine where it happened. It is the error of a [Future] or [Group] whose
// function panicked; for tasks of Submit and TrySubmit it goes to the handler
// set by [WithPanicHandler], or without one is panicked again in the next
// caller of Wait, Close or Stop, so that it is never silently lost.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the stack trace of the panicking goroutine, from debug.Stack
}

func newPanicError(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// Error returns the panic value and the stack where it was raised.
func (e *PanicError) Error() string {
	return fmt.Sprintf("pool: task panicked: %v\n\n%s", e.Value, e.Stack)
}

// Unwrap returns Value if it is an error, so that [errors.Is] and
// [errors.As] see through the panic; otherwise nil.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
