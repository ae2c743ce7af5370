package status

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render/markdown"
)

func findings(r *report.Report, id, resource string) []report.Finding {
	var out []report.Finding
	for _, f := range r.Findings {
		if f.ID == id && (resource == "" || f.Resource == resource) {
			out = append(out, f)
		}
	}
	return out
}

func one(t *testing.T, r *report.Report, id, resource string) report.Finding {
	t.Helper()
	fs := findings(r, id, resource)
	if len(fs) != 1 {
		t.Fatalf("want one %s finding on %q, got %d: %+v", id, resource, len(fs), fs)
	}
	return fs[0]
}

func none(t *testing.T, r *report.Report, id, resource string) {
	t.Helper()
	if fs := findings(r, id, resource); len(fs) > 0 {
		t.Errorf("unexpected %s on %q: %s (%s)", id, resource, fs[0].Title, fs[0].Detail)
	}
}

func TestPlan(t *testing.T) {
	job := &config.Job{Name: "m", Kind: Kind, DailyStatus: &config.DailyStatusOptions{BaselineDays: 3},
		Scope: config.Scope{Names: []string{"web-*"}},
		Logs:  config.LogsScope{Groups: []string{"/aws/eks/*"}, ErrorTerms: []string{"ERR"}}}
	w := source.Window{Start: fixedAt.Add(-24 * time.Hour), End: fixedAt}
	p := New().Plan(job, w, fixedAt)
	req := p.Request
	for _, n := range []source.Need{source.NeedInstances, source.NeedMetrics, source.NeedAlarms, source.NeedAlarmHistory, source.NeedLogGroups, source.NeedLogStats} {
		if !req.Needs.Has(n) {
			t.Errorf("plan lacks need %b", n)
		}
	}
	if req.Needs.Has(source.NeedIAM) || req.Needs.Has(source.NeedTrailEvents) {
		t.Errorf("daily status must not pay for IAM or CloudTrail: %b", req.Needs)
	}
	if req.History != 72*time.Hour || req.Period != 5*time.Minute || req.Window != w {
		t.Errorf("history %v period %v window %v", req.History, req.Period, req.Window)
	}
	if req.Logs.ErrorTerms[0] != "ERR" || req.Logs.Groups[0] != "/aws/eks/*" || req.Logs.Bin != time.Hour || req.Scope.NameGlobs[0] != "web-*" {
		t.Errorf("logs/scope not passed through: %+v %+v", req.Logs, req.Scope)
	}
	want := map[string]string{"CPUUtilization": "Average", "NetworkIn": "Sum", "NetworkOut": "Sum", "EBSReadOps": "Sum",
		"EBSWriteOps": "Sum", "StatusCheckFailed": "Maximum", "mem_used_percent": "Average", "disk_used_percent": "Average"}
	if len(req.Metrics) != len(want) {
		t.Fatalf("metrics %+v", req.Metrics)
	}
	for _, m := range req.Metrics {
		if want[m.Name] != m.Stat {
			t.Errorf("metric %s stat %s, want %s", m.Name, m.Stat, want[m.Name])
		}
	}
}

// TestAnomalies: a spike is an anomaly, a flat series is not, and neither
// are the usual suspects of false alarms.
func TestAnomalies(t *testing.T) {
	at := fixedAt
	spikeFrom := at.Add(-3 * time.Hour)
	cases := []struct {
		name    string
		days    int
		period  int64
		metric  string
		f       func(b *builder) func(time.Time) float64
		want    bool
		ongoing bool
		from    string
	}{
		{name: "spike", days: 7, period: 300, metric: "CPUUtilization", want: true, ongoing: true, from: "hour-of-day",
			f: func(b *builder) func(time.Time) float64 {
				base := b.noisy(8, 4, 1)
				return func(t time.Time) float64 {
					if !t.Before(spikeFrom) {
						return 95 + b.rng.Float64()
					}
					return base(t)
				}
			}},
		{name: "noisy flat", days: 7, period: 300, metric: "CPUUtilization", f: func(b *builder) func(time.Time) float64 { return b.noisy(20, 0, 2) }},
		{name: "exactly flat", days: 7, period: 300, metric: "CPUUtilization", f: func(*builder) func(time.Time) float64 { return func(time.Time) float64 { return 1.5 } }},
		{name: "daily seasonality", days: 7, period: 300, metric: "CPUUtilization", f: func(b *builder) func(time.Time) float64 { return b.noisy(5, 60, 2) }},
		{name: "nightly batch burst", days: 7, period: 60, metric: "CPUUtilization", f: func(b *builder) func(time.Time) float64 {
			return func(t time.Time) float64 {
				if h := t.In(seoul).Hour(); h >= 1 && h < 3 {
					return 80 + 3*b.rng.NormFloat64()
				}
				return 4 + b.rng.NormFloat64()
			}
		}},
		{name: "idle jitter 1 to 3 percent", days: 7, period: 300, metric: "CPUUtilization", f: func(b *builder) func(time.Time) float64 {
			return func(time.Time) float64 { return 1 + 2*b.rng.Float64() }
		}},
		{name: "ten minute blip", days: 7, period: 60, metric: "CPUUtilization", f: func(b *builder) func(time.Time) float64 {
			base := b.noisy(8, 0, 1)
			return func(t time.Time) float64 {
				if !t.Before(spikeFrom) && t.Before(spikeFrom.Add(10*time.Minute)) {
					return 99
				}
				return base(t)
			}
		}},
		{name: "ended spike", days: 7, period: 60, metric: "CPUUtilization", want: true, from: "hour-of-day", f: func(b *builder) func(time.Time) float64 {
			base := b.noisy(10, 5, 1)
			return func(t time.Time) float64 {
				if !t.Before(spikeFrom) && t.Before(spikeFrom.Add(time.Hour)) {
					return 90 + b.rng.NormFloat64()
				}
				return base(t)
			}
		}},
		{name: "spike without history uses the window", days: 0, period: 300, metric: "CPUUtilization", want: true, ongoing: true, from: "window",
			f: func(b *builder) func(time.Time) float64 {
				base := b.noisy(8, 0, 1)
				return func(t time.Time) float64 {
					if !t.Before(spikeFrom) {
						return 90
					}
					return base(t)
				}
			}},
		{name: "network tenfold", days: 7, period: 300, metric: "NetworkOut", want: true, ongoing: true, from: "hour-of-day",
			f: func(b *builder) func(time.Time) float64 {
				base := b.noisy(3e8, 1e8, 2e7) // bytes per 5 minutes: ~1 MB/s
				return func(t time.Time) float64 {
					if !t.Before(spikeFrom) {
						return 3e9 + 1e8*b.rng.Float64()
					}
					return base(t)
				}
			}},
		{name: "network doubles on a tiny base", days: 7, period: 300, metric: "NetworkIn", f: func(b *builder) func(time.Time) float64 {
			base := b.noisy(3e4, 0, 3e3)
			return func(t time.Time) float64 {
				if !t.Before(spikeFrom) {
					return 2e5
				}
				return base(t)
			}
		}},
		{name: "gaps in the series are not zeros", days: 7, period: 300, metric: "CPUUtilization", f: func(b *builder) func(time.Time) float64 {
			base := b.noisy(40, 10, 2)
			return func(t time.Time) float64 {
				if t.Minute()%20 == 0 {
					return math.NaN() // missing point
				}
				return base(t)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBuilder(at)
			b.days, b.period = tc.days, tc.period
			b.instance("i-0abc000000000001", "host", "t3.medium")
			stat := "Average"
			ns := "AWS/EC2"
			if strings.HasPrefix(tc.metric, "Network") {
				stat = "Sum"
			}
			b.series("i-0abc000000000001", ns, tc.metric, stat, tc.f(b))
			r := b.analyze(t, nil)
			fs := findings(r, FindMetricAnomaly, "host")
			if !tc.want {
				none(t, r, FindMetricAnomaly, "host")
				return
			}
			if len(fs) != 1 {
				t.Fatalf("want one anomaly, got %d", len(fs))
			}
			f := fs[0]
			if f.Evidence["ongoing"] != tc.ongoing || f.Evidence["baseline_from"] != tc.from {
				t.Errorf("evidence %v", f.Evidence)
			}
			wantSev := report.SeverityMedium
			if tc.ongoing {
				wantSev = report.SeverityHigh
			}
			if f.Severity != wantSev {
				t.Errorf("severity %s, want %s", f.Severity, wantSev)
			}
			start, _ := time.Parse(time.RFC3339, f.Evidence["start"].(string))
			if d := start.Sub(spikeFrom); d < 0 || d > 10*time.Minute {
				t.Errorf("anomaly starts %v, spike at %v", start, spikeFrom)
			}
		})
	}
}

func TestLogErrorsCount43(t *testing.T) {
	r := crafted(fixedAt).analyze(t, nil)
	f := one(t, r, FindLogErrors, "/aws/ec2/app")
	if *f.Value != 43 {
		t.Fatalf("value %v, want 43", *f.Value)
	}
	if f.Severity != report.SeverityHigh || f.Evidence["fatal"] == nil {
		t.Errorf("OutOfMemoryError must make it high: %s %v", f.Severity, f.Evidence)
	}
	none(t, r, FindLogErrors, "/aws/lambda/quiet")
	tab := r.Table(TabLogGroups)
	if tab.Rows[0][0].Text != "/aws/ec2/app" || tab.Rows[0][1].Value != int64(43) || tab.Rows[0][2].Value != int64(1000) {
		t.Errorf("first row %+v", tab.Rows[0])
	}
	pats := r.Table(TabLogPatterns)
	if len(pats.Rows) != 2 || pats.Rows[0][1].Value != int64(30) || pats.Rows[1][1].Value != int64(13) {
		t.Fatalf("patterns %+v", pats.Rows)
	}
	if !strings.Contains(pats.Rows[0][2].Text, "<TS> ERROR java.lang.OutOfMemoryError") {
		t.Errorf("pattern not masked: %q", pats.Rows[0][2].Text)
	}
	var hist float64
	for _, b := range r.Chart(ChartLogsPerHour).Bins {
		hist += b.Count
	}
	if hist != 43 || len(r.Chart(ChartLogsPerHour).Bins) != 24 {
		t.Errorf("histogram sums to %v over %d bins", hist, len(r.Chart(ChartLogsPerHour).Bins))
	}
	if bars := r.Chart(ChartLogsByGroup).Bars; len(bars) != 1 || bars[0].Value != 43 {
		t.Errorf("bars %+v", bars)
	}
}

func TestLogSeverityRules(t *testing.T) {
	cases := []struct {
		name  string
		lines func(add func(time.Time, string), at time.Time)
		sev   report.Severity
		burst bool
	}{
		{"few steady errors", func(add func(time.Time, string), at time.Time) {
			for i := 0; i < 24; i++ {
				add(at.Add(-time.Duration(i)*time.Hour-time.Minute), "ERROR cache miss storm")
			}
		}, report.SeverityLow, false},
		{"burst", func(add func(time.Time, string), at time.Time) {
			for i := 0; i < 80; i++ {
				add(at.Add(-5*time.Hour+time.Duration(i)*time.Second), "rpc error: code = Unavailable desc = connection refused")
			}
			add(at.Add(-20*time.Hour), "ERROR once")
		}, report.SeverityMedium, true},
		{"many", func(add func(time.Time, string), at time.Time) {
			for i := 0; i < 1500; i++ {
				add(at.Add(-time.Duration(i)*time.Minute/2), fmt.Sprintf("ERROR id=%d timeout", i))
			}
		}, report.SeverityHigh, false},
		{"panic", func(add func(time.Time, string), at time.Time) {
			add(at.Add(-time.Hour), "panic: runtime error: index out of range [3] with length 3")
		}, report.SeverityHigh, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBuilder(fixedAt)
			b.logs("/g", func(add func(time.Time, string)) { tc.lines(add, b.at) })
			f := one(t, b.analyze(t, nil), FindLogErrors, "/g")
			if f.Severity != tc.sev || f.Evidence["burst"] != tc.burst {
				t.Errorf("severity %s burst %v, want %s %v", f.Severity, f.Evidence["burst"], tc.sev, tc.burst)
			}
		})
	}
}

func TestAlarms(t *testing.T) {
	r := crafted(fixedAt).analyze(t, nil)
	for _, c := range []struct {
		name string
		sev  report.Severity
	}{
		{"High-CPU-Usage", report.SeverityCritical}, // fresh
		{"High-Network-In", report.SeverityHigh},    // fresh but flapping
		{"Low-CPU-Usage", report.SeverityMedium},    // stale, 12 days
	} {
		f := one(t, r, FindAlarmFiring, c.name)
		if f.Severity != c.sev {
			t.Errorf("%s: severity %s, want %s", c.name, f.Severity, c.sev)
		}
	}
	if f := one(t, r, FindAlarmFiring, "High-CPU-Usage"); *f.Value != 170 || f.Evidence["instance_id"] != "i-0dmz000000000002" ||
		!strings.Contains(f.Detail, "96.1") {
		t.Errorf("firing: %v %v %q", *f.Value, f.Evidence, f.Detail)
	}
	if f := one(t, r, FindAlarmFiring, "Low-CPU-Usage"); !strings.Contains(f.Recommendation, "SNS") {
		t.Errorf("an alarm without actions must say nobody was paged: %q", f.Recommendation)
	}
	flap := one(t, r, FindAlarmFlapping, "High-Network-In")
	if *flap.Value != 7 {
		t.Errorf("flapping transitions %v, want 7", *flap.Value)
	}
	none(t, r, FindAlarmFlapping, "Status-Check-Failed") // two changes are not flapping
	stuck := one(t, r, FindAlarmInsufficient, "Disk-Space-Low-db-01")
	if *stuck.Value != 72 || !strings.Contains(stuck.Recommendation, "path=/data") {
		t.Errorf("stuck: %v %q", *stuck.Value, stuck.Recommendation)
	}
	rec := one(t, r, FindAlarmRecovered, "Status-Check-Failed")
	if rec.Severity != report.SeverityInfo || *rec.Value != 10 {
		t.Errorf("recovered: %s %v", rec.Severity, *rec.Value)
	}
	none(t, r, FindAlarmFiring, "Web-Service-Health")

	changes := r.Table(TabAlarmChanges)
	if len(changes.Rows) != 10 {
		t.Fatalf("changes %d, want 10", len(changes.Rows))
	}
	for i := 1; i < len(changes.Rows); i++ {
		if changes.Rows[i][0].Value.(time.Time).Before(changes.Rows[i-1][0].Value.(time.Time)) {
			t.Errorf("changes out of order at %d", i)
		}
	}
	tl := r.Chart(ChartAlarmTimeline)
	if tl == nil || tl.Lanes[0].Label != "High-Network-In" || len(tl.Lanes[0].Spans) != 8 {
		t.Fatalf("timeline %+v", tl)
	}
	if r.Status != report.StatusCritical {
		t.Errorf("status %s", r.Status)
	}
}

// TestFlapAndStuckThresholds: the options move the lines.
func TestFlapAndStuckThresholds(t *testing.T) {
	b := newBuilder(fixedAt)
	at := b.at
	b.alarm(source.Alarm{Name: "A", State: source.StateOK, StateUpdated: at.Add(-time.Hour)},
		tr("A", at.Add(-3*time.Hour), source.StateOK, source.StateAlarm, ""),
		tr("A", at.Add(-2*time.Hour), source.StateAlarm, source.StateOK, ""),
		tr("A", at.Add(-90*time.Minute), source.StateOK, source.StateAlarm, ""),
		tr("A", at.Add(-time.Hour), source.StateAlarm, source.StateOK, ""),
		tr("A", at.Add(-30*time.Hour), source.StateOK, source.StateAlarm, "before the window: not counted"))
	b.alarm(source.Alarm{Name: "B", State: source.StateInsufficientData, StateUpdated: at.Add(-2 * time.Hour)})
	r := b.analyze(t, nil)
	one(t, r, FindAlarmFlapping, "A") // 4 in the window, default threshold 4
	none(t, r, FindAlarmInsufficient, "B")
	if rows := r.Table(TabAlarmsInsufficent).Rows; len(rows) != 1 || rows[0][4].Text != "아니요" {
		t.Errorf("recent INSUFFICIENT_DATA is listed, not stuck: %+v", rows)
	}
	job := b.job()
	job.DailyStatus = &config.DailyStatusOptions{FlapTransitions: 5, StuckAfter: config.Duration{Duration: time.Hour, Raw: "1h"}}
	r = b.analyze(t, job)
	none(t, r, FindAlarmFlapping, "A")
	one(t, r, FindAlarmInsufficient, "B")
}

func TestInstanceFindings(t *testing.T) {
	r := crafted(fixedAt).analyze(t, nil)
	an := one(t, r, FindMetricAnomaly, "dmz-private-a")
	if an.Evidence["metric"] != "CPUUtilization" || an.Evidence["alarms"] == nil || *an.Value < 95 {
		t.Errorf("anomaly %v %v", *an.Value, an.Evidence)
	}
	for _, quiet := range []string{"web-01", "batch-03", "db-01"} {
		none(t, r, FindMetricAnomaly, quiet)
	}
	sc := one(t, r, FindStatusCheck, "batch-03")
	if sc.Severity != report.SeverityMedium || *sc.Value != 10 || sc.Evidence["ongoing"] != false {
		t.Errorf("status check %s %v %v", sc.Severity, *sc.Value, sc.Evidence)
	}
	disk := one(t, r, FindDiskHigh, "db-01")
	if disk.Severity != report.SeverityMedium || disk.Evidence["path"] != "/data" {
		t.Errorf("disk %s %v", disk.Severity, disk.Evidence)
	}
	none(t, r, FindNoData, "")

	// Absence is data: dmz-private-a publishes no memory; its cell is empty
	// (JSON null), never 0.
	busy := r.Table(TabBusiest)
	col := -1
	for i, c := range busy.Columns {
		if c.Key == "memory_avg" {
			col = i
		}
	}
	for _, row := range busy.Rows {
		switch row[0].Text {
		case "dmz-private-a":
			if row[col].Value != nil || row[col].Text != "-" {
				t.Errorf("memory of an agentless instance: %+v", row[col])
			}
		case "web-01":
			if v, ok := row[col].Value.(float64); !ok || v < 25 || v > 35 {
				t.Errorf("memory of web-01: %+v", row[col])
			}
		}
	}
	if busy.Rows[0][0].Text != "dmz-private-a" {
		t.Errorf("busiest first: %s", busy.Rows[0][0].Text)
	}
	ch := r.Chart(ChartCPUBusiest)
	if ch == nil || len(ch.Series) != 4 || len(ch.Thresholds) != 1 || ch.Thresholds[0].Value != 80 || ch.YMax != 100 {
		t.Fatalf("cpu chart %+v", ch)
	}
	if n := len(ch.Series[0].Points); n == 0 || n > chartPoints {
		t.Errorf("chart points %d", n)
	}
}

func TestStatusCheckStillFailingIsHigh(t *testing.T) {
	b := newBuilder(fixedAt)
	b.instance("i-1", "x", "t3.micro")
	b.series("i-1", "AWS/EC2", "CPUUtilization", "Average", b.noisy(5, 0, 1))
	b.series("i-1", "AWS/EC2", "StatusCheckFailed", "Maximum", func(t time.Time) float64 {
		if !t.Before(b.at.Add(-20 * time.Minute)) {
			return 1
		}
		return 0
	})
	b.instance("i-2", "silent", "t3.micro")
	r := b.analyze(t, nil)
	if f := one(t, r, FindStatusCheck, "x"); f.Severity != report.SeverityHigh || *f.Value != 20 {
		t.Errorf("%s %v", f.Severity, *f.Value)
	}
	one(t, r, FindNoData, "silent")
}

// An account whose instances publish no metrics, with no alarms and no log
// group (or a logs.groups glob that matches none) is not "instances normal,
// no error logs", and "none of 0 alarms" is not a sentence.
func TestNothingToJudgeIsNotNormal(t *testing.T) {
	b := newBuilder(fixedAt)
	b.instance("i-1", "silent-1", "t3.micro")
	b.instance("i-2", "silent-2", "t3.micro")
	for _, lang := range []string{"en", "ko"} {
		job := b.job()
		job.Language = lang
		r := b.analyze(t, job)
		want := map[string][]string{"en": {"2 instances without metrics", "Alarms: none defined", "health unknown): 2", "no log group scanned", "none matches the job's logs.groups"},
			"ko": {"지표 없는 인스턴스 2대", "정의된 알람 없음", "실행 중 인스턴스 2대", "검사한 로그 그룹 없음", "logs.groups와 일치하는"}}[lang]
		text := r.Headline + "\n" + strings.Join(r.Section(SecSummary).Notes, "\n")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q missing from\n%s", lang, w, text)
			}
		}
		if strings.Contains(r.Headline, "normal") || strings.Contains(r.Headline, "정상") {
			t.Errorf("%s: headline %q", lang, r.Headline)
		}
	}
}

// A scope that matches no instance (a typo in a name glob) is said, not
// reported as "instances normal".
func TestEmptyScopeIsNotNormal(t *testing.T) {
	b := newBuilder(fixedAt)
	for _, lang := range []string{"en", "ko"} {
		job := b.job()
		job.Language = lang
		r := b.analyze(t, job)
		want := map[string][]string{"en": {"no instance checked", "none matches the job's scope"}, "ko": {"점검한 인스턴스 없음", "scope와 일치하는"}}[lang]
		text := r.Headline + "\n" + strings.Join(r.Section(SecSummary).Notes, "\n")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q missing from\n%s", lang, w, text)
			}
		}
	}
}

// TestGapsMeanUnknown: a part that could not be collected makes its section
// say "unknown" — never "nothing found" — and the status is not ok.
func TestGapsMeanUnknown(t *testing.T) {
	b := newBuilder(fixedAt)
	b.ds.Gaps = []source.Gap{
		{Source: "aws", Part: "alarms", API: "cloudwatch:DescribeAlarms", Error: "AccessDenied", Action: "cloudwatch:DescribeAlarms"},
		{Source: "aws", Part: "metrics", API: "cloudwatch:GetMetricData", Error: "throttled"},
		{Source: "aws", Part: "log_stats", API: "logs:FilterLogEvents", Error: "timeout"},
	}
	for _, lang := range []string{"ko", "en"} {
		job := b.job()
		job.Language = lang
		r := b.analyze(t, job)
		if r.Status != report.StatusWarning {
			t.Errorf("%s: status %s, want warning", lang, r.Status)
		}
		if len(r.Findings) != 0 || len(r.DataGaps) != 3 {
			t.Errorf("%s: findings %d gaps %d", lang, len(r.Findings), len(r.DataGaps))
		}
		for _, id := range []string{TabAlarmsFiring, TabAnomalies, TabBusiest, TabLogGroups} {
			if r.Table(id) != nil {
				t.Errorf("%s: table %s present although its data is missing", lang, id)
			}
		}
		md, err := markdown.Source(r)
		if err != nil {
			t.Fatal(err)
		}
		s := string(md)
		unknown, none := map[string][]string{
			"ko": {"알람 상태 알 수 없음", "알람 상태를 알 수 없습니다", "인스턴스 상태를 알 수 없습니다", "오류 건수를 알 수 없습니다", "수집하지 못한 데이터"},
			"en": {"Alarms unknown", "Alarm states are unknown", "Instance health is unknown", "Error counts are unknown", "Data gaps"},
		}[lang], map[string][]string{
			"ko": {"ALARM 상태인 알람은 없습니다", "평소와 다르게 움직인 인스턴스는 없습니다", "오류 없음", "발생 중인 알람 없음"},
			"en": {"No alarm is in ALARM", "No instance behaved", "no error", "no alarm firing"},
		}[lang]
		for _, w := range unknown {
			if !strings.Contains(s, w) {
				t.Errorf("%s: markdown lacks %q", lang, w)
			}
		}
		for _, w := range none {
			if strings.Contains(s, w) {
				t.Errorf("%s: markdown claims %q although the data is missing", lang, w)
			}
		}
	}
}

func TestPartialGaps(t *testing.T) {
	b := crafted(fixedAt)
	b.ds.LogGroups = append(b.ds.LogGroups, source.LogGroup{Name: "/aws/eks/cluster"})
	b.ds.Gaps = []source.Gap{
		{Source: "aws", Part: "log_stats:/aws/eks/cluster", Error: "query timed out"},
		{Source: "aws", Part: "alarm_history", Error: "AccessDenied"},
	}
	r := b.analyze(t, nil)
	var row []report.Cell
	for _, rw := range r.Table(TabLogGroups).Rows {
		if rw[0].Text == "/aws/eks/cluster" {
			row = rw
		}
	}
	if row == nil || row[1].Text != "알 수 없음" || row[1].Value != nil || !strings.Contains(row[4].Text, "timed out") {
		t.Fatalf("unknown group row %+v", row)
	}
	if r.Table(TabAlarmChanges) != nil || r.Table(TabAlarmsFlapping) != nil || r.Chart(ChartAlarmTimeline) != nil {
		t.Error("without history the change and flapping tables must be absent (unknown), not empty")
	}
	none(t, r, FindAlarmFlapping, "")
	one(t, r, FindAlarmFiring, "High-CPU-Usage") // current states are still known
	if !strings.Contains(r.Section(SecSummary).Notes[0], "상태 변경 이력 알 수 없음") {
		t.Errorf("summary: %q", r.Section(SecSummary).Notes[0])
	}
	if !strings.Contains(r.Section(SecSummary).Notes[2], "알 수 없음") {
		t.Errorf("summary: %q", r.Section(SecSummary).Notes[2])
	}
}

func TestScopeDropsOtherInstancesAlarms(t *testing.T) {
	b := crafted(fixedAt)
	// The source filtered the inventory to web-01 only.
	b.ds.Instances = b.ds.Instances[:1]
	job := b.job()
	job.Scope.Names = []string{"web-*"}
	r := b.analyze(t, job)
	none(t, r, FindAlarmFiring, "High-CPU-Usage") // on the DMZ instance, out of scope
	one(t, r, FindAlarmFiring, "Low-CPU-Usage")   // no instance dimension: account-wide
}

// TestTextsAreComplete: no sentence in either language has a formatting
// error, and both languages have the same findings.
func TestTextsAreComplete(t *testing.T) {
	b := crafted(fixedAt)
	b.ds.Gaps = []source.Gap{{Source: "aws", Part: "metrics:i-0web000000000001", Error: "throttled"}}
	var counts []int
	for _, lang := range []string{"ko", "en"} {
		job := b.job()
		job.Language = lang
		r := b.analyze(t, job)
		counts = append(counts, len(r.Findings))
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "%!") {
			i := strings.Index(string(data), "%!")
			t.Errorf("%s: formatting error near %q", lang, string(data)[max(0, i-120):min(len(data), i+40)])
		}
		md, err := markdown.Source(r)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(md), "%!") || strings.Contains(string(md), "<no value>") {
			t.Errorf("%s: template output has a formatting error", lang)
		}
		for _, f := range r.Findings {
			if f.Title == "" || f.Detail == "" || f.Recommendation == "" {
				t.Errorf("%s: finding %s on %s lacks text", lang, f.ID, f.Resource)
			}
		}
		if r.Headline == "" {
			t.Errorf("%s: no headline", lang)
		}
	}
	if counts[0] != counts[1] {
		t.Errorf("ko has %d findings, en %d", counts[0], counts[1])
	}
}

func TestFindingsAreDeclared(t *testing.T) {
	declared := map[string]bool{}
	for _, d := range New().Findings() {
		declared[d.ID] = true
	}
	for _, id := range []string{"alarm.firing", "alarm.flapping", "alarm.insufficient_data", "metric.anomaly", "logs.errors"} {
		if !declared[id] {
			t.Errorf("required finding %s not declared", id)
		}
	}
	b := crafted(fixedAt)
	b.instance("i-9", "silent", "t3.micro")
	for _, f := range b.analyze(t, nil).Findings {
		if !declared[f.ID] {
			t.Errorf("finding %s raised but not declared", f.ID)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := json.Marshal(crafted(fixedAt).analyze(t, nil))
	b, _ := json.Marshal(crafted(fixedAt).analyze(t, nil))
	if string(a) != string(b) {
		t.Fatal("same dataset, different reports")
	}
}

func TestInventoryGapKeepsMetrics(t *testing.T) {
	b := crafted(fixedAt)
	b.ds.Instances = nil
	b.ds.Gaps = []source.Gap{{Source: "aws", Part: "instances", API: "ec2:DescribeInstances", Error: "AccessDenied"}}
	r := b.analyze(t, nil)
	one(t, r, FindMetricAnomaly, "i-0dmz000000000002") // named by id
	if r.Table(TabBusiest) == nil || !strings.Contains(strings.Join(r.Section(SecMetrics).Notes, " "), "인스턴스 목록을 읽지 못했습니다") {
		t.Error("inventory gap: metrics must still be analyzed, with a note")
	}
}

// A whole-collection metrics gap (the aws source's "metrics" part when every
// GetMetricData call failed) makes the metrics section unknown; it must not
// turn into "this instance publishes nothing" (a regression guard: the
// section returns before any instance is judged).
func TestCollectionGapIsNotNoData(t *testing.T) {
	b := crafted(fixedAt)
	b.instance("i-9", "silent", "t3.micro")
	one(t, b.analyze(t, nil), FindNoData, "silent")
	b.ds.Gaps = []source.Gap{{Source: "aws", Part: "metrics", API: "cloudwatch:GetMetricData", Error: "AccessDenied"}}
	none(t, b.analyze(t, nil), FindNoData, "silent")
}

// quiet is an account where nothing is wrong: one idle instance, one alarm
// in OK that never changed, one log group without errors.
func quiet(at time.Time) *builder {
	b := newBuilder(at)
	b.instance("i-0web000000000001", "web-01", "t3.small")
	b.series("i-0web000000000001", "AWS/EC2", "CPUUtilization", "Average", b.noisy(1.5, 0.5, 0.2))
	b.series("i-0web000000000001", "AWS/EC2", "StatusCheckFailed", "Maximum", func(time.Time) float64 { return 0 })
	b.alarm(source.Alarm{Name: "High-CPU-Usage", State: source.StateOK, StateUpdated: at.Add(-30 * 24 * time.Hour),
		Namespace: "AWS/EC2", Metric: "CPUUtilization", Dimensions: []source.Dimension{{Name: "InstanceId", Value: "i-0web000000000001"}},
		Threshold: 80, Comparison: "GreaterThanThreshold", ActionsEnabled: true, AlarmActions: []string{"arn:aws:sns:ap-northeast-2:111122223333:ops"}})
	b.logs("/aws/lambda/quiet", func(add func(time.Time, string)) {
		for i := 0; i < 200; i++ {
			add(at.Add(-time.Duration(i)*time.Minute), "INFO ok")
		}
	})
	return b
}

// A report whose only problem is a part it could not read is a warning
// whose headline says what is unknown, never a green "all quiet"; the same
// account without the gap is ok (so the test can fail).
func TestOnlyAGapIsNotOK(t *testing.T) {
	r := quiet(fixedAt).analyze(t, nil)
	if r.Status != report.StatusOK || len(r.Findings) != 0 {
		t.Fatalf("the quiet account is %s with %d findings: %s", r.Status, len(r.Findings), r.Headline)
	}
	for _, tc := range []struct {
		gap    source.Gap
		ko, en string
	}{
		{source.Gap{Source: "aws", Part: "alarm_history", API: "cloudwatch:DescribeAlarmHistory", Error: "AccessDenied", Action: "cloudwatch:DescribeAlarmHistory"},
			"발생 중인 알람 없음 (상태 변경 이력 알 수 없음)", "No alarm firing (state changes unknown)"},
		{source.Gap{Source: "aws", Part: "log_stats:/aws/lambda/quiet", API: "logs:FilterLogEvents", Error: "throttled"},
			"오류 로그 없음 (로그 그룹 1개 검사 못 함)", "no error logs (1 log group not scanned)"},
		{source.Gap{Source: "aws", Part: "metrics:i-0web000000000001:AWS/EC2/NetworkIn:Sum", API: "cloudwatch:GetMetricData", Error: "throttled"},
			"인스턴스 정상 (일부 지표 알 수 없음)", "instances normal (some metrics unknown)"},
		{source.Gap{Source: "aws", Part: "log_groups", API: "logs:DescribeLogGroups", Error: "AccessDenied"},
			"수집하지 못한 데이터 1건 (끝부분 참조)", "1 data gap (see the end)"},
	} {
		for _, lang := range []string{"ko", "en"} {
			b := quiet(fixedAt)
			b.ds.Gaps = []source.Gap{tc.gap}
			if tc.gap.Part == "log_stats:/aws/lambda/quiet" {
				b.ds.LogStats = nil // the source could not scan the group
			}
			job := b.job()
			job.Language = lang
			r := b.analyze(t, job)
			if r.Status != report.StatusWarning {
				t.Errorf("%s, %s: status %s, want warning", tc.gap.Part, lang, r.Status)
			}
			want := map[string]string{"ko": tc.ko, "en": tc.en}[lang]
			if !strings.Contains(r.Headline, want) {
				t.Errorf("%s, %s: headline %q lacks %q", tc.gap.Part, lang, r.Headline, want)
			}
			if len(r.DataGaps) != 1 {
				t.Errorf("%s, %s: %d data gaps", tc.gap.Part, lang, len(r.DataGaps))
			}
		}
	}
}

// A status check's duration is what the datapoints can tell: with 5-minute
// Maximum datapoints an upper bound ("up to 10m"), with 1-minute ones the
// failed minutes; the alarm's own ALARM span is set beside it.
func TestStatusCheckDurationIsHonest(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		b := crafted(fixedAt) // batch-03 fails 03:10-03:20: two 5-minute datapoints
		job := b.job()
		job.Language = lang
		f := one(t, b.analyze(t, job), FindStatusCheck, "batch-03")
		want := map[string][]string{
			"ko": {"(최대 10분, 복구됨)", "5분 구간 2개", "최대 10분입니다", "Status-Check-Failed 03:15~03:25 (10분)"},
			"en": {"(up to 10m, recovered)", "in 2 periods", "at most 10m", "Status-Check-Failed 03:15–03:25 (10m) in ALARM"},
		}[lang]
		for _, w := range want {
			if !strings.Contains(f.Title+" "+f.Detail, w) {
				t.Errorf("%s: %q missing from %q / %q", lang, w, f.Title, f.Detail)
			}
		}
		if *f.Value != 10 || f.Evidence["at_most"] != true || f.Evidence["failed_datapoints"] != 2 {
			t.Errorf("%s: value %v evidence %v", lang, *f.Value, f.Evidence)
		}
	}

	// One-minute datapoints: four failed minutes are four minutes.
	b := newBuilder(fixedAt)
	b.period, b.days = 60, 2
	fail := fixedAt.Add(-14*time.Hour - 10*time.Minute)
	b.instance("i-1", "batch-worker-03", "c6i.large")
	b.series("i-1", "AWS/EC2", "CPUUtilization", "Average", b.noisy(5, 1, 0.5))
	b.series("i-1", "AWS/EC2", "StatusCheckFailed", "Maximum", func(t time.Time) float64 {
		if !t.Before(fail) && t.Before(fail.Add(4*time.Minute)) {
			return 1
		}
		return 0
	})
	r := b.analyze(t, nil)
	f := one(t, r, FindStatusCheck, "batch-worker-03")
	if !strings.Contains(f.Title, "(4분, 복구됨)") || *f.Value != 4 || f.Evidence["at_most"] != false {
		t.Errorf("1-minute data: %q value %v evidence %v", f.Title, *f.Value, f.Evidence)
	}
	row := r.Table(TabStatusChecks).Rows[0]
	if row[3].Text != "4 × 1분" || row[4].Text != "4분" {
		t.Errorf("row %+v", row)
	}
}

// A CPU anomaly's advice fits the instance: an ASG member is told to scale
// its group out, an EKS node its node group, a lone instance to resize;
// error logs that name the instance (its IP, id or name) are quoted in the
// detail, and lines that only look alike are not.
func TestAnomalyAdviceFitsTheInstance(t *testing.T) {
	for _, tc := range []struct {
		asg, nodeGroup string
		want, not      []string
	}{
		{"", "", []string{"Auto Scaling 그룹에 속하지 않습니다", "더 큰 인스턴스 유형"}, []string{"ASG", "스케일 아웃"}},
		{"dmz-asg", "", []string{"Auto Scaling 그룹 dmz-asg의 희망 용량"}, []string{"속하지 않습니다"}},
		{"", "ng-general", []string{"노드 그룹 ng-general에 노드를 추가"}, []string{"Auto Scaling"}},
	} {
		b := crafted(fixedAt)
		b.ds.Instances[1].AutoScalingGroup, b.ds.Instances[1].NodeGroup = tc.asg, tc.nodeGroup
		f := one(t, b.analyze(t, nil), FindMetricAnomaly, "dmz-private-a")
		for _, w := range tc.want {
			if !strings.Contains(f.Recommendation, w) {
				t.Errorf("asg %q node group %q: %q missing from %q", tc.asg, tc.nodeGroup, w, f.Recommendation)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(f.Recommendation, w) {
				t.Errorf("asg %q node group %q: %q in %q", tc.asg, tc.nodeGroup, w, f.Recommendation)
			}
		}
	}

	b := crafted(fixedAt)
	one(t, b.analyze(t, nil), FindMetricAnomaly, "dmz-private-a") // sanity
	if f := one(t, b.analyze(t, nil), FindMetricAnomaly, "dmz-private-a"); f.Evidence["logs"] != nil || strings.Contains(f.Detail, "오류 로그") {
		t.Fatalf("no log names the instance, yet: %s", f.Detail)
	}
	b.ds.Instances[1].PrivateIP = "10.11.20.101"
	b.logs("/firewall/alerts/dmz", func(add func(time.Time, string)) {
		for i := 0; i < 12; i++ {
			add(fixedAt.Add(-150*time.Minute+time.Duration(i)*10*time.Minute),
				fmt.Sprintf("fw-dmz-01 alertd[812]: ERROR blocked outbound {TCP} 10.11.20.101:%d -> 185.71.65.238:3333", 40000+i))
		}
		// Look-alikes: another host whose address starts the same, and one inside a longer number.
		add(fixedAt.Add(-time.Hour), "fw-dmz-01 alertd[812]: ERROR blocked {TCP} 10.11.20.10:22 -> 10.11.0.12:22")
		add(fixedAt.Add(-time.Hour), "fw-dmz-01 alertd[812]: ERROR session id 110.11.20.1015 reset")
	})
	for _, lang := range []string{"ko", "en"} {
		job := b.job()
		job.Language = lang
		f := one(t, b.analyze(t, job), FindMetricAnomaly, "dmz-private-a")
		want := map[string]string{
			"ko": "기간 중 오류 로그에 이 인스턴스가 나옵니다: /firewall/alerts/dmz의 패턴",
			"en": "Error logs in the window name this instance: in /firewall/alerts/dmz the pattern",
		}[lang]
		if !strings.Contains(f.Detail, want) || !strings.Contains(f.Detail, "12") || !strings.Contains(f.Detail, "10.11.20.101") {
			t.Errorf("%s: detail %s", lang, f.Detail)
		}
		logs, _ := f.Evidence["logs"].([]map[string]any)
		if len(logs) != 1 || logs[0]["count"] != int64(12) || logs[0]["matched"] != "10.11.20.101" {
			t.Errorf("%s: evidence %v (the look-alike lines must not match)", lang, f.Evidence["logs"])
		}
	}
}

func TestNamesIsWholeToken(t *testing.T) {
	for _, tc := range []struct {
		s, n string
		want bool
	}{
		{"src 10.1.1.1:22", "10.1.1.1", true},
		{"src 10.1.1.10:22", "10.1.1.1", false},
		{"src 110.1.1.1", "10.1.1.1", false},
		{"seen at 10.1.1.1.", "10.1.1.1", true},
		{"host=web-01,", "web-01", true},
		{"host=web-010", "web-01", false},
		{"i-0abc and i-0abcd", "i-0abcd", true},
		{"i-0abcd", "i-0abc", false},
		{"", "x", false},
	} {
		if got := names(tc.s, tc.n); got != tc.want {
			t.Errorf("names(%q, %q) = %v", tc.s, tc.n, got)
		}
	}
}

// The CPU chart names its threshold lines as alarm thresholds, with the
// value first and how many more alarms share it in words ("+1" was cryptic).
func TestCPUChartThresholdLabel(t *testing.T) {
	b := crafted(fixedAt)
	b.alarm(source.Alarm{Name: "DB-CPU-High", State: source.StateOK, Namespace: "AWS/EC2", Metric: "CPUUtilization",
		Dimensions: []source.Dimension{{Name: "InstanceId", Value: "i-0db0000000000004"}}, Threshold: 80, Comparison: "GreaterThanThreshold"})
	b.alarm(source.Alarm{Name: "Batch-CPU-Very-High", State: source.StateOK, Namespace: "AWS/EC2", Metric: "CPUUtilization",
		Dimensions: []source.Dimension{{Name: "InstanceId", Value: "i-0bat000000000003"}}, Threshold: 92.5, Comparison: "GreaterThanThreshold"})
	for lang, want := range map[string][]string{
		"ko": {"알람 임계값 80% (DB-CPU-High 외 1개)", "알람 임계값 92.5% (Batch-CPU-Very-High)"},
		"en": {"alarm threshold 80% (DB-CPU-High, +1 more)", "alarm threshold 92.5% (Batch-CPU-Very-High)"},
	} {
		job := b.job()
		job.Language = lang
		ch := b.analyze(t, job).Chart(ChartCPUBusiest)
		if ch == nil || len(ch.Thresholds) != 2 {
			t.Fatalf("%s: chart %+v", lang, ch)
		}
		for i, w := range want {
			if ch.Thresholds[i].Label != w {
				t.Errorf("%s: threshold %d label %q, want %q", lang, i, ch.Thresholds[i].Label, w)
			}
		}
	}
}
