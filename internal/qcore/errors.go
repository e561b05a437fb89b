package qcore

import "errors"

// The errors of a Core's methods; the queue package exports them.
var (
	ErrClosed = errors.New("queue: closed")
	ErrFull   = errors.New("queue: full")
	ErrEmpty  = errors.New("queue: empty")
)
