package bench_test

import (
	"context"
	"iter"
	"slices"
	"testing"
)

// BenchmarkSeqBound is the job of BenchmarkMapReduce at 2 workers, done by
// hand-written designs that read the input as lull's Combine must: from an
// iter.Seq, which one goroutine has to run (iter.Pull would cost a coroutine
// switch an input), and through lull's Mapper, an emit func and combine, as
// Combine's workers must. They have none of lull's other costs (no ctx, no
// stop flag, no pool, no errors, no panics caught, chunks of a fixed size),
// so each is a floor for a Combine of its design:
//
//   - feed-2: the caller reads the Seq into chunks for 2 goroutines
//     (Combine's design: 2 workers and a feeder);
//   - caller-folds: the caller folds inputs itself, and hands a chunk to 1
//     goroutine whenever that one has none queued, so that 2 goroutines
//     fold in all (the design where the caller maps too);
//   - collect: the caller collects the Seq into a slice (slices.Collect),
//     then 2 goroutines fold a half each, as the errgroup does: what a
//     caller holding a Seq can write with an errgroup (its memory grows
//     with the input, which lull's must not).
//
// It is not part of make bench: run it beside the errgroup and Combine with
//
//	go test -run '^$' -bench 'SeqBound|MapReduce/(errgroup-ranges|lull-combine)/workers=2/ctx=background' -count 10 .
func BenchmarkSeqBound(b *testing.B) {
	input := make([]int, mrInputs)
	for i := range input {
		input[i] = i
	}
	want := sequential(input)
	// The designs range over seq, a func value to them, as Combine ranges
	// over its argument: a range over ints(n) itself would have the
	// compiler inline the generator into the loop, which a library's loop
	// never gets (feed-2 then took 5.0 ms instead of 7.1).
	seq := ints(mrInputs)
	for _, design := range []struct {
		name string
		job  func(in iter.Seq[int]) map[int]int
	}{
		{"feed-2", seqFeed2},
		{"caller-folds", seqCallerFolds},
		{"collect", seqCollect},
	} {
		b.Run(design.name, func(b *testing.B) {
			if got := design.job(seq); !sameSums(got, want) {
				b.Fatalf("wrong sums (%d keys, want %d)", len(got), len(want))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				design.job(seq)
			}
		})
	}
}

// seqChunk is the chunk size of the designs: Combine's largest for ints.
const seqChunk = 16384

// mapperFolder folds as Combine's workers do: each input through the
// mapper, which calls emit, which looks its key up in an index and calls
// combine on the key's accumulator. Each goroutine makes its own. The
// index is only read on the path of a pair: an assignment to a map writes
// its header, and two maps made close together can share a cache line, so
// folds that assign to a map each (as the errgroup's do) read 5.7-16 ms here
// from run to run, too unsteady to be a floor.
type mapperFolder struct {
	index map[int]int
	keys  []int
	accs  []int
	emit  func(int, int)
}

func newMapperFolder() *mapperFolder {
	f := &mapperFolder{index: make(map[int]int, mrKeys)}
	index, combine := f.index, mrAdd
	f.emit = func(k, v int) {
		if i, ok := index[k]; ok {
			a := &f.accs[i]
			*a = combine(*a, v)
			return
		}
		index[k] = len(f.keys)
		f.keys = append(f.keys, k)
		f.accs = append(f.accs, v)
	}
	return f
}

func (f *mapperFolder) fold(xs []int) {
	ctx := context.Background()
	for _, x := range xs {
		if err := mrKey(ctx, x, f.emit); err != nil {
			panic(err)
		}
	}
}

func (f *mapperFolder) sums() map[int]int {
	m := make(map[int]int, len(f.keys))
	for i, k := range f.keys {
		m[k] = f.accs[i]
	}
	return m
}

// seqFeed2: the caller fills chunks from the Seq and sends them to 2
// goroutines; 4 chunks circulate.
func seqFeed2(in iter.Seq[int]) map[int]int {
	const workers, chunks = 2, 4
	jobs := make(chan []int, chunks)
	free := make(chan []int, chunks)
	for range chunks {
		free <- make([]int, 0, seqChunk)
	}
	parts := make([]*mapperFolder, workers)
	done := make(chan struct{})
	for w := range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			parts[w] = newMapperFolder()
			for c := range jobs {
				parts[w].fold(c)
				free <- c[:0]
			}
		}()
	}
	c := <-free
	for x := range in {
		c = append(c, x)
		if len(c) == seqChunk {
			jobs <- c
			c = <-free
		}
	}
	jobs <- c
	close(jobs)
	for range workers {
		<-done
	}
	return mergeFolders(parts)
}

// seqCallerFolds: the caller fills chunks from the Seq; a full chunk goes
// to the one goroutine if it has none queued, and is folded by the caller
// otherwise.
func seqCallerFolds(in iter.Seq[int]) map[int]int {
	// Three chunks: the caller's, one queued, one being folded, so that the
	// caller never waits for one.
	jobs := make(chan []int, 1)
	free := make(chan []int, 3)
	for range 3 {
		free <- make([]int, 0, seqChunk)
	}
	parts := make([]*mapperFolder, 2)
	done := make(chan struct{})
	go func() {
		defer close(done)
		parts[1] = newMapperFolder()
		for c := range jobs {
			parts[1].fold(c)
			free <- c[:0]
		}
	}()
	parts[0] = newMapperFolder()
	c := <-free
	for x := range in {
		c = append(c, x)
		if len(c) == seqChunk {
			select {
			case jobs <- c:
				c = <-free
			default:
				parts[0].fold(c)
				c = c[:0]
			}
		}
	}
	parts[0].fold(c)
	close(jobs)
	<-done
	return mergeFolders(parts)
}

// seqCollect: the Seq into a slice, then a half of it to each of 2
// goroutines.
func seqCollect(in iter.Seq[int]) map[int]int {
	xs := slices.Collect(in)
	parts := make([]*mapperFolder, 2)
	half := len(xs) / 2
	done := make(chan struct{})
	go func() {
		defer close(done)
		parts[1] = newMapperFolder()
		parts[1].fold(xs[half:])
	}()
	parts[0] = newMapperFolder()
	parts[0].fold(xs[:half])
	<-done
	return mergeFolders(parts)
}

func mergeFolders(parts []*mapperFolder) map[int]int {
	maps := make([]map[int]int, len(parts))
	for i, p := range parts {
		maps[i] = p.sums()
	}
	return merge(maps)
}
