// Package idle holds the data of the idle measurement (what one run of
// cmd/idleprog saw, and the medians cmd/idle keeps) and renders it as a
// markdown table and an SVG bar chart.
package idle

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// ImplInfo is what `idleprog -list` prints about each implementation.
type ImplInfo struct {
	Name string `json:"name"`
	Tag  string `json:"tag"`
	Doc  string `json:"doc"`
}

// Sample is what idleprog measured over one window with getrusage, plus,
// for a traced run, what the tracer counted.
type Sample struct {
	CPUSeconds    float64 `json:"cpu_seconds"`
	VolCS         int64   `json:"voluntary_ctx_switches"`
	InvolCS       int64   `json:"involuntary_ctx_switches"`
	GoroutinesAt  int     `json:"goroutines_start"`
	GoroutinesEnd int     `json:"goroutines_end"`
	// Traced reports whether Futex, Syscalls and Top were counted; getrusage
	// figures of a traced run are not kept, because the tracer stops the
	// program at every call.
	Traced   bool     `json:"traced,omitempty"`
	Futex    int      `json:"futex,omitempty"`
	Syscalls int      `json:"syscalls_no_clock,omitempty"`
	Top      []string `json:"top,omitempty"`
}

// Row is one implementation's medians over all runs.
type Row struct {
	Impl          string   `json:"impl"`
	Doc           string   `json:"doc"`
	Goroutines    float64  `json:"goroutines_start"`
	GoroutinesEnd float64  `json:"goroutines_end"`
	CPUms         float64  `json:"cpu_ms"`
	VolCS         float64  `json:"voluntary_ctx_switches"`
	InvolCS       float64  `json:"involuntary_ctx_switches"`
	Futex         *float64 `json:"futex,omitempty"`
	Syscalls      *float64 `json:"syscalls_no_clock,omitempty"`
	Top           []string `json:"top_syscalls,omitempty"`
	Samples       []Sample `json:"samples"`
}

// Result is one invocation of cmd/idle: its setup and a row per
// implementation.
type Result struct {
	GOARCH     string `json:"goarch"`
	GOARM      string `json:"goarm,omitempty"`
	Emulator   string `json:"emulator,omitempty"`
	Tracer     string `json:"tracer,omitempty"`
	TracerNote string `json:"tracer_note,omitempty"`
	GOMAXPROCS string `json:"gomaxprocs"`
	Workers    int    `json:"workers"`
	Window     string `json:"window"`
	Settle     string `json:"settle"`
	Runs       int    `json:"runs"`
	Command    string `json:"command"`
	Date       string `json:"date"`
	Host       string `json:"host"`
	GoVersion  string `json:"go_version"`
	Lull       string `json:"lull_revision"`
	Rows       []Row  `json:"rows"`
}

// Median returns the median of xs (the mean of the two middle values for an
// even count), or NaN for none. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Summarize fills r's medians from r.Samples: getrusage figures from the
// untraced samples, tracer counts from the traced ones. Top is taken from
// the traced sample whose futex count is the median one.
func (r *Row) Summarize() {
	var cpu, vol, invol, g0, g1, futex, sys []float64
	var traced []Sample
	for _, s := range r.Samples {
		if s.Traced {
			futex = append(futex, float64(s.Futex))
			sys = append(sys, float64(s.Syscalls))
			traced = append(traced, s)
			continue
		}
		cpu = append(cpu, s.CPUSeconds*1000)
		vol = append(vol, float64(s.VolCS))
		invol = append(invol, float64(s.InvolCS))
		g0 = append(g0, float64(s.GoroutinesAt))
		g1 = append(g1, float64(s.GoroutinesEnd))
	}
	r.CPUms, r.VolCS, r.InvolCS = Median(cpu), Median(vol), Median(invol)
	r.Goroutines, r.GoroutinesEnd = Median(g0), Median(g1)
	r.Futex, r.Syscalls, r.Top = nil, nil, nil
	if len(traced) > 0 {
		f, s := Median(futex), Median(sys)
		r.Futex, r.Syscalls = &f, &s
		sort.SliceStable(traced, func(i, j int) bool { return traced[i].Futex < traced[j].Futex })
		r.Top = traced[(len(traced)-1)/2].Top
	}
}

// Baseline is the implementation the ratio columns divide by.
const Baseline = "lull-pool"

// Markdown renders res as a markdown table, one row per implementation, with
// the futex count as a ratio to Baseline's when Baseline was measured.
func Markdown(res *Result) string {
	var b strings.Builder
	var base *Row
	for i := range res.Rows {
		if res.Rows[i].Impl == Baseline && res.Rows[i].Futex != nil {
			base = &res.Rows[i]
		}
	}
	cpuHead := "CPU ms"
	if res.Emulator != "" {
		cpuHead = "CPU ms (qemu's)"
	}
	fmt.Fprintf(&b, "| implementation | goroutines (start→end) | %s | vol. ctx sw | invol. ctx sw | futex | syscalls¹ |", cpuHead)
	if base != nil {
		b.WriteString(" futex vs " + Baseline + " |")
	}
	b.WriteString("\n|---|--:|--:|--:|--:|--:|--:|")
	if base != nil {
		b.WriteString("--:|")
	}
	b.WriteString("\n")
	for _, r := range res.Rows {
		fmt.Fprintf(&b, "| %s | %s→%s | %s | %s | %s | %s | %s |",
			r.Impl, num(r.Goroutines), num(r.GoroutinesEnd), fixed(r.CPUms),
			num(r.VolCS), num(r.InvolCS), opt(r.Futex), opt(r.Syscalls))
		if base != nil {
			b.WriteString(" " + ratio(r.Futex, base.Futex) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Caption describes how res was measured, for the line under its table.
func Caption(res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d workers per pool, warmed so that all exist, %s settle, then a %s idle window; median of %d runs; GOARCH=%s",
		res.Workers, res.Settle, res.Window, res.Runs, res.GOARCH)
	if res.GOARM != "" {
		fmt.Fprintf(&b, " GOARM=%s", res.GOARM)
	}
	fmt.Fprintf(&b, ", GOMAXPROCS=%s. ", res.GOMAXPROCS)
	if res.Tracer == "" {
		fmt.Fprintf(&b, "futex and syscall columns were not measured: %s. ", res.TracerNote)
	} else {
		fmt.Fprintf(&b, "futex and syscalls counted by `%s` between two marker calls, in separate runs from the CPU and context-switch figures (getrusage). ", res.Tracer)
	}
	b.WriteString("¹ syscalls in the window, clock_gettime excluded.")
	if res.Emulator != "" {
		fmt.Fprintf(&b, " Run under %s on %s: CPU time and context switches are the emulator's host figures, not the guest's; futex counts of parked programs are reliable, counts of busy or timer-heavy ones are order-of-magnitude only.", res.Emulator, res.Host)
	}
	return b.String()
}

func num(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

func fixed(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.1f", x)
}

func opt(x *float64) string {
	if x == nil {
		return "n/a"
	}
	return num(*x)
}

func ratio(x, base *float64) string {
	switch {
	case x == nil || base == nil:
		return "n/a"
	case *base == 0 && *x == 0:
		return "×1"
	case *base == 0:
		return "∞"
	}
	return fmt.Sprintf("×%.3g", *x / *base)
}
