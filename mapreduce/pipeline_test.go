package mapreduce_test

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lullgo/lull/mapreduce"
	"github.com/lullgo/lull/pool"
)

// TestPipelineOnOnePool runs two calls on one pool, one waiting on the
// other, as WithPool describes: a Combine over the results of a Map, and a
// Map in the loop body of another, each with WithWorkers(2). On a pool of 3
// workers, one more than the waiting call's, both finish with the right
// result. On a pool of 2, the waiting call's tasks may hold both workers:
// the calls then return once their ctx ends, and never hang.
func TestPipelineOnOnePool(t *testing.T) {
	id := func(_ context.Context, x int) (int, error) { return x, nil }
	mod7 := func(_ context.Context, x int, emit func(int, int)) error { emit(x%7, x); return nil }
	want := map[int]int{}
	for x := range 100 {
		want[x%7] += x
	}
	for _, size := range []int{2, 3} {
		t.Run(fmt.Sprintf("MapIntoCombine/workers=%d", size), func(t *testing.T) {
			onOnePool(t, size, func(t *testing.T, ctx context.Context, opts []mapreduce.Option) {
				var mapErr error
				values := func(yield func(int) bool) {
					for v, err := range mapreduce.Map(ctx, ints(100), id, opts...) {
						if err != nil {
							mapErr = err
							return
						}
						if !yield(v) {
							return
						}
					}
				}
				got, err := mapreduce.Combine(ctx, iter.Seq[int](values), mod7, add, opts...)
				checkPipeline(t, size, ctx, err, mapErr, func() bool { return maps.Equal(got, want) })
			})
		})
		t.Run(fmt.Sprintf("MapInMapBody/workers=%d", size), func(t *testing.T) {
			onOnePool(t, size, func(t *testing.T, ctx context.Context, opts []mapreduce.Option) {
				sum, n := 0, 0
				var err error
			outer:
				for v, e := range mapreduce.Map(ctx, ints(4), id, opts...) {
					if err = e; err != nil {
						break
					}
					n++
					for w, e := range mapreduce.Map(ctx, ints(v+1), id, opts...) {
						if err = e; err != nil {
							break outer
						}
						sum += w
					}
				}
				checkPipeline(t, size, ctx, err, nil, func() bool { return n == 4 && sum == 0+1+3+6 })
			})
		})
	}
}

// onOnePool calls f in a synctest bubble, with a ctx that ends after a
// minute of its fake time, and the options of a call with 2 workers on a
// pool of size workers.
func onOnePool(t *testing.T, size int, f func(t *testing.T, ctx context.Context, opts []mapreduce.Option)) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		p := pool.New(size)
		defer p.Close(context.Background())
		f(t, ctx, []mapreduce.Option{mapreduce.WithPool(p), mapreduce.WithWorkers(2)})
	})
}

// checkPipeline checks the outcome of TestPipelineOnOnePool's pipelines on
// a pool of size workers.
func checkPipeline(t *testing.T, size int, ctx context.Context, err, inner error, right func() bool) {
	t.Helper()
	if size > 2 {
		if err != nil || inner != nil {
			t.Fatalf("pool of %d workers: %v, %v; want the pipeline to finish", size, err, inner)
		}
		if !right() {
			t.Fatal("wrong result")
		}
		return
	}
	if err == nil && inner == nil {
		if !right() {
			t.Fatal("wrong result")
		}
		return
	}
	if ctx.Err() == nil {
		t.Fatalf("pool of %d workers: %v, %v before the ctx ended", size, err, inner)
	}
}
