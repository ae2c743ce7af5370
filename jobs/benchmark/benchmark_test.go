package benchmark

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
)

var seoul = func() *time.Location { l, _ := time.LoadLocation("Asia/Seoul"); return l }()

var at = time.Date(2026, 11, 24, 9, 0, 0, 0, seoul)

var fleet = []source.Instance{
	{ID: "i-01", Name: "svc-01", AutoScalingGroup: "svc-asg", State: "running"},
	{ID: "i-02", Name: "svc-02", AutoScalingGroup: "svc-asg", State: "running"},
	{ID: "i-03", Name: "svc-03", AutoScalingGroup: "svc-asg", State: "running"},
	{ID: "i-11", Name: "batch-01", State: "running"},
	{ID: "i-12", Name: "batch-02", State: "running"},
	{ID: "i-21", Name: "solo", State: "running"},
}

// world describes the synthetic account: a level per instance and metric
// with a daily curve, day-to-day wobble and noise, and changes from a given
// time on.
type world struct {
	seed    uint64
	changes []change
	// mem lists the instances running the CloudWatch agent, and from when.
	mem map[string]time.Time
}

type change struct {
	inst, metric string
	from         time.Time
	factor       float64
}

var base = map[string]float64{"CPUUtilization": 30, "mem_used_percent": 50, "NetworkIn": 2e7, "NetworkOut": 3e7, "EBSReadOps": 500, "EBSWriteOps": 1500}

func (w *world) value(inst, metric string, t time.Time, rng *rand.Rand) float64 {
	h := float64(t.In(seoul).Hour()) + float64(t.Minute())/60
	curve := 1 + 0.4*math.Sin(2*math.Pi*(h-8)/24)
	day := t.In(seoul).YearDay()
	wobble := 1 + 0.03*math.Sin(float64(day)*2.1+float64(len(inst))) // day-to-day variation ±3%
	v := base[metric] * curve * wobble * (1 + 0.06*rng.NormFloat64())
	for _, c := range w.changes {
		if c.inst == inst && c.metric == metric && !t.Before(c.from) {
			v *= c.factor
		}
	}
	if metric == "CPUUtilization" || metric == "mem_used_percent" {
		v = math.Min(100, math.Max(0, v))
	}
	return v
}

// dataset generates what a source returns for req.
func (w *world) dataset(req source.Request) *source.Dataset {
	rng := rand.New(rand.NewPCG(w.seed, uint64(req.Window.Start.Unix())))
	d := &source.Dataset{Account: source.Account{ID: "123456789012", Region: "ap-northeast-2"}, Window: req.Window, Instances: fleet}
	start := req.Window.Start.Add(-req.History)
	for _, in := range fleet {
		for _, m := range req.Metrics {
			s := source.Series{Namespace: m.Namespace, Metric: m.Name, InstanceID: in.ID, Stat: m.Stat, Period: int32(req.Period / time.Second),
				Dimensions: []source.Dimension{{Name: "InstanceId", Value: in.ID}}}
			for t := start; t.Before(req.Window.End); t = t.Add(req.Period) {
				if m.Name == "mem_used_percent" {
					from, ok := w.mem[in.ID]
					if !ok || t.Before(from) {
						continue
					}
				}
				s.Times = append(s.Times, t.Unix())
				s.Values = append(s.Values, w.value(in.ID, m.Name, t, rng))
			}
			if s.Len() > 0 {
				d.Series = append(d.Series, s)
			}
		}
	}
	return d
}

func job(opts *config.BenchmarkOptions) *config.Job {
	return &config.Job{Name: "wow", Kind: "benchmark", Window: config.Window{Raw: "24h"}, Location: seoul, Language: "en", Benchmark: opts}
}

// runWorld does what the runner does with the plan.
func runWorld(t *testing.T, w *world, j *config.Job) *report.Report {
	t.Helper()
	start, end := j.Window.Resolve(at, seoul)
	win := source.Window{Start: start, End: end}
	p := New().Plan(j, win, at)
	prev := p.Request
	prev.Window = *p.Compare
	prev.Needs = p.CompareNeeds
	r, err := New().Analyze(analyze.Input{Job: j, At: at, Window: win, Location: seoul, Lang: j.Language, Data: w.dataset(p.Request), Previous: w.dataset(prev)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func findingFor(r *report.Report, id, resource, metric string) *report.Finding {
	for _, f := range r.FindingsWith(id) {
		if f.Resource == resource && f.Evidence["metric"] == metric {
			return &f
		}
	}
	return nil
}

func allMem() map[string]time.Time {
	m := map[string]time.Time{}
	for _, in := range fleet {
		m[in.ID] = time.Time{}
	}
	return m
}

func TestSameDistributionWithNoiseIsNoChange(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		r := runWorld(t, &world{seed: seed, mem: allMem()}, job(nil))
		if len(r.Findings) > 0 {
			t.Fatalf("seed %d: findings on unchanged data: %v", seed, titles(r))
		}
		if !strings.HasPrefix(r.Headline, "No change beyond normal day-to-day variation") {
			t.Errorf("headline %q", r.Headline)
		}
	}
}

func TestShiftedDistributionIsARegression(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		w := &world{seed: seed, mem: allMem()}
		// svc-asg burns 30% more CPU for the same traffic since 3 days ago.
		for _, id := range []string{"i-01", "i-02", "i-03"} {
			w.changes = append(w.changes, change{id, "CPUUtilization", at.Add(-3 * 24 * time.Hour), 1.3})
		}
		r := runWorld(t, w, job(nil))
		f := findingFor(r, FindRegression, "svc-asg", "CPUUtilization")
		if f == nil {
			t.Fatalf("seed %d: no CPU regression on svc-asg: %v", seed, titles(r))
		}
		if *f.Value < 20 || *f.Value > 40 || f.Severity != report.SeverityMedium {
			t.Errorf("seed %d: change %v%% severity %s", seed, *f.Value, f.Severity)
		}
		for _, want := range []string{"The whole distribution moved", "the same traffic now costs more CPUUtilization", "Every member moved"} {
			if !strings.Contains(f.Detail, want) {
				t.Errorf("seed %d: explanation lacks %q:\n%s", seed, want, f.Detail)
			}
		}
		onset, _ := f.Evidence["onset"].(time.Time)
		if d := at.Add(-3 * 24 * time.Hour).Sub(onset); d < 0 || d > 24*time.Hour {
			t.Errorf("seed %d: onset %v, want within the day before %v", seed, onset, at.Add(-3*24*time.Hour))
		}
		if len(r.Findings) != 1 {
			t.Errorf("seed %d: only one change expected: %v", seed, titles(r))
		}
	}
}

// A CPU rise the traffic explains is load, not a regression: CPU and
// traffic +60% together is a low benchmark.traffic_change whose
// explanation says so; CPU +60% on traffic +20% is still a regression (the
// same traffic costs a third more), and its explanation says by how much.
func TestLoadGrowthExplainedByTraffic(t *testing.T) {
	w := &world{seed: 3, mem: allMem()}
	for _, m := range []string{"CPUUtilization", "NetworkIn", "NetworkOut"} {
		w.changes = append(w.changes, change{"i-21", m, at.Add(-7 * 24 * time.Hour).Add(time.Hour), 1.6})
	}
	r := runWorld(t, w, job(nil))
	if f := findingFor(r, FindRegression, "i-21", "CPUUtilization"); f != nil {
		t.Errorf("CPU +60%% with traffic +60%% is a regression: %s", f.Title)
	}
	f := findingFor(r, FindTraffic, "i-21", "CPUUtilization")
	if f == nil || f.Severity != report.SeverityLow || !strings.Contains(f.Title, "with its traffic") || !strings.Contains(f.Detail, "this is load, not a regression") {
		t.Fatalf("CPU +60%% with traffic +60%%: %+v\n%v", f, titles(r))
	}
	tr, _ := f.Evidence["traffic"].(map[string]any)
	if pt, _ := tr["per_traffic_pct"].(float64); tr == nil || math.Abs(pt) >= 10 {
		t.Errorf("traffic evidence %v: the rise per unit of traffic should be ~0%%", f.Evidence["traffic"])
	}
	if findingFor(r, FindTraffic, "i-21", "NetworkIn") == nil {
		t.Errorf("no traffic change finding: %v", titles(r))
	}
	if r.Status != report.StatusOK {
		t.Errorf("load that follows the traffic alone is %s, want ok (low)", r.Status)
	}
	for _, row := range r.Table(TabChanges).Rows {
		if row[1].Text == "CPUUtilization" && row[8].Text != "follows traffic" {
			t.Errorf("changes table verdict %q, want 'follows traffic'", row[8].Text)
		}
	}

	w = &world{seed: 3, mem: allMem()}
	w.changes = append(w.changes, change{"i-21", "CPUUtilization", at.Add(-7 * 24 * time.Hour).Add(time.Hour), 1.6})
	for _, m := range []string{"NetworkIn", "NetworkOut"} {
		w.changes = append(w.changes, change{"i-21", m, at.Add(-7 * 24 * time.Hour).Add(time.Hour), 1.2})
	}
	r = runWorld(t, w, job(nil))
	f = findingFor(r, FindRegression, "i-21", "CPUUtilization")
	if f == nil || f.Severity != report.SeverityHigh || !strings.Contains(f.Detail, "but CPUUtilization rose more") {
		t.Fatalf("CPU +60%% on traffic +20%%: %+v\n%v", f, titles(r))
	}
	tr, _ = f.Evidence["traffic"].(map[string]any)
	if pt, _ := tr["per_traffic_pct"].(float64); pt < 20 || pt > 50 {
		t.Errorf("traffic evidence %v: the rise per unit of traffic should be ~+33%%", f.Evidence["traffic"])
	}
}

func TestImprovement(t *testing.T) {
	w := &world{seed: 4, mem: allMem()}
	for _, id := range []string{"i-11", "i-12"} {
		w.changes = append(w.changes, change{id, "CPUUtilization", at.Add(-6 * 24 * time.Hour), 0.6})
	}
	r := runWorld(t, w, job(nil))
	f := findingFor(r, FindImprove, "batch-*", "CPUUtilization")
	if f == nil || *f.Value > -30 || f.Severity != report.SeverityInfo {
		t.Fatalf("batch-* CPU -40%%: %v", titles(r))
	}
	if r.Status != report.StatusOK {
		t.Errorf("an improvement alone should leave the status ok, got %s", r.Status)
	}
}

func TestMissingMemoryIsNotCollected(t *testing.T) {
	// Only svc-01 runs the agent, in both windows; solo never did; svc-02
	// got the agent this week.
	w := &world{seed: 5, mem: map[string]time.Time{"i-01": {}, "i-02": at.Add(-2 * 24 * time.Hour)}}
	r := runWorld(t, w, job(&config.BenchmarkOptions{GroupBy: "instance"}))
	verdicts := map[string]string{}
	for _, row := range r.Table(TabDist).Rows {
		if strings.HasPrefix(row[1].Text, "mem_used_percent") {
			verdicts[row[0].Text] = row[8].Text
			if row[0].Text == "solo" && (row[2].Value != nil || row[3].Value != nil) {
				t.Errorf("solo memory shows values: %v %v", row[2], row[3])
			}
		}
	}
	if verdicts["solo"] != "not collected" || verdicts["svc-01"] != "within normal variation" || verdicts["svc-02"] != "this window only" {
		t.Errorf("memory verdicts %v", verdicts)
	}
	for _, f := range r.Findings {
		if f.ID == FindRegression || f.ID == FindImprove {
			t.Errorf("missing memory read as a change: %s", f.Title)
		}
	}
	cov := r.FindingsWith(FindCoverage)
	if len(cov) != 1 || cov[0].Resource != "i-02" {
		t.Errorf("coverage findings %v", titles(r))
	}
}

func TestWindowLongerThanOffsetIsAnError(t *testing.T) {
	j := job(&config.BenchmarkOptions{Offset: config.Duration{Duration: 24 * time.Hour, Raw: "1d"}})
	j.Window = config.Window{Raw: "2d"}
	start, end := j.Window.Resolve(at, seoul)
	_, err := New().Analyze(analyze.Input{Job: j, At: at, Window: source.Window{Start: start, End: end}, Location: seoul, Lang: "en", Data: &source.Dataset{}})
	if err == nil || !strings.Contains(err.Error(), "longer than the offset") {
		t.Fatalf("err %v", err)
	}
}

func TestMissingPreviousWindowIsUnknown(t *testing.T) {
	j := job(nil)
	start, end := j.Window.Resolve(at, seoul)
	win := source.Window{Start: start, End: end}
	p := New().Plan(j, win, at)
	w := &world{seed: 6, mem: allMem()}
	prev := &source.Dataset{Gaps: []source.Gap{{Source: "aws", Part: "metrics", Error: "ThrottlingException"}}}
	r, err := New().Analyze(analyze.Input{Job: j, At: at, Window: win, Location: seoul, Lang: "en", Data: w.dataset(p.Request), Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 0 || r.Table(TabChanges) != nil || !strings.Contains(r.Headline, "incomplete") {
		t.Errorf("unknown read as a result: %q %v", r.Headline, titles(r))
	}
}

func TestPlan(t *testing.T) {
	j := job(nil)
	win := source.Window{Start: at.Add(-24 * time.Hour), End: at}
	p := New().Plan(j, win, at)
	if p.Compare == nil || !p.Compare.Start.Equal(win.Start.Add(-7*24*time.Hour)) || p.Compare.Duration() != 24*time.Hour {
		t.Errorf("compare %v", p.Compare)
	}
	if p.Request.History != 7*24*time.Hour || p.Request.Period != 5*time.Minute || p.Request.Needs.Has(source.NeedLogStats) {
		t.Errorf("request %+v", p.Request)
	}
}

func titles(r *report.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID+" "+f.Resource+" "+f.Title)
	}
	return out
}

// An EKS managed node group is also an Auto Scaling group (named
// "eks-ng-general-<uuid>"); it is grouped and labelled by cluster/node
// group, as the capacity report names it.
func TestEKSNodeGroupIsNamedLikeCapacity(t *testing.T) {
	d := &source.Dataset{Instances: []source.Instance{
		{ID: "i-e1", Name: "eks-node-01", Cluster: "eksworkshop", NodeGroup: "ng-general", AutoScalingGroup: "eks-ng-general-4ec5a3b2-9d1f-7e21-b2a4-5f3c8d9e0a1b"},
		{ID: "i-e2", Name: "eks-node-02", Cluster: "eksworkshop", NodeGroup: "ng-general", AutoScalingGroup: "eks-ng-general-4ec5a3b2-9d1f-7e21-b2a4-5f3c8d9e0a1b"},
		{ID: "i-n1", Name: "lonely-ng", NodeGroup: "ng-x"},
		{ID: "i-a1", Name: "web-01", AutoScalingGroup: "web-asg"},
	}}
	a := &run{in: analyze.Input{Data: d, Lang: "en"}, lang: "en", opts: Options(nil)}
	a.entities()
	got := map[string][]string{}
	for _, e := range a.ents {
		got[a.entityLabel(e)+" ["+e.Kind+"]"] = e.Members
	}
	want := map[string][]string{
		"eksworkshop/ng-general (2 instances) [nodegroup]": {"i-e1", "i-e2"},
		"ng-x (1 instance) [nodegroup]":                    {"i-n1"},
		"web-asg (1 instance) [asg]":                       {"i-a1"},
	}
	for k, v := range want {
		if strings.Join(got[k], ",") != strings.Join(v, ",") {
			t.Errorf("%s: members %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
}
