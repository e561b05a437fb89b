package report_test

import (
	"os"
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
		if !ok || got != tt.want {
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
	}{{0.5, "×0.50"}, {1, "×1.00"}, {12.34, "×12.3"}} {
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
