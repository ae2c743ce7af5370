package chart

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render/internal/fixture"
)

var seoul = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return loc
}()

func charts(t testing.TB, o fixture.Options) ([]report.Chart, Options) {
	r := fixture.Report(o)
	var out []report.Chart
	for _, s := range r.Sections {
		out = append(out, s.Charts...)
	}
	return out, Options{Loc: seoul, Lang: r.Language, Window: r.Window}
}

// wellFormed parses b as XML to the end.
func wellFormed(t *testing.T, name string, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: SVG is not well-formed XML: %v", name, err)
		}
	}
}

func TestDrawEveryKind(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		cs, o := charts(t, fixture.Options{Lang: lang})
		kinds := map[report.ChartKind]bool{}
		for i := range cs {
			c := &cs[i]
			kinds[c.Kind] = true
			d, err := Layout(c, o)
			if err != nil {
				t.Fatal(err)
			}
			svg := SVG(d)
			wellFormed(t, c.ID, svg)
			if !bytes.HasPrefix(svg, []byte("<svg ")) || !bytes.Contains(svg, []byte("<text")) {
				t.Errorf("%s: SVG has no text", c.ID)
			}
			img, err := PNG(d, PNGScale)
			if err != nil {
				t.Fatal(err)
			}
			m, err := png.Decode(bytes.NewReader(img))
			if err != nil {
				t.Fatalf("%s: PNG does not decode: %v", c.ID, err)
			}
			wantW, wantH := int(math.Ceil(d.W*PNGScale)), int(math.Ceil(d.H*PNGScale))
			if b := m.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
				t.Errorf("%s: PNG is %dx%d, want %dx%d", c.ID, b.Dx(), b.Dy(), wantW, wantH)
			}
			if c.Kind != report.ChartGauge && d.W != Width {
				t.Errorf("%s: width %v, want %v", c.ID, d.W, Width)
			}
			if dir := os.Getenv("CHART_OUT"); dir != "" {
				os.WriteFile(filepath.Join(dir, lang+"-"+c.ID+".svg"), svg, 0o644)
				os.WriteFile(filepath.Join(dir, lang+"-"+c.ID+".png"), img, 0o644)
			}
		}
		if len(kinds) != 5 {
			t.Errorf("fixture covers %d chart kinds, want 5", len(kinds))
		}
	}
}

// texts returns the text items of d.
func texts(d *Drawing) []string {
	var out []string
	for _, it := range d.Items {
		if tx, ok := it.(*Text); ok {
			out = append(out, tx.S)
		}
	}
	return out
}

func TestTimeAxisIsLocalWithUnits(t *testing.T) {
	cs, o := charts(t, fixture.Options{Lang: "ko"})
	d, err := Layout(&cs[1], o) // cpu
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(texts(d), "|")
	// The window is 2026-11-23 08:00 to 2026-11-24 08:00 in Seoul (UTC+9):
	// ticks fall on whole local hours, and the captions name unit and zone.
	for _, want := range []string{"CPU (%)", "시각 (Asia/Seoul)", "12:00", "00:00", "알람 80%", "예측"} {
		if !strings.Contains(all, want) {
			t.Errorf("CPU chart texts lack %q: %s", want, all)
		}
	}
	if strings.Contains(all, "23:30") {
		t.Errorf("ticks are not on round hours: %s", all)
	}
}

func TestTimeTicks(t *testing.T) {
	start := time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC) // 08:00 KST
	cases := []struct {
		span  time.Duration
		first string
	}{
		{24 * time.Hour, "09:00"},
		{3 * time.Hour, "08:00"},
		{7 * 24 * time.Hour, "11-25"},
		{30 * 24 * time.Hour, "11-25"},
	}
	for _, c := range cases {
		end := start.Add(c.span)
		ticks := timeTicks(start, end, seoul, 600)
		if len(ticks) < 3 || len(ticks) > 12 {
			t.Errorf("span %v: %d ticks", c.span, len(ticks))
			continue
		}
		if !strings.HasPrefix(ticks[0].label, c.first) {
			t.Errorf("span %v: first tick %q, want %q", c.span, ticks[0].label, c.first)
		}
		for i, tk := range ticks {
			lt := tk.t.In(seoul)
			if tk.t.Before(start) || tk.t.After(end) || lt.Second() != 0 || (c.span > 26*time.Hour && (lt.Hour() != 0 || lt.Minute() != 0)) {
				t.Errorf("span %v: tick %d at %v is not a round local time in the window", c.span, i, lt)
			}
		}
	}
}

func TestNiceTicksAndValues(t *testing.T) {
	cases := []struct {
		max  float64
		want string
	}{
		{100, "0 20 40 60 80 100"},
		{412, "0 100 200 300 400 500"},
		{0.37, "0.0 0.1 0.2 0.3 0.4"},
		{0, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{2.5e6, "0 500k 1M 1.5M 2M 2.5M"},
		{7300, "0 2,000 4,000 6,000 8,000"}, // four digits grouped as counts are
	}
	for _, c := range cases {
		ticks := niceTicks(0, c.max, 5)
		var s []string
		for _, v := range ticks {
			s = append(s, formatValue(v, ticks))
		}
		if got := strings.Join(s, " "); got != c.want {
			t.Errorf("niceTicks(0, %v) = %s, want %s", c.max, got, c.want)
		}
	}
}

// Value labels (bars, thresholds, gauges) group four-digit numbers; larger
// ones are compact.
func TestFormatValueGroupsDigits(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{2024, "2,024"}, {-2024, "-2,024"}, {1234.6, "1,235"}, {999, "999"}, {12.5, "12.5"}, {12345, "12.3k"},
	} {
		if got := formatValue(tc.v, nil); got != tc.want {
			t.Errorf("formatValue(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	// A bar's value label carries the chart's unit after the grouped number.
	c := report.Chart{ID: "b", Kind: report.ChartBars, Title: "errors", Unit: "건", Bars: []report.Bar{{Label: "/aws/ec2/order-api/app", Value: 2024}}}
	d, err := Layout(&c, Options{Lang: "ko", Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range d.Items {
		if tx, ok := it.(*Text); ok {
			if strings.Contains(tx.S, "2024") {
				t.Errorf("ungrouped label %q", tx.S)
			}
			found = found || tx.S == "2,024 건"
		}
	}
	if !found {
		t.Error(`no "2,024 건" label`)
	}
}

func TestHostileChartIsBounded(t *testing.T) {
	cs, o := charts(t, fixture.Options{Lang: "ko", Hostile: true})
	for i := range cs {
		d, err := Layout(&cs[i], o)
		if err != nil {
			t.Fatal(err)
		}
		points := 0
		for _, it := range d.Items {
			if l, ok := it.(*Line); ok {
				points += len(l.Points)
			}
		}
		// A million points thin to at most two per unit of width per series.
		if points > 8*2*int(Width)+1000 {
			t.Errorf("%s: %d points drawn", cs[i].ID, points)
		}
		for _, s := range texts(d) {
			if len([]rune(s)) > maxTitle+1 {
				t.Errorf("%s: text of %d runes", cs[i].ID, len([]rune(s)))
			}
			if strings.ContainsAny(s, "\x00\x07\x1b\u202e") {
				t.Errorf("%s: control characters survive: %q", cs[i].ID, s)
			}
		}
		svg := SVG(d)
		wellFormed(t, cs[i].ID, svg)
		if bytes.Contains(svg, []byte("<script")) {
			t.Errorf("%s: markup from data reached the SVG", cs[i].ID)
		}
		if _, err := PNG(d, 1); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEmptyAndBrokenCharts(t *testing.T) {
	o := Options{Loc: seoul, Lang: "en", Window: report.Window{Start: fixture.At.Add(-time.Hour), End: fixture.At}}
	for _, c := range []report.Chart{
		{ID: "a", Kind: report.ChartTimeSeries},
		{ID: "b", Kind: report.ChartHistogram},
		{ID: "c", Kind: report.ChartTimeline},
		{ID: "d", Kind: report.ChartBars},
		{ID: "e", Kind: report.ChartGauge},
		{ID: "f", Kind: report.ChartGauge, Gauge: &report.Gauge{Value: math.NaN(), Max: 100}},
		{ID: "g", Kind: report.ChartTimeSeries, Start: fixture.At, End: fixture.At.Add(-time.Hour),
			Series: []report.ChartSeries{{Name: "x", Points: []report.ChartPoint{{T: fixture.At, V: 1}}}}},
	} {
		d, err := Layout(&c, o)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		if !strings.Contains(strings.Join(texts(d), "|"), "No data") {
			t.Errorf("%s: empty chart does not say so: %v", c.ID, texts(d))
		}
	}
	if _, err := Layout(&report.Chart{ID: "x", Kind: "pie"}, o); err == nil {
		t.Error("unknown chart kind accepted")
	}
}

func TestDeterministic(t *testing.T) {
	cs, o := charts(t, fixture.Options{Lang: "ko"})
	for i := range cs {
		d1, _ := Layout(&cs[i], o)
		d2, _ := Layout(&cs[i], o)
		p1, _ := PNG(d1, 1)
		p2, _ := PNG(d2, 1)
		if !bytes.Equal(SVG(d1), SVG(d2)) || !bytes.Equal(p1, p2) {
			t.Errorf("%s: two drawings differ", cs[i].ID)
		}
	}
}

func BenchmarkPNG(b *testing.B) {
	cs, o := charts(b, fixture.Options{Lang: "ko"})
	b.ReportAllocs()
	for b.Loop() {
		for i := range cs {
			d, _ := Layout(&cs[i], o)
			if _, err := PNG(d, PNGScale); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// labelBox is the box a drawn text occupies (AnchorEnd only, as threshold
// labels are drawn).
func labelBox(tx *Text) box {
	w := width(tx.S, tx.Size, tx.Bold)
	return box{tx.X - w, tx.Y - tx.Size*0.8, tx.X, tx.Y + tx.Size*0.25}
}

// Threshold labels are placed where no series runs through them: the demo
// case has one series stepping from 5% to 95% and another from 25% to 85%
// near the right end, right through the label's usual place above the 80%
// line at the right edge.
func TestThresholdLabelsAvoidSeries(t *testing.T) {
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, seoul)
	step := func(lo, hi float64, at float64) []report.ChartPoint {
		var pts []report.ChartPoint
		for i := 0; i < 288; i++ {
			v := lo + math.Sin(float64(i)/9)
			if float64(i)/288 >= at {
				v = hi + math.Sin(float64(i)/7)
			}
			pts = append(pts, report.ChartPoint{T: start.Add(time.Duration(i) * 5 * time.Minute), V: v})
		}
		return pts
	}
	labels := []string{"alarm threshold 80% (High-CPU-Usage, +1 more)", "alarm threshold 20% (Low)"}
	c := &report.Chart{ID: "cpu", Kind: report.ChartTimeSeries, Title: "CPU", Unit: "%", YMax: 100,
		Start: start, End: start.Add(24 * time.Hour),
		Series: []report.ChartSeries{
			{Name: "dmz", Points: step(5, 95, 0.87)},
			{Name: "order-api-02", Points: step(25, 85, 0.94)},
			{Name: "api-gateway", Points: step(78, 50, 0.4)}, // hovers at the 80% line on the left
		},
		Thresholds: []report.Threshold{{Label: labels[0], Value: 80}, {Label: labels[1], Value: 20}}}
	d, err := Layout(c, Options{Loc: seoul, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	var texts []*Text
	var series [][]Point
	for _, it := range d.Items {
		switch v := it.(type) {
		case *Text:
			for _, l := range labels {
				if v.S == l {
					texts = append(texts, v)
				}
			}
		case *Line:
			if v.Width == 1.8 {
				series = append(series, v.Points)
			}
		}
	}
	if len(texts) != 2 || len(series) == 0 {
		t.Fatalf("%d labels, %d series lines", len(texts), len(series))
	}
	for _, tx := range texts {
		b := labelBox(tx)
		for _, run := range series {
			for k := 1; k < len(run); k++ {
				if b.crosses(run[k-1], run[k]) {
					t.Fatalf("label %q at (%.0f, %.0f) is crossed by a series near (%.0f, %.0f)", tx.S, tx.X, tx.Y, run[k].X, run[k].Y)
				}
			}
		}
	}
	if labelBox(texts[0]).overlaps(labelBox(texts[1])) {
		t.Error("labels overlap each other")
	}
	// The usual place (right end, just above the line) is crossed here, so
	// the test would fail without the placement.
	var line *Line
	for _, it := range d.Items {
		if l, ok := it.(*Line); ok && l.Color == Red && l.Dash != nil && line == nil {
			line = l
		}
	}
	end := line.Points[1]
	usual := labelBox(&Text{X: end.X - 2, Y: end.Y - 4, S: texts[0].S, Size: labelSize})
	crossed := false
	for _, run := range series {
		for k := 1; k < len(run); k++ {
			crossed = crossed || usual.crosses(run[k-1], run[k])
		}
	}
	if !crossed {
		t.Fatal("the test data no longer crosses the usual label place")
	}
}

// A bar that is a share of something reads "36.4%" when its unit is
// percent, and "7 / 20 점" otherwise: never "36.4 / 100 %".
func TestBarShareLabels(t *testing.T) {
	for _, tc := range []struct {
		unit string
		bar  report.Bar
		want string
	}{
		{"%", report.Bar{Label: "인증", Value: 36.4, Max: 100}, "36.4%"},
		{"점", report.Bar{Label: "네트워크", Value: 7, Max: 20}, "7 / 20 점"},
		{"", report.Bar{Label: "x", Value: 7, Max: 20}, "7 / 20"},
		{"건", report.Bar{Label: "y", Value: 3}, "3 건"},
	} {
		c := report.Chart{ID: "b", Kind: report.ChartBars, Title: "t", Unit: tc.unit, Bars: []report.Bar{tc.bar}}
		d, err := Layout(&c, Options{Lang: "ko", Loc: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, it := range d.Items {
			if tx, ok := it.(*Text); ok && tx.S == tc.want {
				found = true
			}
		}
		if !found {
			t.Errorf("unit %q, bar %+v: no %q label", tc.unit, tc.bar, tc.want)
		}
	}
}
