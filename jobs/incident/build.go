package incident

import (
	"math"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// maxTimelineRows and maxPatternRows keep the Markdown readable; the
// omitted rows are counted under the table.
const (
	maxTimelineRows = 40
	maxPatternRows  = 20
	maxLanes        = 8
	maxNewFindings  = 5
)

// build writes the sections and findings.
func (a *run) build() {
	a.summary()
	a.candidateSection()
	a.timelineSection()
	a.metricSection()
	a.logSection()
	a.alarmSection()
	a.findings()
	a.recommendations()
	a.method()
}

func (a *run) section(id string, title i18n.Text) *report.Section {
	a.r.Sections = append(a.r.Sections, report.Section{ID: id, Title: title.In(a.lang)})
	return &a.r.Sections[len(a.r.Sections)-1]
}

func (a *run) fact(s *report.Section, key string, label i18n.Text, v report.Cell) {
	s.Facts = append(s.Facts, report.Fact{Key: key, Label: label.In(a.lang), Value: v})
}

func (a *run) clock(t time.Time) string { return t.In(a.in.Location).Format("15:04") }

func (a *run) clockSec(t time.Time) string { return t.In(a.in.Location).Format("15:04:05") }

func (a *run) datetime(t time.Time) string { return t.In(a.in.Location).Format(i18n.DateTime) }

func (a *run) changedCount() int {
	n := 0
	for _, m := range a.metricRows {
		if m.Changed {
			n++
		}
	}
	return n
}

func (a *run) summary() {
	s := a.section(SecSummary, i18n.Text{En: "Summary", Ko: "요약"})
	a.fact(s, "incident_time", i18n.Text{En: "Incident time", Ko: "장애 시각"}, report.Time(a.in.At, a.in.Location, i18n.DateTime))
	a.fact(s, "window", i18n.Text{En: "Window", Ko: "분석 구간"},
		report.Text(a.t(i18n.Text{En: "%s to %s (%s before, %s after)", Ko: "%s ~ %s (이전 %s, 이후 %s)"},
			a.datetime(a.win.Start), a.datetime(a.win.End), span(a.opts.Before.Duration, a.lang), span(a.opts.After.Duration, a.lang))))
	a.fact(s, "instances", i18n.Text{En: "Instances analysed", Ko: "분석한 인스턴스"}, report.Count(int64(len(a.instances))))
	if a.metricsKnown {
		a.fact(s, "series", i18n.Text{En: "Metric series tested", Ko: "검정한 지표 시계열"}, report.Count(int64(len(a.metricRows))))
		a.fact(s, "changed_metrics", i18n.Text{En: "Metrics that changed", Ko: "변화한 지표"}, report.Count(int64(a.changedCount())))
	} else {
		a.fact(s, "changed_metrics", i18n.Text{En: "Metrics that changed", Ko: "변화한 지표"}, report.Text(a.t(unknownText)))
	}
	if a.logsKnown {
		newP, groups := 0, 0
		for _, l := range a.logRows {
			newP += l.NewSignificant
			if l.sig != nil {
				groups++
			}
		}
		a.fact(s, "log_groups_changed", i18n.Text{En: "Log groups with new errors", Ko: "새 오류가 생긴 로그 그룹"}, report.Count(int64(groups)))
		a.fact(s, "new_patterns", i18n.Text{En: "New error patterns (with enough events)", Ko: "새 오류 패턴 (기준 건수 이상)"}, report.Count(int64(newP)))
		a.fact(s, "change_events", i18n.Text{En: "Change events (deploys, restarts)", Ko: "변경 이벤트(배포·재시작)"}, report.Count(int64(len(a.changes))))
	} else {
		a.fact(s, "new_patterns", i18n.Text{En: "New error patterns", Ko: "새 오류 패턴"}, report.Text(a.t(unknownText)))
	}
	if a.alarmsKnown {
		a.fact(s, "alarm_transitions", i18n.Text{En: "Alarm transitions", Ko: "알람 상태 전환"}, report.Count(int64(len(a.alarmTrans))))
	} else {
		a.fact(s, "alarm_transitions", i18n.Text{En: "Alarm transitions", Ko: "알람 상태 전환"}, report.Text(a.t(unknownText)))
	}
	a.fact(s, "candidates", i18n.Text{En: "Root-cause candidates", Ko: "원인 후보"}, report.Count(int64(min(len(a.candidates), a.opts.Candidates))))
	if c := a.top(); c != nil {
		a.fact(s, "top_candidate", i18n.Text{En: "Most probable cause", Ko: "가장 유력한 원인"}, report.Text(a.describe(c)))
	}
}

var unknownText = i18n.Text{En: "unknown (not collected, see data gaps)", Ko: "알 수 없음 (수집 실패, 데이터 누락 참조)"}

func (a *run) top() *signal {
	if len(a.candidates) == 0 {
		return nil
	}
	return a.candidates[0]
}

// kindText names a signal kind.
func (a *run) kindText(k signalKind) string {
	switch k {
	case sigMetric:
		return a.t(i18n.Text{En: "metric change", Ko: "지표 변화"})
	case sigLog:
		return a.t(i18n.Text{En: "new errors", Ko: "새 오류"})
	case sigChange:
		return a.t(i18n.Text{En: "change event", Ko: "변경 이벤트"})
	}
	return a.t(i18n.Text{En: "alarm", Ko: "알람"})
}

// resourceLabel names a signal's resource for a reader.
func (a *run) resourceLabel(s *signal) string {
	if s.Kind == sigMetric {
		return a.label(s.Resource)
	}
	return s.Resource
}

// describe says in one line what a signal is.
func (a *run) describe(s *signal) string {
	switch s.Kind {
	case sigMetric:
		m := s.Metric
		dir := i18n.Text{En: "rose", Ko: "상승"}
		if m.Shift.Z < 0 {
			dir = i18n.Text{En: "fell", Ko: "하락"}
		}
		return a.t(i18n.Text{En: "%s on %s %s %s → %s (z %s)", Ko: "%[2]s의 %[1]s %[3]s: %[4]s → %[5]s (z %[6]s)"},
			m.Name, a.label(m.InstanceID), dir.In(a.lang), fmtValue(m.Shift.Before, m.Unit), fmtValue(m.Shift.After, m.Unit), fmtZ(m.Shift.Z))
	case sigLog:
		l := s.Log
		var parts []string
		if n := countSignificant(l.New, a.opts.MinNewEvents); n > 0 {
			first := ""
			for _, p := range l.New {
				if p.Count >= int64(a.opts.MinNewEvents) {
					first = shorten(a.errMessage(p.Pattern), 70)
					break
				}
			}
			parts = append(parts, a.t(i18n.Text{En: "%[3]s, e.g. %[2]s", Ko: "새 오류 패턴 %[1]d개 (예: %[2]s)"}, n, first, textfmt.Count(n, "new error pattern", "new error patterns")))
		}
		if l.RateChanged {
			parts = append(parts, a.t(i18n.Text{En: "errors %s → %s per %s (z %s)", Ko: "오류 %[3]s당 %[1]s → %[2]s건 (z %[4]s)"},
				fmtNum(l.Shift.Before), fmtNum(l.Shift.After), i18n.Duration(a.opts.Resolution.Duration, a.lang), fmtZ(l.Shift.Z)))
		}
		return l.Group + ": " + strings.Join(parts, "; ")
	case sigChange:
		c := s.Change
		return a.t(i18n.Text{En: "change event in %s: %s", Ko: "%s의 변경 이벤트: %s"}, c.Group, shorten(a.changeMessage(c.Pattern.Example), 90))
	}
	t := s.Alarm
	return a.t(i18n.Text{En: "alarm %s %s → %s", Ko: "알람 %s %s → %s"}, t.Alarm, t.From, t.To)
}

func countSignificant(ps []source.LogPattern, min int) int {
	n := 0
	for _, p := range ps {
		if p.Count >= int64(min) {
			n++
		}
	}
	return n
}

// sizeText is a signal's magnitude for the tables.
func (a *run) sizeText(s *signal) report.Cell {
	switch s.Kind {
	case sigMetric:
		return report.Cell{Text: "z " + fmtZ(s.Metric.Shift.Z), Value: s.Metric.Shift.Z}
	case sigLog:
		var n int64
		for _, p := range s.Log.New {
			if p.Count >= int64(a.opts.MinNewEvents) {
				n += p.Count
			}
		}
		if s.Log.RateChanged && n == 0 {
			return report.Cell{Text: "z " + fmtZ(s.Log.Shift.Z), Value: s.Log.Shift.Z}
		}
		return report.Cell{Text: a.t(i18n.Text{En: "%[2]s", Ko: "%[1]s건"}, textfmt.Int(n), textfmt.Count(int(n), "event", "events")), Value: n}
	case sigChange:
		return report.Cell{Text: a.t(i18n.Text{En: "%[2]s", Ko: "%[1]s줄"}, textfmt.Int(s.Change.Pattern.Count), textfmt.Count(int(s.Change.Pattern.Count), "line", "lines")), Value: s.Change.Pattern.Count}
	}
	return report.Text("-")
}

func (a *run) candidateSection() {
	s := a.section(SecCandidates, i18n.Text{En: "Probable root causes", Ko: "유력한 원인 후보"})
	t := report.Table{ID: TabCandidates, Title: a.t(i18n.Text{En: "Root-cause candidates, most probable first", Ko: "원인 후보 (가능성 높은 순)"}),
		Columns: []report.Column{
			{Key: "rank", Title: "#", Align: report.AlignRight},
			{Key: "score", Title: a.t(i18n.Text{En: "Score", Ko: "점수"}), Align: report.AlignRight},
			{Key: "kind", Title: a.t(i18n.Text{En: "Kind", Ko: "종류"})},
			{Key: "resource", Title: a.t(i18n.Text{En: "Resource", Ko: "리소스"})},
			{Key: "change", Title: a.t(i18n.Text{En: "What changed", Ko: "변화 내용"})},
			{Key: "time", Title: a.t(i18n.Text{En: "When", Ko: "시각"})},
			{Key: "offset", Title: a.t(i18n.Text{En: "From incident time", Ko: "장애 시각 대비"}), Align: report.AlignRight},
			{Key: "evidence", Title: a.t(i18n.Text{En: "Followed by (related)", Ko: "뒤따른 관련 변화"})},
		}}
	for i, c := range a.candidates {
		if i >= a.opts.Candidates {
			t.Omitted = len(a.candidates) - i
			break
		}
		t.Rows = append(t.Rows, []report.Cell{
			report.Int(int64(c.Rank)), report.Num(c.Score, 2), report.Text(a.kindText(c.Kind)), report.Text(a.resourceLabel(c)),
			report.Text(a.describe(c)), report.Time(c.Time, a.in.Location, "15:04:05"), report.Text(offset(c.Time, a.in.At, a.lang)),
			report.Text(a.followText(c)),
		})
	}
	s.Tables = append(s.Tables, t)
	for i, c := range a.candidates {
		if i >= a.opts.Candidates {
			break
		}
		s.Notes = append(s.Notes, a.t(i18n.Text{En: "#%d (score %.2f): %s. Began at %s (%s from the incident time); followed by: %s.", Ko: "#%d (점수 %.2f): %s. %s에 시작 (장애 시각 대비 %s), 뒤따른 변화: %s."},
			c.Rank, c.Score, a.describe(c), a.datetime(c.Time), offset(c.Time, a.in.At, a.lang), a.followText(c)))
	}
	if len(a.candidates) == 0 {
		s.Notes = append(s.Notes, a.t(i18n.Text{
			En: "No candidate: no metric, error rate or error pattern changed above the noise in this window (thresholds in the method section).",
			Ko: "원인 후보 없음: 이 구간에서 노이즈를 넘어 변한 지표, 오류율, 오류 패턴이 없습니다 (기준은 분석 방법 참조).",
		}))
	}
}

// followText lists the later related signals briefly.
func (a *run) followText(s *signal) string {
	if len(s.Later) == 0 {
		return "-"
	}
	var parts []string
	for i, l := range s.Later {
		if i == 4 {
			parts = append(parts, a.t(i18n.Text{En: "%d more", Ko: "외 %d건"}, len(s.Later)-i))
			break
		}
		parts = append(parts, a.shortName(l)+" "+offsetBetween(s.Time, l.Time, a.lang))
	}
	return strings.Join(parts, ", ")
}

// offsetBetween prints how long after from the time to is: "+3m".
func offsetBetween(from, to time.Time, lang string) string {
	return offset(to, from, lang)
}

// shortName is a compact name for a signal: "order-api-02 CPUUtilization".
func (a *run) shortName(s *signal) string {
	switch s.Kind {
	case sigMetric:
		return a.label(s.Resource) + " " + s.Metric.Name
	case sigAlarm:
		return a.t(i18n.Text{En: "alarm %s", Ko: "알람 %s"}, s.Resource)
	case sigChange:
		return a.t(i18n.Text{En: "change in %s", Ko: "%s 변경"}, s.Resource)
	}
	return a.t(i18n.Text{En: "errors in %s", Ko: "%s 오류"}, s.Resource)
}

// timelineEvent is one row of the correlated timeline.
type timelineEvent struct {
	time     time.Time
	kind     string
	resource string
	what     string
	size     report.Cell
	order    int
}

func (a *run) timelineSection() {
	s := a.section(SecTimeline, i18n.Text{En: "Correlated timeline", Ko: "통합 타임라인"})
	var evs []timelineEvent
	for _, sig := range a.signals {
		if sig.Kind == sigAlarm {
			continue // every alarm transition is added below
		}
		evs = append(evs, timelineEvent{sig.Time, a.kindText(sig.Kind), a.resourceLabel(sig), a.describe(sig), a.sizeText(sig), kindOrder(sig.Kind)})
	}
	for _, t := range a.alarmTrans {
		evs = append(evs, timelineEvent{t.Time, a.t(i18n.Text{En: "alarm", Ko: "알람"}), t.Alarm,
			a.t(i18n.Text{En: "%s → %s", Ko: "%s → %s"}, t.From, t.To), report.Text("-"), 3})
	}
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && (evs[j].time.Before(evs[j-1].time) || evs[j].time.Equal(evs[j-1].time) && evs[j].order < evs[j-1].order); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
	t := report.Table{ID: TabTimeline, Title: a.t(i18n.Text{En: "Everything that changed, in order", Ko: "변화 순서"}),
		Columns: []report.Column{
			{Key: "time", Title: a.t(i18n.Text{En: "Time", Ko: "시각"})},
			{Key: "offset", Title: a.t(i18n.Text{En: "From incident time", Ko: "장애 시각 대비"}), Align: report.AlignRight},
			{Key: "kind", Title: a.t(i18n.Text{En: "Kind", Ko: "종류"})},
			{Key: "resource", Title: a.t(i18n.Text{En: "Resource", Ko: "리소스"})},
			{Key: "event", Title: a.t(i18n.Text{En: "Event", Ko: "내용"})},
			{Key: "size", Title: a.t(i18n.Text{En: "Size", Ko: "크기"}), Align: report.AlignRight},
		}}
	for i, e := range evs {
		if i == maxTimelineRows {
			t.Omitted = len(evs) - i
			break
		}
		t.Rows = append(t.Rows, []report.Cell{report.Time(e.time, a.in.Location, "15:04:05"), report.Text(offset(e.time, a.in.At, a.lang)),
			report.Text(e.kind), report.Text(e.resource), report.Text(e.what), e.size})
	}
	s.Tables = append(s.Tables, t)
	if ch := a.timelineChart(); ch != nil {
		s.Charts = append(s.Charts, *ch)
	}
	if ch := a.metricChart(); ch != nil {
		s.Charts = append(s.Charts, *ch)
	}
	if ch := a.errorChart(); ch != nil {
		s.Charts = append(s.Charts, *ch)
	}
}

// Lane states of the timeline chart, besides the alarm states.
const (
	StateNormal  = "normal"
	StateChanged = "changed"
	StateErrors  = "errors"
	StateChange  = "change"
)

// timelineChart draws one lane per signal (candidates first, then the
// alarms), up to maxLanes.
func (a *run) timelineChart() *report.Chart {
	if len(a.signals) == 0 && len(a.alarmTrans) == 0 {
		return nil
	}
	ch := &report.Chart{ID: ChartTimeline, Kind: report.ChartTimeline, Start: a.win.Start, End: a.win.End,
		Title: a.t(i18n.Text{En: "What changed when", Ko: "언제 무엇이 변했나"})}
	seen := map[string]bool{}
	addLane := func(label string, spans []report.Span) {
		if len(ch.Lanes) >= maxLanes || seen[label] {
			return
		}
		seen[label] = true
		ch.Lanes = append(ch.Lanes, report.Lane{Label: label, Spans: spans})
	}
	var ordered []*signal
	for i, c := range a.candidates {
		if i < a.opts.Candidates {
			ordered = append(ordered, c)
		}
	}
	for _, sig := range a.signals {
		if sig.Kind != sigAlarm {
			ordered = append(ordered, sig)
		}
	}
	// Alarms get lanes after the first candidates, so the consequence sits
	// next to its cause.
	for _, sig := range ordered {
		if len(ch.Lanes) >= maxLanes-a.alarmLaneCount() {
			break
		}
		switch sig.Kind {
		case sigMetric:
			addLane(a.shortName(sig), []report.Span{{Start: a.win.Start, End: sig.Time, State: StateNormal}, {Start: sig.Time, End: a.win.End, State: StateChanged}})
		case sigLog:
			addLane(a.shortName(sig), []report.Span{{Start: a.win.Start, End: sig.Time, State: StateNormal}, {Start: sig.Time, End: a.win.End, State: StateErrors}})
		case sigChange:
			end := sig.Time.Add(a.opts.Resolution.Duration)
			if end.After(a.win.End) {
				end = a.win.End
			}
			addLane(a.shortName(sig), []report.Span{{Start: sig.Time, End: end, State: StateChange}})
		}
	}
	for _, name := range a.alarmNames() {
		addLane(a.t(i18n.Text{En: "alarm %s", Ko: "알람 %s"}, name), a.alarmSpans(name))
	}
	for i := range ch.Lanes {
		for j := range ch.Lanes[i].Spans {
			sp := &ch.Lanes[i].Spans[j]
			if sp.Start.Before(a.win.Start) {
				sp.Start = a.win.Start
			}
		}
	}
	return ch
}

// alarmNames are the alarms that changed state in the window, first change
// first.
func (a *run) alarmNames() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range a.alarmTrans {
		if !seen[t.Alarm] {
			seen[t.Alarm] = true
			out = append(out, t.Alarm)
		}
	}
	return out
}

func (a *run) alarmLaneCount() int { return min(len(a.alarmNames()), maxLanes/2) }

// alarmSpans reconstructs an alarm's states over the window from its
// transitions.
func (a *run) alarmSpans(name string) []report.Span {
	var spans []report.Span
	start := a.win.Start
	state := ""
	for _, t := range a.alarmTrans {
		if t.Alarm != name {
			continue
		}
		if state == "" {
			state = string(t.From)
		}
		if t.Time.After(start) {
			spans = append(spans, report.Span{Start: start, End: t.Time, State: state})
		}
		start, state = t.Time, string(t.To)
	}
	if start.Before(a.win.End) {
		spans = append(spans, report.Span{Start: start, End: a.win.End, State: state})
	}
	return spans
}

// metricChart draws the most probable metric cause with the same metric
// on up to three related instances, over the baseline and the window.
func (a *run) metricChart() *report.Chart {
	var top *metricRow
	for _, c := range a.candidates {
		if c.Kind == sigMetric {
			top = c.Metric
			break
		}
	}
	if top == nil {
		return nil
	}
	ch := &report.Chart{ID: ChartMetric, Kind: report.ChartTimeSeries, Start: a.win.Start.Add(-a.opts.Baseline.Duration), End: a.win.End,
		Title: a.t(i18n.Text{En: "%s: %s and related instances", Ko: "%s: %s 및 관련 인스턴스"}, top.Name, a.label(top.InstanceID)),
		Unit:  top.Unit, YLabel: top.Name}
	if top.Kind == kindPercent {
		ch.YMax = 100
	}
	ch.Series = append(ch.Series, a.chartSeries(top))
	for _, m := range a.metricRows {
		if len(ch.Series) >= 4 {
			break
		}
		if m == top || m.Name != top.Name {
			continue
		}
		in := a.instances[m.InstanceID]
		if in == nil || !related(top.sig, &signal{Keys: instanceKeys(in)}) {
			continue
		}
		ch.Series = append(ch.Series, a.chartSeries(m))
	}
	ch.Thresholds = append(ch.Thresholds, report.Threshold{Label: a.t(i18n.Text{En: "median before", Ko: "변화 전 중앙값"}), Value: top.Shift.Before})
	if al := a.alarmOn(top); al != nil {
		ch.Thresholds = append(ch.Thresholds, report.Threshold{Label: a.t(i18n.Text{En: "alarm %s", Ko: "알람 %s"}, al.Name), Value: al.Threshold})
	}
	return ch
}

func (a *run) chartSeries(m *metricRow) report.ChartSeries {
	cs := report.ChartSeries{Name: a.label(m.InstanceID), Style: report.LineSolid}
	from := a.win.Start.Add(-a.opts.Baseline.Duration).Unix()
	for i, ts := range m.Series.Times {
		if ts < from || ts >= a.win.End.Unix() {
			continue
		}
		cs.Points = append(cs.Points, report.ChartPoint{T: time.Unix(ts, 0).UTC(), V: m.Series.Values[i]})
	}
	return cs
}

// alarmOn finds a metric alarm watching the row's metric on its instance.
func (a *run) alarmOn(m *metricRow) *source.Alarm {
	for _, al := range a.in.Data.Alarms {
		if al.Composite || al.Metric != m.Series.Metric {
			continue
		}
		for _, d := range al.Dimensions {
			if d.Name == "InstanceId" && d.Value == m.InstanceID {
				al := al
				return &al
			}
		}
	}
	return nil
}

// errorChart is the histogram of error events per bin in the log groups
// that changed.
func (a *run) errorChart() *report.Chart {
	bins := map[int64]float64{}
	var groups []string
	for _, l := range a.logRows {
		if l.sig == nil {
			continue
		}
		groups = append(groups, l.Group)
		for _, b := range l.Stats.Histogram {
			if a.win.Contains(b.Start) {
				bins[b.Start.Unix()] += float64(b.Count)
			}
		}
	}
	if len(groups) == 0 {
		return nil
	}
	ch := &report.Chart{ID: ChartErrors, Kind: report.ChartHistogram, Start: a.win.Start, End: a.win.End,
		Title: a.t(i18n.Text{En: "Error events per %s: %s", Ko: "%s당 오류 건수: %s"}, i18n.Duration(a.opts.Resolution.Duration, a.lang), shorten(strings.Join(groups, ", "), 120))}
	step := a.opts.Resolution.Duration
	for t := a.win.Start; t.Before(a.win.End); t = t.Add(step) {
		ch.Bins = append(ch.Bins, report.Bin{Start: t, End: t.Add(step), Count: bins[t.Unix()]})
	}
	return ch
}

// metricVerdict says what became of one series.
func (a *run) metricVerdict(m *metricRow) string {
	switch {
	case !m.Shift.Tested:
		return a.t(i18n.Text{En: "too few points", Ko: "데이터 부족"})
	case m.Changed && m.Shift.Step:
		return a.t(i18n.Text{En: "changed (step)", Ko: "변화 (계단형)"})
	case m.Changed:
		return a.t(i18n.Text{En: "changed (drift)", Ko: "변화 (점진형)"})
	}
	return a.t(i18n.Text{En: "within noise", Ko: "노이즈 이내"})
}

func (a *run) metricTable(id string, title i18n.Text, limit int) report.Table {
	t := report.Table{ID: id, Title: a.t(title), Columns: []report.Column{
		{Key: "rank", Title: "#", Align: report.AlignRight},
		{Key: "instance", Title: a.t(i18n.Text{En: "Instance", Ko: "인스턴스"})},
		{Key: "instance_id", Title: "ID"},
		{Key: "metric", Title: a.t(i18n.Text{En: "Metric", Ko: "지표"})},
		{Key: "before", Title: a.t(i18n.Text{En: "Before (median)", Ko: "이전 (중앙값)"}), Align: report.AlignRight},
		{Key: "after", Title: a.t(i18n.Text{En: "After (median)", Ko: "이후 (중앙값)"}), Align: report.AlignRight},
		{Key: "change_pct", Title: a.t(i18n.Text{En: "Change", Ko: "변화율"}), Unit: "%", Align: report.AlignRight},
		{Key: "z", Title: "z", Align: report.AlignRight},
		{Key: "p", Title: "p", Align: report.AlignRight},
		{Key: "change_time", Title: a.t(i18n.Text{En: "Change time", Ko: "변화 시각"})},
		{Key: "verdict", Title: a.t(i18n.Text{En: "Verdict", Ko: "판정"})},
	}}
	for i, m := range a.metricRows {
		if limit > 0 && i >= limit {
			t.Omitted = len(a.metricRows) - i
			break
		}
		row := []report.Cell{report.Int(int64(i + 1)), report.Text(a.label(m.InstanceID)), report.Text(m.InstanceID), report.Text(m.Name)}
		if m.Shift.Tested {
			row = append(row,
				report.Cell{Text: fmtValue(m.Shift.Before, m.Unit), Value: m.Shift.Before},
				report.Cell{Text: fmtValue(m.Shift.After, m.Unit), Value: m.Shift.After},
				report.Num(pct(m.Shift.Before, m.Shift.After), 0),
				report.Cell{Text: fmtZ(m.Shift.Z), Value: m.Shift.Z},
				report.Cell{Text: fmtP(m.Shift.P), Value: m.Shift.P},
				report.Time(m.Shift.Time, a.in.Location, "15:04"))
		} else {
			row = append(row, report.Text("-"), report.Text("-"), report.Num(math.NaN(), 0), report.Num(math.NaN(), 0), report.Num(math.NaN(), 0), report.Time(time.Time{}, a.in.Location, ""))
		}
		row = append(row, report.Text(a.metricVerdict(m)))
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (a *run) metricSection() {
	s := a.section(SecMetrics, i18n.Text{En: "Metrics ranked by how much they changed", Ko: "변화 크기순 지표"})
	if !a.metricsKnown {
		s.Notes = append(s.Notes, a.t(i18n.Text{En: "Metrics could not be read (see data gaps): unknown, not unchanged.", Ko: "지표를 읽지 못했습니다 (데이터 누락 참조). 변화 없음이 아니라 알 수 없음입니다."}))
		return
	}
	s.Tables = append(s.Tables, a.metricTable(TabMetrics, i18n.Text{En: "Most-changed metrics (every series in the JSON report)", Ko: "가장 많이 변한 지표 (전체 목록은 JSON 보고서)"}, a.opts.TopMetrics))
	d := a.section(SecData, i18n.Text{En: "All metric series", Ko: "전체 지표 시계열"})
	d.Tables = append(d.Tables, a.metricTable(TabMetricsAll, i18n.Text{En: "Every metric series tested", Ko: "검정한 모든 지표 시계열"}, 0))
}

func (a *run) logSection() {
	s := a.section(SecLogs, i18n.Text{En: "Error logs", Ko: "오류 로그"})
	if !a.logsKnown {
		s.Notes = append(s.Notes, a.t(i18n.Text{En: "Log statistics could not be read (see data gaps): unknown, not error-free.", Ko: "로그 통계를 읽지 못했습니다 (데이터 누락 참조). 오류 없음이 아니라 알 수 없음입니다."}))
		return
	}
	if !a.logBaselineKnown {
		s.Notes = append(s.Notes, a.t(i18n.Text{En: "The log baseline before the window could not be read: no pattern is called new.", Ko: "구간 이전의 로그 기준선을 읽지 못해 어떤 패턴도 '새 패턴'으로 판정하지 않았습니다."}))
	}
	per := i18n.Duration(a.opts.Resolution.Duration, a.lang)
	g := report.Table{ID: TabLogGroups, Title: a.t(i18n.Text{En: "Log groups with errors", Ko: "오류가 있는 로그 그룹"}), Columns: []report.Column{
		{Key: "group", Title: a.t(i18n.Text{En: "Log group", Ko: "로그 그룹"})},
		{Key: "baseline_rate", Title: a.t(i18n.Text{En: "Baseline per %s", Ko: "기준선 (%s당)"}, per), Align: report.AlignRight},
		{Key: "errors", Title: a.t(i18n.Text{En: "Errors in window", Ko: "구간 내 오류"}), Align: report.AlignRight},
		{Key: "rate_after", Title: a.t(i18n.Text{En: "After change per %s", Ko: "변화 후 (%s당)"}, per), Align: report.AlignRight},
		{Key: "z", Title: "z", Align: report.AlignRight},
		{Key: "new_patterns", Title: a.t(i18n.Text{En: "New patterns (%d+ events)", Ko: "새 패턴 (%d건 이상)"}, a.opts.MinNewEvents), Align: report.AlignRight},
		{Key: "first_new", Title: a.t(i18n.Text{En: "First new pattern", Ko: "첫 새 패턴"})},
	}}
	for _, l := range a.logRows {
		if l.Errors <= 0 && len(l.New) == 0 {
			continue
		}
		base := report.Num(math.NaN(), 2)
		if l.BaselineRate >= 0 {
			base = report.Num(l.BaselineRate, 2)
		}
		after, z := report.Num(math.NaN(), 2), report.Num(math.NaN(), 1)
		if l.Shift.Tested {
			after = report.Num(l.Shift.After, 2)
			z = report.Cell{Text: fmtZ(l.Shift.Z), Value: l.Shift.Z}
		}
		first := report.Time(time.Time{}, a.in.Location, "")
		for _, p := range l.New {
			if p.Count >= int64(a.opts.MinNewEvents) {
				first = report.Time(p.FirstSeen, a.in.Location, "15:04:05")
				break
			}
		}
		errs := report.Count(l.Errors)
		if l.Truncated {
			errs.Text = "≥" + errs.Text
		}
		g.Rows = append(g.Rows, []report.Cell{report.Text(l.Group), base, errs, after, z, report.Count(int64(l.NewSignificant)), first})
	}
	s.Tables = append(s.Tables, g)

	p := report.Table{ID: TabNewPatterns, Title: a.t(i18n.Text{En: "New error patterns (absent from the %s before the window)", Ko: "새 오류 패턴 (구간 이전 %s 동안 없던 패턴)"}, i18n.Duration(a.opts.LogBaseline.Duration, a.lang)),
		Columns: []report.Column{
			{Key: "first_seen", Title: a.t(i18n.Text{En: "First seen", Ko: "처음 발생"})},
			{Key: "group", Title: a.t(i18n.Text{En: "Log group", Ko: "로그 그룹"})},
			{Key: "count", Title: a.t(i18n.Text{En: "Events", Ko: "건수"}), Align: report.AlignRight},
			{Key: "pattern", Title: a.t(i18n.Text{En: "Message (masked)", Ko: "메시지 (가변값 치환)"})},
			{Key: "last_seen", Title: a.t(i18n.Text{En: "Last seen", Ko: "마지막 발생"})},
		}}
	var all []struct {
		g string
		p source.LogPattern
	}
	for _, l := range a.logRows {
		for _, pt := range l.New {
			all = append(all, struct {
				g string
				p source.LogPattern
			}{l.Group, pt})
		}
	}
	// Patterns that count (min_new_events) first, then by first seen.
	sig := func(p source.LogPattern) bool { return p.Count >= int64(a.opts.MinNewEvents) }
	for i := 1; i < len(all); i++ {
		for j := i; j > 0; j-- {
			x, y := all[j].p, all[j-1].p
			if !(sig(x) && !sig(y) || sig(x) == sig(y) && x.FirstSeen.Before(y.FirstSeen)) {
				break
			}
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	for i, x := range all {
		if i == maxPatternRows {
			p.Omitted = len(all) - i
			break
		}
		p.Rows = append(p.Rows, []report.Cell{report.Time(x.p.FirstSeen, a.in.Location, "15:04:05"), report.Text(x.g), report.Count(x.p.Count),
			report.Text(a.errMessage(x.p.Pattern)), report.Time(x.p.LastSeen, a.in.Location, "15:04:05")})
	}
	s.Tables = append(s.Tables, p)

	c := report.Table{ID: TabChanges, Title: a.t(i18n.Text{En: "Change events in the logs (deploys, restarts)", Ko: "로그의 변경 이벤트 (배포·재시작)"}),
		Columns: []report.Column{
			{Key: "time", Title: a.t(i18n.Text{En: "Time", Ko: "시각"})},
			{Key: "offset", Title: a.t(i18n.Text{En: "From incident time", Ko: "장애 시각 대비"}), Align: report.AlignRight},
			{Key: "group", Title: a.t(i18n.Text{En: "Log group", Ko: "로그 그룹"})},
			{Key: "count", Title: a.t(i18n.Text{En: "Lines", Ko: "줄 수"}), Align: report.AlignRight},
			{Key: "example", Title: a.t(i18n.Text{En: "Example", Ko: "예시"})},
		}}
	for _, ev := range a.changes {
		c.Rows = append(c.Rows, []report.Cell{report.Time(ev.Time, a.in.Location, "15:04:05"), report.Text(offset(ev.Time, a.in.At, a.lang)),
			report.Text(ev.Group), report.Count(ev.Pattern.Count), report.Text(a.changeMessage(ev.Pattern.Example))})
	}
	s.Tables = append(s.Tables, c)
}

func (a *run) alarmSection() {
	s := a.section(SecAlarms, i18n.Text{En: "Alarm transitions", Ko: "알람 상태 전환"})
	if !a.alarmsKnown {
		s.Notes = append(s.Notes, a.t(i18n.Text{En: "Alarm history could not be read (see data gaps): unknown.", Ko: "알람 이력을 읽지 못했습니다 (데이터 누락 참조). 알 수 없음입니다."}))
	}
	t := report.Table{ID: TabAlarms, Title: a.t(i18n.Text{En: "Alarm state changes in order", Ko: "순서대로 본 알람 상태 변화"}), Columns: []report.Column{
		{Key: "time", Title: a.t(i18n.Text{En: "Time", Ko: "시각"})},
		{Key: "offset", Title: a.t(i18n.Text{En: "From incident time", Ko: "장애 시각 대비"}), Align: report.AlignRight},
		{Key: "alarm", Title: a.t(i18n.Text{En: "Alarm", Ko: "알람"})},
		{Key: "from", Title: a.t(i18n.Text{En: "From", Ko: "이전 상태"})},
		{Key: "to", Title: a.t(i18n.Text{En: "To", Ko: "새 상태"})},
		{Key: "reason", Title: a.t(i18n.Text{En: "Reason", Ko: "사유"})},
	}}
	for _, tr := range a.alarmTrans {
		t.Rows = append(t.Rows, []report.Cell{report.Time(tr.Time, a.in.Location, "15:04:05"), report.Text(offset(tr.Time, a.in.At, a.lang)),
			report.Text(tr.Alarm), report.Text(string(tr.From)), report.Text(string(tr.To)), report.Text(shorten(textfmt.LocalReason(tr.Reason, a.in.Location), 200))})
	}
	s.Tables = append(s.Tables, t)
}

func (a *run) headline() string {
	c := a.top()
	if c == nil && len(a.instances) == 0 {
		// A --instance glob with a typo must not read as "all quiet".
		return a.t(i18n.Text{En: "No instance analysed around %s: none exists, or none matches the scope", Ko: "%s 전후 분석한 인스턴스 없음: 인스턴스가 없거나 범위(scope)와 일치하는 인스턴스가 없음"}, a.datetime(a.in.At))
	}
	if c == nil {
		return a.t(i18n.Text{En: "No change above the noise around %s", Ko: "%s 전후로 노이즈를 넘는 변화 없음"}, a.datetime(a.in.At))
	}
	changes, alarms := len(a.signals)-a.alarmSignals(), len(a.alarmTrans)
	return a.t(i18n.Text{En: "Probable cause: %[1]s at %[2]s (%[5]s, %[6]s)", Ko: "유력 원인: %[2]s %[1]s (변화 %[3]d건, 알람 전환 %[4]d건)"},
		a.describe(c), a.clock(c.Time), changes, alarms, textfmt.Count(changes, "change", "changes"), textfmt.Count(alarms, "alarm transition", "alarm transitions"))
}

func (a *run) alarmSignals() int {
	n := 0
	for _, s := range a.signals {
		if s.Kind == sigAlarm {
			n++
		}
	}
	return n
}

func (a *run) method() {
	s := a.section(SecMethod, i18n.Text{En: "Method", Ko: "분석 방법"})
	s.Notes = append(s.Notes,
		a.t(i18n.Text{
			En: "Metrics: Pettitt's rank test finds the most likely change point in each series (the %s baseline plus the window); the change counts when p ≤ %.2g and the shift in medians is at least %g times the pre-change noise (1.4826·MAD, at least 1 point for percentages and 5%% of the level otherwise). A gradual drift must reach twice that.",
			Ko: "지표: 각 시계열(기준선 %s + 분석 구간)에서 Pettitt 순위 검정으로 가장 유력한 변화점을 찾고, p ≤ %.2g 이면서 중앙값 이동이 변화 전 노이즈(1.4826·MAD, 백분율은 최소 1포인트, 그 외는 수준의 5%%)의 %g배 이상일 때 변화로 봅니다. 점진적 변화는 그 두 배가 필요합니다.",
		}, i18n.Duration(a.opts.Baseline.Duration, a.lang), maxP, a.opts.MinShift),
		a.t(i18n.Text{
			En: "Logs: an error pattern is new when it was absent from the %s before the window; it counts from %d events. Error rates are compared before and after their change point with a two-sample Poisson test (z ≥ %g and at least double).",
			Ko: "로그: 구간 이전 %s 동안 없던 오류 패턴을 '새 패턴'으로 보며, %d건 이상일 때 변화로 셉니다. 오류율은 변화점 전후를 두 표본 포아송 검정으로 비교합니다 (z ≥ %g, 두 배 이상).",
		}, i18n.Duration(a.opts.LogBaseline.Duration, a.lang), a.opts.MinNewEvents, a.opts.MinShift),
		a.t(i18n.Text{
			En: "Candidates: score = 0.5 × precedence (share of the other changes that came later) + 0.3 × strength (size of the change) + 0.2 × corroboration (share of the later changes on the same instance or service). Alarms are consequences, never candidates; a deploy or restart line is a candidate when a related change follows it.",
			Ko: "원인 후보 점수 = 0.5 × 선행성(다른 변화 중 더 늦게 일어난 비율) + 0.3 × 강도(변화 크기) + 0.2 × 연관성(뒤따른 변화 중 같은 인스턴스·서비스의 비율). 알람은 결과이므로 후보가 아니며, 배포·재시작 로그는 관련 변화가 뒤따를 때만 후보가 됩니다.",
		}),
	)
}
