package lullbeam

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/lullgo/lull/mapreduce"
)

// The registry. It is filled by the Register functions, which run in init
// functions (or package-level variables) of the program, before beam.Init:
// so every process of a pipeline, the one that builds it and every worker,
// which runs the same binary, fills it the same way. A pipeline names what
// it runs by registry keys (funcKey), and a worker finds it by that key.
var (
	regMu        sync.Mutex
	funcs        = map[string]any{}                // funcKey → the function (mapper, combine, reducer, f)
	mapperFuncs  = map[string]*mapperEntry{}       // funcKey of a mapper → entry
	mapperTypes  = map[reflect.Type]*mapperEntry{} // a mapper struct type → entry
	combineTypes = map[string]reflect.Type{}       // funcKey of a combine → its value type
	reducers     = map[string]*reducerEntry{}      // funcKey of a reducer → entry
	applyFns     = map[string]any{}                // funcKey of a Map function → its DoFn
	// beamRegistered holds, for each Register function, the signatures
	// whose DoFn type it has registered with Beam.
	beamRegistered = map[string]bool{}
)

// mapperEntry is what the registry knows of a mapper: its types, and how to
// wrap it in its DoFn.
type mapperEntry struct {
	in, k, v reflect.Type
	doFn     func(m any) any // m: the mapper (a func, or a value of the struct type)
}

// reducerEntry is what the registry knows of a reducer.
type reducerEntry struct {
	k, v reflect.Type
	doFn any
}

// Mapper is a mapper with configuration: a struct type (or a pointer to one)
// whose exported fields are its whole configuration, and whose Map method
// is a [mapreduce.Mapper]. Beam encodes the fields as JSON to ship the mapper
// to its workers. If the type also has a method Setup(context.Context) error,
// it is called on each worker after decoding, before the first input, to
// build what derives from the fields (a compiled regexp, a client). Pass the
// same value's method to mapreduce in-process: mapreduce.Combine(ctx, in,
// m.Map, add).
type Mapper[In any, K comparable, V any] interface {
	Map(ctx context.Context, in In, emit func(K, V)) error
}

// setupper is the optional Setup method of a Mapper.
type setupper interface {
	Setup(context.Context) error
}

// RegisterMapper registers f, a top-level function, as a mapper for
// [Combine] and [Run]. Call it from an init function, or in a package-level
// variable declaration, of the program that builds the pipeline: it panics
// with [ErrNotTopLevel] if f is a closure or a method value, and with
// [ErrLateRegistration] after beam.Init. Registering f again does nothing.
func RegisterMapper[In any, K comparable, V any](f mapreduce.Mapper[In, K, V]) {
	addFunc("RegisterMapper", f, mapperFuncs, registerDoFn[*funcMapper[In, K, V], In, K, V],
		func(key string) *mapperEntry {
			return &mapperEntry{
				in: typeOf[In](), k: typeOf[K](), v: typeOf[V](),
				doFn: func(any) any {
					return &mapFn[*funcMapper[In, K, V], In, K, V]{Mapper: &funcMapper[In, K, V]{Name: key}}
				},
			}
		})
}

// RegisterMapperType registers the struct type M (or the struct M points to)
// as a mapper for [Combine] and [Run]; see [Mapper]. Call it as
// lullbeam.RegisterMapperType[*pkg.Job]() from an init function: it panics
// with [ErrLateRegistration] after beam.Init, and if Beam cannot encode M.
func RegisterMapperType[M Mapper[In, K, V], In any, K comparable, V any]() {
	if beam.Initialized() {
		panic(fmt.Errorf("RegisterMapperType[%v]: %w", typeOf[M](), ErrLateRegistration))
	}
	t := typeOf[M]()
	regMu.Lock()
	defer regMu.Unlock()
	if _, ok := mapperTypes[t]; ok {
		return
	}
	registerDoFn[M, In, K, V]()
	mapperTypes[t] = &mapperEntry{
		in: typeOf[In](), k: typeOf[K](), v: typeOf[V](),
		doFn: func(m any) any { return &mapFn[M, In, K, V]{Mapper: m.(M)} },
	}
}

// registerDoFn registers the DoFn of a mapper of type M with Beam, with the
// types it carries.
func registerDoFn[M Mapper[In, K, V], In any, K comparable, V any]() {
	registerTypes(typeOf[In](), typeOf[K](), typeOf[V]())
	register.DoFn3x1[context.Context, In, func(K, V), error](&mapFn[M, In, K, V]{})
	register.Emitter2[K, V]()
}

// RegisterCombine registers f, a top-level function, as a combine for
// [Combine]. Call it as [RegisterMapper] says.
func RegisterCombine[V any](f func(V, V) V) {
	addFunc("RegisterCombine", f, combineTypes, func() {
		registerTypes(typeOf[V]())
		register.Combiner1[V](&combineFn[V]{})
	}, func(string) reflect.Type { return typeOf[V]() })
}

// RegisterReducer registers f, a top-level function, as a reducer for
// [Run]. Call it as [RegisterMapper] says.
func RegisterReducer[K comparable, V, Out any](f mapreduce.Reducer[K, V, Out]) {
	addFunc("RegisterReducer", f, reducers, func() {
		registerTypes(typeOf[K](), typeOf[V](), typeOf[Out]())
		register.DoFn4x1[context.Context, K, func(*V) bool, func(K, Out), error](&reduceFn[K, V, Out]{})
		register.Iter1[V]()
		register.Emitter2[K, Out]()
	}, func(key string) *reducerEntry {
		return &reducerEntry{k: typeOf[K](), v: typeOf[V](), doFn: &reduceFn[K, V, Out]{Name: key}}
	})
}

// RegisterFunc registers f, a top-level function, as the function of
// [Map]. Call it as [RegisterMapper] says.
func RegisterFunc[In, Out any](f func(context.Context, In) (Out, error)) {
	addFunc("RegisterFunc", f, applyFns, func() {
		registerTypes(typeOf[In](), typeOf[Out]())
		register.DoFn3x1[context.Context, In, func(Out), error](&applyFn[In, Out]{})
		register.Emitter1[Out]()
	}, func(key string) any { return &applyFn[In, Out]{Name: key} })
}

// addFunc registers the function f of a Register call: under its key in
// funcs, and in table with the entry made by entry. The first function of
// its types also calls beamRegister, which registers its DoFn type with
// Beam: Beam warns when a DoFn type is registered twice. Registering f again
// does nothing.
func addFunc[E any](caller string, f any, table map[string]E, beamRegister func(), entry func(key string) E) {
	key := mustKey(caller, f)
	regMu.Lock()
	defer regMu.Unlock()
	if _, ok := table[key]; ok {
		return
	}
	funcs[key] = f
	// The DoFn's type parameters are those of f's signature.
	if sig := caller + " " + signature(reflect.TypeOf(f)); !beamRegistered[sig] {
		beamRegistered[sig] = true
		beamRegister()
	}
	table[key] = entry(key)
}

// registerTypes registers with Beam the named struct types among ts, so that
// it can encode them (as schema rows).
func registerTypes(ts ...reflect.Type) {
	for _, t := range ts {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() == reflect.Struct && t.Name() != "" {
			beam.RegisterType(t)
		}
	}
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// notTopLevel matches the names the compiler gives to function literals
// ("pkg.outer.func1", "pkg.outer.func1.2", "pkg.init.func3" for one in a
// package-level variable, "pkg.glob..func1") and method values ("-fm").
var notTopLevel = regexp.MustCompile(`\.func\d+(\.\d+)*$|-fm$`)

// funcKey returns the registry key of the function f: its name, qualified
// by its package, and its type, which tells apart the instances of a
// generic function (whose names are all "pkg.f[...]"). It returns an error
// wrapping ErrNotTopLevel if f is not a top-level function.
func funcKey(role string, f any) (string, error) {
	v := reflect.ValueOf(f)
	if v.Kind() != reflect.Func || v.IsNil() {
		return "", fmt.Errorf("lullbeam: %s is %T, not a function", role, f)
	}
	fn := runtime.FuncForPC(v.Pointer())
	if fn == nil {
		return "", fmt.Errorf("lullbeam: %s %v has no name: %w", role, v.Type(), ErrNotTopLevel)
	}
	name := fn.Name()
	if notTopLevel.MatchString(name) {
		return "", fmt.Errorf("lullbeam: %s %s is a closure or a method value: Beam finds a function on "+
			"its workers by name, so it must be declared at the top level of its package "+
			"(a configured mapper is a registered struct type, see Mapper): %w", role, name, ErrNotTopLevel)
	}
	return name + " " + signature(v.Type()), nil
}

// signature returns the unnamed function type of t: a mapper is registered
// as a mapreduce.Mapper and may be passed as a plain func, and both must
// find the same key.
func signature(t reflect.Type) string {
	in := make([]reflect.Type, t.NumIn())
	for i := range in {
		in[i] = t.In(i)
	}
	out := make([]reflect.Type, t.NumOut())
	for i := range out {
		out[i] = t.Out(i)
	}
	return reflect.FuncOf(in, out, t.IsVariadic()).String()
}

// mustKey is funcKey for the Register functions, which also refuse to run
// after beam.Init.
func mustKey(caller string, f any) string {
	key, err := funcKey("function", f)
	if err != nil {
		panic(fmt.Errorf("%s: %w", caller, err))
	}
	if beam.Initialized() {
		panic(fmt.Errorf("%s(%s): %w: call it from an init function, so that every worker registers it too",
			caller, key, ErrLateRegistration))
	}
	return key
}

// lookup returns the registered function of key, as an F.
func lookup[F any](key string) (F, error) {
	regMu.Lock()
	f, ok := funcs[key]
	regMu.Unlock()
	g, isF := f.(F)
	if !ok || !isF {
		var zero F
		return zero, fmt.Errorf("lullbeam: function %s: %w in this process", key, ErrNotRegistered)
	}
	return g, nil
}
