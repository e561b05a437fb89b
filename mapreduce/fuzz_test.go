package mapreduce_test

import (
	"context"
	"iter"
	"maps"
	"slices"
	"testing"

	"github.com/lullgo/lull/mapreduce"
)

// FuzzRun checks Run and Combine, over a sequence and over a slice, against
// a sequential reference on arbitrary inputs, worker counts, chunk sizes and
// partition counts. Each
// byte b of data is an input; it emits b%4 pairs with keys b%16 and b/16 and
// values b and its position in data.
func FuzzRun(f *testing.F) {
	f.Add([]byte(""), uint8(1), uint8(0), uint8(1))
	f.Add([]byte("hello, world"), uint8(2), uint8(1), uint8(3))
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), uint8(4), uint8(5), uint8(64))
	f.Add([]byte{0, 1, 2, 3, 255, 254, 253, 128, 127, 16, 32, 48}, uint8(3), uint8(2), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, workers, chunk, parts uint8) {
		type in struct {
			b   byte
			pos int
		}
		inputs := func(yield func(in) bool) {
			for i, b := range data {
				if !yield(in{b, i}) {
					return
				}
			}
		}
		m := func(_ context.Context, x in, emit func(byte, int)) error {
			for j := range x.b % 4 {
				if j%2 == 0 {
					emit(x.b%16, int(x.b))
				} else {
					emit(x.b/16+100, x.pos)
				}
			}
			return nil
		}
		// The reference: one loop, one map.
		wantGroups := map[byte][]int{}
		wantSums := map[byte]int{}
		for x := range inputs {
			_ = m(context.Background(), x, func(k byte, v int) {
				wantGroups[k] = append(wantGroups[k], v)
				wantSums[k] += v
			})
		}
		for _, vs := range wantGroups {
			slices.Sort(vs)
		}

		opts := []mapreduce.Option{
			mapreduce.WithWorkers(int(workers%8) + 1),
			mapreduce.WithPartitions(int(parts%70) + 1),
		}
		if chunk%8 != 0 { // 0 stands for the adaptive default
			opts = append(opts, mapreduce.WithChunkSize(int(chunk%8)))
		}
		sorted := func(_ context.Context, _ byte, vs iter.Seq[int]) ([]int, error) { return slices.Sorted(vs), nil }
		gotGroups, err := mapreduce.Run(context.Background(), inputs, m, sorted, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.EqualFunc(gotGroups, wantGroups, slices.Equal) {
			t.Fatalf("Run: got %v, want %v", gotGroups, wantGroups)
		}
		gotSums, err := mapreduce.Combine(context.Background(), inputs, m, func(a, b int) int { return a + b }, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(gotSums, wantSums) {
			t.Fatalf("Combine: got %v, want %v", gotSums, wantSums)
		}
		items := slices.Collect(inputs)
		if gotGroups, err = mapreduce.RunSlice(context.Background(), items, m, sorted, opts...); err != nil {
			t.Fatal(err)
		}
		if !maps.EqualFunc(gotGroups, wantGroups, slices.Equal) {
			t.Fatalf("RunSlice: got %v, want %v", gotGroups, wantGroups)
		}
		if gotSums, err = mapreduce.CombineSlice(context.Background(), items, m, func(a, b int) int { return a + b }, opts...); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(gotSums, wantSums) {
			t.Fatalf("CombineSlice: got %v, want %v", gotSums, wantSums)
		}
	})
}
