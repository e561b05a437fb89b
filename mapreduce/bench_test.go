package mapreduce_test

import (
	"context"
	"iter"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/lullgo/lull/mapreduce"
)

// corpus returns n synthetic documents of uneven size (4 to 100 KB), made
// of words drawn from a Zipf-distributed vocabulary of 20,000 words, like
// text. It is deterministic.
func corpus(n int) []string {
	rng := rand.New(rand.NewPCG(7, 11))
	vocab := make([]string, 20000)
	for i := range vocab {
		b := make([]byte, 2+rng.IntN(9))
		for j := range b {
			b[j] = byte('a' + rng.IntN(26))
		}
		vocab[i] = string(b)
	}
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	docs := make([]string, n)
	var sb strings.Builder
	for d := range docs {
		size := 4<<10 + rng.IntN(96<<10)
		sb.Reset()
		for sb.Len() < size {
			sb.WriteString(vocab[zipf.Uint64()])
			if rng.IntN(12) == 0 {
				sb.WriteByte('\n')
			} else {
				sb.WriteByte(' ')
			}
		}
		docs[d] = sb.String()
	}
	return docs
}

// words yields the words of s, split on spaces and newlines, without
// allocating.
func words(s string, yield func(string)) {
	start := -1
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ' ' || c == '\n' {
			if start >= 0 {
				yield(s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		yield(s[start:])
	}
}

func totalBytes(docs []string) int64 {
	n := 0
	for _, d := range docs {
		n += len(d)
	}
	return int64(n)
}

// corpora are the word-count corpora, each built once per test binary: 200
// documents (about 10 MB), and 4,000 (about 200 MB, the size of loggrep's
// default corpus). On the larger one, the fixed cost of a call (starting
// its workers, merging their tables of 20,000 words) is a smaller share.
var corpora = []struct {
	name string
	docs func() []string
}{
	{"10MB", sync.OnceValue(func() []string { return corpus(200) })},
	{"200MB", sync.OnceValue(func() []string { return corpus(4000) })},
}

// BenchmarkWordCount counts the words of a corpus six ways, over the same
// documents, so that every ratio comes from one run:
//
//   - sequential: the same mapper as Combine's, in a plain loop, each pair
//     added to one map. It is the job in one goroutine, as loggrep's
//     -sequential flag runs it.
//   - sequential-inline: a plain loop that counts each word into one map
//     directly, with neither a mapper nor emit.
//   - Combine and Run.
//   - errgroup: errgroup.SetLimit with one goroutine per document, each
//     counting into a map of its own, merged into the total under a mutex.
//   - by-hand: GOMAXPROCS goroutines, each taking the next document from an
//     atomic counter and counting into a map of its own as sequential-inline
//     does, merged at the end. It is what hand-written parallel code reaches
//     on the machine, with no library and no per-pair calls.
//
// Compare them with benchstat, one column per implementation:
//
//	go test -run '^$' -bench WordCount -count 10 . | tee wc.txt
//	benchstat -col /impl -row /corpus wc.txt
func BenchmarkWordCount(b *testing.B) {
	ctx := context.Background()
	workers := runtime.GOMAXPROCS(0)
	emitWords := func(_ context.Context, doc string, emit func(string, int)) error {
		words(doc, func(w string) { emit(w, 1) })
		return nil
	}
	sum := func(_ context.Context, _ string, ones iter.Seq[int]) (int, error) {
		n := 0
		for v := range ones {
			n += v
		}
		return n, nil
	}
	for _, c := range corpora {
		// The corpus is built, and its reference count taken, only if a
		// benchmark of it is to run.
		b.Run("corpus="+c.name, func(b *testing.B) {
			docs := c.docs()
			want := wordCountInline(docs)
			impls := []struct {
				name  string
				count func() (map[string]int, error)
			}{
				{"sequential", func() (map[string]int, error) {
					counts := map[string]int{}
					emit := func(w string, n int) { counts[w] += n }
					for _, d := range docs {
						if err := emitWords(ctx, d, emit); err != nil {
							return nil, err
						}
					}
					return counts, nil
				}},
				{"sequential-inline", func() (map[string]int, error) { return wordCountInline(docs), nil }},
				{"Combine", func() (map[string]int, error) {
					return mapreduce.Combine(ctx, slices.Values(docs), emitWords, add)
				}},
				{"Run", func() (map[string]int, error) {
					return mapreduce.Run(ctx, slices.Values(docs), emitWords, sum)
				}},
				{"errgroup", func() (map[string]int, error) { return wordCountErrgroup(ctx, docs, workers), nil }},
				{"by-hand", func() (map[string]int, error) { return wordCountByHand(docs, workers), nil }},
			}
			for _, impl := range impls {
				b.Run("impl="+impl.name, func(b *testing.B) {
					b.SetBytes(totalBytes(docs))
					b.ReportAllocs()
					var got map[string]int
					for b.Loop() {
						var err error
						if got, err = impl.count(); err != nil {
							b.Fatal(err)
						}
					}
					if !maps.Equal(got, want) {
						b.Fatalf("%d words counted, want %d, or some counts differ", len(got), len(want))
					}
				})
			}
		})
	}
}

// wordCountInline counts the words of docs in one loop, into one map.
func wordCountInline(docs []string) map[string]int {
	counts := map[string]int{}
	for _, d := range docs {
		words(d, func(w string) { counts[w]++ })
	}
	return counts
}

func wordCountErrgroup(ctx context.Context, docs []string, workers int) map[string]int {
	var (
		mu     sync.Mutex
		counts = map[string]int{}
	)
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for _, d := range docs {
		g.Go(func() error {
			local := map[string]int{}
			words(d, func(w string) { local[w]++ })
			mu.Lock()
			for w, n := range local {
				counts[w] += n
			}
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()
	return counts
}

// wordCountByHand counts the words of docs on workers goroutines, each
// taking the next document when it is done with one, and merges their maps
// into the largest.
func wordCountByHand(docs []string, workers int) map[string]int {
	var next atomic.Int64
	parts := make([]map[string]int, workers)
	var wg sync.WaitGroup
	for w := range parts {
		wg.Go(func() {
			counts := map[string]int{}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(docs) {
					break
				}
				words(docs[i], func(w string) { counts[w]++ })
			}
			parts[w] = counts
		})
	}
	wg.Wait()
	slices.SortFunc(parts, func(a, b map[string]int) int { return len(b) - len(a) })
	for _, p := range parts[1:] {
		for w, n := range p {
			parts[0][w] += n
		}
	}
	return parts[0]
}

// BenchmarkPairs measures the cost of a pair: 1<<16 inputs of 4 pairs each,
// over 1000 keys, whose mapper does nothing else. It reports the time and
// allocations per pair, and the heap live when the map phase ends.
func BenchmarkPairs(b *testing.B) {
	const inputs, perInput, keys = 1 << 16, 4, 1000
	const pairs = inputs * perInput
	m := func(_ context.Context, x int, emit func(int, int)) error {
		for j := range perInput {
			emit((x*perInput+j)%keys, x)
		}
		return nil
	}
	sum := func(_ context.Context, _ int, vs iter.Seq[int]) (int, error) {
		n := 0
		for v := range vs {
			n += v
		}
		return n, nil
	}
	ctx := context.Background()
	// run times call, then calls it once more, untimed, for the live-B
	// metric: the heap that is live, after a collection, when call reports
	// through mapped that its pairs are all mapped. That is where Run holds
	// every value, and Combine one per key and worker.
	run := func(b *testing.B, call func(mapped func()) (map[int]int, error)) {
		var before, after runtime.MemStats
		var n int
		runtime.GC()
		runtime.ReadMemStats(&before)
		for b.Loop() {
			got, err := call(func() {})
			if err != nil || len(got) != keys {
				b.Fatalf("%d keys, %v", len(got), err)
			}
			n++
		}
		b.StopTimer()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*pairs), "ns/pair")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n*pairs), "allocs/pair")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n*pairs), "B/pair")

		var base, atMapped runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&base)
		if _, err := call(func() {
			runtime.GC()
			runtime.ReadMemStats(&atMapped)
		}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(int64(atMapped.HeapAlloc)-int64(base.HeapAlloc)), "live-B")
	}
	// atReduce calls mapped when the map phase of Run or Combine ends: at
	// the first report of the reduce phase, which the calling goroutine
	// makes before any partition is reduced. Reports come one at a time,
	// so reported needs no lock.
	atReduce := func(mapped func()) mapreduce.Option {
		reported := false
		return mapreduce.WithProgress(func(p mapreduce.Progress) {
			if p.Phase == mapreduce.PhaseReduce && !reported {
				reported = true
				mapped()
			}
		})
	}
	b.Run("impl=Combine", func(b *testing.B) {
		run(b, func(mapped func()) (map[int]int, error) {
			return mapreduce.Combine(ctx, ints(inputs), m, add, atReduce(mapped))
		})
	})
	b.Run("impl=Run", func(b *testing.B) {
		run(b, func(mapped func()) (map[int]int, error) {
			return mapreduce.Run(ctx, ints(inputs), m, sum, atReduce(mapped))
		})
	})
	b.Run("impl=sequential", func(b *testing.B) {
		run(b, func(mapped func()) (map[int]int, error) {
			out := map[int]int{}
			for x := range ints(inputs) {
				_ = m(ctx, x, func(k, v int) { out[k] += v })
			}
			mapped()
			return out, nil
		})
	})
}

// BenchmarkMemoryPerInput runs the same job (4 pairs per input, 1000 keys)
// over more and more inputs, and reports the bytes allocated per input:
// Combine's falls as the input grows, since its tables are per key; Run's
// stays put, since it keeps every value.
func BenchmarkMemoryPerInput(b *testing.B) {
	m := func(_ context.Context, x int, emit func(int, int)) error {
		for j := range 4 {
			emit((x*4+j)%1000, x)
		}
		return nil
	}
	sum := func(_ context.Context, _ int, vs iter.Seq[int]) (int, error) {
		n := 0
		for v := range vs {
			n += v
		}
		return n, nil
	}
	ctx := context.Background()
	for _, n := range []int{1 << 12, 1 << 16, 1 << 20} {
		for _, impl := range []string{"Combine", "Run"} {
			b.Run("impl="+impl+"/inputs="+itoa(n), func(b *testing.B) {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				runs := 0
				for b.Loop() {
					var err error
					if impl == "Combine" {
						_, err = mapreduce.Combine(ctx, ints(n), m, add)
					} else {
						_, err = mapreduce.Run(ctx, ints(n), m, sum)
					}
					if err != nil {
						b.Fatal(err)
					}
					runs++
				}
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(runs*n), "B/input")
			})
		}
	}
}

func itoa(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "Mi"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "Ki"
	}
	return strconv.Itoa(n)
}
