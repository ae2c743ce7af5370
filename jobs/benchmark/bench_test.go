package benchmark

import (
	"context"
	"testing"

	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/demo"
)

// BenchmarkAnalyzeDemo measures Analyze alone on the demo account: 38
// instances × 6 metrics, each window with 7 days of 5-minute history.
func BenchmarkAnalyzeDemo(b *testing.B) {
	j := demoJob("en")
	start, end := j.Window.Resolve(at, seoul)
	win := source.Window{Start: start, End: end}
	p := New().Plan(j, win, at)
	p.Request.At = at
	cur, err := demo.New().Collect(context.Background(), p.Request)
	if err != nil {
		b.Fatal(err)
	}
	prev := p.Request
	prev.Window, prev.Needs = *p.Compare, p.CompareNeeds
	pd, err := demo.New().Collect(context.Background(), prev)
	if err != nil {
		b.Fatal(err)
	}
	in := analyze.Input{Job: j, At: at, Window: win, Location: seoul, Lang: "en", Data: cur, Previous: pd}
	points := 0
	for _, d := range []*source.Dataset{cur, pd} {
		for _, s := range d.Series {
			points += s.Len()
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := New().Analyze(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(points), "points")
}
