package incident

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// run is the state of one analysis.
type run struct {
	in   analyze.Input
	lang string
	opts config.IncidentOptions
	win  source.Window
	r    *report.Report

	instances map[string]*source.Instance // scoped, by id
	order     []string                    // scoped instance ids, sorted by label

	metricRows   []*metricRow
	logRows      []*logRow
	changes      []*changeEvent
	alarmTrans   []source.AlarmTransition
	alarmsByName map[string]*source.Alarm

	metricsKnown, logsKnown, alarmsKnown bool
	logBaselineKnown                     bool

	signals    []*signal // significant ones, by time
	candidates []*signal // ranked
}

func (a *run) t(t i18n.Text, args ...any) string { return t.F(a.lang, args...) }

func (a *run) add(f report.Finding) { a.r.Findings = append(a.r.Findings, f) }

// collectInstances indexes the scoped instances.
func (a *run) collectInstances() {
	scope := analyze.Scope(a.in.Job)
	a.instances = map[string]*source.Instance{}
	for i := range a.in.Data.Instances {
		in := &a.in.Data.Instances[i]
		if scope.Matches(*in) {
			a.instances[in.ID] = in
			a.order = append(a.order, in.ID)
		}
	}
	sort.Slice(a.order, func(i, j int) bool {
		x, y := a.instances[a.order[i]], a.instances[a.order[j]]
		if x.Label() != y.Label() {
			return x.Label() < y.Label()
		}
		return x.ID < y.ID
	})
}

// label names an instance for a reader.
func (a *run) label(id string) string {
	if in, ok := a.instances[id]; ok {
		return in.Label()
	}
	return id
}

// metricRow is one series of one scoped instance and the change found in it.
type metricRow struct {
	InstanceID string
	Series     *source.Series
	// Name is the metric name plus the dimensions other than InstanceId
	// (disk_used_percent path=/data).
	Name    string
	Unit    string
	Kind    valueKind
	Shift   shift
	Changed bool
	sig     *signal
}

// significant applies the thresholds: |z| ≥ min_shift, Pettitt p ≤ maxP,
// and a drift (no abrupt step) must reach twice min_shift, since slow
// drifts are mostly the daily load curve.
func (a *run) significant(s shift) bool {
	if !s.Tested || s.P > maxP {
		return false
	}
	need := a.opts.MinShift
	if !s.Step {
		need *= 2
	}
	return math.Abs(s.Z) >= need
}

func (a *run) metrics() {
	if a.in.Data.Missing("metrics") && len(a.in.Data.Series) == 0 {
		return
	}
	a.metricsKnown = true
	from := a.win.Start.Unix()
	to := a.win.End.Unix()
	for i := range a.in.Data.Series {
		s := &a.in.Data.Series[i]
		if _, ok := a.instances[s.InstanceID]; !ok || s.Len() == 0 {
			continue
		}
		// Points after the window (a source may return them) are not ours.
		n := sort.Search(len(s.Times), func(k int) bool { return s.Times[k] >= to })
		row := &metricRow{InstanceID: s.InstanceID, Series: s, Name: seriesName(s), Unit: unitOf(s), Kind: kindOf(s)}
		times, vals := finite(s.Times[:n], s.Values[:n])
		row.Shift = detect(times, vals, from, row.Kind)
		row.Changed = a.significant(row.Shift)
		a.metricRows = append(a.metricRows, row)
	}
	sort.SliceStable(a.metricRows, func(i, j int) bool {
		x, y := a.metricRows[i], a.metricRows[j]
		if x.Changed != y.Changed {
			return x.Changed
		}
		if ax, ay := math.Abs(x.Shift.Z), math.Abs(y.Shift.Z); ax != ay {
			return ax > ay
		}
		if a.label(x.InstanceID) != a.label(y.InstanceID) {
			return a.label(x.InstanceID) < a.label(y.InstanceID)
		}
		return x.Name < y.Name
	})
}

// seriesName is the metric name plus its extra dimensions.
func seriesName(s *source.Series) string {
	name := s.Metric
	for _, d := range s.Dimensions {
		if d.Name == "InstanceId" || d.Name == "ImageId" || d.Name == "InstanceType" {
			continue
		}
		name += " " + d.Name + "=" + d.Value
	}
	return name
}

// kindOf tells percentages from other levels; percentages get an absolute
// noise floor.
func kindOf(s *source.Series) valueKind {
	if s.Unit == "Percent" || strings.HasSuffix(s.Metric, "_percent") || strings.HasSuffix(s.Metric, "Utilization") {
		return kindPercent
	}
	return kindLevel
}

func unitOf(s *source.Series) string {
	switch {
	case kindOf(s) == kindPercent:
		return "%"
	case s.Unit != "" && s.Unit != "None":
		return s.Unit
	case strings.HasPrefix(s.Metric, "Network") && !strings.Contains(s.Metric, "Packets"):
		return "Bytes"
	}
	return ""
}

// logRow is one log group's errors around the incident.
type logRow struct {
	Group string
	Stats *source.LogStats
	// Prev is the baseline scan, nil when the group had no scan there.
	Prev *source.LogStats
	// Errors is the error events in the window, change-event lines excluded.
	Errors int64
	// BaselineRate is error events per bin in the log baseline (-1: unknown).
	BaselineRate float64
	Shift        shift
	RateChanged  bool
	// New lists the error patterns absent from the baseline, by first seen.
	New []source.LogPattern
	// NewSignificant counts the new patterns with at least min_new_events.
	NewSignificant int
	Truncated      bool
	sig            *signal
}

// changeEvent is a log pattern naming a deploy, restart or similar.
type changeEvent struct {
	Group   string
	Pattern source.LogPattern
	// Before is set for events seen in the log baseline, before the window.
	Before bool
	Time   time.Time
	sig    *signal
}

// isChange reports whether a pattern is a change event: it holds a change
// term and no error term.
func (a *run) isChange(p string) bool {
	return !a.isError(p) && containsAny(p, a.opts.ChangeTerms)
}

// isError reports whether a pattern holds one of the job's error terms.
func (a *run) isError(p string) bool { return containsAny(p, errorTerms(a.in.Job)) }

func containsAny(s string, terms []string) bool {
	for _, t := range terms {
		if strings.Contains(s, t) {
			return true
		}
	}
	return false
}

// byFirstSeen returns a copy of ps ordered by first seen, then pattern: the
// order events and new patterns are told in.
func byFirstSeen(ps []source.LogPattern) []source.LogPattern {
	out := slices.Clone(ps)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].FirstSeen.Equal(out[j].FirstSeen) {
			return out[i].FirstSeen.Before(out[j].FirstSeen)
		}
		return out[i].Pattern < out[j].Pattern
	})
	return out
}

// message is the part of a log line a reader needs: from the first of the
// terms on, and after a logger's " : " separator when one follows.
func message(line string, terms []string) string {
	at := -1
	for _, t := range terms {
		if k := strings.Index(line, t); k >= 0 && (at < 0 || k < at) {
			at = k
		}
	}
	if at < 0 {
		at = 0
	}
	rest := line[at:]
	if k := strings.Index(rest, " : "); k >= 0 && k+3 < len(rest) {
		return rest[k+3:]
	}
	return rest
}

// errMessage and changeMessage shorten a pattern or line for a reader.
func (a *run) errMessage(s string) string { return message(s, errorTerms(a.in.Job)) }

func (a *run) changeMessage(s string) string { return message(s, a.opts.ChangeTerms) }

func (a *run) logs() {
	d := a.in.Data
	if d.Missing("log_stats") && len(d.LogStats) == 0 {
		return
	}
	a.logsKnown = true
	prevByGroup := map[string]*source.LogStats{}
	a.logBaselineKnown = a.in.Previous != nil && !(a.in.Previous.Missing("log_stats") && len(a.in.Previous.LogStats) == 0)
	if a.in.Previous != nil {
		for i := range a.in.Previous.LogStats {
			st := &a.in.Previous.LogStats[i]
			prevByGroup[st.Group] = st
		}
	}
	bin := a.opts.Resolution.Duration
	baselineFrom := a.win.Start.Add(-a.opts.Baseline.Duration)
	for i := range d.LogStats {
		st := &d.LogStats[i]
		row := &logRow{Group: st.Group, Stats: st, Prev: prevByGroup[st.Group], BaselineRate: -1, Errors: st.ErrorEvents, Truncated: st.Truncated}
		known := map[string]bool{}
		if row.Prev != nil {
			for _, p := range byFirstSeen(row.Prev.Patterns) {
				known[p.Pattern] = true
				if a.isChange(p.Pattern) && !p.LastSeen.Before(baselineFrom) {
					a.changes = append(a.changes, &changeEvent{Group: st.Group, Pattern: p, Before: true, Time: p.LastSeen})
				}
			}
			row.Truncated = row.Truncated || row.Prev.Truncated
		}
		groupKnown := row.Prev != nil || (a.logBaselineKnown && !a.in.Previous.Missing("log_stats:"+st.Group))
		var changeLines int64
		for _, p := range byFirstSeen(st.Patterns) {
			switch {
			case a.isChange(p.Pattern):
				a.changes = append(a.changes, &changeEvent{Group: st.Group, Pattern: p, Time: p.FirstSeen})
				changeLines += p.Count
				continue
			case !a.isError(p.Pattern):
				// Matched by the scan for another reason: not an error.
				changeLines += p.Count
				continue
			}
			if groupKnown && !known[p.Pattern] {
				row.New = append(row.New, p)
				if p.Count >= int64(a.opts.MinNewEvents) {
					row.NewSignificant++
				}
			}
		}
		row.Errors -= changeLines
		sort.SliceStable(row.New, func(i, j int) bool { return row.New[i].FirstSeen.Before(row.New[j].FirstSeen) })
		a.errorRate(row, bin, baselineFrom, groupKnown)
		a.logRows = append(a.logRows, row)
	}
	sort.SliceStable(a.logRows, func(i, j int) bool {
		x, y := a.logRows[i], a.logRows[j]
		if (x.RateChanged || x.NewSignificant > 0) != (y.RateChanged || y.NewSignificant > 0) {
			return x.RateChanged || x.NewSignificant > 0
		}
		if x.Errors != y.Errors {
			return x.Errors > y.Errors
		}
		return x.Group < y.Group
	})
	sort.SliceStable(a.changes, func(i, j int) bool {
		if !a.changes[i].Time.Equal(a.changes[j].Time) {
			return a.changes[i].Time.Before(a.changes[j].Time)
		}
		return a.changes[i].Group < a.changes[j].Group
	})
}

// errorRate builds the per-bin error series (the baseline's bins since
// baselineFrom, then the window's) and tests it for a rate change.
func (a *run) errorRate(row *logRow, bin time.Duration, baselineFrom time.Time, groupKnown bool) {
	var times []int64
	var vals []float64
	if row.Prev != nil {
		var sum float64
		for _, b := range row.Prev.Histogram {
			sum += float64(b.Count)
			if !b.Start.Before(baselineFrom) {
				times = append(times, b.Start.Unix())
				vals = append(vals, float64(b.Count))
			}
		}
		if n := len(row.Prev.Histogram); n > 0 {
			row.BaselineRate = sum / float64(n)
		}
	} else if groupKnown {
		// Scanned, nothing found: the baseline had no errors.
		row.BaselineRate = 0
		if bin > 0 {
			for t := baselineFrom; t.Before(a.win.Start); t = t.Add(bin) {
				times = append(times, t.Unix())
				vals = append(vals, 0)
			}
		}
	}
	for _, b := range row.Stats.Histogram {
		if b.Start.Before(a.win.Start) || !b.Start.Before(a.win.End) {
			continue
		}
		times = append(times, b.Start.Unix())
		vals = append(vals, float64(b.Count))
	}
	row.Shift = detect(times, vals, a.win.Start.Unix(), kindEvents)
	s := row.Shift
	// A rate change needs the Poisson z, Pettitt's p, at least
	// min_new_events events after, and at least a doubling.
	row.RateChanged = s.Tested && s.P <= maxP && s.Z >= a.opts.MinShift &&
		s.SumAfter >= float64(a.opts.MinNewEvents) && s.After >= 2*s.Before
}

func (a *run) alarms() {
	d := a.in.Data
	if d.Missing("alarms") && len(d.Alarms) == 0 && d.Missing("alarm_history") {
		return
	}
	a.alarmsKnown = !d.Missing("alarm_history")
	a.alarmsByName = map[string]*source.Alarm{}
	for i := range d.Alarms {
		a.alarmsByName[d.Alarms[i].Name] = &d.Alarms[i]
	}
	for _, t := range d.AlarmHistory {
		if a.win.Contains(t.Time) {
			a.alarmTrans = append(a.alarmTrans, t)
		}
	}
	sort.SliceStable(a.alarmTrans, func(i, j int) bool {
		if !a.alarmTrans[i].Time.Equal(a.alarmTrans[j].Time) {
			return a.alarmTrans[i].Time.Before(a.alarmTrans[j].Time)
		}
		return a.alarmTrans[i].Alarm < a.alarmTrans[j].Alarm
	})
}

// alarmInstance is the scoped instance an alarm watches: its InstanceId
// dimension, or an instance whose name or id its name contains.
func (a *run) alarmInstance(name string) string {
	if al := a.alarmsByName[name]; al != nil {
		for _, d := range al.Dimensions {
			if d.Name == "InstanceId" {
				return d.Value
			}
		}
	}
	best := ""
	bestLen := 0
	for _, id := range a.order {
		in := a.instances[id]
		for _, key := range []string{in.ID, in.Name} {
			if len(key) > bestLen && containsWord(name, key) {
				best, bestLen = id, len(key)
			}
		}
	}
	return best
}

// containsWord reports whether s contains w not followed or preceded by a
// letter or digit (so web-prod-1 does not match web-prod-12).
func containsWord(s, w string) bool {
	if w == "" {
		return false
	}
	for i := 0; ; {
		k := strings.Index(s[i:], w)
		if k < 0 {
			return false
		}
		k += i
		end := k + len(w)
		okL := k == 0 || !isAlnum(s[k-1])
		okR := end == len(s) || !isAlnum(s[end])
		if okL && okR {
			return true
		}
		i = k + 1
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// finite drops NaN and infinite points (a hostile snapshot may hold them),
// copying only when there is something to drop.
func finite(times []int64, vals []float64) ([]int64, []float64) {
	bad := 0
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			bad++
		}
	}
	if bad == 0 {
		return times, vals
	}
	t2, v2 := make([]int64, 0, len(vals)-bad), make([]float64, 0, len(vals)-bad)
	for i, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			t2, v2 = append(t2, times[i]), append(v2, v)
		}
	}
	return t2, v2
}
