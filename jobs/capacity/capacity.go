// Package capacity is the weekly capacity review (kind capacity): per
// instance CPU, memory, disk, network and EBS statistics over the window,
// exhaustion forecasts from robust daily trends, rightsizing modelled on AWS
// Compute Optimizer and Trusted Advisor with on-demand savings, node counts
// for Auto Scaling and EKS node groups, and the week-over-week movers.
//
// It is a pure function of (dataset, options, instant): it never calls AWS
// and never reads the clock. The method is explained in docs/capacity.md.
package capacity

import (
	"math"
	"sort"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
)

// Options are the job's capacity options with the preset and defaults applied.
type Options = config.CapacityOptions

// Analyzer is the capacity review.
type Analyzer struct{}

// New returns the capacity analyzer.
func New() Analyzer { return Analyzer{} }

var _ analyze.Analyzer = Analyzer{}

// Plan asks for the instances and their metrics over the window, the CPU
// maxima at 5-minute resolution and the rest hourly (everything hourly once
// CloudWatch keeps only hourly data), plus the previous week when the window
// does not already hold it.
//
// Only the CPU maxima need 5 minutes: sizing is the p99.5 of the 5-minute
// maxima (Compute Optimizer's statistic) and the idle rule their maximum.
// Averages, traffic and EBS operations become daily and weekly means and
// sums, and disks daily maxima, which hourly data gives the same; memory
// percentiles of hourly maxima can only be higher, never recommending less
// memory. For 1,000 instances over 30 days that is 13.7 million points
// instead of 69 million (219 MB instead of 1.1 GB) and 141 GetMetricData
// calls instead of 728.
func (Analyzer) Plan(job *config.Job, w source.Window, at time.Time) analyze.Plan {
	o := job.Capacity.WithDefaults()
	specs := make([]source.MetricSpec, len(metrics))
	for i, m := range metrics {
		if m.Name != "CPUUtilization" || m.Stat != "Maximum" {
			m.Period = time.Hour
		}
		specs[i] = m
	}
	req := source.Request{
		Window:  w,
		Needs:   source.NeedInstances | source.NeedMetrics,
		Scope:   analyze.Scope(job),
		Metrics: specs,
		Period:  5 * time.Minute, // the CPU maxima's
	}
	if source.PeriodFor(w.Start, at) == time.Hour {
		req.Period = time.Hour
	}
	if o.LivePrices {
		// Every type the review can recommend, so live prices cover the
		// candidates as well as the current types.
		req.Needs |= source.NeedPrices
		req.PriceTypes = TypeNames()
	}
	plan := analyze.Plan{Request: req}
	if w.Duration() < 14*24*time.Hour {
		prev := source.Window{Start: w.End.Add(-14 * 24 * time.Hour), End: w.End.Add(-7 * 24 * time.Hour)}
		plan.Compare = &prev
		plan.CompareNeeds = source.NeedInstances | source.NeedMetrics
	}
	return plan
}

// Result is the whole analysis, before it becomes a report.
type Result struct {
	At     time.Time
	Window source.Window
	Opts   Options
	Region string
	// Prices is the table used; Priced is false when the region is not in
	// the embedded table (savings are then unknown); Live counts prices the
	// source supplied.
	Prices *PriceTable
	Priced bool
	Live   int

	Profiles  []*profile
	Recs      map[string]Rec // by instance id, stand-alone instances
	Groups    []*Group
	Skipped   []*profile
	Forecasts []*Forecast

	Fleet  [2]FleetWeek // previous, this
	Movers []Mover
}

// FleetWeek are one week's fleet totals.
type FleetWeek struct {
	Instances int
	VCPU      int
	// CPU is the vCPU-weighted mean CPU %.
	CPU    float64
	NetGB  float64
	EBSOps float64
	// HourlyUSD is the on-demand cost per hour of the instances seen.
	HourlyUSD float64
}

// Mover is one instance whose mean CPU changed most between the weeks.
type Mover struct {
	P              *profile
	Before, After  float64 // mean CPU %
	Delta, Percent float64 // points and relative change
}

// run does the analysis.
func run(in analyze.Input) *Result {
	o := in.Job.Capacity.WithDefaults()
	ds := in.Data
	if ds == nil {
		ds = &source.Dataset{}
	}
	r := &Result{At: in.At, Window: in.Window, Opts: o, Region: ds.Account.Region, Recs: map[string]Rec{}}
	r.Prices, r.Priced = Prices(r.Region)
	for _, lp := range ds.Prices {
		if (lp.Region == "" || lp.Region == r.Region) && lp.USDPerHour > 0 && !math.IsInf(lp.USDPerHour, 0) {
			r.Prices.Override(lp.InstanceType, lp.USDPerHour)
			r.Live++
		}
	}
	if r.Live > 0 {
		r.Priced = true
	}

	sets := indexSeries(ds)
	prevSets := map[string]*seriesSet{}
	if in.Previous != nil {
		prevSets = indexSeries(in.Previous)
	}
	insts := make([]source.Instance, len(ds.Instances))
	copy(insts, ds.Instances)
	sort.Slice(insts, func(i, j int) bool {
		if insts[i].Label() != insts[j].Label() {
			return insts[i].Label() < insts[j].Label()
		}
		return insts[i].ID < insts[j].ID
	})
	var buf []float64
	groups := map[string]*Group{}
	for _, inst := range insts {
		var prev *seriesSet
		if in.Previous != nil {
			prev = prevSets[inst.ID]
			if prev == nil {
				prev = &seriesSet{}
			}
		}
		p := build(inst, sets[inst.ID], prev, in.Window, o, &buf)
		r.Profiles = append(r.Profiles, p)
		skipped := p.CPU.Hours < o.MinHours
		if skipped {
			r.Skipped = append(r.Skipped, p)
		}
		if key, name, kind := groupKey(inst); key != "" {
			g := groups[key]
			if g == nil {
				g = &Group{Key: key, Name: name, Kind: kind}
				groups[key] = g
				r.Groups = append(r.Groups, g)
			}
			if skipped {
				g.Skipped++
			} else {
				g.Members = append(g.Members, p)
			}
		}
		if skipped {
			continue
		}
		fs := forecasts(p, in.At, o)
		r.Forecasts = append(r.Forecasts, fs...)
		hot := false
		for _, f := range fs {
			if f.Metric != "disk" && f.Status == ForecastAbove {
				p.Busy = true
			}
			hot = hot || f.hot()
		}
		if key, _, _ := groupKey(inst); key == "" {
			r.Recs[inst.ID] = rightsize(p, r.Prices, o, p.Busy, hot)
		}
	}
	sort.Slice(r.Groups, func(i, j int) bool { return r.Groups[i].Name < r.Groups[j].Name })
	for _, g := range r.Groups {
		sizeGroup(g, r.Prices, o)
	}
	r.markReported()
	sort.SliceStable(r.Forecasts, func(i, j int) bool { return urgency(r.Forecasts[i], r.Forecasts[j]) })
	r.weekOverWeek()
	return r
}

// markReported decides which forecasts raise a capacity.exhaustion finding:
// every urgent one, except CPU or memory already above the limit on an
// instance whose capacity.underprovisioned finding says the same (one
// problem, one finding).
func (r *Result) markReported() {
	for _, f := range r.Forecasts {
		f.Reported = f.urgent()
		if f.Status != ForecastAbove || f.Metric == "disk" {
			continue
		}
		rec, ok := r.Recs[f.Inst.Inst.ID]
		if !ok || rec.Verdict != VerdictUnder {
			continue
		}
		for _, why := range rec.Reasons {
			if why == f.Metric {
				f.Reported = false
			}
		}
	}
}

func (r *Result) weekOverWeek() {
	for _, p := range r.Profiles {
		for i, w := range p.Weeks {
			if !w.Has {
				continue
			}
			f := &r.Fleet[i]
			f.Instances++
			v := p.Spec.VCPU
			if v == 0 {
				v = 1 // unknown type: count it, weighted as one vCPU
			}
			f.VCPU += v
			f.CPU += w.CPUAvg * float64(v)
			f.NetGB += w.NetGB
			f.EBSOps += w.EBSOps
			if pr, ok := r.Prices.Get(p.Inst.Type); ok {
				f.HourlyUSD += pr.USDPerHour
			}
		}
		if p.Weeks[0].Has && p.Weeks[1].Has {
			m := Mover{P: p, Before: p.Weeks[0].CPUAvg, After: p.Weeks[1].CPUAvg}
			m.Delta = m.After - m.Before
			m.Percent = math.NaN()
			if m.Before > 0 {
				m.Percent = m.Delta / m.Before * 100
			}
			r.Movers = append(r.Movers, m)
		}
	}
	for i := range r.Fleet {
		if r.Fleet[i].VCPU > 0 {
			r.Fleet[i].CPU /= float64(r.Fleet[i].VCPU)
		}
	}
	sort.SliceStable(r.Movers, func(i, j int) bool {
		a, b := math.Abs(r.Movers[i].Delta), math.Abs(r.Movers[j].Delta)
		if a != b {
			return a > b
		}
		return r.Movers[i].P.Inst.Label() < r.Movers[j].P.Inst.Label()
	})
	// A mover moved: changes under one point are noise, not news.
	n := 0
	for _, m := range r.Movers {
		if math.Abs(m.Delta) >= 1 && n < r.Opts.TopMovers {
			r.Movers[n] = m
			n++
		}
	}
	r.Movers = r.Movers[:n]
}

// Analyze implements analyze.Analyzer.
func (a Analyzer) Analyze(in analyze.Input) (*report.Report, error) {
	res := run(in)
	rep := analyze.NewReport(in)
	buildReport(rep, res, in)
	if err := analyze.Finish(rep); err != nil {
		return nil, err
	}
	return rep, nil
}
