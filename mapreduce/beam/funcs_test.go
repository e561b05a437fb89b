package lullbeam_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	lullbeam "github.com/lullgo/lull/mapreduce/beam"
)

// The functions the tests run, in-process and on Beam. Each is declared at
// the top level and registered in init, as the package doc says.

// words emits (word, 1) for each word of a line.
func words(_ context.Context, line string, emit func(string, int)) error {
	for _, w := range strings.Fields(line) {
		emit(w, 1)
	}
	return nil
}

// residues emits two pairs per number, under two keys.
func residues(_ context.Context, n int, emit func(int, int)) error {
	emit(((n%7)+7)%7, n)
	emit(10+((n%3)+3)%3, 2*n)
	return nil
}

func add(a, b int) int { return a + b }

func maxInt(a, b int) int { return max(a, b) }

func longer(a, b string) string {
	if len(b) > len(a) {
		return b
	}
	return a
}

// spread returns a key's values, sorted, after their count: it ranges over
// them twice, which mapreduce allows.
func spread(_ context.Context, _ int, values iter.Seq[int]) (string, error) {
	n := 0
	for range values {
		n++
	}
	vs := slices.Sorted(values)
	return fmt.Sprintf("%d:%v", n, vs), nil
}

// square formats the square of n.
func square(_ context.Context, n int) (string, error) { return fmt.Sprint(n * n), nil }

// scaled is a mapper with configuration. Setup must run before Map (on
// Beam's workers, after the JSON decoding that drops ready).
type scaled struct {
	Factor int

	ready bool
}

func (m *scaled) Setup(context.Context) error {
	if m.Factor == 0 {
		return errors.New("scaled: Factor is 0")
	}
	m.ready = true
	return nil
}

func (m *scaled) Map(_ context.Context, n int, emit func(int, int)) error {
	if !m.ready {
		return errors.New("scaled: Map before Setup")
	}
	emit(((n%5)+5)%5, n*m.Factor)
	return nil
}

// errBoom is what the failing functions return.
var errBoom = errors.New("boom")

func failOn13(_ context.Context, n int, emit func(int, int)) error {
	if n == 13 {
		return fmt.Errorf("%w on %d", errBoom, n)
	}
	emit(n, n)
	return nil
}

func panicOn13(_ context.Context, n int, emit func(int, int)) error {
	if n == 13 {
		panic("kaboom")
	}
	emit(n, n)
	return nil
}

func failOnKey1(_ context.Context, k int, _ iter.Seq[int]) (string, error) {
	if k == 1 {
		return "", errBoom
	}
	return "ok", nil
}

// unregistered is a top-level mapper that no init registers.
func unregistered(_ context.Context, n int, emit func(int, int)) error {
	emit(n, n)
	return nil
}

// minus, spreadNot and double are top-level functions that no init
// registers.
func minus(a, b int) int { return a - b }

func spreadNot(ctx context.Context, k int, values iter.Seq[int]) (string, error) {
	return spread(ctx, k, values)
}

func double(_ context.Context, n int) (int, error) { return 2 * n, nil }

// Formatting DoFns, to compare Beam's KVs with passert.
func formatSI(k string, v int) string { return fmt.Sprintf("%s=%d", k, v) }
func formatII(k int, v int) string    { return fmt.Sprintf("%d=%d", k, v) }
func formatIS(k int, v string) string { return fmt.Sprintf("%d=%s", k, v) }

func init() {
	lullbeam.RegisterMapper(words)
	lullbeam.RegisterMapper(residues)
	lullbeam.RegisterMapper(failOn13)
	lullbeam.RegisterMapper(panicOn13)
	lullbeam.RegisterMapperType[*scaled]()
	lullbeam.RegisterCombine(add)
	lullbeam.RegisterCombine(maxInt)
	lullbeam.RegisterCombine(longer)
	lullbeam.RegisterReducer(spread)
	lullbeam.RegisterReducer(failOnKey1)
	lullbeam.RegisterFunc(square)
	register.Function2x1(formatSI)
	register.Function2x1(formatII)
	register.Function2x1(formatIS)
}
