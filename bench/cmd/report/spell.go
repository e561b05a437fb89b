package main

import (
	"fmt"
	"strings"

	"github.com/lullgo/lull/bench/internal/report"
)

// spellTarget is the largest ratio to the buffered channel that issue 15
// accepts for lull-pool and lull-queue while the host is in a slow spell.
const spellTarget = 1.5

// spellSection renders the run of `make bench-spell`: the host check under
// load, and lull-pool's and lull-queue's ratios to the channel in it, beside
// the same ratios from the quiet throughput run (main, nil if there is
// none). It returns "" if there is no such run.
func spellSection(spell *report.Stats, e *env, main *report.Stats) string {
	if spell == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("## Under load: a slow spell, reproduced\n\n")
	b.WriteString("In a slow spell of the shared host, the host check reads about 400 ns, and the threads of a run wait for a CPU more often than they run. `make bench-spell` brings that on at will: cmd/load keeps every CPU busy with a loop of its own, at the same priority, while Submit and Queue run lull-pool, lull-queue and the buffered channel at ctx=background, so that lull's goroutines are preempted in the middle of an operation, holding a claimed slot or a lock.")
	if e != nil {
		fmt.Fprintf(&b, " Run: %s on %s, %s, lull at %s, with `%s`:\n\n```sh\n", e.Date, e.Host, e.GoVersion, e.Lull, e.Make)
		for _, c := range e.Commands {
			b.WriteString(c + "\n")
		}
		b.WriteString("```\n\n")
	} else {
		b.WriteString("\n\n")
	}
	if g := spell.Family("PingPong", "sec/op", nil); len(g.Impls) > 0 {
		var at []string
		for _, impl := range g.Impls {
			st := g.Cells[impl][""]
			at = append(at, fmt.Sprintf("%s ns ±%s", report.FormatValue(st.Median*1e9), st.CI))
		}
		fmt.Fprintf(&b, "Host check under load (BenchmarkPingPong, before and after, 5 runs each, benchstat pools them): %s.\n\n", strings.Join(at, ", "))
	}
	pairs := []struct{ family, impl string }{{"Submit", "lull-pool"}, {"Queue", "lull-queue"}}
	var rows []report.Comparison
	for _, p := range pairs {
		g := spell.Family(p.family, "sec/op", tableOrder).PickDefault("ctx", "background")
		for _, c := range g.Compare(p.impl, "channel", spellTarget) {
			c.What = p.family + ": " + c.What
			rows = append(rows, c)
		}
	}
	if len(rows) == 0 {
		b.WriteString("The run has no Submit or Queue results.\n\n")
		return b.String()
	}
	b.WriteString("Ratios of medians under load: lull-pool and lull-queue within ×1.50 of the buffered channel in a slow spell (issue 15). " + report.PNote + "\n\n")
	b.WriteString(report.RatioTable(rows, report.Scaled(1e9, "ns"), configHeader) + "\n")
	if main != nil {
		var quiet []string
		for _, p := range pairs {
			g := main.Family(p.family, "sec/op", tableOrder).PickDefault("ctx", "background")
			for _, c := range g.Compare(p.impl, "channel", 0) {
				quiet = append(quiet, fmt.Sprintf("%s %s %s", p.impl, configHeader(c.Config), report.FormatRatio(c.Ratio())))
			}
		}
		if len(quiet) > 0 {
			fmt.Fprintf(&b, "The same ratios in the throughput run above, on the quiet host: %s.\n\n", strings.Join(quiet, "; "))
		}
	}
	return b.String()
}
