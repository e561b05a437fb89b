package mapreduce

import (
	"errors"
	"fmt"
)

// InputError is the error of a call whose mapper (or, in [Map], whose
// function) failed or panicked on an input. Err is what it returned, or a
// [*pool.PanicError] with the panic value and stack. Unwrap returns Err, so
// [errors.Is] and [errors.As] see through an InputError to the mapper's own
// error and to the panic.
type InputError struct {
	Index int   // the position of the input in the sequence, from 0
	Err   error // the mapper's error, or a *pool.PanicError
}

// Error returns "mapreduce: input INDEX: ERR".
func (e *InputError) Error() string {
	return fmt.Sprintf("mapreduce: input %d: %v", e.Index, e.Err)
}

// Unwrap returns Err.
func (e *InputError) Unwrap() error { return e.Err }

// KeyError is the error of a [Run] whose reducer failed or panicked on a
// key. Err is what it returned, or a [*pool.PanicError] with the panic value
// and stack. Unwrap returns Err. To match it with [errors.As], name the key
// type: var ke *mapreduce.KeyError[string].
type KeyError[K comparable] struct {
	Key K     // the key whose values were being reduced
	Err error // the reducer's error, or a *pool.PanicError
}

// Error returns "mapreduce: key KEY: ERR", with the key formatted by %v.
func (e *KeyError[K]) Error() string {
	return fmt.Sprintf("mapreduce: key %v: %v", e.Key, e.Err)
}

// Unwrap returns Err.
func (e *KeyError[K]) Unwrap() error { return e.Err }

// errStopped is what a worker returns when it stops because the run's ctx
// is done, rather than because its own input failed. It never leaves the
// package: the run turns it into the reason the ctx ended (see outcome). It
// exists so that a Group whose first returned error is errStopped can be told
// apart from one in which a mapper failed first.
var errStopped = errors.New("mapreduce: stopped")
