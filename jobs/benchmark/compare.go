package benchmark

import (
	"math"
	"regexp"
	"sort"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/internal/stats"
	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// minSlices is how many daily slices the variability needs; with fewer,
// only changes of twice min_change_pct count.
const minSlices = 3

// run is the state of one analysis.
type run struct {
	in      analyze.Input
	lang    string
	opts    config.BenchmarkOptions
	r       *report.Report
	prevWin source.Window

	inst  map[string]*source.Instance
	ents  []*entity
	rows  []*row
	known bool // metrics were collected in both windows
}

func (a *run) t(t i18n.Text, args ...any) string { return t.F(a.lang, args...) }

// entity is what is compared: a group of instances or one instance.
type entity struct {
	Key   string // the finding resource: the group name or the instance id
	Label string
	Kind  string // asg | nodegroup | name | instance
	// Members are instance ids, sorted.
	Members []string
}

// Statistic indexes.
const (
	p50 = iota
	p95
	pMax
	nStats
)

var statNames = [nStats]string{"p50", "p95", "max"}

// test is one statistic compared across the two windows.
type test struct {
	Prev, Cur float64
	Delta     float64
	// Pct is the relative change in percent (±Inf from zero).
	Pct float64
	// Noise is the day-to-day variability of the statistic (NaN: fewer than
	// minSlices daily slices).
	Noise  float64
	Ratio  float64 // |Delta| / Noise
	Slices int
	Sig    bool
}

// status says whether a row could be compared.
type status int

const (
	statusCompared status = iota
	statusNotCollected
	statusCurrentOnly
	statusPreviousOnly
	statusTooFew
)

// verdict is what a compared row means.
type verdict int

const (
	verdictNone verdict = iota
	verdictRegression
	// verdictLoad: CPU, memory or disk I/O rose, and a matching traffic
	// rise explains it (the rise per unit of traffic is below
	// min_change_pct): load, not a regression.
	verdictLoad
	verdictImprovement
	verdictTraffic
)

// trafficMatch is the traffic change a usage change is read against: the
// traffic metric of the same entity that moved the same way, beyond its
// noise, the most at the usage change's lead statistic.
type trafficMatch struct {
	Metric string
	Stat   int
	// Pct is the traffic's change of that statistic; PerTraffic the usage
	// change per unit of traffic, (1+usage)/(1+traffic)-1, in percent.
	Pct, PerTraffic float64
}

// row is one metric of one entity.
type row struct {
	Ent    *entity
	Def    metricDef
	Status status
	// CurSeries, PrevSeries count the member series in each window.
	CurSeries, PrevSeries int
	Tests                 [nStats]test
	Verdict               verdict
	Lead                  int // the statistic that moved most (p50 or p95)
	// Onset is the start of the first daily slice of the current week from
	// which the lead statistic stayed beyond the noise (zero: only the
	// window itself, or not computed).
	Onset       time.Time
	OnsetBefore bool // every slice of the current week was already beyond
	// Traffic is the matching traffic change of a usage row, nil when the
	// traffic did not move the same way.
	Traffic   *trafficMatch
	Members   []memberChange
	cur, prev []*source.Series
}

// memberChange is one member's change of the lead statistic.
type memberChange struct {
	ID, Label string
	Pct       float64
}

var trailingNumber = regexp.MustCompile(`[-_.]?[0-9]+$`)

// entities groups the scoped instances of both windows.
func (a *run) entities() {
	scope := analyze.Scope(a.in.Job)
	a.inst = map[string]*source.Instance{}
	for _, d := range []*source.Dataset{a.in.Previous, a.in.Data} {
		if d == nil {
			continue
		}
		for i := range d.Instances {
			in := &d.Instances[i]
			if scope.Matches(*in) {
				a.inst[in.ID] = in // the current window's description wins
			}
		}
	}
	ids := make([]string, 0, len(a.inst))
	for id := range a.inst {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	stems := map[string]int{}
	for _, id := range ids {
		if n := a.inst[id].Name; n != "" && trailingNumber.MatchString(n) {
			stems[trailingNumber.ReplaceAllString(n, "")]++
		}
	}
	byKey := map[string]*entity{}
	for _, id := range ids {
		in := a.inst[id]
		e := &entity{Key: in.ID, Label: in.Label(), Kind: "instance"}
		if a.opts.GroupBy == "group" {
			stem := trailingNumber.ReplaceAllString(in.Name, "")
			switch {
			// An EKS managed node group is also an Auto Scaling group
			// ("eks-ng-general-4ec5a3b2-..."); the cluster/node group name is
			// the one people use, and the one the capacity report shows.
			case in.NodeGroup != "":
				name := in.NodeGroup
				if in.Cluster != "" {
					name = in.Cluster + "/" + in.NodeGroup
				}
				e = &entity{Key: name, Label: name, Kind: "nodegroup"}
			case in.AutoScalingGroup != "":
				e = &entity{Key: in.AutoScalingGroup, Label: in.AutoScalingGroup, Kind: "asg"}
			case in.Name != "" && stem != in.Name && stems[stem] >= 2:
				e = &entity{Key: stem + "-*", Label: stem + "-*", Kind: "name"}
			}
		}
		if prev, ok := byKey[e.Key]; ok {
			e = prev
		} else {
			byKey[e.Key] = e
			a.ents = append(a.ents, e)
		}
		e.Members = append(e.Members, id)
	}
	sort.Slice(a.ents, func(i, j int) bool { return a.ents[i].Label < a.ents[j].Label })
}

func (a *run) entityOf(id string) *entity {
	for _, e := range a.ents {
		for _, m := range e.Members {
			if m == id {
				return e
			}
		}
	}
	return nil
}

// compare builds and tests every entity × metric row.
func (a *run) compare() {
	a.known = !(a.in.Data.Missing("metrics") && len(a.in.Data.Series) == 0) &&
		a.in.Previous != nil && !(a.in.Previous.Missing("metrics") && len(a.in.Previous.Series) == 0)
	if !a.known {
		return
	}
	rows := map[string]*row{}
	get := func(e *entity, d metricDef) *row {
		k := e.Key + "\x00" + d.Name
		if r, ok := rows[k]; ok {
			return r
		}
		r := &row{Ent: e, Def: d}
		rows[k] = r
		return r
	}
	collect := func(ds *source.Dataset, current bool) {
		for i := range ds.Series {
			s := &ds.Series[i]
			e := a.entityOf(s.InstanceID)
			d, ok := defOf(s)
			if e == nil || !ok || s.Len() == 0 {
				continue
			}
			r := get(e, d)
			if current {
				r.cur = append(r.cur, s)
			} else {
				r.prev = append(r.prev, s)
			}
		}
	}
	collect(a.in.Data, true)
	collect(a.in.Previous, false)
	for _, e := range a.ents {
		for _, d := range metricDefs {
			r := get(e, d)
			a.test(r)
			a.rows = append(a.rows, r)
		}
	}
	// Read usage changes against the traffic, now that every row is tested.
	for _, r := range a.rows {
		if r.Def.Class == classUsage && (r.Verdict == verdictRegression || r.Verdict == verdictImprovement) {
			a.explainByTraffic(r)
		}
	}
	for _, r := range a.rows {
		if r.Verdict != verdictNone {
			a.members(r)
			a.onset(r)
		}
	}
}

func defOf(s *source.Series) (metricDef, bool) {
	for _, d := range metricDefs {
		if d.Namespace == s.Namespace && d.Name == s.Metric {
			return d, true
		}
	}
	return metricDef{}, false
}

// values pools the points of series within w.
func values(ss []*source.Series, w source.Window) []float64 {
	var out []float64
	from, to := w.Start.Unix(), w.End.Unix()
	for _, s := range ss {
		// Times ascend: find the first point in w, stop at its end.
		i := sort.Search(len(s.Times), func(k int) bool { return s.Times[k] >= from })
		for ; i < len(s.Times) && s.Times[i] < to; i++ {
			if !math.IsNaN(s.Values[i]) {
				out = append(out, s.Values[i])
			}
		}
	}
	return out
}

// summarize returns p50, p95 and max of xs (R-7 percentiles), reordering
// xs: every caller passes a fresh slice from values.
func summarize(xs []float64) [nStats]float64 {
	return [nStats]float64{stats.Percentile(xs, 50), stats.Percentile(xs, 95), stats.Percentile(xs, 100)}
}

// sliceLen is the length of a daily slice: the window, at most a day.
func (a *run) sliceLen() time.Duration {
	return min(a.in.Window.Duration(), 24*time.Hour)
}

// minPoints is how many points a window or slice needs to be summarised:
// a third of what one series would have.
func (a *run) minPoints(d time.Duration) int {
	return max(3, int(d/a.opts.Resolution.Duration)/3)
}

// sliceStats computes the statistics of the daily slices before start,
// going back days days.
func (a *run) sliceStats(ss []*source.Series, start time.Time, days int) [][nStats]float64 {
	var out [][nStats]float64
	l := a.sliceLen()
	for d := 1; d <= days; d++ {
		s := start.Add(-time.Duration(d) * 24 * time.Hour)
		xs := values(ss, source.Window{Start: s, End: s.Add(l)})
		if len(xs) < a.minPoints(l) {
			continue
		}
		out = append(out, summarize(xs))
	}
	return out
}

// test compares the two windows of one row.
func (a *run) test(r *row) {
	r.CurSeries, r.PrevSeries = len(r.cur), len(r.prev)
	switch {
	case r.CurSeries == 0 && r.PrevSeries == 0:
		r.Status = statusNotCollected
		return
	case r.PrevSeries == 0:
		r.Status = statusCurrentOnly
		return
	case r.CurSeries == 0:
		r.Status = statusPreviousOnly
		return
	}
	cur := values(r.cur, a.in.Window)
	prev := values(r.prev, a.prevWin)
	need := a.minPoints(a.in.Window.Duration())
	if len(cur) < need || len(prev) < need {
		r.Status = statusTooFew
		return
	}
	cs, ps := summarize(cur), summarize(prev)
	slices := a.sliceStats(r.prev, a.prevWin.Start, a.opts.NoiseDays)
	for j := 0; j < nStats; j++ {
		t := &r.Tests[j]
		t.Prev, t.Cur = ps[j], cs[j]
		t.Delta = t.Cur - t.Prev
		switch {
		case t.Prev != 0:
			t.Pct = t.Delta / math.Abs(t.Prev) * 100
		case t.Delta > 0:
			t.Pct = math.Inf(1)
		case t.Delta < 0:
			t.Pct = math.Inf(-1)
		}
		t.Slices = len(slices)
		t.Noise = math.NaN()
		if len(slices) >= minSlices {
			vs := make([]float64, len(slices))
			for i, s := range slices {
				vs[i] = s[j]
			}
			t.Noise = math.Max(stats.MADScale*stats.MAD(vs), a.noiseFloor(r.Def, t.Prev))
			t.Ratio = math.Abs(t.Delta) / t.Noise
		}
		t.Sig = a.significant(r.Def, *t)
	}
	a.verdict(r)
}

// noiseFloor keeps the variability from being zero when the daily values
// happen to agree (a CPU pinned at 100%, a metric that is always 0): 0.2
// points for percentages, 1% of the level otherwise.
func (a *run) noiseFloor(d metricDef, prev float64) float64 {
	if d.Percent {
		return 0.2
	}
	return math.Max(0.01*math.Abs(prev), 1e-9)
}

// significant applies the test: |change| ≥ noise_k × variability, and
// |change| ≥ min_change_pct of the earlier value (and at least one point
// for percentages). Without variability, the change must reach twice
// min_change_pct.
func (a *run) significant(d metricDef, t test) bool {
	minPct := a.opts.MinChangePct
	if math.IsNaN(t.Noise) {
		minPct *= 2
	} else if t.Ratio < a.opts.NoiseK {
		return false
	}
	if math.Abs(t.Pct) < minPct {
		return false
	}
	return !d.Percent || math.Abs(t.Delta) >= 1
}

// verdict reads the row from its p50 and p95 tests; max alone never makes
// a verdict (one spike is not a week-over-week change).
func (a *run) verdict(r *row) {
	lead := -1
	for _, j := range []int{p50, p95} {
		t := r.Tests[j]
		if !t.Sig {
			continue
		}
		if lead < 0 || score(t) > score(r.Tests[lead]) {
			lead = j
		}
	}
	if lead < 0 {
		return
	}
	r.Lead = lead
	up := r.Tests[lead].Delta > 0
	switch {
	case r.Def.Class == classTraffic:
		r.Verdict = verdictTraffic
	case up:
		r.Verdict = verdictRegression
	default:
		r.Verdict = verdictImprovement
	}
}

// explainByTraffic finds the traffic change that matches a usage change
// (same entity, NetworkIn or NetworkOut beyond its own noise, moving the
// same way at the usage change's lead statistic; the larger one) and, for a
// rise, decides whether it explains the rise: when the rise per unit of
// traffic, (1+usage)/(1+traffic)-1, stays below min_change_pct, the same
// work costs what it did and only the load grew, so the row is load
// (verdictLoad), not a regression. A drop keeps its improvement verdict;
// its explanation says the traffic fell too.
func (a *run) explainByTraffic(r *row) {
	u := r.Tests[r.Lead]
	if math.IsInf(u.Pct, 0) || math.IsNaN(u.Pct) {
		return
	}
	up := u.Delta > 0
	for _, o := range a.rows {
		if o.Ent != r.Ent || o.Def.Class != classTraffic || o.Verdict != verdictTraffic {
			continue
		}
		t := o.Tests[r.Lead]
		if (t.Delta > 0) != up || t.Delta == 0 || math.IsInf(t.Pct, 0) || t.Pct <= -100 {
			continue
		}
		if r.Traffic == nil || math.Abs(t.Pct) > math.Abs(r.Traffic.Pct) {
			r.Traffic = &trafficMatch{Metric: o.Def.Name, Stat: r.Lead, Pct: t.Pct, PerTraffic: ((1+u.Pct/100)/(1+t.Pct/100) - 1) * 100}
		}
	}
	if up && r.Traffic != nil && r.Traffic.PerTraffic < a.opts.MinChangePct {
		r.Verdict = verdictLoad
	}
}

// score orders significant tests: by noise ratio, or by the relative
// change when there is no variability.
func score(t test) float64 {
	if math.IsNaN(t.Noise) {
		return math.Abs(t.Pct) / 100
	}
	return t.Ratio
}

// members computes each member's change of the lead statistic.
func (a *run) members(r *row) {
	if len(r.Ent.Members) < 2 {
		return
	}
	for _, id := range r.Ent.Members {
		var c, p []*source.Series
		for _, s := range r.cur {
			if s.InstanceID == id {
				c = append(c, s)
			}
		}
		for _, s := range r.prev {
			if s.InstanceID == id {
				p = append(p, s)
			}
		}
		cv, pv := values(c, a.in.Window), values(p, a.prevWin)
		if len(cv) == 0 || len(pv) == 0 {
			continue
		}
		cs, ps := summarize(cv), summarize(pv)
		if ps[r.Lead] == 0 {
			continue
		}
		label := id
		if in := a.inst[id]; in != nil {
			label = in.Label()
		}
		r.Members = append(r.Members, memberChange{ID: id, Label: label, Pct: (cs[r.Lead] - ps[r.Lead]) / math.Abs(ps[r.Lead]) * 100})
	}
	sort.SliceStable(r.Members, func(i, j int) bool { return math.Abs(r.Members[i].Pct) > math.Abs(r.Members[j].Pct) })
}

// onset finds from which day of the current week the change was already
// there: each daily slice before the window is compared with the slice of
// the same weekday one offset earlier (so weekends meet weekends), and the
// change holds on a day that carries at least half of it.
func (a *run) onset(r *row) {
	if a.in.Window.Duration() > 24*time.Hour {
		return
	}
	t := r.Tests[r.Lead]
	dir := 1.0
	if t.Delta < 0 {
		dir = -1
	}
	margin := math.Abs(t.Delta) / 2
	days := min(a.opts.NoiseDays, int(a.opts.Offset.Duration/(24*time.Hour))-1)
	l := a.sliceLen()
	var first time.Time
	for d := 1; d <= days; d++ {
		back := time.Duration(d) * 24 * time.Hour
		cs, ps := a.in.Window.Start.Add(-back), a.prevWin.Start.Add(-back)
		cx := values(r.cur, source.Window{Start: cs, End: cs.Add(l)})
		px := values(r.prev, source.Window{Start: ps, End: ps.Add(l)})
		if len(cx) < a.minPoints(l) || len(px) < a.minPoints(l) {
			break
		}
		if dir*(summarize(cx)[r.Lead]-summarize(px)[r.Lead]) < margin {
			break
		}
		first = cs
		if d == days {
			r.OnsetBefore = true
		}
	}
	r.Onset = first
}

// label of a metric for a reader, with the period of summed metrics.
func (a *run) metricLabel(d metricDef) string {
	if d.Stat == "Sum" {
		return a.t(i18n.Text{En: "%s (per %s)", Ko: "%s (%s당)"}, d.Name, i18n.Duration(a.opts.Resolution.Duration, a.lang))
	}
	return d.Name
}

func (a *run) entityLabel(e *entity) string {
	if len(e.Members) > 1 || e.Kind != "instance" {
		if a.lang == "en" {
			return e.Label + " (" + textfmt.Count(len(e.Members), "instance", "instances") + ")"
		}
		return a.t(i18n.Text{En: "%s (%d instances)", Ko: "%s (인스턴스 %d대)"}, e.Label, len(e.Members))
	}
	return e.Label
}
