package status

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/stats"
	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// Thresholds of logs.errors (see docs/daily-status.md).
const (
	logsMedium     = 100
	logsHigh       = 1000
	burstFactor    = 10 // peak hour ≥ burstFactor × (median hour + 1)
	burstMinCount  = 50
	patternsPerLog = 3
	maxPatternRows = 30
	maxGroupRows   = 25
	maxGroupBars   = 10
	exampleBytes   = 400
	sparkBins      = 48
)

// fatalMarkers are substrings of a message pattern that mean a process died
// or is about to: worth more than any count of ordinary errors.
var fatalMarkers = []string{
	"OutOfMemoryError", "Out of memory", "out of memory", "OOMKilled", "oom-kill", "Killed process",
	"panic:", "kernel panic", "Segmentation fault", "SIGSEGV", "FATAL", "Fatal error", "fatal error",
	"CrashLoopBackOff", "core dumped",
}

// fatalMarker returns the fatal-class marker in a pattern, or "".
func fatalMarker(pattern string) string {
	for _, m := range fatalMarkers {
		if strings.Contains(pattern, m) {
			return m
		}
	}
	return ""
}

type groupResult struct {
	name      string
	stats     *source.LogStats // nil: unknown
	patterns  []source.LogPattern
	reason    string // why unknown
	peakStart time.Time
	peakCount int64
	burst     bool
	fatal     []string
	severity  report.Severity
}

type logSummary struct {
	groups, withErrors, unknown int
	errors                      int64
	truncated                   bool
	worst                       string
}

func (a *run) logs() {
	d := a.in.Data
	sec := a.section(SecLogs, i18n.Text{En: "Logs", Ko: "로그"})
	g, missing := exactGap(d, "log_stats")
	if missing {
		sec.Notes = append(sec.Notes, a.t(i18n.Text{
			En: "Error counts are unknown: the log scan could not run (%s).",
			Ko: "오류 건수를 알 수 없습니다: 로그를 검사하지 못했습니다 (%s).",
		}, g.Error))
		return
	}
	a.logsKnown = true
	stats := map[string]*source.LogStats{}
	for i := range d.LogStats {
		stats[d.LogStats[i].Group] = &d.LogStats[i]
	}
	names := map[string]bool{}
	for _, lg := range d.LogGroups {
		names[lg.Name] = true
	}
	for n := range stats {
		names[n] = true
	}
	var groups []*groupResult
	for n := range names {
		gr := &groupResult{name: n, stats: stats[n]}
		if gr.stats == nil {
			if gp, ok := exactGap(d, "log_stats:"+n); ok {
				gr.reason = gp.Error
			} else if !(source.LogQuery{Groups: a.in.Job.Logs.Groups}).Selects(n) {
				continue // outside the job's log scope: not asked for
			} else {
				gr.reason = a.t(i18n.Text{En: "not scanned", Ko: "검사되지 않음"})
			}
		}
		groups = append(groups, gr)
	}
	ls := &a.logSum
	for _, gr := range groups {
		if gr.stats == nil {
			ls.unknown++
			continue
		}
		a.judgeGroup(gr)
		ls.errors += gr.stats.ErrorEvents
		if gr.stats.Truncated {
			ls.truncated = true
		}
		if gr.stats.ErrorEvents > 0 {
			ls.withErrors++
		}
	}
	ls.groups = len(groups)
	// Most errors first; unknown groups after those with errors, then quiet
	// ones; names break ties.
	sort.SliceStable(groups, func(i, j int) bool {
		ei, ej := groupErrors(groups[i]), groupErrors(groups[j])
		if ei != ej {
			return ei > ej
		}
		return groups[i].name < groups[j].name
	})
	for _, gr := range groups {
		if gr.stats != nil && gr.stats.ErrorEvents > 0 {
			f := a.logFinding(gr)
			a.add(f)
			if ls.worst == "" {
				ls.worst = gr.name
			}
		}
	}
	sec = a.sectionByID(SecLogs)
	sec.Tables = append(sec.Tables, a.groupTable(groups), a.patternTable(groups))
	if ch := a.perHourChart(groups); ch != nil {
		sec.Charts = append(sec.Charts, *ch)
	}
	if ch := a.byGroupChart(groups); ch != nil {
		sec.Charts = append(sec.Charts, *ch)
	}
	errCell := intCell(ls.errors)
	if ls.truncated {
		errCell.Text = "≥ " + errCell.Text
	}
	sec.Facts = append(sec.Facts,
		report.Fact{Key: "log_groups", Label: a.t(i18n.Text{En: "Log groups", Ko: "로그 그룹"}), Value: report.Count(int64(ls.groups))},
		report.Fact{Key: "groups_with_errors", Label: a.t(i18n.Text{En: "With errors", Ko: "오류 있는 그룹"}), Value: report.Count(int64(ls.withErrors))},
		report.Fact{Key: "error_events", Label: a.t(i18n.Text{En: "Error events", Ko: "오류 이벤트"}), Value: errCell},
		report.Fact{Key: "groups_unknown", Label: a.t(i18n.Text{En: "Not scanned", Ko: "검사 못 함"}), Value: report.Count(int64(ls.unknown))},
	)
	sec.Notes = append(sec.Notes, a.t(i18n.Text{
		En: "An error line is a line containing one of: %s (case-sensitive). Patterns mask numbers, ids, IPs, UUIDs and timestamps.",
		Ko: "오류 줄은 다음 중 하나를 포함하는 줄입니다: %s (대소문자 구분). 패턴은 숫자·ID·IP·UUID·타임스탬프를 가려서 묶은 것입니다.",
	}, strings.Join(a.in.Job.Logs.Terms(), ", ")))
	if ls.truncated {
		sec.Notes = append(sec.Notes, a.t(i18n.Text{
			En: "Some scans hit a limit: counts marked ≥ are lower bounds.",
			Ko: "일부 검사가 한도에 도달했습니다: ≥ 표시된 건수는 최솟값입니다.",
		}))
	}
}

func groupErrors(g *groupResult) int64 {
	if g.stats == nil {
		return 0
	}
	return g.stats.ErrorEvents
}

// judgeGroup finds the peak hour, a burst and fatal-class patterns, and
// grades the group.
func (a *run) judgeGroup(gr *groupResult) {
	st := gr.stats
	counts := make([]float64, 0, len(st.Histogram))
	for _, b := range st.Histogram {
		counts = append(counts, float64(b.Count))
		if b.Count > gr.peakCount {
			gr.peakCount, gr.peakStart = b.Count, b.Start
		}
	}
	if len(counts) > 0 {
		med := stats.Median(counts)
		gr.burst = gr.peakCount >= burstMinCount && float64(gr.peakCount) >= burstFactor*(med+1)
	}
	gr.patterns = st.Patterns
	for _, p := range gr.patterns { // most frequent first
		if m := fatalMarker(p.Pattern); m != "" && !slices.Contains(gr.fatal, m) {
			gr.fatal = append(gr.fatal, m)
		}
	}
	switch n := st.ErrorEvents; {
	case n == 0:
		gr.severity = report.SeverityInfo
	case len(gr.fatal) > 0 || n >= logsHigh:
		gr.severity = report.SeverityHigh
	case n >= logsMedium || gr.burst:
		gr.severity = report.SeverityMedium
	default:
		gr.severity = report.SeverityLow
	}
}

func (a *run) logFinding(gr *groupResult) report.Finding {
	st := gr.stats
	loc := a.in.Location
	count := textfmt.Int(st.ErrorEvents)
	if st.Truncated {
		count = "≥ " + count
	}
	noun := "error events"
	if st.ErrorEvents == 1 && !st.Truncated {
		noun = "error event"
	}
	title := a.t(i18n.Text{En: "%[1]s %[3]s in %[2]s", Ko: "%[2]s 오류 %[1]s건"}, count, gr.name, noun)
	if len(gr.fatal) > 0 {
		title = a.t(i18n.Text{En: "%[1]s %[4]s in %[2]s, including %[3]s", Ko: "%[2]s 오류 %[1]s건 (%[3]s 포함)"}, count, gr.name, gr.fatal[0], noun)
	}
	detail := a.t(i18n.Text{
		En: "%s of %s lines scanned were errors; the busiest hour was %s with %s.",
		Ko: "검사한 %[2]s줄 중 %[1]s건이 오류였고, 가장 많았던 시간대는 %[3]s (%[4]s건)입니다.",
	}, count, textfmt.Int(st.Scanned), fmtHour(gr.peakStart, loc), textfmt.Int(gr.peakCount))
	ev := map[string]any{"scanned": st.Scanned, "burst": gr.burst, "truncated": st.Truncated}
	if !gr.peakStart.IsZero() {
		ev["peak_start"], ev["peak_count"] = gr.peakStart.UTC().Format(time.RFC3339), gr.peakCount
	}
	if len(gr.patterns) > 0 {
		p := gr.patterns[0]
		ev["top_pattern"], ev["top_count"] = textfmt.Clip(p.Pattern, exampleBytes), p.Count
		detail += a.t(i18n.Text{En: " Most frequent: %s (%s times).", Ko: " 가장 흔한 패턴: %s (%s회)."}, textfmt.Clip(p.Pattern, 160), textfmt.Int(p.Count))
	}
	if len(gr.fatal) > 0 {
		ev["fatal"] = gr.fatal
	}
	var rec string
	switch {
	case len(gr.fatal) > 0:
		var first time.Time
		for _, p := range gr.patterns {
			if fatalMarker(p.Pattern) == "" {
				continue
			}
			if !p.FirstSeen.IsZero() && (first.IsZero() || p.FirstSeen.Before(first)) {
				first = p.FirstSeen
			}
		}
		rec = a.t(i18n.Text{
			En: "Fatal-class errors (%s) kill processes: check restarts and memory limits around %s, compare with the last deploy, and capture a heap or core dump before the next restart. Roll back if a deploy preceded it.",
			Ko: "치명적 오류(%s)는 프로세스를 죽입니다: %s 전후의 재시작 횟수와 메모리 한도를 확인하고, 마지막 배포와 시점을 비교하고, 다음 재시작 전에 힙·코어 덤프를 남기십시오. 직전에 배포가 있었다면 롤백을 검토하십시오.",
		}, strings.Join(gr.fatal, ", "), fmtTime(first, loc))
	case gr.burst:
		rec = a.t(i18n.Text{
			En: "The errors came in a burst at %s: correlate that hour with deploys, alarms and dependency outages (Logs Insights on the group, ±15 minutes), and confirm the cause is gone.",
			Ko: "오류가 %s에 몰렸습니다: 그 시간대의 배포·알람·의존 서비스 장애와 맞춰 보고(해당 그룹에 Logs Insights, 앞뒤 15분), 원인이 해소됐는지 확인하십시오.",
		}, fmtHour(gr.peakStart, loc))
	default:
		rec = a.t(i18n.Text{
			En: "Errors are spread through the window: triage the top pattern, fix it, or log it below ERROR if it is expected. Noisy error logs hide real ones.",
			Ko: "오류가 기간 내내 고르게 발생합니다: 가장 흔한 패턴부터 분류해 고치고, 예상된 상황이라면 ERROR보다 낮은 레벨로 기록하십시오. 시끄러운 오류 로그는 진짜 오류를 가립니다.",
		})
	}
	return report.Finding{ID: FindLogErrors, Severity: gr.severity, Resource: gr.name, Title: title, Detail: detail,
		Value: report.Float(float64(st.ErrorEvents)), Unit: "events", Recommendation: rec, Evidence: ev}
}

func (a *run) groupTable(groups []*groupResult) report.Table {
	loc := a.in.Location
	t := report.Table{ID: TabLogGroups, Title: a.t(i18n.Text{En: "Error events per log group", Ko: "로그 그룹별 오류"}),
		Columns: []report.Column{
			{Key: "group", Title: a.t(i18n.Text{En: "Log group", Ko: "로그 그룹"})},
			{Key: "errors", Title: a.t(i18n.Text{En: "Errors", Ko: "오류"}), Align: report.AlignRight},
			{Key: "scanned", Title: a.t(i18n.Text{En: "Lines scanned", Ko: "검사한 줄"}), Align: report.AlignRight},
			{Key: "peak", Title: a.t(i18n.Text{En: "Busiest hour", Ko: "최다 시간대"})},
			{Key: "hourly", Title: a.t(i18n.Text{En: "Per hour", Ko: "시간별"})},
			{Key: "severity", Title: a.t(i18n.Text{En: "Severity", Ko: "심각도"})},
		}}
	for i, gr := range groups {
		if i == maxGroupRows {
			t.Omitted = len(groups) - maxGroupRows
			break
		}
		if gr.stats == nil {
			unknown := a.t(i18n.Text{En: "unknown", Ko: "알 수 없음"})
			t.Rows = append(t.Rows, []report.Cell{report.Text(gr.name), {Text: unknown}, {Text: "-"},
				{Text: "-"}, report.Text(textfmt.Clip(gr.reason, 120)), {Text: "-"}})
			continue
		}
		st := gr.stats
		errs := intCell(st.ErrorEvents)
		if st.Truncated {
			errs.Text = "≥ " + errs.Text
		}
		peak := report.Cell{Text: "-"}
		if gr.peakCount > 0 {
			peak = report.Cell{Text: fmtHour(gr.peakStart, loc) + " (" + textfmt.Int(gr.peakCount) + ")", Value: gr.peakStart.UTC()}
		}
		sev := report.Cell{Text: "-"}
		if st.ErrorEvents > 0 {
			sev = report.Sev(gr.severity, "")
		}
		t.Rows = append(t.Rows, []report.Cell{report.Text(gr.name), errs, intCell(st.Scanned), peak,
			{Text: sparkline(st.Histogram), Value: histValues(st.Histogram)}, sev})
	}
	return t
}

func histValues(h []source.BinCount) []int64 {
	out := make([]int64, len(h))
	for i, b := range h {
		out[i] = b.Count
	}
	return out
}

// sparkline draws counts as one line of block characters: the per-group
// hourly histogram in a table cell. Zero is the lowest block, any error at
// least the second, so a single error still shows.
func sparkline(h []source.BinCount) string {
	if len(h) == 0 {
		return "-"
	}
	counts := histValues(h)
	if len(counts) > sparkBins {
		per := (len(counts) + sparkBins - 1) / sparkBins
		var merged []int64
		for i := 0; i < len(counts); i += per {
			var s int64
			for _, c := range counts[i:min(i+per, len(counts))] {
				s += c
			}
			merged = append(merged, s)
		}
		counts = merged
	}
	var mx int64
	for _, c := range counts {
		mx = max(mx, c)
	}
	blocks := []rune("▁▂▃▄▅▆▇█")
	var b strings.Builder
	for _, c := range counts {
		switch {
		case c == 0 || mx == 0:
			b.WriteRune(blocks[0])
		default:
			b.WriteRune(blocks[1+int(float64(c)/float64(mx)*6.999)])
		}
	}
	return b.String()
}

func (a *run) patternTable(groups []*groupResult) report.Table {
	loc := a.in.Location
	t := report.Table{ID: TabLogPatterns, Title: a.t(i18n.Text{En: "Top error patterns", Ko: "주요 오류 패턴"}),
		Columns: []report.Column{
			{Key: "group", Title: a.t(i18n.Text{En: "Log group", Ko: "로그 그룹"})},
			{Key: "count", Title: a.t(i18n.Text{En: "Count", Ko: "건수"}), Align: report.AlignRight},
			{Key: "pattern", Title: a.t(i18n.Text{En: "Pattern", Ko: "패턴"}), Code: true},
			{Key: "example", Title: a.t(i18n.Text{En: "Example", Ko: "예시"}), Code: true},
			{Key: "first_seen", Title: a.t(i18n.Text{En: "First", Ko: "처음"})},
			{Key: "last_seen", Title: a.t(i18n.Text{En: "Last", Ko: "마지막"})},
		}}
	total := 0
	for _, gr := range groups {
		if gr.stats == nil {
			continue
		}
		for i, p := range gr.patterns {
			if i == patternsPerLog {
				break
			}
			total++
			if len(t.Rows) == maxPatternRows {
				continue
			}
			t.Rows = append(t.Rows, []report.Cell{report.Text(gr.name), intCell(p.Count),
				report.Text(textfmt.Clip(p.Pattern, exampleBytes)), report.Text(textfmt.Clip(p.Example, exampleBytes)),
				report.Time(p.FirstSeen, loc, i18n.DateTime), report.Time(p.LastSeen, loc, i18n.DateTime)})
		}
	}
	t.Omitted = total - len(t.Rows)
	return t
}

// perHourChart sums every group's histogram per bin.
func (a *run) perHourChart(groups []*groupResult) *report.Chart {
	sums := map[int64]float64{}
	var bin time.Duration
	for _, gr := range groups {
		if gr.stats == nil {
			continue
		}
		if gr.stats.Bin > 0 {
			bin = time.Duration(gr.stats.Bin) * time.Second
		}
		for _, b := range gr.stats.Histogram {
			sums[b.Start.Unix()] += float64(b.Count)
		}
	}
	if len(sums) == 0 {
		return nil
	}
	if bin == 0 {
		bin = time.Hour
	}
	keys := make([]int64, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w := a.in.Window
	ch := &report.Chart{ID: ChartLogsPerHour, Kind: report.ChartHistogram,
		Title:  a.t(i18n.Text{En: "Error events per hour, all log groups", Ko: "시간별 오류 이벤트 (전체 로그 그룹)"}),
		YLabel: a.t(i18n.Text{En: "errors", Ko: "오류"}), Start: w.Start, End: w.End}
	for _, k := range keys {
		s := time.Unix(k, 0).UTC()
		ch.Bins = append(ch.Bins, report.Bin{Start: s, End: s.Add(bin), Count: sums[k]})
	}
	return ch
}

func (a *run) byGroupChart(groups []*groupResult) *report.Chart {
	ch := &report.Chart{ID: ChartLogsByGroup, Kind: report.ChartBars,
		Title: a.t(i18n.Text{En: "Error events per log group", Ko: "로그 그룹별 오류 이벤트"}),
		Unit:  a.t(i18n.Text{En: "errors", Ko: "건"})}
	for _, gr := range groups {
		if gr.stats == nil || gr.stats.ErrorEvents == 0 {
			continue
		}
		if len(ch.Bars) == maxGroupBars {
			break
		}
		ch.Bars = append(ch.Bars, report.Bar{Label: gr.name, Value: float64(gr.stats.ErrorEvents), Severity: gr.severity})
	}
	if len(ch.Bars) == 0 {
		return nil
	}
	return ch
}
