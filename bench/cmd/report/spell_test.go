package main

import (
	"strings"
	"testing"
)

// sampleSpell is a benchstat CSV of a make bench-spell run.
const sampleSpell = ",spell.txt,\n,sec/op,CI\n" +
	"PingPong/at=spell-2,4.5e-07,20%\n" +
	"Submit/lull-pool/workers=2/submitters=4/ctx=background-2,7e-08,5%\n" +
	"Submit/channel/workers=2/submitters=4/ctx=background-2,6e-08,5%\n" +
	"Queue/lull-queue/producers=4/consumers=4/ctx=background-2,1e-07,9%\n" +
	"Queue/channel/producers=4/consumers=4/ctx=background-2,4e-08,9%\n"

// TestSpellSection checks the section of a bench-spell run: the host check,
// each lull row against the channel with the ×1.50 target, the run's
// commands, and the quiet ratios of the main run beside them.
func TestSpellSection(t *testing.T) {
	spell := mustParse(t, sampleSpell)
	main := mustParse(t, sampleFamilies)
	e := &env{Date: "2026-12-07", Host: "h", GoVersion: "go1.26", Lull: "abc1234", Make: "make bench-spell SPELL_COUNT=6", Commands: []string{"go run ./cmd/load -- go test -bench x ."}}
	doc := spellSection(&spell, e, &main)
	containsAll(t, "the spell section", doc,
		"## Under load: a slow spell, reproduced",
		"lull at abc1234, with `make bench-spell SPELL_COUNT=6`",
		"go run ./cmd/load -- go test -bench x .",
		"Host check under load (BenchmarkPingPong, before and after, 5 runs each, benchstat pools them): 450 ns ±20%.",
		"| Submit: lull-pool / channel | workers=2, submitters=4 | 70.0 ns ±5% | 60.0 ns ±5% | ×1.17 | ≤ ×1.50 | yes |",
		"| Queue: lull-queue / channel | producers=4, consumers=4 | 100 ns ±9% | 40.0 ns ±9% | ×2.50 | ≤ ×1.50 | **no** |",
		"The same ratios in the throughput run above, on the quiet host: lull-pool workers=2, submitters=1 ×0.95",
	)
	if got := spellSection(nil, e, &main); got != "" {
		t.Errorf("a report without a spell run has a spell section:\n%s", got)
	}
	if doc := spellSection(&main, nil, nil); strings.Contains(doc, "Host check under load") {
		t.Errorf("a spell run without a host check prints one:\n%s", doc)
	}
}
