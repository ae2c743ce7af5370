package incident

import (
	"context"
	"testing"

	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source/demo"
)

// BenchmarkAnalyzeDemo measures Analyze alone on the demo account's
// incident window (38 instances × 9 metrics, 3 h of minute points, the log
// scan and its 6 h baseline); collection is done once outside the loop.
func BenchmarkAnalyzeDemo(b *testing.B) {
	job := demoJob("en")
	runWin := toWindow(demoAt.Add(-2*3600e9), demoAt)
	p := New().Plan(job, runWin, demoAt)
	p.Request.At = demoAt
	data, err := demo.New().Collect(context.Background(), p.Request)
	if err != nil {
		b.Fatal(err)
	}
	prev := p.Request
	prev.Window, prev.Needs = *p.Compare, p.CompareNeeds
	pd, err := demo.New().Collect(context.Background(), prev)
	if err != nil {
		b.Fatal(err)
	}
	in := analyze.Input{Job: job, At: demoAt, Window: runWin, Location: seoul, Lang: "en", Data: data, Previous: pd}
	points := 0
	for _, s := range data.Series {
		points += s.Len()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := New().Analyze(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data.Series)), "series")
	b.ReportMetric(float64(points), "points")
}
