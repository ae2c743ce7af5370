package demo

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// month is the capacity report's request: 30 days at 5 minutes.
func month(stats ...string) source.Request {
	var specs []source.MetricSpec
	for _, st := range stats {
		specs = append(specs, allMetrics(st)...)
	}
	return source.Request{Window: source.Window{Start: testAt.Add(-30 * day), End: testAt}, At: testAt,
		Needs: source.NeedInstances | source.NeedMetrics, Period: 5 * time.Minute, Metrics: specs}
}

// TestStatisticsArePhysical: percentages in [0, 100], counts >= 0, and for
// every period min <= p10 <= average-ish <= p90 <= p99 <= max, sum =
// average x samples.
func TestStatisticsArePhysical(t *testing.T) {
	stats := []string{"Minimum", "p10", "Average", "p50", "p90", "p99", "Maximum", "Sum", "SampleCount"}
	for _, period := range []time.Duration{time.Minute, 5 * time.Minute, time.Hour} {
		req := month(stats...)
		req.Period = period
		req.Window.Start = testAt.Add(-3 * day)
		ds := collect(t, req)
		type key struct{ id, metric, path string }
		by := map[key]map[string]*source.Series{}
		for i := range ds.Series {
			s := &ds.Series[i]
			k := key{s.InstanceID, s.Metric, s.Dim("path")}
			if by[k] == nil {
				by[k] = map[string]*source.Series{}
			}
			by[k][s.Stat] = s
			for j, v := range s.Values {
				// Sum and SampleCount of a percentage are not percentages.
				if math.IsNaN(v) || v < 0 || (s.Unit == unitPct && v > 100 && s.Stat != "Sum" && s.Stat != "SampleCount") {
					t.Fatalf("%s %s %s: value %v at %d", s.InstanceID, s.Metric, s.Stat, v, j)
				}
			}
		}
		for k, m := range by {
			if len(m) != len(stats) {
				t.Fatalf("%v: %d stats", k, len(m))
			}
			for i := range m["Average"].Values {
				v := func(st string) float64 { return m[st].Values[i] }
				order := []string{"Minimum", "p10", "p50", "p90", "p99", "Maximum"}
				for j := 1; j < len(order); j++ {
					if v(order[j-1]) > v(order[j])+1e-9 {
						t.Fatalf("%v period %s point %d: %s %v > %s %v", k, period, i, order[j-1], v(order[j-1]), order[j], v(order[j]))
					}
				}
				if v("Average") < v("Minimum")-1e-9 || v("Average") > v("Maximum")+1e-9 {
					t.Fatalf("%v point %d: average %v outside [%v, %v]", k, i, v("Average"), v("Minimum"), v("Maximum"))
				}
				if n := v("SampleCount"); n != math.Floor(period.Minutes()) || math.Abs(v("Sum")-v("Average")*n) > 1e-6*math.Max(1, v("Sum"))+0.5 {
					t.Fatalf("%v point %d: sum %v, average %v, samples %v", k, i, v("Sum"), v("Average"), n)
				}
			}
		}
	}
}

// TestNeverFlat: every continuous series moves within any day: several
// distinct values and never an hour of the same value in a row. (Small
// integer counters like EBS operations repeat values, as real ones do, but
// are never constant.)
func TestNeverFlat(t *testing.T) {
	ds := collect(t, month("Average", "Maximum"))
	for _, s := range ds.Series {
		if s.Metric == mStatus {
			continue
		}
		for _, d := range []int{0, 7, 14, 21, 28, 29} {
			from := testAt.Add(time.Duration(-30+d) * day)
			v := between(&s, from, from.Add(day))
			distinct := map[float64]bool{}
			run, longest := 0, 0
			for i, x := range v {
				distinct[x] = true
				if i > 0 && x == v[i-1] {
					run++
					longest = max(longest, run)
				} else {
					run = 0
				}
			}
			want := len(v) / 4
			if s.Unit == unitCount {
				want = 4
			}
			if len(distinct) < want || longest >= 12 {
				t.Errorf("%s %s %s %s: %d distinct of %d, %d repeats in a row, on day %d", s.InstanceID, s.Metric, s.Stat, s.Dim("path"), len(distinct), len(v), longest, d)
			}
		}
	}
}

// TestSeasonality: the Seoul business day is busier than the night.
func TestSeasonality(t *testing.T) {
	ds := collect(t, month("Average"))
	for _, name := range []string{"web-prod-03", "eks-node-05", "order-api-01", "kafka-02", "api-gateway-01"} {
		s := find(t, ds, name, mCPU, "Average", "")
		// Monday 23 November: 14:00-16:00 vs 02:00-04:00 KST.
		busy := mean(between(s, time.Date(2026, 11, 23, 14, 0, 0, 0, seoul), time.Date(2026, 11, 23, 16, 0, 0, 0, seoul)))
		quiet := mean(between(s, time.Date(2026, 11, 23, 2, 0, 0, 0, seoul), time.Date(2026, 11, 23, 4, 0, 0, 0, seoul)))
		sunday := mean(between(s, time.Date(2026, 11, 22, 14, 0, 0, 0, seoul), time.Date(2026, 11, 22, 16, 0, 0, 0, seoul)))
		if !(busy > quiet*1.3 && busy > sunday*1.2) {
			t.Errorf("%s: weekday afternoon %.2f, night %.2f, Sunday afternoon %.2f", name, busy, quiet, sunday)
		}
	}
}

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
		q  float64
	}{
		{"Average", true, 0}, {"p99", true, 99}, {"p99.5", true, 99.5}, {"p50", true, 50}, {"p100", true, 100},
		{"p0", false, 0}, {"p101", false, 0}, {"p", false, 0}, {"p9.", false, 0}, {"p.5", false, 0}, {"P99", false, 0},
		{"tm99", false, 0}, {"average", false, 0}, {"p99.9.9", false, 0},
	} {
		st, ok := parseStat(tc.in)
		if ok != tc.ok || (ok && st.kind == 'p' && st.q != tc.q) {
			t.Errorf("%q: %+v %v", tc.in, st, ok)
		}
	}
}

func TestImageGCSawtooth(t *testing.T) {
	for _, h := range fleet {
		if h.role != roleEKS {
			continue
		}
		ks := imageGC(h.name)
		drops := 0
		for i := 1; i < len(ks); i++ {
			if ks[i].ago >= ks[i-1].ago {
				t.Fatalf("%s: knots not strictly descending at %d: %+v", h.name, i, ks)
			}
			if ks[i].v < ks[i-1].v {
				drops++
			}
		}
		if drops < 9 || ks[len(ks)-1].ago != 0 {
			t.Errorf("%s: %d collections in 90 days, last knot %+v", h.name, drops, ks[len(ks)-1])
		}
		for _, k := range ks {
			if k.v < 40 || k.v > 65 {
				t.Errorf("%s: disk %.1f %%", h.name, k.v)
			}
		}
	}
}

// TestPerMetricPeriod: a metric's own period beats the request's (the
// capacity review reads 5-minute CPU maxima and hourly traffic), and a
// series fetched at its own period is the very series a request at that
// period gives.
func TestPerMetricPeriod(t *testing.T) {
	cpuMax := source.MetricSpec{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Maximum"}
	netIn := source.MetricSpec{Namespace: "AWS/EC2", Name: "NetworkIn", Stat: "Sum"}
	req := source.Request{Window: source.Window{Start: testAt.Add(-30 * day), End: testAt}, At: testAt,
		Needs: source.NeedInstances | source.NeedMetrics, Period: 5 * time.Minute, Scope: source.Scope{NameGlobs: []string{"db-primary-01"}}}
	hourlyNet := netIn
	hourlyNet.Period = time.Hour
	mixed := req
	mixed.Metrics = []source.MetricSpec{cpuMax, hourlyNet}
	ds := collect(t, mixed)
	if len(ds.Series) != 2 || ds.Series[0].Period != 300 || len(ds.Series[0].Times) != 8640 || ds.Series[1].Period != 3600 || len(ds.Series[1].Times) != 720 {
		for _, s := range ds.Series {
			t.Errorf("%s %s: %d points at %ds", s.Metric, s.Stat, len(s.Times), s.Period)
		}
		t.FailNow()
	}
	fine := req
	fine.Metrics = []source.MetricSpec{cpuMax}
	coarse := req
	coarse.Period, coarse.Metrics = time.Hour, []source.MetricSpec{netIn}
	eqSeries := func(got, want source.Series) {
		t.Helper()
		want.Period = got.Period // equal by the check above
		if !reflect.DeepEqual(got.Times, want.Times) || !reflect.DeepEqual(got.Values, want.Values) || got.Metric != want.Metric || got.Stat != want.Stat {
			t.Errorf("%s %s at its own period differs from a request at that period", got.Metric, got.Stat)
		}
	}
	eqSeries(ds.Series[0], collect(t, fine).Series[0])
	eqSeries(ds.Series[1], collect(t, coarse).Series[0])
}
