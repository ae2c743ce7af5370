package chart

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/internal/numfmt"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
	"github.com/cwreport/cwreport/report/internal/escape"
	"github.com/cwreport/cwreport/report/render/internal/fonts"
)

// Options are what a chart's layout depends on besides the chart itself.
type Options struct {
	// Loc is the report's time zone: time axes are labelled in local time.
	Loc *time.Location
	// Lang is ko or en, for the few words a chart adds (time, no data).
	Lang string
	// Window is the report window, used when a chart has no Start/End.
	Window report.Window
}

// Limits that keep a chart readable and its cost bounded whatever the data.
const (
	Width      = 720.0 // drawing width of every chart but the gauge
	maxLabel   = 48    // runes of a lane, bar or series label
	maxTitle   = 120   // runes of a title
	maxLanes   = 30    // timeline rows
	maxBars    = 30    // bar rows
	maxSeries  = 12    // time series drawn
	maxBins    = 2000  // histogram bins drawn
	maxSpans   = 2000  // timeline spans per lane
	titleSize  = 15.0
	labelSize  = 11.0
	legendSize = 11.0
)

// SeverityColor is the colour of a severity in charts, badges and tables.
func SeverityColor(s report.Severity) Color {
	switch s {
	case report.SeverityCritical:
		return Color{0xb7, 0x1c, 0x1c}
	case report.SeverityHigh:
		return Orange
	case report.SeverityMedium:
		return Amber
	case report.SeverityLow:
		return Blue
	}
	return Grey
}

// Layout lays out c. It never fails on data: an empty or malformed chart
// draws as a titled frame saying there is no data.
func Layout(c *report.Chart, o Options) (*Drawing, error) {
	if c == nil {
		return nil, fmt.Errorf("lay out chart: no chart")
	}
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	if _, err := fonts.Get(fonts.Regular); err != nil {
		return nil, fmt.Errorf("lay out chart %s: %w", c.ID, err)
	}
	if _, err := fonts.Get(fonts.Bold); err != nil {
		return nil, fmt.Errorf("lay out chart %s: %w", c.ID, err)
	}
	l := &layout{c: c, o: o, d: &Drawing{ID: c.ID, Title: label(c.Title, maxTitle), W: Width}}
	switch c.Kind {
	case report.ChartTimeSeries:
		l.timeSeries()
	case report.ChartHistogram:
		l.histogram()
	case report.ChartTimeline:
		l.timeline()
	case report.ChartBars:
		l.bars()
	case report.ChartGauge:
		l.gauge()
	default:
		return nil, fmt.Errorf("lay out chart %s: unknown kind %q", c.ID, c.Kind)
	}
	return l.d, nil
}

type layout struct {
	c *report.Chart
	o Options
	d *Drawing
}

// label cleans untrusted text for a chart: one line, bounded, only runes
// the font can draw.
func label(s string, max int) string {
	return fonts.Must(fonts.Regular).Sanitize(escape.Clean(s, max))
}

func width(s string, size float64, bold bool) float64 {
	if bold {
		return fonts.Must(fonts.Bold).Width(s, size)
	}
	return fonts.Must(fonts.Regular).Width(s, size)
}

// fit shortens s with an ellipsis until it is at most w wide.
func fit(s string, size float64, bold bool, w float64) string {
	if width(s, size, bold) <= w {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi { // the longest prefix that fits, by bisection
		mid := (lo + hi + 1) / 2
		if width(string(r[:mid])+escape.Ellipsis, size, bold) <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(r[:lo]), " ") + escape.Ellipsis
}

// title draws the chart title and returns the y where content starts.
func (l *layout) title() float64 {
	t := fit(l.d.Title, titleSize, true, l.d.W-16)
	l.d.text(8, 20, t, titleSize, true, AnchorStart, Ink)
	return 32
}

func (l *layout) noData(x, y, w, h float64) {
	l.d.rect(x, y, w, h, Color{0xf7, 0xf8, 0xf9})
	l.d.text(x+w/2, y+h/2+4, i18n.Pick(l.o.Lang, "No data", "데이터 없음"), labelSize+1, false, AnchorMiddle, Muted)
}

func (l *layout) span() (time.Time, time.Time) {
	start, end := l.c.Start, l.c.End
	if start.IsZero() {
		start = l.o.Window.Start
	}
	if end.IsZero() {
		end = l.o.Window.End
	}
	return start, end
}

// valueCaption is "YLabel (unit)".
func (l *layout) valueCaption() string {
	s := label(l.c.YLabel, maxLabel)
	if u := label(l.c.Unit, 16); u != "" {
		if s == "" {
			return u
		}
		s += " (" + u + ")"
	}
	return s
}

// timeCaption is "XLabel (Asia/Seoul)": times are always local.
func (l *layout) timeCaption() string {
	s := label(l.c.XLabel, maxLabel)
	if s == "" {
		s = i18n.Pick(l.o.Lang, "Time", "시각")
	}
	return s + " (" + label(l.o.Loc.String(), 40) + ")"
}

// plot is the frame of an x/y chart.
type plot struct {
	x, y, w, h float64
	t0, t1     time.Time
	v0, v1     float64
}

func (p *plot) tx(t time.Time) float64 {
	span := p.t1.Sub(p.t0).Seconds()
	if span <= 0 {
		return p.x
	}
	return p.x + p.w*t.Sub(p.t0).Seconds()/span
}

func (p *plot) vy(v float64) float64 {
	if p.v1 <= p.v0 {
		return p.y + p.h
	}
	return p.y + p.h - p.h*(v-p.v0)/(p.v1-p.v0)
}

// frame draws value grid, ticks and captions for [v0, v1] over [t0, t1] and
// returns the plot. top is where the plot may start, bottom its lower edge.
func (l *layout) frame(top, bottom float64, t0, t1 time.Time, vmax float64) *plot {
	ticks := niceTicks(0, vmax, 5)
	v1 := ticks[len(ticks)-1]
	labels := make([]string, len(ticks))
	lw := 0.0
	for i, v := range ticks {
		labels[i] = formatValue(v, ticks)
		lw = max(lw, width(labels[i], labelSize, false))
	}
	p := &plot{x: 24 + lw + 8, y: top + 14, t0: t0, t1: t1, v0: 0, v1: v1}
	p.w = l.d.W - p.x - 16
	p.h = bottom - p.y
	if cap := l.valueCaption(); cap != "" {
		l.d.text(8, top+6, fit(cap, labelSize, false, l.d.W/2), labelSize, false, AnchorStart, Muted)
	}
	for i, v := range ticks {
		y := p.vy(v)
		l.d.line(Grid, 1, nil, Point{p.x, y}, Point{p.x + p.w, y})
		l.d.text(p.x-6, y+4, labels[i], labelSize, false, AnchorEnd, Muted)
	}
	l.timeAxis(p.x, p.w, p.y+p.h, t0, t1, true)
	return p
}

// timeAxis draws the baseline, local-time ticks and the time caption below
// y. With grid, each tick also draws a faint vertical line up the plot.
func (l *layout) timeAxis(x, w, y float64, t0, t1 time.Time, grid bool) {
	l.d.line(Axis, 1, nil, Point{x, y}, Point{x + w, y})
	if !t1.After(t0) {
		return
	}
	p := &plot{x: x, w: w, t0: t0, t1: t1}
	for _, tk := range timeTicks(t0, t1, l.o.Loc, w) {
		tx := p.tx(tk.t)
		l.d.line(Axis, 1, nil, Point{tx, y}, Point{tx, y + 4})
		l.d.text(tx, y+16, tk.label, labelSize, false, AnchorMiddle, Muted)
	}
	l.d.text(x+w, y+32, l.timeCaption(), labelSize, false, AnchorEnd, Muted)
}

// legendRows is how many rows legend needs for names.
func (l *layout) legendRows(names []string) int {
	if len(names) == 0 {
		return 0
	}
	rows, x := 1, 24.0
	for _, n := range names {
		w := 22 + width(fit(n, legendSize, false, 220), legendSize, false) + 16
		if x+w > l.d.W-8 && x > 24 {
			x = 24
			rows++
		}
		x += w
	}
	return rows
}

// legend draws colour keys in rows from y and returns the y below them.
func (l *layout) legend(y float64, names []string, colors []Color, dashed []bool) float64 {
	x := 24.0
	for i, n := range names {
		n = fit(n, legendSize, false, 220)
		w := 22 + width(n, legendSize, false) + 16
		if x+w > l.d.W-8 && x > 24 {
			x = 24
			y += 18
		}
		var dash []float64
		if dashed != nil && dashed[i] {
			dash = []float64{4, 3}
		}
		l.d.line(colors[i], 2.5, dash, Point{x, y - 4}, Point{x + 16, y - 4})
		l.d.text(x+22, y, n, legendSize, false, AnchorStart, Ink)
		x += w
	}
	return y + 10
}

func (l *layout) timeSeries() {
	l.d.H = 300
	top := l.title()
	t0, t1 := l.span()
	series := l.c.Series
	if len(series) > maxSeries {
		series = series[:maxSeries]
	}
	var names []string
	var colors []Color
	var dashed []bool
	vmax := l.c.YMax
	auto := vmax <= 0
	points := 0
	for i, s := range series {
		names = append(names, label(s.Name, maxLabel))
		colors = append(colors, Series[i%len(Series)])
		dashed = append(dashed, s.Style == report.LineDashed)
		for _, p := range s.Points {
			if auto && finite(p.V) && p.V > vmax && !p.T.Before(t0) && !p.T.After(t1) {
				vmax = p.V
			}
			points++
		}
	}
	for _, th := range l.c.Thresholds {
		if auto && finite(th.Value) && th.Value > vmax {
			vmax = th.Value
		}
	}
	rows := l.legendRows(names)
	l.d.H += float64(max(rows-1, 0)) * 18
	bottom := l.d.H - 44 - float64(rows)*18
	if points == 0 || !t1.After(t0) {
		l.noData(24, top+14, l.d.W-40, bottom-top-14)
		return
	}
	p := l.frame(top, bottom, t0, t1, vmax)
	var lines []float64
	var labels []string
	for _, th := range l.c.Thresholds {
		if !finite(th.Value) || th.Value < p.v0 || th.Value > p.v1 {
			continue
		}
		y := p.vy(th.Value)
		l.d.line(Red, 1.2, []float64{6, 4}, Point{p.x, y}, Point{p.x + p.w, y})
		lab := label(th.Label, maxLabel)
		if lab == "" {
			lab = formatValue(th.Value, nil)
		}
		lines, labels = append(lines, y), append(labels, lab)
	}
	var obstacles [][]Point
	for i, s := range series {
		dash := []float64(nil)
		if dashed[i] {
			dash = []float64{6, 4}
		}
		for _, run := range l.polyline(p, s.Points) {
			l.d.line(colors[i], 1.8, dash, run...)
			obstacles = append(obstacles, run)
		}
	}
	// Labels last, placed where no series runs through them.
	l.thresholdLabels(p, lines, labels, obstacles, nil)
	l.legend(bottom+50, names, colors, dashed)
}

// box is an axis-aligned rectangle: [x0, x1] × [y0, y1].
type box struct{ x0, y0, x1, y1 float64 }

func (b box) overlaps(o box) bool {
	return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1
}

// crosses reports whether the segment a-b passes through the box
// (Liang-Barsky clipping).
func (b box) crosses(a, c Point) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := c.X-a.X, c.Y-a.Y
	for _, e := range [4][2]float64{{-dx, a.X - b.x0}, {dx, b.x1 - a.X}, {-dy, a.Y - b.y0}, {dy, b.y1 - a.Y}} {
		pp, q := e[0], e[1]
		if pp == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		r := q / pp
		if pp < 0 {
			t0 = max(t0, r)
		} else {
			t1 = min(t1, r)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

// thresholdLabels writes each threshold's label along its line where it
// hides no data: above or below the line, from the right end leftwards, the
// first spot that no series segment (obstacles), bar (rects) or earlier
// label crosses. When every spot is crossed, the least crossed one gets a
// white ground so the label stays legible over the lines.
func (l *layout) thresholdLabels(p *plot, ys []float64, labels []string, obstacles [][]Point, rects []box) {
	const steps = 12
	asc, desc := labelSize*0.8, labelSize*0.25
	var placed []box
	for i, y := range ys {
		lab := fit(labels[i], labelSize, false, p.w/2)
		w := width(lab, labelSize, false)
		best, bestCost := box{}, math.MaxInt
		var bestBase float64
		for step := 0; step <= steps && bestCost > 0; step++ {
			right := p.x + p.w - 2 - (p.w-4-w)*float64(step)/steps
			for _, base := range []float64{y - 4, y + asc + 4} {
				b := box{right - w - 2, base - asc - 1, right + 2, base + desc + 1}
				if b.y0 < p.y || b.y1 > p.y+p.h {
					continue
				}
				cost := 0
				for _, o := range placed {
					if o.overlaps(b) {
						cost += 1000
					}
				}
				for _, r := range rects {
					if r.overlaps(b) {
						cost++
					}
				}
				for _, run := range obstacles {
					for k := 1; k < len(run); k++ {
						a, c := run[k-1], run[k]
						if max(a.Y, c.Y) < b.y0 || min(a.Y, c.Y) > b.y1 || max(a.X, c.X) < b.x0 || min(a.X, c.X) > b.x1 {
							continue
						}
						if b.crosses(a, c) {
							cost++
						}
					}
				}
				if cost < bestCost {
					best, bestCost, bestBase = b, cost, base
					if cost == 0 {
						break
					}
				}
			}
		}
		if bestCost == math.MaxInt { // a plot too small for any spot: the old place
			best, bestBase = box{p.x + p.w - w - 4, y - 4 - asc - 1, p.x + p.w, y - 4 + desc + 1}, y-4
		}
		if bestCost > 0 {
			l.d.rect(best.x0, best.y0, best.x1-best.x0, best.y1-best.y0, White)
		}
		l.d.text(best.x1-2, bestBase, lab, labelSize, false, AnchorEnd, Red)
		placed = append(placed, best)
	}
}

// polyline maps points into the plot, breaking at gaps (NaN) and keeping at
// most two points (min and max) per unit of width, so a series of a million
// points costs as much to draw as one of a thousand.
func (l *layout) polyline(p *plot, pts []report.ChartPoint) [][]Point {
	var runs [][]Point
	var cur []Point
	col := math.Inf(-1)
	var lo, hi Point
	have := false
	flush := func() {
		if !have {
			return
		}
		if lo.Y == hi.Y || lo == hi {
			cur = append(cur, lo)
		} else if lo.X <= hi.X {
			cur = append(cur, lo, hi)
		} else {
			cur = append(cur, hi, lo)
		}
		have = false
	}
	for _, pt := range pts {
		if pt.T.Before(p.t0) || pt.T.After(p.t1) {
			continue
		}
		if !finite(pt.V) {
			flush()
			if len(cur) > 0 {
				runs = append(runs, cur)
				cur = nil
			}
			continue
		}
		v := math.Max(p.v0, math.Min(p.v1, pt.V))
		q := Point{p.tx(pt.T), p.vy(v)}
		c := math.Floor(q.X)
		if c != col {
			flush()
			col = c
			lo, hi, have = q, q, true
			continue
		}
		if q.Y > lo.Y { // larger y is a lower value on screen
			lo = q
		}
		if q.Y < hi.Y {
			hi = q
		}
	}
	flush()
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	for i, r := range runs {
		if len(r) == 1 { // a lone point still shows as a short tick
			runs[i] = []Point{{r[0].X - 1.5, r[0].Y}, {r[0].X + 1.5, r[0].Y}}
		}
	}
	return runs
}

func (l *layout) histogram() {
	l.d.H = 240
	top := l.title()
	t0, t1 := l.span()
	bins := l.c.Bins
	if len(bins) > maxBins {
		bins = bins[:maxBins]
	}
	vmax := l.c.YMax
	auto := vmax <= 0
	if t0.IsZero() && len(bins) > 0 {
		t0, t1 = bins[0].Start, bins[len(bins)-1].End
	}
	for _, b := range bins {
		if auto && finite(b.Count) && b.Count > vmax {
			vmax = b.Count
		}
	}
	for _, th := range l.c.Thresholds {
		if auto && finite(th.Value) && th.Value > vmax {
			vmax = th.Value
		}
	}
	bottom := l.d.H - 44
	if len(bins) == 0 || !t1.After(t0) {
		l.noData(24, top+14, l.d.W-40, bottom-top-14)
		return
	}
	p := l.frame(top, bottom, t0, t1, math.Max(vmax, 1))
	var bars []box
	for _, b := range bins {
		if !finite(b.Count) || b.Count <= 0 || !b.End.After(t0) || !b.Start.Before(t1) {
			continue
		}
		x0 := p.tx(maxTime(b.Start, t0))
		x1 := p.tx(minTime(b.End, t1))
		gap := math.Min(1, (x1-x0)/4)
		y := p.vy(math.Min(b.Count, p.v1))
		l.d.rect(x0+gap, y, x1-x0-2*gap, p.y+p.h-y, Blue)
		bars = append(bars, box{x0 + gap, y, x1 - gap, p.y + p.h})
	}
	var lines []float64
	var labels []string
	for _, th := range l.c.Thresholds {
		if !finite(th.Value) || th.Value > p.v1 {
			continue
		}
		y := p.vy(th.Value)
		l.d.line(Red, 1.2, []float64{6, 4}, Point{p.x, y}, Point{p.x + p.w, y})
		if lab := label(th.Label, maxLabel); lab != "" {
			lines, labels = append(lines, y), append(labels, lab)
		}
	}
	l.thresholdLabels(p, lines, labels, nil, bars)
}

// StateColor is the colour of an alarm state in a timeline.
func StateColor(state string) (Color, bool) {
	switch strings.ToUpper(state) {
	case "OK":
		return Green, true
	case "ALARM":
		return Red, true
	case "INSUFFICIENT_DATA":
		return Grey, true
	}
	return Color{}, false
}

func (l *layout) timeline() {
	lanes := l.c.Lanes
	more := 0
	if len(lanes) > maxLanes {
		more = len(lanes) - maxLanes
		lanes = lanes[:maxLanes]
	}
	const row, gap = 18.0, 6.0
	rows := float64(max(len(lanes), 1))
	if more > 0 {
		rows++
	}
	l.d.H = 32 + 14 + rows*(row+gap) + 44 + 24
	top := l.title()
	t0, t1 := l.span()
	// Other states get series colours in the order of their names.
	var others []string
	present := map[string]bool{}
	for _, ln := range lanes {
		for i, s := range ln.Spans {
			if i >= maxSpans {
				break
			}
			st := label(s.State, 24)
			if !present[st] {
				present[st] = true
				if _, ok := StateColor(st); !ok {
					others = append(others, st)
				}
			}
		}
	}
	slices.Sort(others)
	color := func(st string) Color {
		if c, ok := StateColor(st); ok {
			return c
		}
		i, _ := slices.BinarySearch(others, st)
		return Series[(i+3)%len(Series)]
	}
	if len(lanes) == 0 || !t1.After(t0) {
		l.noData(24, top+14, l.d.W-40, l.d.H-top-60)
		return
	}
	lw := 0.0
	labels := make([]string, len(lanes))
	for i, ln := range lanes {
		labels[i] = label(ln.Label, maxLabel)
		lw = max(lw, width(labels[i], labelSize, false))
	}
	lw = math.Min(lw, l.d.W*0.32)
	x := 8 + lw + 10
	w := l.d.W - x - 16
	p := &plot{x: x, w: w, t0: t0, t1: t1}
	y := top + 14
	for i, ln := range lanes {
		l.d.text(x-10, y+row-5, fit(labels[i], labelSize, false, lw), labelSize, false, AnchorEnd, Ink)
		l.d.rect(x, y, w, row, Track)
		for j, s := range ln.Spans {
			if j >= maxSpans {
				break
			}
			if !s.End.After(t0) || !s.Start.Before(t1) || !s.End.After(s.Start) {
				continue
			}
			x0, x1 := p.tx(maxTime(s.Start, t0)), p.tx(minTime(s.End, t1))
			l.d.rect(x0, y, math.Max(x1-x0, 1), row, color(label(s.State, 24)))
		}
		y += row + gap
	}
	if more > 0 {
		l.d.text(x, y+row-5, i18n.Text{En: "and %d more", Ko: "외 %d개"}.F(l.o.Lang, more), labelSize, false, AnchorStart, Muted)
		y += row + gap
	}
	l.timeAxis(x, w, y, t0, t1, false)
	// Legend: the standard states first, then the others by name.
	var names []string
	var colors []Color
	for _, st := range []string{"OK", "ALARM", "INSUFFICIENT_DATA"} {
		if present[st] {
			names = append(names, st)
			colors = append(colors, color(st))
		}
	}
	for _, st := range others {
		names = append(names, st)
		colors = append(colors, color(st))
	}
	l.legend(l.d.H-8, names, colors, nil)
}

func (l *layout) bars() {
	bars := l.c.Bars
	more := 0
	if len(bars) > maxBars {
		more = len(bars) - maxBars
		bars = bars[:maxBars]
	}
	const row, gap = 18.0, 6.0
	rows := float64(max(len(bars), 1))
	if more > 0 {
		rows++
	}
	l.d.H = 32 + 10 + rows*(row+gap) + 8
	top := l.title()
	if len(bars) == 0 {
		l.noData(24, top+8, l.d.W-40, l.d.H-top-16)
		return
	}
	vmax := l.c.YMax
	lw := 0.0
	labels := make([]string, len(bars))
	values := make([]string, len(bars))
	unit := label(l.c.Unit, 16)
	vw := 0.0
	for i, b := range bars {
		labels[i] = label(b.Label, maxLabel)
		lw = max(lw, width(labels[i], labelSize, false))
		if finite(b.Value) {
			vmax = math.Max(vmax, b.Value)
		}
		if finite(b.Max) {
			vmax = math.Max(vmax, b.Max)
		}
		values[i] = "-"
		if finite(b.Value) {
			values[i] = formatValue(b.Value, nil)
			switch {
			case unit == "%":
				// A share is already out of 100: "36.4%", not "36.4 / 100 %".
				values[i] += "%"
			case b.Max > 0:
				values[i] += " / " + formatValue(b.Max, nil)
				if unit != "" {
					values[i] += " " + unit
				}
			case unit != "":
				values[i] += " " + unit
			}
		}
		vw = max(vw, width(values[i], labelSize, false))
	}
	lw = math.Min(lw, l.d.W*0.35)
	x := 8 + lw + 10
	w := l.d.W - x - vw - 24
	if vmax <= 0 {
		vmax = 1
	}
	y := top + 10
	for i, b := range bars {
		l.d.text(x-10, y+row-5, fit(labels[i], labelSize, false, lw), labelSize, false, AnchorEnd, Ink)
		if finite(b.Max) && b.Max > 0 {
			l.d.rect(x, y, w*b.Max/vmax, row, Track)
		}
		bw := 0.0
		if finite(b.Value) && b.Value > 0 {
			bw = w * b.Value / vmax
		}
		c := Blue
		if b.Severity != "" {
			c = SeverityColor(b.Severity)
		}
		l.d.rect(x, y, bw, row, c)
		end := x + bw
		if finite(b.Max) && b.Max > 0 {
			end = math.Max(end, x+w*b.Max/vmax)
		}
		l.d.text(end+6, y+row-5, values[i], labelSize, false, AnchorStart, Ink)
		y += row + gap
	}
	if more > 0 {
		l.d.text(x, y+row-5, i18n.Text{En: "and %d more", Ko: "외 %d개"}.F(l.o.Lang, more), labelSize, false, AnchorStart, Muted)
	}
}

// GaugeColor is green from 80 % of the maximum, amber from 50 %, red below:
// a gauge shows a score, where more is better.
func GaugeColor(ratio float64) Color {
	switch {
	case ratio >= 0.8:
		return Green
	case ratio >= 0.5:
		return Amber
	}
	return Red
}

func (l *layout) gauge() {
	l.d.W, l.d.H = 360, 230
	top := l.title()
	g := l.c.Gauge
	if g == nil || !finite(g.Value) || !finite(g.Max) || g.Max <= 0 {
		l.noData(24, top+8, l.d.W-48, l.d.H-top-16)
		return
	}
	ratio := math.Max(0, math.Min(1, g.Value/g.Max))
	cx, cy := l.d.W/2, top+150
	const ro, ri = 120.0, 88.0
	l.d.add(&Polygon{Points: arc(cx, cy, ri, ro, 180, 360), Fill: Track})
	if ratio > 0 {
		l.d.add(&Polygon{Points: arc(cx, cy, ri, ro, 180, 180+180*ratio), Fill: GaugeColor(ratio)})
	}
	l.d.text(cx, cy-18, formatValue(g.Value, nil), 40, true, AnchorMiddle, Ink)
	l.d.text(cx, cy+4, "/ "+formatValue(g.Max, nil), 13, false, AnchorMiddle, Muted)
	l.d.text(cx-(ro+ri)/2, cy+18, "0", labelSize, false, AnchorMiddle, Muted)
	l.d.text(cx+(ro+ri)/2, cy+18, formatValue(g.Max, nil), labelSize, false, AnchorMiddle, Muted)
	if s := label(g.Label, maxLabel); s != "" {
		l.d.text(cx, cy+40, fit(s, 12, false, l.d.W-32), 12, false, AnchorMiddle, Ink)
	}
}

// arc is the closed outline of a ring sector from angle a0 to a1 (degrees,
// 180 = left, 270 = top, 360 = right, y down) between radii ri and ro.
func arc(cx, cy, ri, ro, a0, a1 float64) []Point {
	n := max(2, int(math.Ceil((a1-a0)/3)))
	pts := make([]Point, 0, 2*(n+1))
	for i := 0; i <= n; i++ {
		a := (a0 + (a1-a0)*float64(i)/float64(n)) * math.Pi / 180
		pts = append(pts, Point{cx + ro*math.Cos(a), cy + ro*math.Sin(a)})
	}
	for i := n; i >= 0; i-- {
		a := (a0 + (a1-a0)*float64(i)/float64(n)) * math.Pi / 180
		pts = append(pts, Point{cx + ri*math.Cos(a), cy + ri*math.Sin(a)})
	}
	return pts
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// niceTicks returns about n round values from lo covering hi (1, 2, 2.5, 5
// times a power of ten).
func niceTicks(lo, hi float64, n int) []float64 {
	if !finite(hi) || hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		step = m * mag
		if step >= raw {
			break
		}
	}
	var out []float64
	for i := 0; ; i++ {
		v := lo + float64(i)*step
		out = append(out, v)
		if v >= hi-step*1e-9 || i > 50 {
			break
		}
	}
	return out
}

// formatValue writes v compactly: 1.2k, 3.4M, 0.25, with the digits of a
// whole part of four digits grouped as every count in a report is
// ("2,024"). ticks, when given, makes all tick labels share enough
// decimals to differ.
func formatValue(v float64, ticks []float64) string {
	if !finite(v) {
		return "-"
	}
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return trim(strconv.FormatFloat(v/1e9, 'f', 1, 64)) + "G"
	case a >= 1e6:
		return trim(strconv.FormatFloat(v/1e6, 'f', 1, 64)) + "M"
	case a >= 1e4:
		return trim(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	}
	dec := 0
	if len(ticks) > 1 {
		step := ticks[1] - ticks[0]
		for dec < 4 && math.Abs(step*math.Pow(10, float64(dec))-math.Round(step*math.Pow(10, float64(dec)))) > 1e-9 {
			dec++
		}
		return numfmt.Group(strconv.FormatFloat(v, 'f', dec, 64))
	}
	switch {
	case a == math.Trunc(a):
		dec = 0
	case a >= 100:
		dec = 0
	case a >= 1:
		dec = 1
	default:
		dec = 2
	}
	return numfmt.Group(trim(strconv.FormatFloat(v, 'f', dec, 64)))
}

func trim(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

type tick struct {
	t     time.Time
	label string
}

// timeTicks places ticks on round local times (whole hours, midnights)
// in loc, as many as fit in w units.
func timeTicks(t0, t1 time.Time, loc *time.Location, w float64) []tick {
	span := t1.Sub(t0)
	multiDay := span > 26*time.Hour
	layout := "15:04"
	if multiDay {
		layout = "01-02 15:04"
	}
	maxTicks := max(2, int(w/(width(layout, labelSize, false)+40)))
	steps := []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
		24 * time.Hour, 48 * time.Hour, 72 * time.Hour, 96 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if int(span/s) <= maxTicks {
			step = s
			break
		}
	}
	if step >= 24*time.Hour {
		layout = "01-02"
		if span > 300*24*time.Hour {
			layout = "2006-01-02"
		}
	}
	// Align to local midnight of t0, then walk by step in wall-clock terms.
	lt := t0.In(loc)
	base := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	if step >= 24*time.Hour && base.Before(t0) {
		base = base.AddDate(0, 0, 1) // day ticks start at the first midnight
	}
	var out []tick
	for k := 0; k < 10000 && len(out) <= maxTicks+1; k++ {
		var t time.Time
		if step >= 24*time.Hour {
			t = base.AddDate(0, 0, k*int(step/(24*time.Hour)))
		} else {
			t = base.Add(time.Duration(k) * step)
		}
		if t.Before(t0) {
			continue
		}
		if t.After(t1) {
			break
		}
		lab := t.In(loc).Format(layout)
		if multiDay && step < 24*time.Hour && len(out) > 0 && out[len(out)-1].t.In(loc).YearDay() == t.In(loc).YearDay() {
			lab = t.In(loc).Format("15:04") // the date only where it changes
		}
		out = append(out, tick{t: t, label: lab})
	}
	return out
}
