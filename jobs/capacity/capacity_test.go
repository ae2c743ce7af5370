package capacity

import (
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render/markdown"
)

// The crafted fleet: a window of 30 days ending at `at`, 5-minute points.
var (
	at     = time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC) // 08:00 in Seoul
	window = source.Window{Start: at.Add(-30 * 24 * time.Hour), End: at}
)

const step = 5 * time.Minute

// gen makes a 5-minute series over [from, to) with f(days since window start).
func gen(id, ns, metric, stat string, from, to time.Time, f func(d float64) float64, dims ...source.Dimension) source.Series {
	s := source.Series{Namespace: ns, Metric: metric, Stat: stat, InstanceID: id, Period: 300,
		Dimensions: append([]source.Dimension{{Name: "InstanceId", Value: id}}, dims...)}
	for t := from; t.Before(to); t = t.Add(step) {
		s.Times = append(s.Times, t.Unix())
		s.Values = append(s.Values, f(t.Sub(window.Start).Hours()/24))
	}
	return s
}

func cpu(id string, f func(d float64) float64) []source.Series {
	return []source.Series{
		gen(id, "AWS/EC2", "CPUUtilization", "Maximum", window.Start, window.End, f),
		gen(id, "AWS/EC2", "CPUUtilization", "Average", window.Start, window.End, func(d float64) float64 { return f(d) * 0.8 }),
	}
}

func network(id string, bytesPerPoint float64) []source.Series {
	c := func(float64) float64 { return bytesPerPoint }
	return []source.Series{
		gen(id, "AWS/EC2", "NetworkIn", "Sum", window.Start, window.End, c),
		gen(id, "AWS/EC2", "NetworkOut", "Sum", window.Start, window.End, c),
	}
}

func mem(id string, f func(d float64) float64) source.Series {
	return gen(id, "CWAgent", "mem_used_percent", "Maximum", window.Start, window.End, f)
}

func diskSeries(id, path string, f func(d float64) float64) source.Series {
	return gen(id, "CWAgent", "disk_used_percent", "Maximum", window.Start, window.End, f,
		source.Dimension{Name: "path", Value: path}, source.Dimension{Name: "fstype", Value: "xfs"})
}

func flat(v float64) func(float64) float64 { return func(float64) float64 { return v } }

// wave is a deterministic daily cycle between lo and hi.
func wave(lo, hi float64) func(float64) float64 {
	return func(d float64) float64 {
		return lo + (hi-lo)*(0.5+0.5*math.Sin(2*math.Pi*d))
	}
}

func inst(id, name, typ string) source.Instance {
	return source.Instance{ID: id, Name: name, Type: typ, State: "running"}
}

func input(ds *source.Dataset, opts *config.CapacityOptions, lang string) analyze.Input {
	if ds.Account.Region == "" {
		ds.Account = source.Account{ID: "111122223333", Region: "us-east-1"}
	}
	return analyze.Input{
		Job: &config.Job{Name: "capacity", Kind: "capacity", Capacity: opts}, At: at, Window: window,
		Location: time.UTC, Lang: lang, Data: ds,
	}
}

func analyzeOne(t *testing.T, ds *source.Dataset, opts *config.CapacityOptions) (*Result, *report.Report) {
	t.Helper()
	in := input(ds, opts, "en")
	res := run(in)
	rep, err := New().Analyze(in)
	if err != nil {
		t.Fatal(err)
	}
	return res, rep
}

func forecastOf(r *Result, id, metric, path string) *Forecast {
	for _, f := range r.Forecasts {
		if f.Inst.Inst.ID == id && f.Metric == metric && f.Path == path {
			return f
		}
	}
	return nil
}

func findingsOf(rep *report.Report, id, resource string) []report.Finding {
	var out []report.Finding
	for _, f := range rep.Findings {
		if f.ID == id && (resource == "" || f.Resource == resource) {
			out = append(out, f)
		}
	}
	return out
}

func TestLinearGrowthForecast(t *testing.T) {
	// CPU grows from 40% to 70% over the 30 days: 1 point a day, so the 80%
	// ceiling is crossed 40 days after the window start, 10 days after at.
	grow := func(d float64) float64 { return 40 + d }
	ds := &source.Dataset{Instances: []source.Instance{inst("i-grow", "grow", "m6i.large")}}
	ds.Series = append(cpu("i-grow", grow), network("i-grow", 1e8)...)
	res, rep := analyzeOne(t, ds, nil)
	f := forecastOf(res, "i-grow", "cpu", "")
	if f == nil {
		t.Fatal("no cpu forecast")
	}
	want := window.Start.Add(40 * 24 * time.Hour)
	if f.Status != ForecastDate {
		t.Fatalf("status %s, want forecast (fit %+v)", f.Status, f.Fit)
	}
	if diff := f.Date.Sub(want); diff < -48*time.Hour || diff > 48*time.Hour {
		t.Errorf("forecast %s, want %s ± 2 days", f.Date, want)
	}
	if math.Abs(f.Fit.Slope-1) > 0.05 || f.Fit.P > 1e-6 {
		t.Errorf("slope %.3f p %.2g, want 1/day and significant", f.Fit.Slope, f.Fit.P)
	}
	fs := findingsOf(rep, FindingExhaustion, "grow")
	if len(fs) != 1 {
		t.Fatalf("exhaustion findings %d, want 1", len(fs))
	}
	ev := fs[0].Evidence
	if ev["metric"] != "cpu" || ev["limit"] != 80.0 || ev["forecast_date"] != f.Date.Format("2006-01-02") {
		t.Errorf("evidence %v", ev)
	}
	if fs[0].Severity != report.SeverityHigh { // 10 days away
		t.Errorf("severity %s, want high", fs[0].Severity)
	}
}

func TestIdleInstance(t *testing.T) {
	ds := &source.Dataset{Instances: []source.Instance{inst("i-idle", "legacy", "m5.large")}}
	ds.Series = append(cpu("i-idle", wave(0.2, 0.9)), network("i-idle", 1000)...)
	res, rep := analyzeOne(t, ds, nil)
	rec := res.Recs["i-idle"]
	if rec.Verdict != VerdictIdle {
		t.Fatalf("verdict %s, want idle", rec.Verdict)
	}
	if math.Abs(rec.Monthly-0.096*730) > 1e-9 {
		t.Errorf("saving %.4f, want the whole m5.large price 70.08", rec.Monthly)
	}
	fs := findingsOf(rep, FindingIdle, "legacy")
	if len(fs) != 1 || fs[0].Evidence["monthly_cost_usd"] != 70.08 {
		t.Fatalf("idle findings %+v", fs)
	}
	// Just above the threshold is not idle.
	ds.Series = append(cpu("i-idle", wave(0.2, 1.2)), network("i-idle", 1000)...)
	res, _ = analyzeOne(t, ds, nil)
	if v := res.Recs["i-idle"].Verdict; v == VerdictIdle {
		t.Errorf("max 1.2%% judged idle")
	}
}

func TestNoisyFlatHasNoTrend(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	noisy := func(d float64) float64 { return 50 + 15*(rng.Float64()-0.5) }
	ds := &source.Dataset{Instances: []source.Instance{inst("i-flat", "flat", "c6i.xlarge")}}
	ds.Series = append(cpu("i-flat", noisy), mem("i-flat", func(float64) float64 { return 60 + 10*(rng.Float64()-0.5) }))
	res, rep := analyzeOne(t, ds, nil)
	for _, m := range []string{"cpu", "memory"} {
		f := forecastOf(res, "i-flat", m, "")
		if f == nil || f.Status != ForecastFlat {
			t.Errorf("%s: %+v, want no significant trend", m, f)
		}
	}
	if fs := findingsOf(rep, FindingExhaustion, ""); len(fs) != 0 {
		t.Errorf("exhaustion findings on a flat series: %+v", fs)
	}
	md := render(t, rep)
	if !strings.Contains(md, "no significant rise (no exhaustion within 180 days)") {
		t.Errorf("the forecast note does not say there is no exhaustion:\n%s", md)
	}
}

func TestDiskCleanedUpMidWindow(t *testing.T) {
	// /var/log fills 50→74% in 12 days, is cleaned to 30% on day 12, then
	// grows 1 point a day: fitted on the last 18 days only, it reaches 80% on
	// day 62 and 100% on day 82.
	fill := func(d float64) float64 {
		if d < 12 {
			return 50 + 2*d
		}
		return 30 + (d - 12)
	}
	ds := &source.Dataset{Instances: []source.Instance{inst("i-db", "db", "r6i.2xlarge")}}
	ds.Series = append(cpu("i-db", wave(10, 30)), mem("i-db", flat(50)), diskSeries("i-db", "/var/log", fill), diskSeries("i-db", "/", flat(40)))
	res, rep := analyzeOne(t, ds, nil)
	f := forecastOf(res, "i-db", "disk", "/var/log")
	if f == nil {
		t.Fatal("no /var/log forecast")
	}
	if f.Cleanup.IsZero() || f.From < 11 || f.From > 13 {
		t.Fatalf("clean-up not found: from %d (%s)", f.From, f.Cleanup)
	}
	if math.Abs(f.Fit.Slope-1) > 0.05 {
		t.Errorf("slope after clean-up %.3f, want 1", f.Fit.Slope)
	}
	wantFull := window.Start.Add(82 * 24 * time.Hour)
	wantWarn := window.Start.Add(62 * 24 * time.Hour)
	if d := f.Date.Sub(wantFull); f.Status != ForecastDate || d < -48*time.Hour || d > 48*time.Hour {
		t.Errorf("full on %s (%s), want %s ± 2 days", f.Date, f.Status, wantFull)
	}
	if d := f.WarnAt.Sub(wantWarn); d < -48*time.Hour || d > 48*time.Hour {
		t.Errorf("80%% on %s, want %s ± 2 days", f.WarnAt, wantWarn)
	}
	fs := findingsOf(rep, FindingExhaustion, "db:/var/log")
	if len(fs) != 1 || fs[0].Evidence["fitted_from"] == nil || fs[0].Evidence["warning_date"] == nil {
		t.Fatalf("disk finding %+v", fs)
	}
	if g := forecastOf(res, "i-db", "disk", "/"); g == nil || g.Status != ForecastFlat {
		t.Errorf("flat / disk: %+v", g)
	}
}

func TestBurstableBaseline(t *testing.T) {
	o := (*config.CapacityOptions)(nil).WithDefaults()
	pt, _ := Prices("us-east-1")
	mk := func(avg, peak, memPct float64) *profile {
		p := &profile{Inst: inst("i-t", "t", "t3.large"), AvgCPU: avg}
		p.Spec, p.Known = Spec("t3.large")
		p.CPU = metricStats{Sizing: peak, Hours: 720}
		p.Mem = &metricStats{Sizing: memPct}
		p.Days = make([]day, 30)
		for k := range p.Days {
			p.Days[k] = day{CPUAvg: avg, CPUMax: peak, CPUP95: peak, NetMB: 1000, cpuN: 288}
		}
		return p
	}
	// Average 12% fits under t3.medium's 20% baseline; memory 30% rules out
	// t3.small (2 GiB would be at 120%).
	rec := rightsize(mk(12, 35, 30), pt, o, false, false)
	if rec.Verdict != VerdictOver || rec.Target == nil || rec.Target.Type.Name != "t3.medium" {
		t.Fatalf("avg 12%%: %+v, want t3.medium", rec)
	}
	if rec.Graviton == nil || rec.Graviton.Type.Name != "t4g.medium" {
		t.Errorf("graviton alternative %+v, want t4g.medium", rec.Graviton)
	}
	// Average 25% is above every smaller size's 20% baseline: no smaller T
	// size, so it is right-sized; the same-size AMD and Graviton types (same
	// 30% baseline) are cheaper equivalents, not a downsizing.
	rec = rightsize(mk(25, 35, 30), pt, o, false, false)
	if rec.Verdict != VerdictOK || rec.Target != nil {
		t.Fatalf("avg 25%%: %s %+v, want right-sized", rec.Verdict, rec.Target)
	}
	if rec.AMD == nil || rec.AMD.Type.Name != "t3a.large" || rec.Graviton == nil || rec.Graviton.Type.Name != "t4g.large" {
		t.Fatalf("avg 25%%: alternatives %+v %+v, want t3a.large and t4g.large", rec.AMD, rec.Graviton)
	}
	if eq := rec.Equivalent(); eq == nil || eq.Type.Name != "t4g.large" || math.Abs(eq.Monthly-(0.0832-0.0672)*730) > 1e-9 {
		t.Errorf("cheaper equivalent %+v, want t4g.large saving 11.68", eq)
	}
	if c, ok := project(mk(25, 35, 30), specs["t3.medium"], o); ok || c.ProjAvg != 25 {
		t.Errorf("t3.medium accepted at average 25%% over a 20%% baseline: %+v", c)
	}
	// Average above its own 30% baseline: under-provisioned (spends credits).
	rec = rightsize(mk(34, 60, 30), pt, o, false, false)
	if rec.Verdict != VerdictUnder || len(rec.Reasons) != 1 || rec.Reasons[0] != "baseline" || rec.Target == nil || rec.Target.Type.Name != "t3.xlarge" {
		t.Errorf("avg 34%% on t3.large: %+v", rec)
	}
}

func TestMissingMemory(t *testing.T) {
	ds := &source.Dataset{Instances: []source.Instance{inst("i-nomem", "nomem", "m5.xlarge")}}
	ds.Series = append(cpu("i-nomem", wave(5, 20)), network("i-nomem", 5e8)...)
	res, rep := analyzeOne(t, ds, nil)
	p := res.Profiles[0]
	if p.Mem != nil {
		t.Fatal("memory invented")
	}
	rec := res.Recs["i-nomem"]
	// m5.large would halve the memory nobody measured: never. Nothing smaller
	// fits, so no rightsizing; the same-size AMD type is a cheaper
	// equivalent that keeps 16 GiB.
	if rec.Verdict != VerdictOK || rec.Target != nil || !rec.LowConfidence || rec.AMD == nil || rec.AMD.Type.Name != "m5a.xlarge" || !math.IsNaN(rec.AMD.ProjMem) {
		t.Fatalf("rec %+v AMD %+v", rec, rec.AMD)
	}
	if fs := findingsOf(rep, FindingMemoryMissing, "nomem"); len(fs) != 1 || !strings.Contains(fs[0].Title, "CPU only, low confidence") {
		t.Errorf("memory finding %+v", fs)
	}
	if rs := findingsOf(rep, FindingRightsize, "nomem"); len(rs) != 0 {
		t.Fatalf("a same-size type was reported as rightsizing: %+v", rs)
	}
	row := rep.Table("instances").Rows[0]
	if row[8].Text != "not collected" || row[8].Value != nil {
		t.Errorf("memory cell %+v, want 'not collected' and no value", row[8])
	}
}

func TestGroupNodeRecommendation(t *testing.T) {
	ds := &source.Dataset{}
	for i := 1; i <= 8; i++ {
		id := "i-eks" + string(rune('0'+i))
		in := inst(id, "eks-node-0"+string(rune('0'+i)), "m6i.xlarge")
		in.Cluster, in.NodeGroup, in.AutoScalingGroup = "demo", "ng-general", "eks-ng-general-asg"
		ds.Instances = append(ds.Instances, in)
		ds.Series = append(ds.Series, cpu(id, wave(10, 15))...)
		ds.Series = append(ds.Series, mem(id, flat(35)))
		ds.Series = append(ds.Series, network(id, 1e9)...)
	}
	res, rep := analyzeOne(t, ds, nil)
	if len(res.Groups) != 1 || len(res.Recs) != 0 {
		t.Fatalf("groups %d recs %d: members must be sized as a group", len(res.Groups), len(res.Recs))
	}
	g := res.Groups[0]
	// CPU: 8 × 15% / 0.65 → 2 nodes; memory: 8 × 35% / 0.65 = 4.3 → 5.
	if g.Name != "demo/ng-general" || g.Current != 8 || g.Recommended != 5 || !g.ByMemory {
		t.Fatalf("group %+v", g)
	}
	if want := 3 * 0.192 * 730; math.Abs(g.Monthly-want) > 1e-6 {
		t.Errorf("saving %.2f, want %.2f", g.Monthly, want)
	}
	fs := findingsOf(rep, FindingGroupNodes, "demo/ng-general")
	if len(fs) != 1 || fs[0].Evidence["recommended_nodes"] != 5 || fs[0].Evidence["decided_by"] != "memory" || fs[0].Severity != report.SeverityMedium {
		t.Fatalf("group finding %+v", fs)
	}
	if len(findingsOf(rep, FindingRightsize, "")) != 0 {
		t.Error("group members got per-instance type changes")
	}
	// Half the nodes without memory: said per group, CPU-only confidence.
	ds.Series = ds.Series[:0]
	for i, in := range ds.Instances {
		ds.Series = append(ds.Series, cpu(in.ID, wave(1, 2))...)
		if i%2 == 0 {
			ds.Series = append(ds.Series, mem(in.ID, flat(30)))
		}
	}
	res, rep = analyzeOne(t, ds, nil)
	g = res.Groups[0]
	if g.Label != VerdictIdle {
		t.Errorf("a group at 1-2%% CPU is labelled %s, want idle", g.Label)
	}
	if g.MemMissing != 4 || g.Recommended != 4 {
		t.Errorf("group with half memory: missing %d recommended %d", g.MemMissing, g.Recommended)
	}
	if fs := findingsOf(rep, FindingMemoryMissing, "demo/ng-general"); len(fs) != 1 || fs[0].Evidence["nodes_without_memory"] != 4 {
		t.Errorf("group memory finding %+v", fs)
	}
}

func TestUnderProvisionedAndSkipped(t *testing.T) {
	ds := &source.Dataset{Instances: []source.Instance{inst("i-api", "api", "c6i.large"), inst("i-new", "new", "m6i.large")}}
	ds.Series = append(cpu("i-api", wave(40, 93)), mem("i-api", flat(40)))
	ds.Series = append(ds.Series, gen("i-new", "AWS/EC2", "CPUUtilization", "Maximum", at.Add(-20*time.Hour), at, flat(50)))
	res, rep := analyzeOne(t, ds, nil)
	rec := res.Recs["i-api"]
	if rec.Verdict != VerdictUnder || rec.Target == nil || rec.Target.Type.Name != "c6i.xlarge" {
		t.Fatalf("api %+v", rec)
	}
	fs := findingsOf(rep, FindingUnder, "api")
	if len(fs) != 1 || fs[0].Evidence["recommended_type"] != "c6i.xlarge" || fs[0].Evidence["monthly_cost_change_usd"] != 62.05 {
		t.Fatalf("under finding %+v", fs)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Inst.ID != "i-new" {
		t.Fatalf("skipped %+v", res.Skipped)
	}
	if tb := rep.Table("skipped"); tb == nil || len(tb.Rows) != 1 || tb.Rows[0][1].Text != "i-new" {
		t.Errorf("skipped table %+v", tb)
	}
	if _, ok := res.Recs["i-new"]; ok {
		t.Error("an instance with 20 h of data was judged")
	}
}

func TestWeekOverWeekMovers(t *testing.T) {
	ds := &source.Dataset{Instances: []source.Instance{inst("i-a", "batch", "c6i.large"), inst("i-b", "steady", "c6i.large")}}
	ds.Series = append(cpu("i-a", func(d float64) float64 {
		if d >= 23 {
			return 24
		}
		return 40
	}), cpu("i-b", flat(30))...)
	res, rep := analyzeOne(t, ds, nil)
	if len(res.Movers) != 1 || res.Movers[0].P.Inst.ID != "i-a" || math.Abs(res.Movers[0].Delta-(-12.8)) > 0.01 {
		t.Fatalf("movers %+v", res.Movers)
	}
	if res.Fleet[0].Instances != 2 || res.Fleet[1].Instances != 2 || math.Abs(res.Fleet[0].CPU-28) > 0.01 {
		t.Errorf("fleet %+v", res.Fleet)
	}
	if tb := rep.Table("movers"); tb == nil || len(tb.Rows) != 1 {
		t.Errorf("movers table %+v", tb)
	}
}

func TestPreviousWeekFromCompareDataset(t *testing.T) {
	// A 7-day window asks for the previous week separately.
	job := &config.Job{Name: "c", Kind: "capacity"}
	short := source.Window{Start: at.Add(-7 * 24 * time.Hour), End: at}
	plan := New().Plan(job, short, at)
	if plan.Compare == nil || !plan.Compare.End.Equal(short.Start) || plan.Compare.Duration() != 7*24*time.Hour {
		t.Fatalf("compare %+v", plan.Compare)
	}
	if p := New().Plan(job, window, at); p.Compare != nil {
		t.Errorf("a 30-day window already holds the previous week; compare %+v", p.Compare)
	}
}

func TestPlan(t *testing.T) {
	job := &config.Job{Name: "c", Kind: "capacity", Scope: config.Scope{Names: []string{"web-*"}}, Capacity: &config.CapacityOptions{LivePrices: true}}
	p := New().Plan(job, window, at)
	if p.Request.Period != 5*time.Minute || !p.Request.Needs.Has(source.NeedInstances|source.NeedMetrics|source.NeedPrices) {
		t.Errorf("request %+v", p.Request)
	}
	if len(p.Request.PriceTypes) != len(specs) || p.Request.PriceTypes[0] != "c6a.12xlarge" {
		t.Errorf("price types %v", p.Request.PriceTypes)
	}
	if len(p.Request.Scope.NameGlobs) != 1 || len(p.Request.Metrics) != len(metrics) {
		t.Errorf("scope %+v metrics %d", p.Request.Scope, len(p.Request.Metrics))
	}
	old := source.Window{Start: at.Add(-90 * 24 * time.Hour), End: at}
	if q := New().Plan(job, old, at); q.Request.Period != time.Hour {
		t.Errorf("90-day window period %s, want 1h (CloudWatch keeps only hourly data)", q.Request.Period)
	}
}

func TestLivePricesOverride(t *testing.T) {
	ds := &source.Dataset{Instances: []source.Instance{inst("i-idle", "idle", "m5.large")}}
	ds.Series = cpu("i-idle", flat(0.5))
	ds.Prices = []source.InstancePrice{{Region: "us-east-1", InstanceType: "m5.large", USDPerHour: 0.1}}
	res, rep := analyzeOne(t, ds, &config.CapacityOptions{LivePrices: true})
	if res.Live != 1 || math.Abs(res.Recs["i-idle"].Monthly-73) > 1e-9 {
		t.Errorf("live %d monthly %.2f, want the live price 0.1 × 730", res.Live, res.Recs["i-idle"].Monthly)
	}
	for _, g := range rep.DataGaps {
		if g.Part == "prices:live" {
			t.Errorf("gap although prices came: %+v", g)
		}
	}
	ds.Prices = nil
	_, rep = analyzeOne(t, ds, &config.CapacityOptions{LivePrices: true})
	if len(rep.DataGaps) != 1 || rep.DataGaps[0].Part != "prices:live" {
		t.Errorf("gaps %+v, want prices:live", rep.DataGaps)
	}
}

func TestUnpricedRegion(t *testing.T) {
	ds := &source.Dataset{Account: source.Account{ID: "1", Region: "eu-west-3"}, Instances: []source.Instance{inst("i-idle", "idle", "m5.large")}}
	ds.Series = cpu("i-idle", flat(0.5))
	_, rep := analyzeOne(t, ds, nil)
	if len(rep.DataGaps) != 1 || rep.DataGaps[0].Part != "prices" || !strings.Contains(rep.Headline, "savings unknown") {
		t.Errorf("gaps %+v headline %q", rep.DataGaps, rep.Headline)
	}
}

func TestHostileNamesAndData(t *testing.T) {
	name := "evil | `x` <script>alert(1)</script> [a](http://x) \x00\x1b"
	ds := &source.Dataset{Instances: []source.Instance{inst("i-evil", name, "nope.huge"), inst("i-bad", "bad", "m5.large")}}
	ds.Series = cpu("i-evil", flat(50))
	bad := cpu("i-bad", flat(30))
	bad[0].Values[10], bad[0].Values[11] = math.NaN(), math.Inf(1)
	bad[1].Times = bad[1].Times[:5] // mismatched lengths: ignored
	ds.Series = append(ds.Series, bad...)
	res, rep := analyzeOne(t, ds, nil)
	if v := res.Recs["i-evil"].Verdict; v != VerdictUnknown {
		t.Errorf("unknown type verdict %s", v)
	}
	if p := res.Profiles[0]; p.CPU.Max != 30 || math.IsNaN(p.CPU.P95) {
		t.Errorf("NaN/Inf points leaked into stats: %+v", p.CPU)
	}
	md := render(t, rep)
	// Inside a code span the text is literal, so only what lies outside one
	// must be escaped.
	outside := regexp.MustCompile("`` [^\n]*? ``").ReplaceAllString(md, "")
	for _, bad := range []string{"<script>", "| `x`", "\x00", "\x1b"} {
		if strings.Contains(outside, bad) {
			t.Errorf("markdown contains %q raw", bad)
		}
	}
}

func render(t *testing.T, rep *report.Report) string {
	t.Helper()
	md, err := markdown.Source(rep)
	if err != nil {
		t.Fatal(err)
	}
	return string(md)
}

func TestRendersBothLanguages(t *testing.T) {
	ds := &source.Dataset{Instances: []source.Instance{inst("i-grow", "grow", "m6i.large"), inst("i-idle", "idle", "m5.large")}}
	ds.Series = append(cpu("i-grow", func(d float64) float64 { return 40 + d }), cpu("i-idle", flat(0.5))...)
	for _, lang := range []string{"ko", "en"} {
		in := input(ds, nil, lang)
		rep, err := New().Analyze(in)
		if err != nil {
			t.Fatal(err)
		}
		md := render(t, rep)
		for _, want := range []string{"chart:fleet-cpu", "chart:savings", "chart:trend-1", "| grow |"} {
			if !strings.Contains(md, want) {
				t.Errorf("%s: markdown lacks %q", lang, want)
			}
		}
		if lang == "ko" && !strings.Contains(md, "온디맨드") {
			t.Errorf("ko report is not Korean:\n%s", md[:400])
		}
		if regexp.MustCompile(`%\\?!|NOVERB|MISSING|EXTRA|BADINDEX`).MatchString(md) {
			t.Errorf("%s: a format verb went wrong:\n%s", lang, md)
		}
	}
}
