package incident

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/logscan"
	"github.com/cwreport/cwreport/report"
)

var seoul = mustLoc("Asia/Seoul")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// at is the incident time of the crafted scenarios.
var at = time.Date(2026, 11, 24, 14, 30, 0, 0, seoul)

// scenario builds a dataset around at: three order-api instances in one
// Auto Scaling group, a web and a db instance, minute metrics with noise
// over the baseline and the window, log lines scanned with logscan, and
// alarm transitions. Events are added by the test.
type scenario struct {
	t    *testing.T
	rng  *rand.Rand
	job  *config.Job
	opts config.IncidentOptions
	win  source.Window
	data *source.Dataset
	prev *source.Dataset
	// lines per log group: the window's and the baseline's.
	lines, prevLines map[string][]logLine
	// steps: instance/metric → list of (from, delta) level changes.
	steps map[string][]step
	ramps map[string]float64 // instance/metric → slope per hour (drift)
}

type logLine struct {
	t    time.Time
	line string
}

type step struct {
	from  time.Time
	delta float64
}

var instances = []source.Instance{
	{ID: "i-0a000000000000001", Name: "order-api-01", Type: "m6i.large", State: "running", AutoScalingGroup: "order-api-asg"},
	{ID: "i-0a000000000000002", Name: "order-api-02", Type: "m6i.large", State: "running", AutoScalingGroup: "order-api-asg"},
	{ID: "i-0a000000000000003", Name: "order-api-03", Type: "m6i.large", State: "running", AutoScalingGroup: "order-api-asg"},
	{ID: "i-0b000000000000001", Name: "web-01", Type: "t3.small", State: "running"},
	{ID: "i-0c000000000000001", Name: "db-01", Type: "r6i.2xlarge", State: "running"},
}

func id(name string) string {
	for _, in := range instances {
		if in.Name == name {
			return in.ID
		}
	}
	panic("no instance " + name)
}

// base levels and noise (standard deviation) of each metric.
var levels = map[string][2]float64{
	"CPUUtilization":   {25, 1.5},
	"NetworkIn":        {5e6, 3e5},
	"NetworkOut":       {4e6, 2.5e5},
	"mem_used_percent": {40, 0.5},
}

func newScenario(t *testing.T, seed uint64) *scenario {
	job := &config.Job{Name: "incident", Kind: "incident", Window: config.Window{Raw: "1h"}, Location: seoul, Language: "en",
		Logs: config.LogsScope{ErrorTerms: config.DefaultErrorTerms}}
	opts := job.Incident.WithDefaults(time.Hour)
	s := &scenario{t: t, rng: rand.New(rand.NewPCG(seed, 7)), job: job, opts: opts, win: Window(at, opts),
		lines: map[string][]logLine{}, prevLines: map[string][]logLine{}, steps: map[string][]step{}, ramps: map[string]float64{}}
	s.data = &source.Dataset{Account: source.Account{ID: "123456789012", Region: "ap-northeast-2"}, Window: s.win, Instances: instances}
	s.prev = &source.Dataset{Account: s.data.Account, Window: source.Window{Start: s.win.Start.Add(-opts.LogBaseline.Duration), End: s.win.Start}}
	s.data.Alarms = []source.Alarm{
		{Name: "High-CPU-Usage-order-api-02", State: source.StateOK, Namespace: "AWS/EC2", Metric: "CPUUtilization",
			Dimensions: []source.Dimension{{Name: "InstanceId", Value: id("order-api-02")}}, Statistic: "Average", Period: 60, EvaluationPeriods: 5, Threshold: 80, Comparison: "GreaterThanThreshold"},
		{Name: "db-01-cpu", State: source.StateOK, Namespace: "AWS/EC2", Metric: "CPUUtilization",
			Dimensions: []source.Dimension{{Name: "InstanceId", Value: id("db-01")}}, Period: 300, EvaluationPeriods: 1, Threshold: 90},
	}
	// Every app logs a known error now and then, before and during the
	// window: known patterns must never be called new.
	for m := s.prev.Window.Start; m.Before(s.win.End); m = m.Add(7 * time.Minute) {
		l := logLine{m.Add(13 * time.Second), fmt.Sprintf("2026-11-24 ERROR timeout calling payment-gateway after %dms", 3000+s.rng.IntN(900))}
		if m.Before(s.win.Start) {
			s.prevLines["/aws/ec2/order-api/app"] = append(s.prevLines["/aws/ec2/order-api/app"], l)
		} else {
			s.lines["/aws/ec2/order-api/app"] = append(s.lines["/aws/ec2/order-api/app"], l)
		}
	}
	s.lines["/aws/ec2/web/nginx"] = nil
	return s
}

// stepAt adds a level change to one metric of one instance from time from.
func (s *scenario) stepAt(inst, metric string, from time.Time, delta float64) {
	k := id(inst) + "/" + metric
	s.steps[k] = append(s.steps[k], step{from, delta})
}

// errorsFrom logs n error lines of text in group from time from, one every
// every.
func (s *scenario) errorsFrom(group, text string, from time.Time, n int, every time.Duration) {
	for i := 0; i < n; i++ {
		s.lines[group] = append(s.lines[group], logLine{from.Add(time.Duration(i) * every), fmt.Sprintf(text, i+1000)})
	}
}

func (s *scenario) alarm(name string, t time.Time, from, to source.AlarmState) {
	s.data.AlarmHistory = append(s.data.AlarmHistory, source.AlarmTransition{Alarm: name, Time: t, From: from, To: to, Reason: "Threshold Crossed: 5 datapoints were greater than the threshold (80.0)."})
}

// finish generates the series and the log stats.
func (s *scenario) finish() analyze.Input {
	start := s.win.Start.Add(-s.opts.Baseline.Duration)
	for _, in := range instances {
		for _, metric := range []string{"CPUUtilization", "NetworkIn", "NetworkOut", "mem_used_percent"} {
			if metric == "mem_used_percent" && !strings.HasPrefix(in.Name, "order-api") {
				continue // only the order-api fleet runs the agent: absence is data
			}
			lv := levels[metric]
			ser := source.Series{Namespace: "AWS/EC2", Metric: metric, InstanceID: in.ID, Stat: "Average", Period: 60,
				Dimensions: []source.Dimension{{Name: "InstanceId", Value: in.ID}}}
			if metric == "mem_used_percent" {
				ser.Namespace = "CWAgent"
			}
			k := in.ID + "/" + metric
			for t := start; t.Before(s.win.End); t = t.Add(time.Minute) {
				v := lv[0] + s.rng.NormFloat64()*lv[1] + s.ramps[k]*t.Sub(start).Hours()
				for _, st := range s.steps[k] {
					if !t.Before(st.from) {
						v += st.delta
					}
				}
				if ser.Metric == "CPUUtilization" || metric == "mem_used_percent" {
					v = math.Max(0, math.Min(100, v))
				}
				ser.Times = append(ser.Times, t.Unix())
				ser.Values = append(ser.Values, v)
			}
			s.data.Series = append(s.data.Series, ser)
		}
	}
	terms := scanTerms(s.job, s.opts)
	scan := func(w source.Window, byGroup map[string][]logLine) []source.LogStats {
		var out []source.LogStats
		for _, g := range sortedKeys(byGroup) {
			sc := logscan.New(g, w, terms, s.opts.Resolution.Duration, topPatterns)
			for _, l := range byGroup[g] {
				sc.Add(l.t, l.line)
			}
			out = append(out, sc.Stats())
		}
		return out
	}
	s.data.LogStats = scan(s.win, s.lines)
	s.prev.LogStats = scan(s.prev.Window, s.prevLines)
	runWin := source.Window{Start: at.Add(-time.Hour), End: at}
	return analyze.Input{Job: s.job, At: at, Window: runWin, Location: seoul, Lang: "en", Data: s.data, Previous: s.prev}
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

func analyzeOK(t *testing.T, in analyze.Input) *report.Report {
	t.Helper()
	r, err := New().Analyze(in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func candidates(r *report.Report) []report.Finding { return r.FindingsWith(FindCandidate) }

func rankOf(f report.Finding) int { return f.Evidence["rank"].(int) }

// seeded builds the canonical incident: CPU on order-api-02 steps from 25%
// to 85% at -10m, a new OutOfMemoryError pattern from -7m, the alarm at -2m.
func seeded(t *testing.T, seed uint64) *scenario {
	s := newScenario(t, seed)
	s.stepAt("order-api-02", "CPUUtilization", at.Add(-10*time.Minute), 60)
	s.errorsFrom("/aws/ec2/order-api/app", "ERROR java.lang.OutOfMemoryError: Java heap space (request %d)", at.Add(-7*time.Minute), 30, 40*time.Second)
	s.alarm("High-CPU-Usage-order-api-02", at.Add(-2*time.Minute), source.StateOK, source.StateAlarm)
	return s
}

func TestSeededIncidentsRankTheTrueCauseFirst(t *testing.T) {
	type want struct {
		kind, resource, metric string
		firstTime              time.Time
	}
	cpu02 := want{"metric", id("order-api-02"), "CPUUtilization", at.Add(-10 * time.Minute)}
	for _, tc := range []struct {
		name  string
		setup func(s *scenario)
		want  want
		// next, when set, is the resource expected at rank 2.
		next string
	}{
		{name: "metric, then logs, then alarm", setup: func(s *scenario) {}, want: cpu02, next: "/aws/ec2/order-api/app"},
		{name: "a larger consequence later on a sibling", setup: func(s *scenario) {
			// Traffic moves to order-api-01 after 02 degrades: bigger, later.
			s.stepAt("order-api-01", "NetworkIn", at.Add(-4*time.Minute), 2e7)
		}, want: cpu02},
		{name: "an unrelated earlier change elsewhere", setup: func(s *scenario) {
			s.stepAt("web-01", "CPUUtilization", at.Add(-25*time.Minute), 9)
		}, want: cpu02},
		{name: "memory of the same instance changes with the CPU", setup: func(s *scenario) {
			s.stepAt("order-api-02", "mem_used_percent", at.Add(-6*time.Minute), 30)
		}, want: cpu02},
	} {
		for _, seed := range []uint64{1, 2, 3} {
			t.Run(fmt.Sprintf("%s/seed%d", tc.name, seed), func(t *testing.T) {
				s := seeded(t, seed)
				tc.setup(s)
				r := analyzeOK(t, s.finish())
				cs := candidates(r)
				if len(cs) == 0 {
					t.Fatalf("no candidate; findings %v", ids(r))
				}
				top := cs[0]
				if rankOf(top) != 1 || top.Evidence["kind"] != tc.want.kind || top.Resource != tc.want.resource || top.Evidence["metric"] != tc.want.metric {
					t.Fatalf("top candidate %v %s %v; all:\n%s", top.Evidence["kind"], top.Resource, top.Evidence["metric"], describeAll(cs))
				}
				if got := top.Evidence["time"].(time.Time); got.Sub(tc.want.firstTime).Abs() > time.Minute {
					t.Errorf("change time %v, want %v", got, tc.want.firstTime)
				}
				if top.Severity != report.SeverityHigh {
					t.Errorf("top severity %s (score %v)", top.Severity, *top.Value)
				}
				if tc.next != "" && (len(cs) < 2 || cs[1].Resource != tc.next) {
					t.Errorf("rank 2 want %s; all:\n%s", tc.next, describeAll(cs))
				}
				first := r.FindingsWith(FindFirst)
				if len(first) != 1 || first[0].Resource != id("order-api-02") && tc.name != "an unrelated earlier change elsewhere" {
					t.Errorf("first change: %+v", first)
				}
				// The order of the story: metric, then logs, then the alarm.
				order := timelineKinds(r)
				if !isSubsequence(order, "metric change", "new errors", "alarm") {
					t.Errorf("timeline order %s", order)
				}
			})
		}
	}
}

func TestLogsFirstRanksTheLogGroupFirst(t *testing.T) {
	// A dependency fails first: connection errors at -12m, then the CPU of
	// order-api-02 drops (it waits instead of working), then the alarm.
	s := newScenario(t, 4)
	s.errorsFrom("/aws/ec2/order-api/app", "ERROR connection refused: inventory-db:5432 (attempt %d)", at.Add(-12*time.Minute), 60, 15*time.Second)
	s.stepAt("order-api-02", "CPUUtilization", at.Add(-8*time.Minute), -20)
	s.alarm("High-CPU-Usage-order-api-02", at.Add(-3*time.Minute), source.StateOK, source.StateAlarm)
	r := analyzeOK(t, s.finish())
	cs := candidates(r)
	if len(cs) < 2 || cs[0].Resource != "/aws/ec2/order-api/app" || cs[1].Resource != id("order-api-02") {
		t.Fatalf("want the log group first, then the CPU drop:\n%s", describeAll(cs))
	}
	if !strings.Contains(cs[0].Recommendation, "dependency is unreachable") {
		t.Errorf("advice for connection errors: %s", cs[0].Recommendation)
	}
}

func TestDeployLineIsTheFirstCandidate(t *testing.T) {
	s := seeded(t, 5)
	s.lines["/aws/ec2/order-api/app"] = append(s.lines["/aws/ec2/order-api/app"],
		logLine{at.Add(-12 * time.Minute), "deploy: rolling out order-api v2.14.1 to order-api-02"})
	r := analyzeOK(t, s.finish())
	cs := candidates(r)
	if len(cs) < 2 || cs[0].Evidence["kind"] != "change" || cs[1].Resource != id("order-api-02") {
		t.Fatalf("want the deploy, then the CPU step:\n%s", describeAll(cs))
	}
	first := r.FindingsWith(FindFirst)
	if len(first) != 1 || first[0].Resource != id("order-api-02") || first[0].Evidence["preceded_by"] == nil {
		t.Fatalf("first change should be the CPU step, preceded by the deploy: %+v", first)
	}
	// The deploy line is not an error: the error count excludes it.
	for _, row := range r.Table(TabLogGroups).Rows {
		if row[0].Text == "/aws/ec2/order-api/app" && row[2].Value.(int64) != int64(len(s.lines["/aws/ec2/order-api/app"])-1) {
			t.Errorf("errors %v, want the deploy line excluded", row[2].Value)
		}
	}
}

func TestQuietWindowHasNoCandidate(t *testing.T) {
	for seed := uint64(10); seed < 40; seed++ {
		s := newScenario(t, seed)
		// The daily load curve: a slow rise, and an unrelated alarm that
		// flaps in the window; known errors keep their usual rate.
		s.ramps[id("web-01")+"/NetworkIn"] = 4e5
		s.ramps[id("db-01")+"/CPUUtilization"] = 2
		s.alarm("db-01-cpu", at.Add(-20*time.Minute), source.StateOK, source.StateAlarm)
		s.alarm("db-01-cpu", at.Add(-15*time.Minute), source.StateAlarm, source.StateOK)
		r := analyzeOK(t, s.finish())
		if cs := candidates(r); len(cs) > 0 {
			t.Fatalf("seed %d: quiet window has candidates:\n%s", seed, describeAll(cs))
		}
		if n := len(r.FindingsWith(FindNewPattern)); n > 0 {
			t.Fatalf("seed %d: %d new patterns in a quiet window", seed, n)
		}
		if !strings.HasPrefix(r.Headline, "No change above the noise") || r.Status != report.StatusOK {
			t.Fatalf("seed %d: headline %q status %s", seed, r.Headline, r.Status)
		}
	}
}

func TestMissingPartsAreUnknown(t *testing.T) {
	s := seeded(t, 6)
	in := s.finish()
	in.Data.Series = nil
	in.Data.Gaps = []source.Gap{{Source: "aws", Part: "metrics", API: "cloudwatch:GetMetricData", Error: "AccessDenied"}}
	in.Previous = nil
	r := analyzeOK(t, in)
	if r.Table(TabMetrics) != nil {
		t.Error("metrics table without metrics")
	}
	for _, f := range r.Section(SecSummary).Facts {
		if f.Key == "changed_metrics" && !strings.HasPrefix(f.Value.Text, "unknown") {
			t.Errorf("changed metrics %q, want unknown", f.Value.Text)
		}
	}
	if len(r.FindingsWith(FindNewPattern)) != 0 {
		t.Error("patterns called new without a baseline")
	}
	if len(r.DataGaps) == 0 {
		t.Error("the metrics gap is not in the report")
	}
}

func TestWindowFollowsOptions(t *testing.T) {
	job := &config.Job{Name: "i", Kind: "incident", Window: config.Window{Raw: "1h"}, Incident: &config.IncidentOptions{
		Before: config.Duration{Duration: 2 * time.Hour, Raw: "2h"}, After: config.Duration{Duration: 0, Raw: "0m"}}}
	p := New().Plan(job, source.Window{Start: at.Add(-time.Hour), End: at}, at)
	if !p.Request.Window.Start.Equal(at.Add(-2*time.Hour)) || !p.Request.Window.End.Equal(at) {
		t.Errorf("window %v", p.Request.Window)
	}
	if p.Compare == nil || !p.Compare.End.Equal(p.Request.Window.Start) || p.Compare.Duration() != 6*time.Hour {
		t.Errorf("log baseline %v", p.Compare)
	}
	if p.Request.History != time.Hour || p.Request.Period != time.Minute || p.Request.Logs.Bin != time.Minute {
		t.Errorf("history %v period %v bin %v", p.Request.History, p.Request.Period, p.Request.Logs.Bin)
	}
	if !contains(p.Request.Logs.ErrorTerms, "deploy:") || !contains(p.Request.Logs.ErrorTerms, "ERROR") {
		t.Errorf("scan terms %v", p.Request.Logs.ErrorTerms)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func ids(r *report.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID+" "+f.Resource)
	}
	return out
}

func describeAll(fs []report.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  #%v %.2f %s (prec %v str %v corr %v)\n", f.Evidence["rank"], *f.Value, f.Title, f.Evidence["precedence"], f.Evidence["strength"], f.Evidence["corroboration"])
	}
	return b.String()
}

// timelineKinds lists the kinds of the timeline rows, in order.
func timelineKinds(r *report.Report) []string {
	var kinds []string
	for _, row := range r.Table(TabTimeline).Rows {
		kinds = append(kinds, row[2].Text)
	}
	return kinds
}

// isSubsequence reports whether the first occurrences of want appear in
// this order in got.
func isSubsequence(got []string, want ...string) bool {
	last := -1
	for _, w := range want {
		i := slices.Index(got, w)
		if i <= last {
			return false
		}
		last = i
	}
	return true
}

func TestHostileSeriesValues(t *testing.T) {
	s := seeded(t, 7)
	in := s.finish()
	// NaN and infinities in the middle of the true cause, and a series
	// whose times are all outside the window.
	for i := range in.Data.Series {
		ser := &in.Data.Series[i]
		if ser.InstanceID == id("order-api-02") && ser.Metric == "CPUUtilization" {
			ser.Values[70], ser.Values[71], ser.Values[72] = math.NaN(), math.Inf(1), math.Inf(-1)
		}
	}
	in.Data.Series = append(in.Data.Series, source.Series{Namespace: "AWS/EC2", Metric: "CPUUtilization", InstanceID: id("web-01"),
		Times: []int64{at.Add(48 * time.Hour).Unix()}, Values: []float64{math.NaN()}})
	r := analyzeOK(t, in)
	cs := candidates(r)
	if len(cs) == 0 || cs[0].Resource != id("order-api-02") {
		t.Fatalf("hostile values changed the answer:\n%s", describeAll(cs))
	}
}

// The alarm table shows CloudWatch's UTC datapoint times in the report's
// zone, as the daily status does (textfmt.LocalReason).
func TestAlarmReasonInReportZone(t *testing.T) {
	s := seeded(t, 5)
	// seeded's alarm: 05:15 UTC is 14:15 in Seoul; CloudWatch writes dd/MM/yy HH:mm:ss.
	const reason = "Threshold Crossed: 1 out of the last 1 datapoints [85.0908 (24/11/26 05:15:00)] was greater than the threshold (80.0)."
	s.data.AlarmHistory[len(s.data.AlarmHistory)-1].Reason = reason
	r := analyzeOK(t, s.finish())
	found := false
	for _, row := range r.Table(TabAlarms).Rows {
		for _, c := range row {
			if strings.Contains(c.Text, "85.0908") {
				found = true
				if !strings.Contains(c.Text, "[85.0908 (11-24 14:15)]") || strings.Contains(c.Text, "05:15") {
					t.Errorf("reason %q, want the datapoint at 11-24 14:15 (Asia/Seoul)", c.Text)
				}
			}
		}
	}
	if !found {
		t.Error("no alarm row with the reason")
	}
}
