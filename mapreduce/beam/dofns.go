package lullbeam

import (
	"context"
	"fmt"
	"runtime/debug"
	"strconv"
	"unicode/utf8"

	"github.com/lullgo/lull/mapreduce"
)

// The DoFns and the CombineFn that run the user's functions on Beam's
// workers. Beam encodes each as JSON, by its exported fields: a function is
// carried by its registry key (Name) and found again in Setup, a Mapper
// struct by its own fields. All are registered with Beam by the Register
// functions, for each set of types.

// mapFn is the ParDo of a mapper: it emits the mapper's pairs as KVs.
type mapFn[M Mapper[In, K, V], In any, K comparable, V any] struct {
	Mapper M
}

// Setup calls the mapper's Setup method, if it has one.
func (f *mapFn[M, In, K, V]) Setup(ctx context.Context) error {
	if s, ok := any(f.Mapper).(setupper); ok {
		if err := s.Setup(ctx); err != nil {
			return fmt.Errorf("lullbeam: mapper %T: setup: %w", f.Mapper, err)
		}
	}
	return nil
}

// ProcessElement maps one input. An error or a panic of the mapper fails
// the bundle, and so the pipeline, with an error that names the input.
func (f *mapFn[M, In, K, V]) ProcessElement(ctx context.Context, in In, emit func(K, V)) (err error) {
	defer recoverInput(in, &err)
	if err := f.Mapper.Map(ctx, in, emit); err != nil {
		return inputError(in, err)
	}
	return nil
}

// funcMapper is a registered mapper function as a Mapper.
type funcMapper[In any, K comparable, V any] struct {
	Name string // the registry key

	fn mapreduce.Mapper[In, K, V]
}

// Setup finds the function in the registry.
func (m *funcMapper[In, K, V]) Setup(context.Context) (err error) {
	m.fn, err = lookup[mapreduce.Mapper[In, K, V]](m.Name)
	return err
}

// Map calls the function.
func (m *funcMapper[In, K, V]) Map(ctx context.Context, in In, emit func(K, V)) error {
	return m.fn(ctx, in, emit)
}

// combineFn is the CombineFn of a registered combine function: Beam merges
// values with it before the shuffle (combiner lifting) and after.
type combineFn[V any] struct {
	Name string // the registry key

	fn func(V, V) V
}

// Setup finds the function in the registry.
func (c *combineFn[V]) Setup() (err error) {
	c.fn, err = lookup[func(V, V) V](c.Name)
	return err
}

// MergeAccumulators combines two values.
func (c *combineFn[V]) MergeAccumulators(a, b V) V { return c.fn(a, b) }

// reduceFn is the ParDo, after a GroupByKey, of a registered reducer.
type reduceFn[K comparable, V, Out any] struct {
	Name string // the registry key

	fn mapreduce.Reducer[K, V, Out]
}

// Setup finds the function in the registry.
func (r *reduceFn[K, V, Out]) Setup() (err error) {
	r.fn, err = lookup[mapreduce.Reducer[K, V, Out]](r.Name)
	return err
}

// ProcessElement reduces the values of key. The reducer may range over them
// any number of times, as mapreduce allows, but Beam's iterator goes once
// (prism hands a GroupByKey's output to a re-iterable func() func(*V) bool as
// a slice, which fails), so the values are kept as the first range reads
// them, and read again from there.
func (r *reduceFn[K, V, Out]) ProcessElement(ctx context.Context, key K, values func(*V) bool,
	emit func(K, Out)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = keyError(key, panicError(p))
		}
	}()
	var seen []V
	done := false
	seq := func(yield func(V) bool) {
		// By index, not by range over seen: a range nested in this one
		// may append to seen, and this one must then read those too.
		for i := 0; ; i++ {
			if i == len(seen) {
				var v V
				if done || !values(&v) {
					done = true
					return
				}
				seen = append(seen, v)
			}
			if !yield(seen[i]) {
				return
			}
		}
	}
	out, err := r.fn(ctx, key, seq)
	if err != nil {
		return keyError(key, err)
	}
	emit(key, out)
	return nil
}

// applyFn is the ParDo of a registered Map function.
type applyFn[In, Out any] struct {
	Name string // the registry key

	fn func(context.Context, In) (Out, error)
}

// Setup finds the function in the registry.
func (a *applyFn[In, Out]) Setup() (err error) {
	a.fn, err = lookup[func(context.Context, In) (Out, error)](a.Name)
	return err
}

// ProcessElement applies the function to one input.
func (a *applyFn[In, Out]) ProcessElement(ctx context.Context, in In, emit func(Out)) (err error) {
	defer recoverInput(in, &err)
	out, err := a.fn(ctx, in)
	if err != nil {
		return inputError(in, err)
	}
	emit(out)
	return nil
}

// recoverInput turns a panic of a user's function on in into *err, with its
// stack: it fails the pipeline as an error would, naming the input.
func recoverInput[In any](in In, err *error) {
	if p := recover(); p != nil {
		*err = inputError(in, panicError(p))
	}
}

// panicError is a recovered panic, with the stack where it happened.
func panicError(p any) error {
	return fmt.Errorf("panic: %v\n\n%s", p, debug.Stack())
}

// inputError and keyError name the input or key of a failed call. On a
// remote worker only the text of an error reaches the runner, and so the
// caller: the text says everything.
func inputError[In any](in In, err error) error {
	return fmt.Errorf("lullbeam: input %s: %w", describe(in), err)
}

func keyError[K any](key K, err error) error {
	return fmt.Errorf("lullbeam: key %s: %w", describe(key), err)
}

// describe formats x for an error: a string quoted, anything else with %v,
// cut to 200 bytes.
func describe(x any) string {
	var s string
	if str, ok := x.(string); ok {
		s = strconv.Quote(str)
	} else {
		s = fmt.Sprintf("%v", x)
	}
	const maxLen = 200
	if len(s) > maxLen {
		cut := maxLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
