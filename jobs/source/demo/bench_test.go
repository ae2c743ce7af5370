package demo

import (
	"context"
	"testing"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// allMetrics is every metric the demo publishes, each with one statistic.
func allMetrics(stat string) []source.MetricSpec {
	var out []source.MetricSpec
	for _, m := range []string{mCPU, mNetIn, mNetOut, mEBSRead, mEBSWrite, mStatus} {
		out = append(out, source.MetricSpec{Namespace: nsEC2, Name: m, Stat: stat})
	}
	return append(out, source.MetricSpec{Namespace: nsAgent, Name: mMem, Stat: stat},
		source.MetricSpec{Namespace: nsAgent, Name: mDisk, Stat: stat})
}

// BenchmarkMetrics30Days generates 30 days of 5-minute data for every
// instance and metric (one statistic), the capacity report's request.
func BenchmarkMetrics30Days(b *testing.B) {
	at := testAt
	req := source.Request{Window: source.Window{Start: at.Add(-30 * day), End: at}, At: at,
		Needs: source.NeedInstances | source.NeedMetrics, Period: 5 * time.Minute, Metrics: allMetrics("Average")}
	b.ReportAllocs()
	var points int
	for b.Loop() {
		ds, err := New().Collect(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		points = 0
		for _, s := range ds.Series {
			points += s.Len()
		}
	}
	b.ReportMetric(float64(points), "points/op")
}

// BenchmarkLogStats24h generates and scans a day of every log group.
func BenchmarkLogStats24h(b *testing.B) {
	at := testAt
	req := source.Request{Window: source.Window{Start: at.Add(-day), End: at}, At: at, Needs: source.NeedLogStats}
	b.ReportAllocs()
	var lines int64
	for b.Loop() {
		ds, err := New().Collect(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		lines = 0
		for _, s := range ds.LogStats {
			lines += s.Scanned
		}
	}
	b.ReportMetric(float64(lines), "lines/op")
}
