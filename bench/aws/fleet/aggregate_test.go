package fleet

import (
	"context"
	"math"
	"net/http/httptest"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/jobs/source"
)

// TestAggregatorReadsLikeCloudWatch: a fleet seeded at 5 minutes into kumo
// and read hourly through the aggregator gives one point per hour per
// query, valued by each query's statistic over its twelve 5-minute points;
// at 5 minutes the points come back as seeded.
func TestAggregatorReadsLikeCloudWatch(t *testing.T) {
	srv := kumo.NewServer()
	defer srv.Close()
	agg := httptest.NewServer(Aggregator(srv.URL))
	defer agg.Close()
	end := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	specs := []source.MetricSpec{{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Maximum"}, {Namespace: "AWS/EC2", Name: "NetworkIn", Stat: "Sum"}}
	f, err := Seed(context.Background(), srv.URL, 2, end, 24*time.Hour, 5*time.Minute, specs)
	if err != nil {
		t.Fatal(err)
	}
	cw := cloudwatch.NewFromConfig(Config(agg.URL))
	query := func(id string, m source.MetricSpec, stat string, period time.Duration) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: sdkaws.String(id), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: sdkaws.String(m.Namespace), MetricName: sdkaws.String(m.Name), Dimensions: sdkDims(dims(m, f.IDs[1]))},
			Period: sdkaws.Int32(int32(period / time.Second)), Stat: sdkaws.String(stat)}}
	}
	out, err := cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: sdkaws.Time(f.Start), EndTime: sdkaws.Time(f.End),
		MetricDataQueries: []cwtypes.MetricDataQuery{
			query("max", specs[0], "Maximum", time.Hour), query("avg", specs[0], "Average", time.Hour),
			query("sum", specs[1], "Sum", time.Hour), query("raw", specs[0], "Maximum", 5*time.Minute),
		}})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]cwtypes.MetricDataResult{}
	for _, r := range out.MetricDataResults {
		byID[sdkaws.ToString(r.Id)] = r
	}
	for _, c := range []struct {
		id, metric, stat string
		period           time.Duration
	}{{"max", "CPUUtilization", "Maximum", time.Hour}, {"avg", "CPUUtilization", "Average", time.Hour}, {"sum", "NetworkIn", "Sum", time.Hour}, {"raw", "CPUUtilization", "Maximum", 5 * time.Minute}} {
		r := byID[c.id]
		if want := int(24 * time.Hour / c.period); len(r.Timestamps) != want || len(r.Values) != want {
			t.Fatalf("%s: %d points, want %d", c.id, len(r.Timestamps), want)
		}
		for k, ts := range r.Timestamps {
			if !ts.Equal(f.Start.Add(time.Duration(k) * c.period)) {
				t.Fatalf("%s point %d at %s", c.id, k, ts)
			}
			var vals []float64
			for s := ts; s.Before(ts.Add(c.period)); s = s.Add(5 * time.Minute) {
				vals = append(vals, Value(c.metric, 1, s))
			}
			var want, sum float64
			want = math.Inf(-1)
			for _, v := range vals {
				sum += v
				want = math.Max(want, v)
			}
			switch c.stat {
			case "Average":
				want = sum / float64(len(vals))
			case "Sum":
				want = sum
			}
			if math.Abs(r.Values[k]-want) > 1e-9*math.Max(1, want) {
				t.Fatalf("%s point %d = %v, want %v", c.id, k, r.Values[k], want)
			}
		}
	}
}
