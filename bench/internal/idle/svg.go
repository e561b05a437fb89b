package idle

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Bar is one labelled value of a bar chart.
type Bar struct {
	Label string
	Value float64
}

// FutexBars returns the rows of res that have a futex count, as bars.
func FutexBars(res *Result) []Bar {
	var bars []Bar
	for _, r := range res.Rows {
		if r.Futex != nil {
			bars = append(bars, Bar{Label: r.Impl, Value: *r.Futex})
		}
	}
	return bars
}

// SVG layout, in pixels.
const (
	svgWidth   = 760
	labelWidth = 150
	valueWidth = 70
	barHeight  = 18
	rowGap     = 8
	topMargin  = 48
	axisHeight = 28
)

// SVG draws bars as a horizontal bar chart with a log10 axis (bars of very
// different sizes stay readable; a value v is drawn at log10(1+v), so zero
// is an empty bar). Each bar is labelled with its name and its value. The
// result is a complete, self-contained SVG document.
func SVG(title, subtitle string, bars []Bar) string {
	maxV := 1.0
	for _, b := range bars {
		maxV = math.Max(maxV, b.Value)
	}
	// The axis ends at the next power of ten, so the ticks are round.
	decades := math.Ceil(math.Log10(maxV + 1))
	if decades < 1 {
		decades = 1
	}
	plotW := float64(svgWidth - labelWidth - valueWidth - 20)
	top := math.Log10(1 + math.Pow(10, decades))
	x := func(v float64) float64 {
		return labelWidth + plotW*math.Log10(1+v)/top
	}
	height := topMargin + len(bars)*(barHeight+rowGap) + axisHeight

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		svgWidth, height, svgWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="18" font-size="14" font-weight="bold">%s</text>`+"\n", html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="10" y="34" fill="#555">%s</text>`+"\n", html.EscapeString(subtitle))
	axisY := topMargin + len(bars)*(barHeight+rowGap)
	for d := 0.0; d <= decades; d++ {
		tx := x(math.Pow(10, d))
		label := fmt.Sprintf("%.0f", math.Pow(10, d))
		if d == 0 {
			tx, label = x(0), "0"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", tx, topMargin-4, tx, axisY)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%s</text>`+"\n", tx, axisY+16, label)
	}
	for i, bar := range bars {
		y := topMargin + i*(barHeight+rowGap)
		fill := "#8a9bb0"
		if strings.HasPrefix(bar.Label, "lull") {
			fill = "#2b7a4b"
		}
		w := x(bar.Value) - labelWidth
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelWidth-8, y+13, html.EscapeString(bar.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", labelWidth, y, w, barHeight, fill)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`+"\n", labelWidth+w+6, y+13, num(bar.Value))
	}
	b.WriteString("</svg>\n")
	return b.String()
}
