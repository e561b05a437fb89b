package lullbeam

import "errors"

// Errors of pipeline construction. [Combine], [Run] and [Map] panic with an
// error that wraps one of them, [TryCombine], [TryRun] and [TryMap] return
// it; the Register functions panic with it. Match them with [errors.Is].
var (
	// ErrNotTopLevel is the error of a function that is not declared at
	// the top level of its package: a closure, a method value, or a
	// function literal stored in a variable. Beam ships a function to its
	// workers by name, and such a function has no name that finds it (a
	// closure's captured variables would be lost on the way).
	ErrNotTopLevel = errors.New("lullbeam: not a top-level function")

	// ErrNotRegistered is the error of a function or mapper type that was
	// not registered (with RegisterMapper, RegisterMapperType,
	// RegisterCombine, RegisterReducer or RegisterFunc) when the pipeline
	// was built: workers would not find it.
	ErrNotRegistered = errors.New("lullbeam: not registered")

	// ErrLateRegistration is the error of a Register call after beam.Init:
	// a worker process runs beam.Init before it runs anything of main,
	// so it would never make that call.
	ErrLateRegistration = errors.New("lullbeam: registered after beam.Init")
)
