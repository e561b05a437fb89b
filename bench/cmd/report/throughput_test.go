package main

import (
	"strings"
	"testing"

	"github.com/lullgo/lull/bench/internal/idle"
	"github.com/lullgo/lull/bench/internal/report"
)

// families is a benchstat CSV with one cell or two of every family and
// measure the report turns into comparisons.
const sampleFamilies = ",bench.txt,\n,sec/op,CI\n" +
	"Submit/lull-pool/workers=2/submitters=1/ctx=background-2,4e-08,2%\n" +
	"Submit/lull-pool/workers=2/submitters=1/ctx=cancel-2,6e-08,2%\n" +
	"Submit/lull-pool-q0/workers=2/submitters=1/ctx=background-2,3e-07,4%\n" +
	"Submit/lull-queue/workers=2/submitters=1/ctx=background-2,3.6e-08,4%\n" +
	"Submit/channel/workers=2/submitters=1/ctx=background-2,4.2e-08,2%\n" +
	"Submit/channel/workers=2/submitters=1/ctx=cancel-2,9e-08,2%\n" +
	"Submit/channel-q0/workers=2/submitters=1/ctx=background-2,2e-07,2%\n" +
	"Submit/ants/workers=2/submitters=1/ctx=background-2,4e-07,2%\n" +
	"Queue/lull-priority/producers=1/consumers=1/ctx=background-2,1.2e-07,3%\n" +
	"Queue/lull-priority/producers=1/consumers=1/ctx=cancel-2,1.3e-07,3%\n" +
	"Queue/mutex-heap/producers=1/consumers=1/ctx=background-2,1.1e-07,3%\n" +
	"Future/lull-go/ctx=background-2,9e-07,3%\n" +
	"Future/lull-go/ctx=cancel-2,9.5e-07,3%\n" +
	"Future/goroutine/ctx=background-2,4e-07,3%\n" +
	"Future/goroutine/ctx=cancel-2,5e-07,3%\n" +
	"Resize/lull-pool/down-2,0.003,9%\n" +
	"Resize/lull-pool/up-2,0.002,9%\n" +
	"Resize/sync-shrink/down-2,0.0004,9%\n" +
	"Resize/ants/up-2,0.0007,9%\n" +
	"Resize/pond/up-2,0.0003,9%\n" +
	"MapReduce/lull-combine/workers=2/ctx=background-2,0.0105,5%\n" +
	"MapReduce/lull-combine/workers=2/ctx=cancel-2,0.0106,5%\n" +
	"MapReduce/lull-combine-slice/workers=2/ctx=background-2,0.0050,5%\n" +
	"MapReduce/lull-combine-slice/workers=2/ctx=cancel-2,0.0055,5%\n" +
	"MapReduce/sequential/workers=2/ctx=background-2,0.0072,1%\n" +
	"MapReduce/errgroup-ranges/workers=2/ctx=background-2,0.0038,1%\n" +
	"\n,bench.txt,\n,call-sec/op,CI\n" +
	"Resize/lull-pool/down-2,0.0008,9%\nResize/sync-shrink/down-2,0.0004,9%\nResize/lull-pool/up-2,0.001,9%\n" +
	"\n,bench.txt,\n,live-sec/op,CI\n" +
	"Resize/lull-pool/down-2,0.0009,9%\nResize/sync-shrink/down-2,0.0004,9%\n" +
	"\n,bench.txt,\n,exit-sec/op,CI\n" +
	"Resize/lull-pool/down-2,0.0029,9%\nResize/sync-shrink/down-2,0.0004,9%\n" +
	"\n,bench.txt,\n,allocs/op,CI\n" +
	"Submit/lull-pool/workers=2/submitters=1/ctx=background-2,0,0%\n" +
	"Future/lull-go/ctx=background-2,2,0%\nFuture/goroutine/ctx=background-2,2,0%\n"

// TestThroughput checks that each family's table and comparisons reach the
// report with the right ratios and verdicts.
func TestThroughput(t *testing.T) {
	doc := throughput(mustParse(t, sampleFamilies))
	containsAll(t, "the throughput section", doc,
		// Submit: the main table is at ctx=background; lull-pool-q0 is a row.
		"| lull-pool-q0 | 300 ns ±4% (×7.50) | ×7.50 |",
		"lull-pool-q0 is lull's pool with `WithQueueSize(0)`",
		"Each throughput family runs twice where an implementation can take a context",
		"Ratios of medians from this run: lull-pool at or below the buffered channel (issue 12); lull-queue, a pool hand-rolled on lull's queue (issue 12 held lull-pool to it, not to a target), beside the buffered channel, for reference; lull-pool-q0 beside the unbuffered channel, for reference.",
		"| lull-pool / channel | workers=2, submitters=1, ctx=background | 40.0 ns ±2% | 42.0 ns ±2% | ×0.95 | ≤ ×1.00 | yes |",
		"| lull-pool / channel | workers=2, submitters=1, ctx=cancel | 60.0 ns ±2% | 90.0 ns ±2% | ×0.67 | ≤ ×1.00 | yes |",
		"| lull-pool-q0 / channel-q0 | workers=2, submitters=1, ctx=background | 300 ns ±4% | 200 ns ±2% | ×1.50 | – | – |",
		"| lull-pool: ctx=cancel / ctx=background | workers=2, submitters=1 | 60.0 ns ±2% | 40.0 ns ±2% | ×1.50 | ≤ ×1.20 | **no** |",
		"| channel: ctx=cancel / ctx=background | workers=2, submitters=1 | 90.0 ns ±2% | 42.0 ns ±2% | ×2.14 | – | – |",
		"- workers=2, submitters=1: lull-queue (×0.90)",
		// lull-queue in Submit is a reference: no target, no verdict.
		"| lull-queue / channel | workers=2, submitters=1, ctx=background | 36.0 ns ±4% | 42.0 ns ±2% | ×0.86 | – | – | – |",
		"No row allocates: 0 allocations per task in every configuration.",
		// Queue.
		"| lull-priority / mutex-heap | producers=1, consumers=1, ctx=background | 120 ns ±3% | 110 ns ±3% | ×1.09 | ≤ ×1.00 | **no** |",
		"| lull-priority: ctx=cancel / ctx=background | producers=1, consumers=1 | 130 ns ±3% | 120 ns ±3% | ×1.08 | ≤ ×1.20 | yes |",
		"mutex-heap is the plain priority queue",
		// Future.
		"| lull-go / goroutine | ctx=background | 900 ns ±3% | 400 ns ±3% | ×2.25 | ≤ ×1.00 | **no** |",
		"| lull-go / goroutine | ctx=cancel | 950 ns ±3% | 500 ns ±3% | ×1.90 | ≤ ×1.00 | **no** |",
		"| lull-go: ctx=cancel / ctx=background | – | 950 ns ±3% | 900 ns ±3% | ×1.06 | ≤ ×1.20 | yes |",
		"Allocations per round trip (median), in the configurations where a row allocates:\n\n- lull-go: 2 (ctx=background)",
		"Ratios of medians from this run: each row's ctx=cancel against its ctx=background",
		"- lull-go: 2 (ctx=background)",
		"- goroutine: 2 (ctx=background)",
		// Resize.
		"| implementation | down: Resize returned | down: live count ≤ 10 | down: goroutines exited | up: Resize returned | up: 1,000 tasks running | geomean ratio to lull-pool |",
		"| sync-shrink | 400 µs ±9% (×0.50) | 400 µs ±9% (×0.44) | 400 µs ±9% (×0.14) | – | – | ×0.31 |",
		"| lull-pool / sync-shrink | down: goroutines exited | 2.90 ms ±9% | 400 µs ±9% | ×7.25 | ≤ ×1.00 | **no** |",
		"| lull-pool / ants | up: 1,000 tasks running | 2.00 ms ±9% | 700 µs ±9% | ×2.86 | ≤ ×1.00 | **no** |",
		"| lull-pool / pond | up: 1,000 tasks running | 2.00 ms ±9% | 300 µs ±9% | ×6.67 | ≤ ×1.00 | **no** |",
		"lull-pool, medians: `Resize(10)` returned after 800 µs (target: a few µs, whatever the number of workers); the 990 retired goroutines were gone after 2.90 ms (target: below 1 ms).",
		// MapReduce.
		"| lull-combine / sequential | workers=2, ctx=background | 10.5 ms ±5% | 7.20 ms ±1% | ×1.46 | ≤ ×1.00 | **no** |",
		"| lull-combine / errgroup-ranges | workers=2, ctx=background | 10.5 ms ±5% | 3.80 ms ±1% | ×2.76 | ≤ ×1.50 | **no** |",
		"| lull-combine: ctx=cancel / ctx=background | workers=2 | 10.6 ms ±5% | 10.5 ms ±5% | ×1.01 | ≤ ×1.20 | yes |",
		"| lull-combine-slice / sequential | workers=2, ctx=background | 5.00 ms ±5% | 7.20 ms ±1% | ×0.69 | ≤ ×1.00 | yes |",
		"| lull-combine-slice / errgroup-ranges | workers=2, ctx=background | 5.00 ms ±5% | 3.80 ms ±1% | ×1.32 | ≤ ×1.50 | yes |",
		"| lull-combine-slice: ctx=cancel / ctx=background | workers=2 | 5.50 ms ±5% | 5.00 ms ±5% | ×1.10 | ≤ ×1.20 | yes |",
	)
	if strings.Contains(doc, "ants: ctx=cancel") {
		t.Error("a ctx comparison for ants, which never ran under ctx=cancel")
	}
	if strings.Contains(doc, "predates") {
		t.Error("a run with the exit measure is described as predating it")
	}
}

// TestBeatBaseline checks that every row is compared, lull's own variants
// included, and that the sentence for none says how many rows it compared.
func TestBeatBaseline(t *testing.T) {
	parse := func(csv string) report.Grid {
		return mustParse(t, ",bench.txt,\n,sec/op,CI\n"+csv).Family("Submit", "sec/op", tableOrder)
	}
	g := parse("Submit/lull-pool/w=2-2,1e-07,1%\nSubmit/lull-queue/w=2-2,8e-08,1%\nSubmit/channel/w=2-2,9.6e-08,1%\nSubmit/ants/w=2-2,9e-08,1%\n")
	got := beatBaseline(g, "lull-pool")
	if want := "- w=2: lull-queue (×0.80), ants (×0.90)"; !strings.Contains(got, want) {
		t.Errorf("beatBaseline = %q, want the line %q (channel, 4%% faster, is within 5%%)", got, want)
	}
	g = parse("Submit/lull-pool/w=2-2,1e-07,1%\nSubmit/lull-queue/w=2-2,1e-07,1%\nSubmit/channel/w=2-2,2e-07,1%\n")
	got = beatBaseline(g, "lull-pool")
	if want := "No other row's median beat lull-pool's by more than 5% in any configuration (all 2 other rows of the table compared, lull's own variants included)."; !strings.Contains(got, want) {
		t.Errorf("beatBaseline = %q, want %q", got, want)
	}
}

// TestOldResults checks that results taken before the ctx dimension and
// the resize metrics still render, without comparisons they cannot hold.
func TestOldResults(t *testing.T) {
	doc := throughput(mustParse(t, ",bench.txt,\n,sec/op,CI\n"+
		"Submit/lull-pool/workers=2/submitters=1-2,4e-08,2%\nSubmit/channel/workers=2/submitters=1-2,4.2e-08,2%\n"+
		"Resize/lull-pool/down-2,0.0003,9%\nResize/lull-pool/up-2,0.002,9%\n"+
		"MapReduce/lull-combine/workers=2-2,0.0105,5%\nMapReduce/sequential/workers=2-2,0.0072,1%\n"))
	containsAll(t, "the report of old results", doc,
		"| lull-pool / channel | workers=2, submitters=1 | 40.0 ns ±2% | 42.0 ns ±2% | ×0.95 | ≤ ×1.00 | yes |",
		"| implementation | down: live count ≤ 10 | up: 1,000 tasks running | geomean ratio to lull-pool |",
		"This run predates the Resize-returned and goroutine-exit measures",
		"| lull-combine / sequential | workers=2 | 10.5 ms ±5% | 7.20 ms ±1% | ×1.46 | ≤ ×1.00 | **no** |",
	)
	for _, unwanted := range []string{
		": ctx=cancel / ctx=background |", "lull-pool-q0 is", "mutex-heap is", "### Future",
		"lull-queue at or below", "lull-pool-q0 beside", "Each throughput family runs twice", "sync-shrink's", "within ×1.50",
	} {
		if strings.Contains(doc, unwanted) {
			t.Errorf("report of old results has %q", unwanted)
		}
	}
}

// TestProvenance checks the README's line on where its figures come from.
func TestProvenance(t *testing.T) {
	in := func(idleRev, envRev string) inputs {
		s := report.Stats{}
		i := inputs{stats: &s}
		if idleRev != "" {
			i.idle = map[string]*idle.Result{"native": {Lull: idleRev, Date: "D1"}}
		}
		if envRev != "" {
			i.env = &env{Lull: envRev, Date: "D2", Make: "make bench-throughput COUNT=10"}
		}
		return i
	}
	for _, tt := range []struct {
		idle, env, want string
	}{
		{"abc", "abc", "From lull at commit abc: idle run D1, throughput (`make bench-throughput COUNT=10`) run D2."},
		{"abc", "def", "**From two commits**: the idle figures from lull at abc (D1), the ns/task figures from lull at def (D2, throughput (`make bench-throughput COUNT=10`) run)."},
		{"abc", "", "From lull at commit abc: idle run D1."},
		{"", "", ""},
	} {
		if got := provenance(in(tt.idle, tt.env)); strings.TrimSpace(got) != tt.want {
			t.Errorf("provenance(idle %q, throughput %q) = %q, want %q", tt.idle, tt.env, got, tt.want)
		}
	}
}

// mustParse parses a benchstat CSV or fails the test.
func mustParse(t *testing.T, csv string) report.Stats {
	t.Helper()
	s, err := report.ParseCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
