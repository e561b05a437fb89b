package lullbeam_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"pgregory.net/rapid"

	"github.com/lullgo/lull/mapreduce"
	lullbeam "github.com/lullgo/lull/mapreduce/beam"
)

// execute runs p on prism, in-process: the portable path, with every
// function encoded into the pipeline's proto and found again by the SDK
// harness, as on a cluster.
func execute(t *testing.T, p *beam.Pipeline) error {
	t.Helper()
	_, err := prism.Execute(context.Background(), p)
	return err
}

// formatted returns m as "k=v" strings, the form the pipelines format
// Beam's KVs into.
func formatted[K comparable, V any](m map[K]V) []any {
	var out []any
	for _, k := range slices.SortedFunc(maps.Keys(m), func(a, b K) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	}) {
		out = append(out, fmt.Sprintf("%v=%v", k, m[k]))
	}
	return out
}

// TestSameAsInProcess checks, for generated inputs, that Combine, Run and
// Map on Beam (prism) give what mapreduce.Combine, mapreduce.Run and
// mapreduce.Map give in-process with the same functions. All the cases run
// as branches of one pipeline, so prism starts once.
func TestSameAsInProcess(t *testing.T) {
	ctx := context.Background()
	lines := rapid.SliceOfN(rapid.StringMatching(`[abc ]{0,12}`), 0, 30)
	numbers := rapid.SliceOfN(rapid.IntRange(-60, 60), 0, 40)
	const cases = 24

	p, s := beam.NewPipelineWithRoot()
	for i := range cases {
		s := s.Scope(fmt.Sprintf("case%d", i))
		ls, ns := lines.Example(i), numbers.Example(1000+i)

		// Combine, with a function mapper and with a struct one.
		want, err := mapreduce.Combine(ctx, slices.Values(ls), words, add)
		if err != nil {
			t.Fatal(err)
		}
		got := lullbeam.Combine(s, beam.CreateList(s, ls), words, add)
		passert.Equals(s, beam.ParDo(s, formatSI, got), formatted(want)...)

		m := &scaled{Factor: 3}
		if err := m.Setup(ctx); err != nil {
			t.Fatal(err)
		}
		wantMax, err := mapreduce.Combine(ctx, slices.Values(ns), m.Map, maxInt)
		if err != nil {
			t.Fatal(err)
		}
		nums := beam.CreateList(s, ns)
		gotMax := lullbeam.Combine(s, nums, &scaled{Factor: 3}, maxInt)
		passert.Equals(s, beam.ParDo(s, formatII, gotMax), formatted(wantMax)...)

		// Run.
		wantRun, err := mapreduce.Run(ctx, slices.Values(ns), residues, spread)
		if err != nil {
			t.Fatal(err)
		}
		gotRun := lullbeam.Run(s, nums, residues, spread)
		passert.Equals(s, beam.ParDo(s, formatIS, gotRun), formatted(wantRun)...)

		// Map: the same results, as a bag.
		var wantMap []any
		for out, err := range mapreduce.Map(ctx, slices.Values(ns), square) {
			if err != nil {
				t.Fatal(err)
			}
			wantMap = append(wantMap, out)
		}
		passert.Equals(s, lullbeam.Map(s, nums, square), wantMap...)
	}
	if err := execute(t, p); err != nil {
		t.Fatal(err)
	}
}

// TestPassertFails checks that the comparison above can fail: a wrong
// expectation fails the pipeline.
func TestPassertFails(t *testing.T) {
	p, s := beam.NewPipelineWithRoot()
	got := lullbeam.Combine(s, beam.CreateList(s, []string{"a b", "b"}), words, add)
	passert.Equals(s, beam.ParDo(s, formatSI, got), "a=1", "b=3")
	if err := execute(t, p); err == nil {
		t.Fatal("a wrong expectation passed")
	}
}

// TestErrorsReachTheCaller checks that an error or a panic of a user's
// function fails the pipeline, and that the error the caller gets names the
// input (or the key) and says what went wrong.
func TestErrorsReachTheCaller(t *testing.T) {
	ns := []int{1, 2, 13, 4}
	for _, tc := range []struct {
		name  string
		build func(s beam.Scope, col beam.PCollection)
		want  []string
	}{
		{"mapper error", func(s beam.Scope, col beam.PCollection) {
			lullbeam.Combine(s, col, failOn13, add)
		}, []string{"lullbeam: input 13: boom on 13"}},
		{"mapper panic", func(s beam.Scope, col beam.PCollection) {
			lullbeam.Run(s, col, panicOn13, spread)
		}, []string{"lullbeam: input 13: panic: kaboom", "funcs_test.go"}},
		{"reducer error", func(s beam.Scope, col beam.PCollection) {
			lullbeam.Run(s, col, residues, failOnKey1)
		}, []string{"lullbeam: key 1: boom"}},
		{"mapper setup", func(s beam.Scope, col beam.PCollection) {
			lullbeam.Combine(s, col, &scaled{}, add)
		}, []string{"scaled: Factor is 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, s := beam.NewPipelineWithRoot()
			tc.build(s, beam.CreateList(s, ns))
			err := execute(t, p)
			if err == nil {
				t.Fatal("the pipeline succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not say %q", err, w)
				}
			}
		})
	}
}

// TestRefusedAtConstruction checks that what cannot run on a worker is
// refused when the pipeline is built, with an error that says why.
func TestRefusedAtConstruction(t *testing.T) {
	offset := 1
	closure := func(_ context.Context, n int, emit func(int, int)) error {
		emit(n+offset, n)
		return nil
	}
	m := &scaled{Factor: 2}
	type otherMapper struct{ scaled }
	for _, tc := range []struct {
		name string
		try  func(s beam.Scope, col beam.PCollection) error
		is   error
		want string
	}{
		{"closure mapper", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryCombine(s, col, closure, add)
			return err
		}, lullbeam.ErrNotTopLevel, "is a closure or a method value"},
		{"method value mapper", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryCombine(s, col, m.Map, add)
			return err
		}, lullbeam.ErrNotTopLevel, "scaled).Map-fm"},
		{"unregistered mapper", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryRun(s, col, unregistered, spread)
			return err
		}, lullbeam.ErrNotRegistered, "lullbeam.RegisterMapper"},
		{"unregistered mapper type", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryCombine(s, col, &otherMapper{}, add)
			return err
		}, lullbeam.ErrNotRegistered, "RegisterMapperType"},
		{"closure combine", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryCombine(s, col, residues, func(a, b int) int { return a + b })
			return err
		}, lullbeam.ErrNotTopLevel, "combine"},
		{"unregistered combine", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryCombine(s, col, residues, minus)
			return err
		}, lullbeam.ErrNotRegistered, "lullbeam.RegisterCombine"},
		{"nil reducer", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryRun(s, col, residues, mapreduce.Reducer[int, int, string](nil))
			return err
		}, nil, "not a function"},
		{"unregistered reducer", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryRun(s, col, residues, spreadNot)
			return err
		}, lullbeam.ErrNotRegistered, "lullbeam.RegisterReducer"},
		{"closure function", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryMap(s, col, func(_ context.Context, n int) (int, error) { return n + offset, nil })
			return err
		}, lullbeam.ErrNotTopLevel, "function"},
		{"unregistered function", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryMap(s, col, double)
			return err
		}, lullbeam.ErrNotRegistered, "lullbeam.RegisterFunc"},
		{"combine of another type", func(s beam.Scope, col beam.PCollection) error {
			_, err := lullbeam.TryCombine(s, col, residues, longer)
			return err
		}, nil, "takes string, the mapper emits int"},
		{"wrong input type", func(s beam.Scope, _ beam.PCollection) error {
			_, err := lullbeam.TryCombine(s, beam.Create(s, "x"), residues, add)
			return err
		}, nil, "lullbeam: mapper"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, s := beam.NewPipelineWithRoot()
			err := tc.try(s, beam.CreateList(s, []int{1, 2}))
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error matching %v that says %q", err, tc.is, tc.want)
			}
		})
	}
}

// TestPanicsAtConstruction checks that Combine, Run and Map panic with the
// error their Try twins return, and that a registration after beam.Init
// panics.
func TestPanicsAtConstruction(t *testing.T) {
	closure := func(_ context.Context, n int, emit func(int, int)) error { return nil }
	for name, f := range map[string]func(s beam.Scope, col beam.PCollection){
		"Combine": func(s beam.Scope, col beam.PCollection) { lullbeam.Combine(s, col, closure, add) },
		"Run":     func(s beam.Scope, col beam.PCollection) { lullbeam.Run(s, col, closure, spread) },
		"Map": func(s beam.Scope, col beam.PCollection) {
			lullbeam.Map(s, col, func(context.Context, int) (int, error) { return 0, nil })
		},
		"RegisterMapper after Init": func(beam.Scope, beam.PCollection) { lullbeam.RegisterMapper(unregistered) },
	} {
		t.Run(name, func(t *testing.T) {
			_, s := beam.NewPipelineWithRoot()
			col := beam.CreateList(s, []int{1})
			defer func() {
				err, _ := recover().(error)
				if !errors.Is(err, lullbeam.ErrNotTopLevel) && !errors.Is(err, lullbeam.ErrLateRegistration) {
					t.Errorf("recovered %v, want an error of lullbeam", err)
				}
			}()
			f(s, col)
		})
	}
}
