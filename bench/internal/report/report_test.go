package report_test

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lullgo/lull/bench/internal/report"
)

func parseSample(t *testing.T) report.Stats {
	t.Helper()
	f, err := os.Open("testdata/benchstat.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := report.ParseCSV(f)
	if err != nil {
		t.Fatalf("ParseCSV: %v", err)
	}
	return s
}

func TestParseCSV(t *testing.T) {
	s := parseSample(t)
	tests := []struct {
		unit, name string
		want       report.Stat
	}{
		{"sec/op", "Submit/channel/workers=2/submitters=1", report.Stat{Median: 1e-7, CI: "3%"}},
		{"sec/op", "Submit/ants/workers=64/submitters=1", report.Stat{Median: 1e-6, CI: "125%"}},
		{"sec/op", "Queue/channel/producers=1/consumers=1", report.Stat{Median: 8.6605e-08, CI: "∞"}},
		{"sec/op", "Resize/ants/down", report.Stat{Median: 1.498104843, CI: "1%"}},
		{"B/op", "Submit/channel/workers=2/submitters=1", report.Stat{Median: 0, CI: "∞"}},
	}
	for _, tt := range tests {
		got, ok := s.Units[tt.unit][tt.name]
		if !ok || got.Median != tt.want.Median || got.CI != tt.want.CI || got.Samples != nil {
			t.Errorf("Units[%q][%q] = %+v, %v, want %+v", tt.unit, tt.name, got, ok, tt.want)
		}
	}
	if _, ok := s.Units["B/op"]["Submit/ants/workers=2/submitters=1"]; ok {
		t.Error("an empty cell was parsed as a value")
	}
	if _, ok := s.Units["sec/op"]["geomean"]; ok {
		t.Error("the geomean row was parsed as a benchmark")
	}
	if got, want := len(s.Order), 8; got != want {
		t.Errorf("len(Order) = %d, want %d: %v", got, want, s.Order)
	}
	if s.Order[0] != "Submit/channel/workers=2/submitters=1" || s.Order[7] != "Resize/ants/down" {
		t.Errorf("Order = %v, want run order", s.Order)
	}

	if _, err := report.ParseCSV(strings.NewReader("goos: linux\n")); err == nil {
		t.Error("ParseCSV of no rows succeeded")
	}
	if _, err := report.ParseCSV(strings.NewReader(",x,\n,sec/op,CI\nA-2,notanumber,1%\n")); err == nil {
		t.Error("ParseCSV of a bad number succeeded")
	}
}

func TestFamilyMarkdown(t *testing.T) {
	s := parseSample(t)
	g := s.Family("Submit", "sec/op", []string{"lull-pool", "channel"})
	if got, want := strings.Join(g.Impls, ","), "lull-pool,channel,ants"; got != want {
		t.Errorf("Impls = %s, want %s", got, want)
	}
	if got, want := strings.Join(g.Configs, ","), "workers=2/submitters=1,workers=64/submitters=1"; got != want {
		t.Errorf("Configs = %s, want %s", got, want)
	}
	md := g.Markdown("lull-pool", 1e9, "ns", func(c string) string { return strings.ReplaceAll(c, "/", ", ") })
	want := `| implementation | workers=2, submitters=1 | workers=64, submitters=1 | geomean ratio to lull-pool |
|---|--:|--:|--:|
| lull-pool | 200 ns ±4% (×1.00) | 200 ns ±2% (×1.00) | ×1.00 |
| channel | 100 ns ±3% (×0.50) | 200 ns ±5% (×1.00) | ×0.71 |
| ants | 800 ns ±20% (×4.00) | 1000 ns ±125% (×5.00) | ×4.47 |
`
	if md != want {
		t.Errorf("Markdown =\n%s\nwant\n%s", md, want)
	}

	// Without the baseline there are no ratios, and a missing cell is "–".
	g = s.Family("Submit", "sec/op", nil)
	delete(g.Cells["ants"], "workers=64/submitters=1")
	md = g.Markdown("lull-queue", 1e9, "ns", func(c string) string { return c })
	if strings.Contains(md, "(×") {
		t.Errorf("ratios printed without a baseline:\n%s", md)
	}
	if !strings.Contains(md, "| ants | 800 ns ±20% | – | – |") {
		t.Errorf("missing cell not shown as –:\n%s", md)
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{{1234.6, "1235"}, {100, "100"}, {78.93, "78.9"}, {3.14159, "3.14"}} {
		if got := report.FormatValue(tt.v); got != tt.want {
			t.Errorf("FormatValue(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	for _, tt := range []struct {
		r    float64
		want string
	}{{0.5, "×0.50"}, {1, "×1.00"}, {12.34, "×12.3"}, {0.01, "×0.01"}, {0.00031, "×0.00031"}, {3.1e-7, "×0.00000031"}, {0, "×0.00"}} {
		if got := report.FormatRatio(tt.r); got != tt.want {
			t.Errorf("FormatRatio(%v) = %q, want %q", tt.r, got, tt.want)
		}
	}
}

func TestReplace(t *testing.T) {
	const b, e = "<!-- bench:start -->", "<!-- bench:end -->"
	doc := "# lull\n\nintro\n\n" + b + "\nold table\n" + e + "\n\nmore\n"
	got, err := report.Replace(doc, b, e, "new table\n\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# lull\n\nintro\n\n" + b + "\nnew table\n" + e + "\n\nmore\n"
	if got != want {
		t.Errorf("Replace =\n%q\nwant\n%q", got, want)
	}
	// Running it again on its own output changes nothing.
	again, err := report.Replace(got, b, e, "new table\n\n")
	if err != nil || again != got {
		t.Errorf("Replace is not idempotent: %q, %v", again, err)
	}
	for _, bad := range []string{
		"no markers",
		b + b + e,
		e + "\n" + b,
	} {
		if _, err := report.Replace(bad, b, e, "x"); err == nil {
			t.Errorf("Replace(%q) succeeded, want an error", bad)
		}
	}
}

// ctxSample is a Submit family with the ctx dimension for two
// implementations, one measured under both values, and an older-style
// configuration without the key.
func ctxSample(t *testing.T) report.Stats {
	t.Helper()
	s, err := report.ParseCSV(strings.NewReader(",bench.txt,\n,sec/op,CI\n" +
		"Submit/lull-pool/workers=2/ctx=background-2,4e-08,2%\n" +
		"Submit/lull-pool/workers=2/ctx=cancel-2,5e-08,3%\n" +
		"Submit/lull-pool/workers=64/ctx=background-2,8e-08,2%\n" +
		"Submit/ants/workers=2/ctx=background-2,4e-07,9%\n" +
		"Submit/old/workers=2-2,1e-07,1%\n"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCutKey(t *testing.T) {
	for _, tt := range []struct {
		config, rest, value string
		found               bool
	}{
		{"workers=2/ctx=cancel", "workers=2", "cancel", true},
		{"ctx=background", "", "background", true},
		{"ctx=cancel/workers=2", "workers=2", "cancel", true},
		{"workers=2", "workers=2", "", false},
		{"noctx=1/x", "noctx=1/x", "", false},
	} {
		rest, v, ok := report.CutKey(tt.config, "ctx")
		if rest != tt.rest || v != tt.value || ok != tt.found {
			t.Errorf("CutKey(%q) = %q, %q, %v; want %q, %q, %v", tt.config, rest, v, ok, tt.rest, tt.value, tt.found)
		}
	}
}

func TestPick(t *testing.T) {
	g := ctxSample(t).Family("Submit", "sec/op", nil)
	for _, tt := range []struct {
		name           string
		got            report.Grid
		impls, configs string
		cell           float64 // lull-pool's at workers=2
	}{
		{"Pick(ctx, cancel)", g.Pick("ctx", "cancel"), "lull-pool", "workers=2", 5e-08},
		{"Pick(ctx, background)", g.Pick("ctx", "background"), "lull-pool,ants", "workers=2,workers=64", 4e-08},
		{"PickDefault(ctx, background)", g.PickDefault("ctx", "background"), "lull-pool,ants,old", "workers=2,workers=64", 4e-08},
	} {
		impls, configs := strings.Join(tt.got.Impls, ","), strings.Join(tt.got.Configs, ",")
		cell := tt.got.Cells["lull-pool"]["workers=2"].Median
		if impls != tt.impls || configs != tt.configs || cell != tt.cell {
			t.Errorf("%s: impls %s, configs %s, lull-pool at workers=2 %v; want %s, %s, %v",
				tt.name, impls, configs, cell, tt.impls, tt.configs, tt.cell)
		}
	}
}

func TestCompare(t *testing.T) {
	g := ctxSample(t).Family("Submit", "sec/op", nil)
	rows := g.Compare("lull-pool", "ants", 1)
	if len(rows) != 1 || rows[0].Config != "workers=2/ctx=background" || rows[0].What != "lull-pool / ants" {
		t.Fatalf("Compare = %+v, want one row at workers=2/ctx=background", rows)
	}
	if r := rows[0].Ratio(); r < 0.0999 || r > 0.1001 {
		t.Errorf("Ratio = %v, want 0.1", r)
	}
	rows = g.CompareValues("lull-pool", "ctx", "cancel", "background", 1.2)
	if len(rows) != 1 || rows[0].Config != "workers=2" || rows[0].What != "lull-pool: ctx=cancel / ctx=background" || rows[0].Max != 1.2 {
		t.Fatalf("CompareValues = %+v, want one row at workers=2 (workers=64 has no cancel)", rows)
	}
	if r := rows[0].Ratio(); r < 1.2499 || r > 1.2501 {
		t.Errorf("Ratio = %v, want 1.25", r)
	}
	if rows := g.CompareValues("ants", "ctx", "cancel", "background", 1.2); len(rows) != 0 {
		t.Errorf("CompareValues of a row never run under cancel = %+v, want none", rows)
	}

	md := report.RatioTable(append(rows, report.Comparison{What: "a / b", Config: "x=1", Num: report.Stat{Median: 2e-9, CI: "1%"}, Den: report.Stat{Median: 4e-9, CI: "2%"}}),
		report.Scaled(1e9, "ns"), func(c string) string { return c })
	for _, want := range []string{
		"| lull-pool: ctx=cancel / ctx=background | workers=2 | 50.0 ns ±3% | 40.0 ns ±2% | ×1.25 | ≤ ×1.20 | **no** |",
		"| a / b | x=1 | 2.00 ns ±1% | 4.00 ns ±2% | ×0.50 | – | – |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("RatioTable lacks %q:\n%s", want, md)
		}
	}
	within := report.RatioTable([]report.Comparison{{What: "c", Num: report.Stat{Median: 1}, Den: report.Stat{Median: 1}, Max: 1}}, report.FormatSeconds, func(string) string { return "-" })
	if !strings.Contains(within, "| ×1.00 | ≤ ×1.00 | yes |") {
		t.Errorf("a ratio equal to its target is not within it:\n%s", within)
	}
}

func TestMetrics(t *testing.T) {
	s, err := report.ParseCSV(strings.NewReader(",bench.txt,\n,sec/op,CI\n" +
		"Resize/lull-pool/down-2,0.003,5%\nResize/lull-pool/up-2,0.002,4%\nResize/pond/up-2,0.0003,2%\n" +
		"\n,bench.txt,\n,call-sec/op,CI\nResize/lull-pool/down-2,5e-06,10%\n" +
		"\n,bench.txt,\n,exit-sec/op,CI\nResize/lull-pool/down-2,0.0029,6%\n"))
	if err != nil {
		t.Fatal(err)
	}
	g := s.Metrics("Resize", []report.Column{
		{Config: "down", Unit: "call-sec/op", Header: "call"},
		{Config: "down", Unit: "live-sec/op", Header: "live"}, // no data: left out
		{Config: "down", Unit: "exit-sec/op", Header: "exit"},
		{Config: "up", Unit: "sec/op", Header: "up"},
	}, []string{"pond"})
	if got := strings.Join(g.Configs, ","); got != "call,exit,up" {
		t.Errorf("Configs = %s, want call,exit,up", got)
	}
	if got := strings.Join(g.Impls, ","); got != "pond,lull-pool" {
		t.Errorf("Impls = %s, want pond,lull-pool", got)
	}
	md := g.MarkdownFunc("lull-pool", report.FormatSeconds, func(c string) string { return c })
	for _, want := range []string{
		"| lull-pool | 5.00 µs ±10% (×1.00) | 2.90 ms ±6% (×1.00) | 2.00 ms ±4% (×1.00) | ×1.00 |",
		"| pond | – | – | 300 µs ±2% (×0.15) | ×0.15 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("MarkdownFunc lacks %q:\n%s", want, md)
		}
	}
}

func TestFormatSeconds(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{{1.5, "1.50 s"}, {0.00325, "3.25 ms"}, {4.2e-6, "4.20 µs"}, {6.125e-7, "613 ns"}, {1e-3, "1.00 ms"}} {
		if got := report.FormatSeconds(tt.v); got != tt.want {
			t.Errorf("FormatSeconds(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// TestSamples reads runs with AddSamples and tests them against a target
// with Comparison.P.
func TestSamples(t *testing.T) {
	s, err := report.ParseCSV(strings.NewReader(",bench.txt,\n,sec/op,CI\nF/a-2,1.1e-08,9%\nF/b-2,2.1e-08,5%\n" +
		"\n,bench.txt,\n,call-sec/op,CI\nF/a-2,5e-09,0%\n"))
	if err != nil {
		t.Fatal(err)
	}
	var raw strings.Builder
	raw.WriteString("goos: linux\ngoarch: amd64\npkg: example.com/x\n")
	for i := range 6 {
		fmt.Fprintf(&raw, "BenchmarkF/a-2 \t 100 \t %d ns/op \t 5 call-ns/op\n", 10+i%3)
		fmt.Fprintf(&raw, "BenchmarkF/b-2 \t 100 \t %d ns/op\n", 20+i%3)
		fmt.Fprintf(&raw, "BenchmarkOther-2 \t 100 \t %d ns/op\n", i) // not in the CSV
	}
	raw.WriteString("PASS\nok  \texample.com/x\t1.0s\n")
	if err := s.AddSamples(strings.NewReader(raw.String()), "bench.txt"); err != nil {
		t.Fatalf("AddSamples: %v", err)
	}
	a, b := s.Units["sec/op"]["F/a"], s.Units["sec/op"]["F/b"]
	if want := []float64{1e-8, 1.1e-8, 1.2e-8, 1e-8, 1.1e-8, 1.2e-8}; !slices.EqualFunc(a.Samples, want, func(x, y float64) bool { return math.Abs(x-y) < 1e-15 }) {
		t.Errorf("F/a samples = %v, want %v", a.Samples, want)
	}
	if got := s.Units["call-sec/op"]["F/a"].Samples; len(got) != 6 || math.Abs(got[0]-5e-9) > 1e-15 {
		t.Errorf("F/a call-sec/op samples = %v, want six of 5e-9", got)
	}
	if len(b.Samples) != 6 {
		t.Errorf("F/b has %d samples, want 6", len(b.Samples))
	}

	for _, tt := range []struct {
		max         float64
		significant bool
	}{
		{0, true},     // no target: a against b itself, clearly below
		{1, true},     // the same
		{0.5, false},  // a against b/2: 10-12 against 10-11, the same runs
		{0.25, true},  // a against b/4: clearly above
		{0.52, false}, // b/a's medians are 0.52 apart, right on it
	} {
		p, ok := report.Comparison{Num: a, Den: b, Max: tt.max}.P()
		if !ok {
			t.Fatalf("Max %v: P not ok with samples on both sides", tt.max)
		}
		if (p < 0.05) != tt.significant {
			t.Errorf("Max %v: p = %.3f, want significant %v", tt.max, p, tt.significant)
		}
	}
	if _, ok := (report.Comparison{Num: a, Den: report.Stat{Median: 1}}).P(); ok {
		t.Error("P ok without samples on one side")
	}
	md := report.RatioTable([]report.Comparison{{What: "a / b", Config: "x=1", Num: a, Den: b, Max: 0.5}}, report.Scaled(1e9, "ns"), func(c string) string { return c })
	if want := "| a / b | x=1 | 11.0 ns ±9% | 21.0 ns ±5% | ×0.52 | ≤ ×0.50 | **no** | "; !strings.Contains(md, want) {
		t.Errorf("RatioTable lacks %q:\n%s", want, md)
	}
	if p, _ := (report.Comparison{Num: a, Den: b, Max: 0.5}).P(); !strings.Contains(md, fmt.Sprintf("| %.3f |", p)) {
		t.Errorf("RatioTable lacks the p-value %.3f:\n%s", p, md)
	}
}
