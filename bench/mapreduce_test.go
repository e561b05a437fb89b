package bench_test

import (
	"context"
	"fmt"
	"iter"
	"testing"

	"github.com/lullgo/lull/mapreduce"
	conciter "github.com/sourcegraph/conc/iter"
	"golang.org/x/sync/errgroup"
)

const (
	mrInputs = 1_000_000
	mrKeys   = 1024
	// mrChunksPerWorker is how many chunks the conc version cuts the input
	// into per worker, so that a slow worker does not hold up the end.
	mrChunksPerWorker = 4
)

// mrJob is the job every implementation does: sum the ints 0..mrInputs-1 by
// their remainder mod mrKeys, a group-by with a fold, over workers workers.
// Only lull's Combine takes the ctx.
type mrJob func(ctx context.Context, workers int) map[int]int

// BenchmarkMapReduce runs the same group-and-sum over 1,000,000 ints with
// lull's mapreduce.Combine, which reads an iter.Seq and balances chunks by
// itself, with mapreduce.CombineSlice, whose workers take runs of the slice
// in place, and with hand-written versions over the slice: chunks folded into
// a map each by conc's iter.ForEachIdx (4 chunks per worker) or by an
// errgroup (one contiguous range per worker), then merged; and a plain loop.
// One op is the whole job; "sequential" ignores the worker count. Every
// result is checked against the plain loop's. lull's rows run under both ctx
// values (see benchCtx); the hand-written versions take no ctx, and run under
// ctx=background only.
//
// lull-combine-feed is Combine over the same sequence with a mapper that
// emits nothing: the time left is the feeder's, reading the sequence and
// handing it over in chunks, which lull-combine pays on top of what
// lull-combine-slice's workers do. It is a measure, not a workload, and runs
// under ctx=background only; its result is the empty map.
func BenchmarkMapReduce(b *testing.B) {
	input := make([]int, mrInputs)
	for i := range input {
		input[i] = i
	}
	sums := sequential(input)
	jobs := []struct {
		name  string
		ctxs  []string
		empty bool // the job emits nothing: its result is the empty map
		job   mrJob
	}{
		{"lull-combine", benchCtx, false, lullCombine},
		{"lull-combine-slice", benchCtx, false, func(ctx context.Context, w int) map[int]int { return lullCombineSlice(ctx, input, w) }},
		{"lull-combine-feed", benchCtx[:1], true, lullCombineFeed},
		{"conc-foreach", benchCtx[:1], false, func(_ context.Context, w int) map[int]int { return concChunks(input, w) }},
		{"errgroup-ranges", benchCtx[:1], false, func(_ context.Context, w int) map[int]int { return errgroupRanges(input, w) }},
		{"sequential", benchCtx[:1], false, func(context.Context, int) map[int]int { return sequential(input) }},
	}
	for _, j := range jobs {
		want := sums
		if j.empty {
			want = map[int]int{}
		}
		for _, workers := range []int{2, 64} {
			for _, c := range j.ctxs {
				b.Run(fmt.Sprintf("%s/workers=%d/ctx=%s", j.name, workers, c), func(b *testing.B) {
					withCtx(c, func(ctx context.Context) {
						if got := j.job(ctx, workers); got == nil || !sameSums(got, want) {
							b.Fatalf("%s: wrong sums (%d keys, want %d)", j.name, len(got), len(want))
						}
						b.ReportAllocs()
						b.ResetTimer()
						for range b.N {
							j.job(ctx, workers)
						}
					})
				})
			}
		}
	}
}

func ints(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

func lullCombine(ctx context.Context, workers int) map[int]int {
	m, err := mapreduce.Combine(ctx, ints(mrInputs), mrKey, mrAdd, mapreduce.WithWorkers(workers))
	if err != nil {
		panic(err)
	}
	return m
}

// mrKey and mrAdd are lull's mapper and combine: the same for the sequence
// and the slice.
func mrKey(_ context.Context, v int, emit func(int, int)) error {
	emit(v%mrKeys, v)
	return nil
}

func mrAdd(a, b int) int { return a + b }

// lullCombineFeed is lullCombine with a mapper that emits nothing.
func lullCombineFeed(ctx context.Context, workers int) map[int]int {
	m, err := mapreduce.Combine(ctx, ints(mrInputs), mrNone, mrAdd, mapreduce.WithWorkers(workers))
	if err != nil {
		panic(err)
	}
	return m
}

func mrNone(context.Context, int, func(int, int)) error { return nil }

func lullCombineSlice(ctx context.Context, input []int, workers int) map[int]int {
	m, err := mapreduce.CombineSlice(ctx, input, mrKey, mrAdd, mapreduce.WithWorkers(workers))
	if err != nil {
		panic(err)
	}
	return m
}

func fold(dst map[int]int, xs []int) {
	for _, v := range xs {
		dst[v%mrKeys] += v
	}
}

func merge(parts []map[int]int) map[int]int {
	out := make(map[int]int, mrKeys)
	for _, p := range parts {
		for k, v := range p {
			out[k] += v
		}
	}
	return out
}

func concChunks(input []int, workers int) map[int]int {
	size := (len(input) + workers*mrChunksPerWorker - 1) / (workers * mrChunksPerWorker)
	var chunks [][]int
	for i := 0; i < len(input); i += size {
		chunks = append(chunks, input[i:min(i+size, len(input))])
	}
	parts := make([]map[int]int, len(chunks))
	conciter.Iterator[[]int]{MaxGoroutines: workers}.ForEachIdx(chunks, func(i int, c *[]int) {
		parts[i] = make(map[int]int, mrKeys)
		fold(parts[i], *c)
	})
	return merge(parts)
}

func errgroupRanges(input []int, workers int) map[int]int {
	parts := make([]map[int]int, workers)
	var g errgroup.Group
	per := (len(input) + workers - 1) / workers
	for w := range workers {
		g.Go(func() error {
			parts[w] = make(map[int]int, mrKeys)
			lo, hi := min(w*per, len(input)), min((w+1)*per, len(input))
			fold(parts[w], input[lo:hi])
			return nil
		})
	}
	_ = g.Wait() // the goroutines return no error
	return merge(parts)
}

func sequential(input []int) map[int]int {
	out := make(map[int]int, mrKeys)
	fold(out, input)
	return out
}

func sameSums(a, b map[int]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
