// Package report turns benchstat's CSV summary into markdown tables with a
// ratio to lull, and replaces the generated region of a README.
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
)

// Stat is benchstat's summary of one benchmark in one unit: the median over
// the -count runs and the width of its confidence interval, as benchstat
// printed it ("3%", or "∞" with fewer than 6 runs).
type Stat struct {
	Median float64
	CI     string
}

// Stats is a parsed benchstat summary.
type Stats struct {
	// Units maps a unit ("sec/op", "B/op", …) to benchmark names, without
	// the -GOMAXPROCS suffix ("Submit/ants/workers=2/submitters=1"), to
	// their Stat.
	Units map[string]map[string]Stat
	// Order lists the benchmark names in the order benchstat printed them,
	// which is the order they ran.
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
	var first, rest []string
	for _, o := range order {
		if seenImpl[o] {
			first = append(first, o)
		}
	}
	for _, i := range g.Impls {
		if !contains(order, i) {
			rest = append(rest, i)
		}
	}
	g.Impls = append(first, rest...)
	return g
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
			cell := fmt.Sprintf("%s %s ±%s", FormatValue(st.Median*scale), suffix, st.CI)
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

// FormatRatio prints a ratio as "×0.52", "×1.00" or "×12.3".
func FormatRatio(r float64) string {
	if r >= 10 {
		return fmt.Sprintf("×%.1f", r)
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
