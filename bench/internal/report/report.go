// Package report turns benchstat's CSV summary into markdown tables with a
// ratio to lull, tests ratios against their targets on the runs the summary
// was made from, and replaces the generated region of a README.
package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// Stat is benchstat's summary of one benchmark in one unit: the median over
// the -count runs and the width of its confidence interval, as benchstat
// printed it ("3%", or "∞" with fewer than 6 runs), with the values of
// those runs if they were read (see AddSamples).
type Stat struct {
	Median  float64
	CI      string
	Samples []float64
}

// Stats is a parsed benchstat summary.
type Stats struct {
	// Units maps a unit ("sec/op", "B/op", …) to benchmark names, without
	// the -GOMAXPROCS suffix ("Submit/ants/workers=2/submitters=1"), to
	// their Stat.
	Units map[string]map[string]Stat
	// Order lists the benchmark names in the order benchstat printed them:
	// the order of their first results in the file it read (cmd/rounds
	// writes each round's results in the order the benchmarks declare
	// their configurations, whatever order they ran in).
	Order []string
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// ParseCSV reads the output of `benchstat -format csv` for a single input
// file. Configuration lines (goos: …), geomean rows and blank lines are
// skipped.
func ParseCSV(r io.Reader) (Stats, error) {
	out := Stats{Units: map[string]map[string]Stat{}}
	seen := map[string]bool{}
	unit := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		switch {
		case len(f) < 3:
			continue
		case f[0] == "" && f[2] == "CI":
			unit = f[1]
			continue
		case f[0] == "" || f[0] == "geomean":
			continue
		case unit == "":
			return Stats{}, fmt.Errorf("report: row %q before any unit header", sc.Text())
		}
		if f[1] == "" {
			continue // benchstat leaves a cell empty when it has no value
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return Stats{}, fmt.Errorf("report: row %q: %w", sc.Text(), err)
		}
		if out.Units[unit] == nil {
			out.Units[unit] = map[string]Stat{}
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		out.Units[unit][name] = Stat{Median: v, CI: f[2]}
		if !seen[name] {
			seen[name] = true
			out.Order = append(out.Order, name)
		}
	}
	if err := sc.Err(); err != nil {
		return Stats{}, err
	}
	if len(out.Order) == 0 {
		return Stats{}, errors.New("report: no benchstat rows found")
	}
	return out, nil
}

// AddSamples reads the output of go test -bench that s summarizes (the file
// benchstat read, named name in errors) and puts each value of a benchmark
// that s has in that Stat's Samples, in the unit benchstat gives it
// ("sec/op" for ns/op, "call-sec/op" for call-ns/op). Lines that are not
// results, and results s has no Stat for, are skipped.
func (s Stats) AddSamples(r io.Reader, name string) error {
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		res, ok := br.Result().(*benchfmt.Result)
		if !ok {
			continue // a syntax error or unit metadata
		}
		full := nameOf(res)
		for _, v := range res.Values {
			cells := s.Units[v.Unit]
			st, ok := cells[full]
			if !ok {
				continue
			}
			st.Samples = append(st.Samples, v.Value)
			cells[full] = st
		}
	}
	return br.Err()
}

// Names returns the names of the results in r, output of go test -bench
// (named file in errors), in order, each as many times as it has results.
func Names(r io.Reader, file string) ([]string, error) {
	var names []string
	br := benchfmt.NewReader(r, file)
	for br.Scan() {
		if res, ok := br.Result().(*benchfmt.Result); ok {
			names = append(names, nameOf(res))
		}
	}
	return names, br.Err()
}

// nameOf returns res's full name without its GOMAXPROCS suffix:
// "Submit/ants/workers=2/submitters=1", as benchstat names its rows.
func nameOf(res *benchfmt.Result) string {
	return procSuffix.ReplaceAllString(string(res.Name.Full()), "")
}

// Grid is one benchmark family laid out as implementations × configurations:
// "Submit/ants/workers=2/submitters=1" is impl "ants", config
// "workers=2/submitters=1".
type Grid struct {
	Impls   []string // in first-seen order
	Configs []string // in first-seen order
	Cells   map[string]map[string]Stat
}

// Family collects the benchmarks named <name>/<impl>[/<config>] in unit.
// order lists implementations to put first, in that order; the others follow
// as benchstat listed them.
func (s Stats) Family(name, unit string, order []string) Grid {
	g := Grid{Cells: map[string]map[string]Stat{}}
	seenImpl, seenConf := map[string]bool{}, map[string]bool{}
	for _, full := range s.Order {
		rest, ok := strings.CutPrefix(full, name+"/")
		if !ok {
			continue
		}
		st, ok := s.Units[unit][full]
		if !ok {
			continue
		}
		impl, conf, _ := strings.Cut(rest, "/")
		if !seenImpl[impl] {
			seenImpl[impl] = true
			g.Impls = append(g.Impls, impl)
		}
		if !seenConf[conf] {
			seenConf[conf] = true
			g.Configs = append(g.Configs, conf)
		}
		if g.Cells[impl] == nil {
			g.Cells[impl] = map[string]Stat{}
		}
		g.Cells[impl][conf] = st
	}
	g.Impls = ordered(g.Impls, order)
	return g
}

// ordered returns impls with the names in order first, in that order, and
// the others after them as they were.
func ordered(impls, order []string) []string {
	var first, rest []string
	for _, o := range order {
		if contains(impls, o) {
			first = append(first, o)
		}
	}
	for _, i := range impls {
		if !contains(order, i) {
			rest = append(rest, i)
		}
	}
	return append(first, rest...)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Markdown renders g with one row per implementation and one column per
// configuration. Each cell is the median in the given scale (e.g. 1e9 with
// suffix "ns" for sec/op), its confidence interval, and the ratio to
// baseline's median in the same configuration. A last column gives the
// geometric mean of the ratios. Cells without data read "–".
func (g Grid) Markdown(baseline string, scale float64, suffix string, header func(config string) string) string {
	return g.MarkdownFunc(baseline, Scaled(scale, suffix), header)
}

// Scaled returns a format func for MarkdownFunc and RatioTable that prints
// v*scale with FormatValue and suffix.
func Scaled(scale float64, suffix string) func(v float64) string {
	return func(v float64) string { return FormatValue(v*scale) + " " + suffix }
}

// MarkdownFunc is Markdown with each median printed by format.
func (g Grid) MarkdownFunc(baseline string, format func(v float64) string, header func(config string) string) string {
	var b strings.Builder
	b.WriteString("| implementation |")
	for _, c := range g.Configs {
		b.WriteString(" " + header(c) + " |")
	}
	b.WriteString(" geomean ratio to " + baseline + " |\n|---|")
	for range g.Configs {
		b.WriteString("--:|")
	}
	b.WriteString("--:|\n")
	for _, impl := range g.Impls {
		b.WriteString("| " + impl + " |")
		logSum, n := 0.0, 0
		for _, c := range g.Configs {
			st, ok := g.Cells[impl][c]
			if !ok {
				b.WriteString(" – |")
				continue
			}
			cell := fmt.Sprintf("%s ±%s", format(st.Median), st.CI)
			if base, ok := g.Cells[baseline][c]; ok && base.Median > 0 && st.Median > 0 {
				r := st.Median / base.Median
				cell += fmt.Sprintf(" (%s)", FormatRatio(r))
				logSum += math.Log(r)
				n++
			}
			b.WriteString(" " + cell + " |")
		}
		if n > 0 {
			b.WriteString(" " + FormatRatio(math.Exp(logSum/float64(n))) + " |\n")
		} else {
			b.WriteString(" – |\n")
		}
	}
	return b.String()
}

// FormatSeconds prints a time in seconds in the unit that suits it, with
// FormatValue: "612 ns", "3.25 ms", "1.50 s".
func FormatSeconds(v float64) string {
	switch {
	case v >= 1:
		return FormatValue(v) + " s"
	case v >= 1e-3:
		return FormatValue(v*1e3) + " ms"
	case v >= 1e-6:
		return FormatValue(v*1e6) + " µs"
	default:
		return FormatValue(v*1e9) + " ns"
	}
}

// FormatValue prints v with three significant digits, without exponent.
func FormatValue(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// FormatRatio prints a ratio as "×0.52", "×1.00" or "×12.3", and one
// below 0.01 with two significant digits, "×0.00031", so that it does not
// read as zero.
func FormatRatio(r float64) string {
	switch {
	case r >= 10:
		return fmt.Sprintf("×%.1f", r)
	case r < 0.01 && r > 0:
		return "×" + strconv.FormatFloat(r, 'f', 1-int(math.Floor(math.Log10(r))), 64)
	}
	return fmt.Sprintf("×%.2f", r)
}

// Replace returns doc with the text between the lines holding begin and end
// replaced by body. The marker lines are kept. It fails unless each marker
// occurs exactly once, begin first.
func Replace(doc, begin, end, body string) (string, error) {
	if strings.Count(doc, begin) != 1 || strings.Count(doc, end) != 1 {
		return "", fmt.Errorf("report: want exactly one %q and one %q", begin, end)
	}
	i := strings.Index(doc, begin) + len(begin)
	j := strings.Index(doc, end)
	if j < i {
		return "", fmt.Errorf("report: %q comes before %q", end, begin)
	}
	return doc[:i] + "\n" + strings.TrimRight(body, "\n") + "\n" + doc[j:], nil
}

// Pick returns g restricted to the configurations whose key component (as
// in "workers=2/ctx=cancel", key "ctx") equals value, with that component
// cut from their names.
func (g Grid) Pick(key, value string) Grid {
	return g.pick(key, value, false)
}

// PickDefault is Pick that also keeps, as they are, the configurations
// without a key component: they come from runs made before the key
// existed, which measured what is now its default value.
func (g Grid) PickDefault(key, value string) Grid {
	return g.pick(key, value, true)
}

func (g Grid) pick(key, value string, keepMissing bool) Grid {
	out := Grid{Cells: map[string]map[string]Stat{}}
	seen := map[string]bool{}
	for _, c := range g.Configs {
		rest, v, ok := CutKey(c, key)
		if (ok && v != value) || (!ok && !keepMissing) {
			continue
		}
		if !seen[rest] {
			seen[rest] = true
			out.Configs = append(out.Configs, rest)
		}
		for impl, cells := range g.Cells {
			if st, ok := cells[c]; ok {
				if out.Cells[impl] == nil {
					out.Cells[impl] = map[string]Stat{}
				}
				out.Cells[impl][rest] = st
			}
		}
	}
	for _, i := range g.Impls {
		if len(out.Cells[i]) > 0 {
			out.Impls = append(out.Impls, i)
		}
	}
	return out
}

// CutKey splits the component key=value out of config: it returns config
// without it, value, and whether it was there. For example
// CutKey("workers=2/ctx=cancel", "ctx") is "workers=2", "cancel", true.
func CutKey(config, key string) (rest, value string, found bool) {
	parts := strings.Split(config, "/")
	for i, p := range parts {
		if v, ok := strings.CutPrefix(p, key+"="); ok {
			return strings.Join(append(parts[:i:i], parts[i+1:]...), "/"), v, true
		}
	}
	return config, "", false
}

// Column is one column of a grid gathered from several units by Metrics:
// the benchmarks <family>/<impl>/<Config> in Unit, shown as Header.
type Column struct {
	Config, Unit, Header string
}

// Metrics lays the benchmarks of a family out with one column per Column,
// so that metrics a benchmark reports beside sec/op (b.ReportMetric) sit in
// one table. Columns without any value are left out; the Grid's configs are
// the Headers.
func (s Stats) Metrics(family string, cols []Column, order []string) Grid {
	out := Grid{Cells: map[string]map[string]Stat{}}
	seenImpl := map[string]bool{}
	for _, col := range cols {
		g := s.Family(family, col.Unit, nil)
		any := false
		for _, impl := range g.Impls {
			st, ok := g.Cells[impl][col.Config]
			if !ok {
				continue
			}
			any = true
			if !seenImpl[impl] {
				seenImpl[impl] = true
				out.Impls = append(out.Impls, impl)
			}
			if out.Cells[impl] == nil {
				out.Cells[impl] = map[string]Stat{}
			}
			out.Cells[impl][col.Header] = st
		}
		if any {
			out.Configs = append(out.Configs, col.Header)
		}
	}
	out.Impls = ordered(out.Impls, order)
	return out
}

// Comparison is the ratio of two medians taken in the same run, in the
// same configuration, with the target the ratio should meet.
type Comparison struct {
	What   string // what is divided by what, e.g. "lull-go / goroutine"
	Config string
	Num    Stat
	Den    Stat
	// Max is the target: the ratio should be at most Max. Zero means no
	// target; the row is there for reference.
	Max float64
}

// Ratio returns Num's median over Den's.
func (c Comparison) Ratio() float64 { return c.Num.Median / c.Den.Median }

// P returns the p-value of the test benchstat runs on two columns (a
// Mann-Whitney U test) applied to Num's samples and Den's multiplied by
// Max, or by 1 without a target: below 0.05, the ratio of the two differs
// from the target by more than the spread of the runs can explain. ok is
// false if either side has no samples.
func (c Comparison) P() (p float64, ok bool) {
	if len(c.Num.Samples) == 0 || len(c.Den.Samples) == 0 {
		return 0, false
	}
	scale := c.Max
	if scale == 0 {
		scale = 1
	}
	den := make([]float64, len(c.Den.Samples))
	for i, v := range c.Den.Samples {
		den[i] = v * scale
	}
	t := &benchmath.DefaultThresholds
	return benchmath.AssumeNothing.Compare(benchmath.NewSample(c.Num.Samples, t), benchmath.NewSample(den, t)).P, true
}

// Compare returns a Comparison of a's cell with b's for each configuration
// of g in which both have one, in g's order.
func (g Grid) Compare(a, b string, max float64) []Comparison {
	var out []Comparison
	for _, c := range g.Configs {
		na, ok := g.Cells[a][c]
		nb, okb := g.Cells[b][c]
		if !ok || !okb || nb.Median <= 0 {
			continue
		}
		out = append(out, Comparison{What: a + " / " + b, Config: c, Num: na, Den: nb, Max: max})
	}
	return out
}

// CompareValues returns a Comparison of impl's cell under key=num with its
// cell under key=den, for each configuration measured under both: for
// example impl "lull-pool", key "ctx", num "cancel", den "background".
func (g Grid) CompareValues(impl, key, num, den string, max float64) []Comparison {
	n, d := g.Pick(key, num), g.Pick(key, den)
	pair := Grid{Configs: n.Configs, Cells: map[string]map[string]Stat{num: n.Cells[impl], den: d.Cells[impl]}}
	out := pair.Compare(num, den, max)
	for i := range out {
		out[i].What = fmt.Sprintf("%s: %s=%s / %s=%s", impl, key, num, key, den)
	}
	return out
}

// PNote says what RatioTable's last column is, for the text above a table.
const PNote = "The last column is the p-value of benchstat's test (Mann-Whitney U) of the numerator's runs against the denominator's multiplied by the target (by 1 where there is none): below 0.05, the ratio differs from its target, on whichever side its median lies, by more than the spread of the runs explains; at or above it, the ratio is within that spread of its target, even where its median is on the wrong side."

// RatioTable renders comparisons as a markdown table: the two medians
// (printed by format) with their confidence intervals, the ratio, the
// target, whether the ratio of the medians meets it, and the p-value of
// the runs against the target (see Comparison.P and PNote). header names
// each configuration, as for Markdown.
func RatioTable(rows []Comparison, format func(v float64) string, header func(config string) string) string {
	var b strings.Builder
	b.WriteString("| comparison | configuration | numerator | denominator | ratio | target | ratio of medians within target | p vs target |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|---|--:|\n")
	for _, r := range rows {
		target, within := "–", "–"
		if r.Max > 0 {
			target = "≤ " + FormatRatio(r.Max)
			within = map[bool]string{true: "yes", false: "**no**"}[r.Ratio() <= r.Max]
		}
		p := "–"
		if v, ok := r.P(); ok {
			p = fmt.Sprintf("%.3f", v)
		}
		fmt.Fprintf(&b, "| %s | %s | %s ±%s | %s ±%s | %s | %s | %s | %s |\n",
			r.What, header(r.Config), format(r.Num.Median), r.Num.CI, format(r.Den.Median), r.Den.CI,
			FormatRatio(r.Ratio()), target, within, p)
	}
	return b.String()
}
