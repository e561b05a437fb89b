package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lullgo/lull/bench/internal/report"
)

// tableOrder puts lull's rows first in every table, then the floors and
// references they are held against; the other libraries follow.
var tableOrder = []string{
	"lull-pool", "lull-pool-q0", "lull-pool-auto", "lull-queue", "lull-priority", "lull-go", "lull-combine", "lull-combine-slice", "lull-combine-feed",
	"channel", "channel-q0", "mutex-heap", "goroutine", "sync-shrink",
}

// ctxTarget is the largest ratio of a lull row's ctx=cancel median to its
// ctx=background median that the issues accept.
const ctxTarget = 1.2

// fasterBy is the margin past which beatBaseline lists a row: 5%.
const fasterBy = 0.05

// baselineOf returns the first of prefs that has cells in g, or prefs[0].
func baselineOf(g report.Grid, prefs ...string) string {
	for _, p := range prefs {
		if _, ok := g.Cells[p]; ok {
			return p
		}
	}
	return prefs[0]
}

func configHeader(c string) string {
	if c == "" {
		return "time"
	}
	return strings.ReplaceAll(c, "/", ", ")
}

// throughput renders the section of the go test -bench families.
func throughput(s report.Stats) string {
	var b strings.Builder
	b.WriteString("## Throughput\n\n")
	b.WriteString("Medians over the runs of each configuration with benchstat's 95% confidence interval (`make bench` takes the runs in rounds, with cmd/rounds: each round runs every configuration of a family once, each in a `go test` process of its own, in an order shuffled for the round, so the rows of a comparison are measured side by side, round after round, and none always after another), and the ratio to lull in the same configuration (below 1: faster than lull). On a shared 2-CPU host the intervals are wide; read differences under about 1.5× as noise unless the intervals say otherwise.\n\n")
	b.WriteString("Each table of ratios below compares two medians of this run against a target. " + report.PNote + "\n\n")
	if slices.ContainsFunc(s.Order, func(name string) bool { return strings.Contains(name, "/ctx=") }) {
		b.WriteString("Each throughput family runs twice where an implementation can take a context: with `ctx=background` (`context.Background()`, whose Done channel is nil) and with `ctx=cancel` (a `context.WithCancel`, never cancelled during the run, whose Done channel a blocking call must watch), as real callers pass. The main tables are at ctx=background; the comparisons below each give the ctx=cancel / ctx=background ratios. Implementations that take no context (ants, conc, errgroup, pond's Submit, workerpool, the polling pools, mutex-heap, the hand-written map/reduce) run at ctx=background only; the channels then select on ctx.Done() beside each send and receive, as a caller holding a ctx writes it. `go tool benchstat -col /ctx results/bench.txt` (results/ctx.txt) sets the two side by side with p-values.\n\n")
	}
	for _, f := range families[:3] {
		b.WriteString(f.render(s))
	}
	b.WriteString(resizeSection(s))
	b.WriteString(families[3].render(s))
	return b.String()
}

// family describes the section of one throughput family but Resize: its
// table, what the table leaves to prose, and the comparisons it is judged
// by.
type family struct {
	name    string   // Benchmark<name>
	heading string   // the section's title
	bases   []string // the baseline of the table: the first of these measured
	scale   float64  // medians in sec/op times scale, in suffix
	suffix  string
	// allCtx shows every configuration in the main table; otherwise it is at
	// ctx=background, cancel being the comparisons' business.
	allCtx bool
	// notes are printed under the table, each only when the implementation
	// it names has cells (when the name is "", always).
	notes []note
	beat  bool // list the rows that beat the baseline by more than 5%
	// pairs are the comparisons of one implementation with another, in
	// every configuration both were measured in that keep accepts (all,
	// if keep is nil). ctx comparisons follow.
	pairs []pair
	keep  func(report.Comparison) bool
	// op names one op for the allocations line ("" for none), and
	// allocTarget is printed under it.
	op          string
	allocTarget note
	// missing is printed when the run has no results of the family; the
	// section is left out when it is "".
	missing string
}

type note struct{ impl, text string }

// pair is a comparison of a with b, in every configuration both were
// measured in, or only in at if it is set.
type pair struct {
	a, b string
	max  float64 // the target a/b should meet; 0 for a reference
	why  string  // what the comparison checks, for the line above the table
	at   string
}

var families = []family{
	{
		name: "Submit", heading: "Submit: ns per tiny task (an atomic add), submission to completion",
		bases: []string{"lull-pool", "lull-queue"}, scale: 1e9, suffix: "ns",
		notes: []note{{"lull-pool-q0", "lull-pool-q0 is lull's pool with `WithQueueSize(0)`: no backlog, a task is accepted only when a worker takes it. Set it beside the designs that hold no task waiting either: channel-q0 (workers ranging over an unbuffered channel), conc, errgroup and ants; the other rows have a buffer of 1,024 tasks (channel, lull-pool, lull-queue, the polling pools) or an unbounded one (pond, workerpool)."}},
		beat:  true,
		pairs: []pair{
			{a: "lull-pool", b: "channel", max: 1, why: "lull-pool at or below the buffered channel (issue 12)"},
			{a: "lull-queue", b: "channel", why: "lull-queue, a pool hand-rolled on lull's queue (issue 12 held lull-pool to it, not to a target), beside the buffered channel, for reference"},
			{a: "lull-pool-q0", b: "channel-q0", why: "lull-pool-q0 beside the unbuffered channel, for reference"},
		},
		op: "task",
	},
	{
		name: "Queue", heading: "Queue: ns per item through a queue of 1,024, producers:consumers 1:1 and 4:4",
		bases: []string{"lull-queue"}, scale: 1e9, suffix: "ns",
		notes: []note{{"mutex-heap", "mutex-heap is the plain priority queue lull-priority is held against: a slice kept as a heap by container/heap, one sync.Mutex and two sync.Conds, of the same capacity and order (bench/internal/heapq). It takes no context."}},
		pairs: []pair{
			{a: "lull-queue", b: "channel", max: 1, why: "lull-queue at or below the buffered channel (issue 12)"},
			{a: "lull-priority", b: "mutex-heap", max: 1, why: "lull-priority no slower than mutex-heap (issue 15)"},
		},
		op: "item",
	},
	{
		name: "Future", heading: "Future: ns per round trip on a pool of 2 (start a function that returns an int, wait for its result)",
		bases: []string{"lull-go"}, scale: 1e9, suffix: "ns", allCtx: true,
		notes: []note{
			{"", "lull-go is `pool.Go` and `Future.Get`, both given the ctx, on `pool.New(2)`; goroutine is no pool at all, a goroutine per call writing into a channel of one (`ch := make(chan int, 1); go func() { ch <- f() }(); <-ch`); pond is pond's `NewResultPool[int](2)`, `SubmitErr` and the task's `Wait`. goroutine and pond take no context; under ctx=cancel they wait with a select on ctx.Done() beside the result."},
		},
		pairs:       []pair{{a: "lull-go", b: "goroutine", max: 1, why: "lull-go no slower than the goroutine future (issue 15)"}},
		op:          "round trip",
		allocTarget: note{"lull-go", "Target (issue 15): lull-go allocates 1 at most per round trip, the Future."},
	},
	{
		name: "MapReduce", heading: "MapReduce: ms per job, a sum grouped by key (1,024 keys) over 1,000,000 ints",
		bases: []string{"lull-combine"}, scale: 1e3, suffix: "ms",
		notes: []note{{"", "lull-combine is `mapreduce.Combine` over an iter.Seq of the ints, which the calling goroutine reads and copies into chunks for the workers; lull-combine-slice is `mapreduce.CombineSlice` over the slice of the same ints, whose workers claim runs of it in place. Both size their chunks themselves and use the same mapper and combine. lull-combine-feed is lull-combine with a mapper that emits nothing, under ctx=background only: what remains is the feeder, reading the sequence and handing it over, the CPU time that lull-combine spends on top of lull-combine-slice's workers; at 2 workers on 2 CPUs the feeder and the workers share the CPUs. conc-foreach and errgroup-ranges are hand-written over the slice (conc: 4 chunks per worker, errgroup: one range per worker), each folding into a map per chunk and merging; sequential is one loop and ignores the worker count. Only lull's rows take a context."}},
		pairs: []pair{
			{a: "lull-combine", b: "sequential", max: 1, why: "at 2 workers, lull-combine faster than the sequential loop (issue 15)"},
			{a: "lull-combine", b: "errgroup-ranges", max: 1.5, why: "at 2 workers, lull-combine within ×1.50 of the hand-written errgroup (issue 15)"},
			{a: "lull-combine-slice", b: "sequential", max: 1, why: "at 2 workers, lull-combine-slice faster than the sequential loop"},
			{a: "lull-combine-slice", b: "errgroup-ranges", max: 1.5, why: "at 2 workers, lull-combine-slice within ×1.50 of the errgroup (issue 15's two targets, for the slice API that issue allows once shown needed)"},
		},
		keep: func(c report.Comparison) bool {
			_, w, _ := report.CutKey(c.Config, "workers")
			return w == "2"
		},
		missing: "No BenchmarkMapReduce results in benchstat.csv.",
	},
}

func (f family) render(s report.Stats) string {
	g := s.Family(f.name, "sec/op", tableOrder)
	var b strings.Builder
	if len(g.Impls) == 0 {
		if f.missing == "" {
			return ""
		}
		return "### " + f.heading + "\n\n" + f.missing + "\n"
	}
	table := g
	if !f.allCtx {
		table = g.PickDefault("ctx", "background")
	}
	base := baselineOf(table, f.bases...)
	b.WriteString("### " + f.heading + "\n\n")
	b.WriteString(table.Markdown(base, f.scale, f.suffix, configHeader) + "\n")
	for _, n := range f.notes {
		if n.impl == "" || has(table, n.impl) {
			b.WriteString(n.text + "\n\n")
		}
	}
	if f.beat {
		b.WriteString(beatBaseline(table, base))
	}
	format := report.Scaled(f.scale, f.suffix)
	b.WriteString(judge(g, f.pairs, f.keep, format))
	b.WriteString(comparisons("each row's ctx=cancel against its ctx=background in the same configuration, for every row measured under both; lull's within ×1.20 (issue 15), the others for reference.", ctxComparisons(g), format))
	if f.op != "" {
		b.WriteString(allocations(s.Family(f.name, "allocs/op", tableOrder), f.op))
		if has(g, f.allocTarget.impl) {
			b.WriteString(f.allocTarget.text + "\n\n")
		}
	}
	return b.String()
}

// resizeColumns are the measures of BenchmarkResize (resize_test.go): three
// points of the shrink, and the grow.
var resizeColumns = []report.Column{
	{Config: "down", Unit: "call-sec/op", Header: "down: Resize returned"},
	{Config: "down", Unit: "live-sec/op", Header: "down: live count ≤ 10"},
	{Config: "down", Unit: "exit-sec/op", Header: "down: goroutines exited"},
	{Config: "up", Unit: "call-sec/op", Header: "up: Resize returned"},
	{Config: "up", Unit: "sec/op", Header: "up: 1,000 tasks running"},
}

// oldResizeDown is the down column of runs made before BenchmarkResize
// reported its metrics, when sec/op timed the shrink until the live count.
var oldResizeDown = report.Column{Config: "down", Unit: "sec/op", Header: "down: live count ≤ 10"}

func resizeSection(s report.Stats) string {
	cols := resizeColumns
	old := len(s.Family("Resize", "exit-sec/op", nil).Impls) == 0
	if old {
		cols = []report.Column{oldResizeDown, resizeColumns[4]}
	}
	g := s.Metrics("Resize", cols, tableOrder)
	if len(g.Impls) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("### Resize: 1,000 idle workers told to keep 10, and 10 told to grow until 1,000 tasks run at once\n\n")
	b.WriteString(g.MarkdownFunc(baselineOf(g, "lull-pool", "lull-pool-auto"), report.FormatSeconds, configHeader) + "\n")
	if old {
		b.WriteString("This run predates the Resize-returned and goroutine-exit measures: down ran until the pool's own count read 10 or fewer.\n\n")
	}
	b.WriteString("Times from the call of Resize. down: from 1,000 workers that ran a task each at once and, for lull's pools, whose Stats().Idle then read 1,000 (a lull worker yields once before it parks, and one still on its way would exit without being woken); until Resize returned; until the pool's own count read 10 or fewer (Stats().Workers for lull: workers not yet told to exit; Running() for ants; the workers not yet stopped for sync-shrink); and until the 990 retired goroutines had exited, read from runtime.NumGoroutine. The runtime tells no one when a goroutine exits, so the benchmark polls NumGoroutine, yielding between reads, first its thread's CPU (sched_yield) and then its P (runtime.Gosched), never sleeping: with the Go yield alone, the poller kept a CPU busy, and a neighbour on the host got one only by preempting a thread that ran the exits (resize_test.go, yieldPoll); the polling is the benchmark's, lull never polls. up: from 10 workers whose retired goroutines are gone, until Resize returned, and until 1,000 tasks ran at the same time. Each timed op, down or up, starts after runtime.GC(), for every pool, so that no collection made due by the untimed warm-up runs during it.\n\n")
	b.WriteString("sync-shrink is a reference design, not a library: tunny's (a goroutine per worker on one unbuffered channel; Resize stops the retired workers and joins each before it returns), written in bench/internal/impl because tunny cannot be fetched from the module proxy here. ants shrinks only when its purge ticker (ExpiryDuration, 1 s by default) finds idle workers, so its down times are those of the purge. pond keeps no idle workers (a worker exits when the queue is empty): it has nothing to shrink and takes part in up only. Pools without a resize (the channel pools, conc, errgroup, workerpool) are not listed.\n\n")
	b.WriteString(judge(g, []pair{
		{a: "lull-pool", b: "sync-shrink", max: 1, at: "down: goroutines exited", why: "the retired goroutines of lull-pool gone no later than the synchronous shrink's (issue 15)"},
		{a: "lull-pool", b: "ants", max: 1, at: "up: 1,000 tasks running", why: "growth no slower than ants (issue 15)"},
		{a: "lull-pool", b: "pond", max: 1, at: "up: 1,000 tasks running", why: "growth no slower than pond (issue 15)"},
	}, nil, report.FormatSeconds))
	if lp, ok := g.Cells["lull-pool"]; ok {
		var parts []string
		if st, ok := lp["down: Resize returned"]; ok {
			parts = append(parts, fmt.Sprintf("`Resize(10)` returned after %s (target: a few µs, whatever the number of workers)", report.FormatSeconds(st.Median)))
		}
		if st, ok := lp["down: goroutines exited"]; ok {
			parts = append(parts, fmt.Sprintf("the 990 retired goroutines were gone after %s (target: below 1 ms)", report.FormatSeconds(st.Median)))
		}
		if len(parts) > 0 {
			fmt.Fprintf(&b, "lull-pool, medians: %s.\n\n", strings.Join(parts, "; "))
		}
	}
	return b.String()
}

// has reports whether impl has a cell in g.
func has(g report.Grid, impl string) bool {
	return len(g.Cells[impl]) > 0
}

// ctxComparisons compares, for every implementation of g measured under
// ctx=cancel, each such cell with the same configuration under
// ctx=background. lull's rows get ctxTarget; the others are references.
func ctxComparisons(g report.Grid) []report.Comparison {
	var out []report.Comparison
	for _, impl := range g.Impls {
		max := 0.0
		if strings.HasPrefix(impl, "lull-") {
			max = ctxTarget
		}
		out = append(out, g.CompareValues(impl, "ctx", "cancel", "background", max)...)
	}
	return out
}

// judge renders the comparisons of pairs in g that ok accepts (all, if ok
// is nil), under a line that gives the why of each pair with rows.
func judge(g report.Grid, pairs []pair, ok func(report.Comparison) bool, format func(float64) string) string {
	var rows []report.Comparison
	var whys []string
	for _, p := range pairs {
		r := g.Compare(p.a, p.b, p.max)
		if p.at != "" {
			r = keep(r, func(c report.Comparison) bool { return c.Config == p.at })
		}
		if ok != nil {
			r = keep(r, ok)
		}
		if len(r) > 0 {
			rows = append(rows, r...)
			whys = append(whys, p.why)
		}
	}
	return comparisons(strings.Join(whys, "; ")+".", rows, format)
}

// keep returns the comparisons for which ok is true.
func keep(rows []report.Comparison, ok func(report.Comparison) bool) []report.Comparison {
	var out []report.Comparison
	for _, r := range rows {
		if ok(r) {
			out = append(out, r)
		}
	}
	return out
}

// comparisons renders rows under a line saying what they check, or nothing
// if there are none (a run without the rows compared).
func comparisons(what string, rows []report.Comparison, format func(float64) string) string {
	if len(rows) == 0 {
		return ""
	}
	label := func(c string) string {
		if c == "" {
			return "–"
		}
		return configHeader(c)
	}
	return "Ratios of medians from this run: " + what + "\n\n" + report.RatioTable(rows, format, label) + "\n"
}

// allocations lists the median allocations per op of every row that
// allocates, in g's unit (allocs/op), or says that none does.
func allocations(g report.Grid, op string) string {
	var lines []string
	for _, impl := range g.Impls {
		var cells []string
		for _, c := range g.Configs {
			if st, ok := g.Cells[impl][c]; ok && st.Median > 0 {
				cells = append(cells, fmt.Sprintf("%s (%s)", strconv.FormatFloat(st.Median, 'f', -1, 64), configHeader(c)))
			}
		}
		if len(cells) > 0 {
			lines = append(lines, fmt.Sprintf("- %s: %s", impl, strings.Join(cells, ", ")))
		}
	}
	switch {
	case len(g.Impls) == 0:
		return ""
	case len(lines) == 0:
		return fmt.Sprintf("No row allocates: 0 allocations per %s in every configuration.\n\n", op)
	case len(lines) == len(g.Impls):
		return fmt.Sprintf("Allocations per %s (median), in the configurations where a row allocates:\n\n%s\n\n", op, strings.Join(lines, "\n"))
	}
	return fmt.Sprintf("Allocations per %s (median), in the configurations where a row allocates; the rows not listed allocate none:\n\n%s\n\n", op, strings.Join(lines, "\n"))
}

// beatBaseline lists, per configuration, every row of g whose median beat
// base's by more than fasterBy, lull's own variants included, or says that
// none did.
func beatBaseline(g report.Grid, base string) string {
	var lines []string
	for _, c := range g.Configs {
		bs, ok := g.Cells[base][c]
		if !ok {
			continue
		}
		var faster []string
		for _, impl := range g.Impls {
			st, ok := g.Cells[impl][c]
			if impl == base || !ok || st.Median >= bs.Median*(1-fasterBy) {
				continue
			}
			faster = append(faster, fmt.Sprintf("%s (%s)", impl, report.FormatRatio(st.Median/bs.Median)))
		}
		if len(faster) > 0 {
			lines = append(lines, fmt.Sprintf("- %s: %s", configHeader(c), strings.Join(faster, ", ")))
		}
	}
	if len(lines) == 0 {
		return fmt.Sprintf("No other row's median beat %s's by more than 5%% in any configuration (all %d other rows of the table compared, lull's own variants included).\n\n", base, len(g.Impls)-1)
	}
	return fmt.Sprintf("Rows whose median beat %s's by more than 5%% (every row of the table compared, lull's own variants included):\n\n%s\n\n", base, strings.Join(lines, "\n"))
}
