package mapreduce_test

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/lullgo/lull/mapreduce"
)

// Run counts words the textbook way: the mapper emits (word, 1) for every
// word, and the reducer adds up the ones of each word. Combine does the same
// job in less memory; Run is for reducers that need all the values at once.
func ExampleRun() {
	lines := []string{
		"the quick brown fox",
		"jumps over the lazy dog",
		"the dog sleeps",
	}
	split := func(_ context.Context, line string, emit func(string, int)) error {
		for _, w := range strings.Fields(line) {
			emit(w, 1)
		}
		return nil
	}
	sum := func(_ context.Context, _ string, ones iter.Seq[int]) (int, error) {
		n := 0
		for v := range ones {
			n += v
		}
		return n, nil
	}

	counts, err := mapreduce.Run(context.Background(), slices.Values(lines), split, sum)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, w := range slices.Sorted(maps.Keys(counts)) {
		if counts[w] > 1 {
			fmt.Println(w, counts[w])
		}
	}
	// Output:
	// dog 2
	// the 3
}

// Combine folds as it goes: each worker keeps one running total per word,
// so memory grows with the vocabulary, not with the text.
func ExampleCombine() {
	lines := slices.Values([]string{
		"INFO db: connected",
		"WARN db: slow query",
		"ERROR api: timeout",
		"INFO api: ready",
		"WARN api: retry",
		"WARN db: slow query",
	})
	byLevel := func(_ context.Context, line string, emit func(string, int)) error {
		level, _, _ := strings.Cut(line, " ")
		emit(level, 1)
		return nil
	}
	add := func(a, b int) int { return a + b }

	counts, err := mapreduce.Combine(context.Background(), lines, byLevel, add, mapreduce.WithWorkers(2))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(counts["INFO"], counts["WARN"], counts["ERROR"])
	// Output:
	// 2 3 1
}

// CombineSlice takes its inputs from a slice in place: for inputs that cost
// nanoseconds each, like these ints, it is the faster way when they are in
// memory already. Here, the sum of 0..999 by last digit.
func ExampleCombineSlice() {
	nums := make([]int, 1000)
	for i := range nums {
		nums[i] = i
	}
	byDigit := func(_ context.Context, n int, emit func(int, int)) error {
		emit(n%10, n)
		return nil
	}
	add := func(a, b int) int { return a + b }

	sums, err := mapreduce.CombineSlice(context.Background(), nums, byDigit, add, mapreduce.WithWorkers(2))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(sums[0], sums[9])
	// Output:
	// 49500 50400
}

// Map keeps the input order however the work is spread, and reads the input
// only as fast as the loop consumes it: here it runs over an endless
// sequence, and breaking out of the loop stops it.
func ExampleMap() {
	naturals := func(yield func(int) bool) {
		for i := 1; ; i++ {
			if !yield(i) {
				return
			}
		}
	}
	square := func(_ context.Context, n int) (int, error) { return n * n, nil }

	for sq, err := range mapreduce.Map(context.Background(), naturals, square, mapreduce.WithWorkers(4)) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		if sq > 50 {
			break
		}
		fmt.Print(sq, " ")
	}
	fmt.Println()
	// Output:
	// 1 4 9 16 25 36 49
}

// WithProgress reports the phases and counts; here only the last report is
// printed, as a progress bar would show it when the run is over.
func ExampleWithProgress() {
	var last mapreduce.Progress
	report := func(p mapreduce.Progress) { last = p }
	digits := func(_ context.Context, n int, emit func(int, int)) error {
		emit(n%10, 1)
		return nil
	}
	add := func(a, b int) int { return a + b }

	seq := func(yield func(int) bool) {
		for i := range 1000 {
			if !yield(i) {
				return
			}
		}
	}
	_, err := mapreduce.Combine(context.Background(), seq, digits, add, mapreduce.WithProgress(report))
	fmt.Println(err)
	fmt.Printf("%s: %d inputs, %d pairs, %d keys\n", last.Phase, last.InputsDone, last.PairsEmitted, last.KeysReduced)
	// Output:
	// <nil>
	// done: 1000 inputs, 1000 pairs, 10 keys
}
