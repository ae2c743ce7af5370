package capacity

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
)

// asgOf makes n m6i.large nodes of one Auto Scaling group at 15-30% CPU;
// node k (1-based, 0 for none) runs at 90% over the last 2 hours (a bad
// deploy: 8% of its last day, so that day's p95 is 90%).
func asgOf(n, k int) *source.Dataset {
	ds := &source.Dataset{}
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("i-api%d", i)
		in := inst(id, fmt.Sprintf("api-%d", i), "m6i.large")
		in.AutoScalingGroup = "api-asg"
		ds.Instances = append(ds.Instances, in)
		f := wave(15, 30)
		if i == k {
			f = spikeAtEnd(f, 2, 90)
		}
		ds.Series = append(ds.Series, cpu(id, f)...)
	}
	return ds
}

func TestSeriesAlreadyAboveLimit(t *testing.T) {
	// Control: no spike, three nodes at 30% peak → two nodes suffice.
	res, rep := analyzeOne(t, asgOf(3, 0), nil)
	if g := res.Groups[0]; g.Recommended != 2 || len(findingsOf(rep, FindingGroupNodes, "api-asg")) != 1 {
		t.Fatalf("control group %+v", g)
	}

	res, rep = analyzeOne(t, asgOf(3, 2), nil)
	f := forecastOf(res, "i-api2", "cpu", "")
	if f == nil || f.Status != ForecastAbove || !f.Reported {
		t.Fatalf("forecast %+v, want already above and reported", f)
	}
	crossed := at.Add(-2 * time.Hour)
	if !f.Date.Equal(crossed) {
		t.Errorf("crossed %s, want %s (the first 5-minute point at or above 80%%)", f.Date, crossed)
	}
	fs := findingsOf(rep, FindingExhaustion, "api-2")
	if len(fs) != 1 {
		t.Fatalf("exhaustion findings %+v", fs)
	}
	ev := fs[0].Evidence
	if fs[0].Severity != report.SeverityHigh || ev["status"] != "above" || ev["forecast_date"] != crossed.Format("2006-01-02") || ev["days_left"] != 0.0 || ev["limit"] != 80.0 {
		t.Errorf("finding %s %v", fs[0].Severity, ev)
	}
	if !strings.Contains(fs[0].Recommendation, "do not scale its group in") || !strings.Contains(fs[0].Recommendation, crossed.Format("2006-01-02 15:04")) {
		t.Errorf("recommendation %q", fs[0].Recommendation)
	}
	// The table says so instead of "no exhaustion within 180 days".
	row := rowOf(t, rep.Table("forecasts"), "api-2")
	if want := "already above the limit (since " + crossed.Format("2006-01-02 15:04") + ")"; row[6].Text != want {
		t.Errorf("forecast cell %q, want %q", row[6].Text, want)
	}
	// Its group is not scaled in meanwhile.
	g := res.Groups[0]
	if g.Recommended != 3 || g.Unheld != 2 || g.Label != VerdictBusy || len(g.Held) != 1 || g.Held[0] != "api-2" {
		t.Errorf("group %+v, want the scale-in to 2 held", g)
	}
	if fs := findingsOf(rep, FindingGroupNodes, "api-asg"); len(fs) != 0 {
		t.Errorf("a scale-in finding while a node is saturated: %+v", fs)
	}
	if row := rowOf(t, rep.Table("groups"), "api-asg"); row[8].Text != "scale-in to 2 held: api-2 saturated in the last 24 h" {
		t.Errorf("group row %v", texts(row))
	}

	// A stand-alone instance above the ceiling every afternoon is
	// under-provisioned: that finding says it, once; the table still shows
	// the series above its limit.
	ds := &source.Dataset{Instances: []source.Instance{inst("i-gw", "gw", "c6i.large")}}
	ds.Series = cpu("i-gw", wave(40, 93))
	res, rep = analyzeOne(t, ds, nil)
	if f := forecastOf(res, "i-gw", "cpu", ""); f == nil || f.Status != ForecastAbove || f.Reported {
		t.Fatalf("gw forecast %+v", f)
	}
	if len(findingsOf(rep, FindingUnder, "gw")) != 1 || len(findingsOf(rep, FindingExhaustion, "gw")) != 0 {
		t.Errorf("gw findings %+v", rep.Findings)
	}
	// Above every day: since the first 5-minute point at or above 80%.
	first := window.Start
	for f := wave(40, 93); f(first.Sub(window.Start).Hours()/24) < 80; first = first.Add(step) {
	}
	if row := rowOf(t, rep.Table("forecasts"), "gw"); row[6].Text != "already above the limit (since "+first.Format("2006-01-02 15:04")+")" {
		t.Errorf("gw cell %q, want since %s", row[6].Text, first)
	}
}

func TestTrendChartsFollowUrgency(t *testing.T) {
	// One instance already above its CPU limit; a database whose memory,
	// CPU and two disks reach their limits 3, 10, 20 and 50 days after the
	// report: every one of them has a finding, a table row and a chart, in
	// that order (the later disk warns at 80% sooner than the other fills:
	// urgency is the limit's date).
	ds := &source.Dataset{Instances: []source.Instance{inst("i-db", "db", "r6i.2xlarge"), inst("i-hot", "hot", "m6i.large")}}
	ds.Series = append(cpu("i-db", func(d float64) float64 { return 40 + d }),
		mem("i-db", func(d float64) float64 { return 60 + 0.9*d }),
		diskSeries("i-db", "/a", func(d float64) float64 { return 40 + 1.2*d }),
		diskSeries("i-db", "/b", func(d float64) float64 { return 60 + 0.5*d }))
	// 3 hours: too short to make it under-provisioned at p99.5.
	ds.Series = append(ds.Series, cpu("i-hot", spikeAtEnd(wave(20, 40), 3, 97))...)
	res, rep := analyzeOne(t, ds, nil)
	want := []string{"hot CPU", "db memory", "db CPU", "db disk /a", "db disk /b"}
	var reported []string
	for _, f := range res.Forecasts {
		if f.Reported {
			reported = append(reported, resource(f.Inst)+" "+(&writer{lang: "en"}).metricName(f))
		}
	}
	if strings.Join(reported, ", ") != strings.Join(want, ", ") {
		t.Fatalf("reported in order %q, want %q", reported, want)
	}
	if n := len(findingsOf(rep, FindingExhaustion, "")); n != len(want) {
		t.Errorf("%d exhaustion findings, want %d", n, len(want))
	}
	tb := rep.Table("forecasts")
	for i, w := range want {
		ch := rep.Chart(fmt.Sprintf("trend-%d", i+1))
		if ch == nil || !strings.HasPrefix(ch.Title, w+":") {
			t.Errorf("trend-%d %+v, want %s", i+1, ch, w)
		}
		if got := tb.Rows[i][0].Text + " " + tb.Rows[i][1].Text; got != w {
			t.Errorf("forecast row %d is %q, want %q", i, got, w)
		}
	}
	if rep.Chart(fmt.Sprintf("trend-%d", len(want)+1)) != nil {
		t.Error("a chart beyond the reported forecasts")
	}
	// Above the limit there is nothing to forecast: measured points and the
	// limit only.
	if ch := rep.Chart("trend-1"); len(ch.Series) != 1 || len(ch.Thresholds) != 1 {
		t.Errorf("above-limit chart %+v", ch)
	}
}

func TestLayoutAndUnits(t *testing.T) {
	ds := &source.Dataset{Instances: []source.Instance{inst("i-n", "net", "c6i.large"), inst("i-idle", "idle", "m5.large")}}
	ds.Series = append(cpu("i-n", wave(20, 50)), network("i-n", 1e9)...) // 288 GB a day each way
	ds.Series = append(ds.Series, gen("i-n", "AWS/EC2", "EBSReadOps", "Sum", window.Start, window.End, flat(5000)))
	ds.Series = append(ds.Series, cpu("i-idle", flat(0.5))...)
	for _, lang := range []string{"en", "ko"} {
		rep, err := New().Analyze(input(ds, nil, lang))
		if err != nil {
			t.Fatal(err)
		}
		md := render(t, rep)
		heads := map[string][]string{
			"en": {"## Findings", "## Instances", "## Recommended actions", "## Method"},
			"ko": {"## 발견 사항", "## 인스턴스", "## 권장 조치", "## 방법"},
		}[lang]
		last := -1
		for _, h := range heads {
			i := strings.Index(md, "\n"+h+"\n")
			if i <= last {
				t.Errorf("%s: %q at %d, want after %d (actions at the end, before the method)", lang, h, i, last)
			}
			last = i
		}
		row := rowOf(t, rep.Table("instances"), "net")
		if row[10].Text != "288 GB" || row[11].Text != "288 GB" || row[12].Text != "1,440,000" {
			t.Errorf("%s: network and EBS cells %q %q %q", lang, row[10].Text, row[11].Text, row[12].Text)
		}
		if v, _ := row[10].Value.(float64); v != 288000 {
			t.Errorf("%s: network value %v, want 288000 (MB, as the key says)", lang, row[10].Value)
		}
		tot := rep.Table("fleet_totals")
		if tot.Rows[3][2].Text != "4,032" || tot.Rows[4][2].Text != "10,080,000" {
			t.Errorf("%s: weekly totals %q %q", lang, tot.Rows[3][2].Text, tot.Rows[4][2].Text)
		}
	}
}
