package idle_test

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/lullgo/lull/bench/internal/idle"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{7, 7, 1, 100, 7}, 7},
	}
	for _, tt := range tests {
		in := append([]float64(nil), tt.in...)
		if got := idle.Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Errorf("Median modified its input: got %v, want %v", tt.in, in)
				break
			}
		}
	}
	if got := idle.Median(nil); !math.IsNaN(got) {
		t.Errorf("Median(nil) = %v, want NaN", got)
	}
}

func TestSummarize(t *testing.T) {
	r := idle.Row{Impl: "x", Samples: []idle.Sample{
		{CPUSeconds: 0.003, VolCS: 10, InvolCS: 1, GoroutinesAt: 1001, GoroutinesEnd: 1001},
		{Traced: true, CPUSeconds: 9, VolCS: 9999, Futex: 40, Syscalls: 90, Top: []string{"futex=40"}},
		{CPUSeconds: 0.001, VolCS: 30, InvolCS: 3, GoroutinesAt: 1001, GoroutinesEnd: 1000},
		{Traced: true, Futex: 4, Syscalls: 9, Top: []string{"futex=4"}},
		{CPUSeconds: 0.002, VolCS: 20, InvolCS: 2, GoroutinesAt: 1003, GoroutinesEnd: 1001},
		{Traced: true, Futex: 6, Syscalls: 12, Top: []string{"futex=6"}},
	}}
	r.Summarize()
	// Traced samples must not leak into the getrusage medians.
	if r.CPUms != 2 || r.VolCS != 20 || r.InvolCS != 2 {
		t.Errorf("CPUms, VolCS, InvolCS = %v, %v, %v, want 2, 20, 2", r.CPUms, r.VolCS, r.InvolCS)
	}
	if r.Goroutines != 1001 || r.GoroutinesEnd != 1001 {
		t.Errorf("Goroutines = %v→%v, want 1001→1001", r.Goroutines, r.GoroutinesEnd)
	}
	if r.Futex == nil || *r.Futex != 6 || r.Syscalls == nil || *r.Syscalls != 12 {
		t.Fatalf("Futex, Syscalls = %v, %v, want 6, 12", r.Futex, r.Syscalls)
	}
	if len(r.Top) != 1 || r.Top[0] != "futex=6" {
		t.Errorf("Top = %v, want the median run's [futex=6]", r.Top)
	}

	untraced := idle.Row{Samples: []idle.Sample{{CPUSeconds: 1}}}
	untraced.Summarize()
	if untraced.Futex != nil || untraced.Syscalls != nil {
		t.Errorf("untraced row has Futex %v, Syscalls %v, want nil (printed n/a)", untraced.Futex, untraced.Syscalls)
	}
}

func f(x float64) *float64 { return &x }

func TestMarkdown(t *testing.T) {
	res := &idle.Result{
		GOARCH: "amd64", GOMAXPROCS: "2", Workers: 1000, Window: "10s", Settle: "1s", Runs: 3,
		Tracer: "strace -f",
		Rows: []idle.Row{
			{Impl: "channel", Goroutines: 1001, GoroutinesEnd: 1001, CPUms: 0.25, VolCS: 4, InvolCS: 1, Futex: f(4), Syscalls: f(9)},
			{Impl: "lull-pool", Goroutines: 1002, GoroutinesEnd: 1002, CPUms: 0.5, VolCS: 5, InvolCS: 0, Futex: f(5), Syscalls: f(10)},
			{Impl: "poll-1s", Goroutines: 1001, GoroutinesEnd: 1001, CPUms: 30, VolCS: 700, InvolCS: 9.5, Futex: f(500), Syscalls: f(1200)},
		},
	}
	got := idle.Markdown(res)
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 5 {
		t.Fatalf("Markdown has %d lines, want header, rule and 3 rows:\n%s", len(lines), got)
	}
	for i, want := range []string{
		"| channel | 1001→1001 | 0.2 | 4 | 1 | 4 | 9 | ×0.8 |",
		"| lull-pool | 1002→1002 | 0.5 | 5 | 0 | 5 | 10 | ×1 |",
		"| poll-1s | 1001→1001 | 30.0 | 700 | 9.5 | 500 | 1200 | ×100 |",
	} {
		if lines[i+2] != want {
			t.Errorf("row %d = %q, want %q", i, lines[i+2], want)
		}
	}
	if !strings.Contains(lines[0], "futex vs lull-pool") {
		t.Errorf("header %q lacks the ratio column", lines[0])
	}

	// Without a tracer the columns say n/a, never 0, and the caption says why.
	res.Tracer, res.TracerNote = "", "strace is not installed on this host"
	for i := range res.Rows {
		res.Rows[i].Futex, res.Rows[i].Syscalls = nil, nil
	}
	got = idle.Markdown(res)
	if strings.Contains(got, "futex vs") {
		t.Errorf("ratio column printed without counts:\n%s", got)
	}
	if want := "| channel | 1001→1001 | 0.2 | 4 | 1 | n/a | n/a |"; !strings.Contains(got, want) {
		t.Errorf("Markdown lacks %q:\n%s", want, got)
	}
	if c := idle.Caption(res); !strings.Contains(c, "not measured: strace is not installed") {
		t.Errorf("Caption = %q, want it to say strace is absent", c)
	}
	res.Emulator = "qemu-arm-static"
	if c := idle.Caption(res); !strings.Contains(c, "emulator's host figures") {
		t.Errorf("Caption under emulation = %q, want the CPU caveat", c)
	}
}

// svgDoc is the part of the chart the test reads back.
type svgDoc struct {
	Rects []struct {
		Width string `xml:"width,attr"`
		Fill  string `xml:"fill,attr"`
	} `xml:"rect"`
	Texts []string `xml:"text"`
}

func TestSVG(t *testing.T) {
	bars := []idle.Bar{{"channel", 4}, {"lull-pool", 5}, {"poll-100ms", 20000}, {"zero", 0}}
	out := idle.SVG("futex <calls>", "median of 3", bars)
	var doc svgDoc
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v\n%s", err, out)
	}
	// The first rect is the white background.
	if got := len(doc.Rects); got != len(bars)+1 {
		t.Fatalf("%d rects, want background + %d bars", got, len(bars))
	}
	widths := make([]float64, len(bars))
	for i := range bars {
		w, err := strconv.ParseFloat(doc.Rects[i+1].Width, 64)
		if err != nil {
			t.Fatalf("bar %d width %q: %v", i, doc.Rects[i+1].Width, err)
		}
		widths[i] = w
	}
	if !(widths[3] == 0 && widths[0] < widths[1] && widths[1] < widths[2]) {
		t.Errorf("bar widths %v do not follow the values %v", widths, bars)
	}
	if doc.Rects[2].Fill == doc.Rects[1].Fill {
		t.Errorf("lull bar has the same fill %q as the others", doc.Rects[2].Fill)
	}
	all := strings.Join(doc.Texts, "|")
	for _, want := range []string{"futex <calls>", "channel", "lull-pool", "20000", "10000", "100000"} {
		if !strings.Contains(all, want) {
			t.Errorf("SVG texts %q lack %q", all, want)
		}
	}
}
