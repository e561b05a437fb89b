package lullbeam

import (
	"context"
	"fmt"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/lullgo/lull/mapreduce"
)

// Combine maps every element of col with mapper, then folds the values of
// each key with combine, as [mapreduce.Combine] does: it is a ParDo of the
// mapper, then a CombinePerKey of combine, which Beam lifts (each worker
// folds what it emitted before the shuffle), so memory stays bounded by the
// keys, not the pairs. It returns a PCollection of KV<K, V>, one per key.
//
// mapper is a [mapreduce.Mapper] function registered with [RegisterMapper],
// or a value of a struct type registered with [RegisterMapperType] (see
// [Mapper]); combine is a function registered with [RegisterCombine], and must
// be associative and commutative. Combine panics if they are not registered,
// with an error that says so (see [TryCombine]).
func Combine[V any](s beam.Scope, col beam.PCollection, mapper any, combine func(V, V) V) beam.PCollection {
	out, err := TryCombine(s, col, mapper, combine)
	if err != nil {
		panic(err)
	}
	return out
}

// TryCombine is [Combine] returning the error of a mapper or combine that
// is not registered, or of col's element type not being the mapper's input,
// instead of panicking.
func TryCombine[V any](s beam.Scope, col beam.PCollection, mapper any, combine func(V, V) V) (beam.PCollection, error) {
	s = s.Scope("lullbeam.Combine")
	m, err := findMapper(mapper)
	if err != nil {
		return beam.PCollection{}, err
	}
	key, err := funcKey("combine", combine)
	if err != nil {
		return beam.PCollection{}, err
	}
	regMu.Lock()
	v, ok := combineTypes[key]
	regMu.Unlock()
	if !ok {
		return beam.PCollection{}, notRegistered("combine", key, "RegisterCombine")
	}
	if v != m.v {
		return beam.PCollection{}, fmt.Errorf("lullbeam: combine %s takes %v, the mapper emits %v", key, v, m.v)
	}
	kvs, err := beam.TryParDo(s, m.doFn(mapper), col)
	if err != nil {
		return beam.PCollection{}, fmt.Errorf("lullbeam: mapper: %w", err)
	}
	return beam.TryCombinePerKey(s, &combineFn[V]{Name: key}, kvs[0])
}

// Run maps every element of col with mapper, groups the values by key, and
// reduces each group with reducer, as [mapreduce.Run] does: a ParDo of the
// mapper, a GroupByKey, and a ParDo of the reducer, which gets the values of
// its key as an iter.Seq that it may range over any number of times. It
// returns a PCollection of KV<K, Out>, one per key.
//
// Beam's iterator over a group goes once, so that the reducer may range over
// the values again, they are kept in memory as it first ranges over them: a
// key's values must fit in a worker's memory, as in mapreduce.Run, where all
// of them are.
//
// mapper is as for [Combine]; reducer is a function registered with
// [RegisterReducer]. Run panics if they are not registered, with an error
// that says so (see [TryRun]).
func Run[K comparable, V, Out any](s beam.Scope, col beam.PCollection, mapper any,
	reducer mapreduce.Reducer[K, V, Out]) beam.PCollection {
	out, err := TryRun(s, col, mapper, reducer)
	if err != nil {
		panic(err)
	}
	return out
}

// TryRun is [Run] returning its construction error instead of panicking.
func TryRun[K comparable, V, Out any](s beam.Scope, col beam.PCollection, mapper any,
	reducer mapreduce.Reducer[K, V, Out]) (beam.PCollection, error) {
	s = s.Scope("lullbeam.Run")
	m, err := findMapper(mapper)
	if err != nil {
		return beam.PCollection{}, err
	}
	key, err := funcKey("reducer", reducer)
	if err != nil {
		return beam.PCollection{}, err
	}
	regMu.Lock()
	r, ok := reducers[key]
	regMu.Unlock()
	if !ok {
		return beam.PCollection{}, notRegistered("reducer", key, "RegisterReducer")
	}
	if r.k != m.k || r.v != m.v {
		return beam.PCollection{}, fmt.Errorf("lullbeam: reducer %s takes (%v, %v), the mapper emits (%v, %v)",
			key, r.k, r.v, m.k, m.v)
	}
	kvs, err := beam.TryParDo(s, m.doFn(mapper), col)
	if err != nil {
		return beam.PCollection{}, fmt.Errorf("lullbeam: mapper: %w", err)
	}
	groups, err := beam.TryGroupByKey(s, kvs[0])
	if err != nil {
		return beam.PCollection{}, err
	}
	outs, err := beam.TryParDo(s, r.doFn, groups)
	if err != nil {
		return beam.PCollection{}, fmt.Errorf("lullbeam: reducer: %w", err)
	}
	return outs[0], nil
}

// Map applies f to every element of col, as [mapreduce.Map] does, and
// returns the results: a ParDo with one output per input. Unlike
// mapreduce.Map, the results have no order (a PCollection is a bag), and
// the first error fails the pipeline rather than end a stream.
//
// f is a function registered with [RegisterFunc]. Map panics if it is not,
// with an error that says so (see [TryMap]).
func Map[In, Out any](s beam.Scope, col beam.PCollection, f func(context.Context, In) (Out, error)) beam.PCollection {
	out, err := TryMap(s, col, f)
	if err != nil {
		panic(err)
	}
	return out
}

// TryMap is [Map] returning its construction error instead of panicking.
func TryMap[In, Out any](s beam.Scope, col beam.PCollection, f func(context.Context, In) (Out, error)) (beam.PCollection, error) {
	s = s.Scope("lullbeam.Map")
	key, err := funcKey("function", f)
	if err != nil {
		return beam.PCollection{}, err
	}
	regMu.Lock()
	doFn, ok := applyFns[key]
	regMu.Unlock()
	if !ok {
		return beam.PCollection{}, notRegistered("function", key, "RegisterFunc")
	}
	outs, err := beam.TryParDo(s, doFn, col)
	if err != nil {
		return beam.PCollection{}, fmt.Errorf("lullbeam: function: %w", err)
	}
	return outs[0], nil
}

// findMapper returns the registry's entry of mapper: a registered function,
// or a value of a registered struct type.
func findMapper(mapper any) (*mapperEntry, error) {
	t := reflect.TypeOf(mapper)
	if t == nil {
		return nil, fmt.Errorf("lullbeam: mapper is nil")
	}
	if t.Kind() == reflect.Func {
		key, err := funcKey("mapper", mapper)
		if err != nil {
			return nil, err
		}
		regMu.Lock()
		m, ok := mapperFuncs[key]
		regMu.Unlock()
		if !ok {
			return nil, notRegistered("mapper", key, "RegisterMapper")
		}
		return m, nil
	}
	regMu.Lock()
	m, ok := mapperTypes[t]
	regMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("lullbeam: mapper type %v: %w: call lullbeam.RegisterMapperType[%v]() "+
			"from an init function, or pass a registered function", t, ErrNotRegistered, t)
	}
	return m, nil
}

// notRegistered is the error of a function that is not in the registry.
func notRegistered(role, key, register string) error {
	return fmt.Errorf("lullbeam: %s %s: %w: call lullbeam.%s with it from an init function, "+
		"so that every worker registers it too", role, key, ErrNotRegistered, register)
}
