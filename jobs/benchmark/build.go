package benchmark

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/stats"
	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

func (a *run) section(id string, title i18n.Text) *report.Section {
	a.r.Sections = append(a.r.Sections, report.Section{ID: id, Title: title.In(a.lang)})
	return &a.r.Sections[len(a.r.Sections)-1]
}

func (a *run) datetime(t time.Time) string { return t.In(a.in.Location).Format(i18n.DateTime) }

func (a *run) date(t time.Time) string { return t.In(a.in.Location).Format(i18n.Date) }

func (a *run) build() {
	a.summary()
	a.changes()
	a.distributions()
	a.findings()
	a.method()
}

// significantRows are the rows with a verdict, most significant first.
func (a *run) significantRows() []*row {
	var out []*row
	for _, r := range a.rows {
		if r.Verdict != verdictNone {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.Verdict != y.Verdict {
			return x.Verdict < y.Verdict // regressions, rises with the traffic, improvements, traffic
		}
		if x.Verdict == verdictRegression && a.regressionSeverity(x) != a.regressionSeverity(y) {
			return a.regressionSeverity(x).Rank() > a.regressionSeverity(y).Rank()
		}
		if ix, iy := defIndex(x.Def), defIndex(y.Def); ix != iy {
			return ix < iy // CPU, memory, network, disk
		}
		if sx, sy := score(x.Tests[x.Lead]), score(y.Tests[y.Lead]); sx != sy {
			return sx > sy
		}
		if x.Ent.Label != y.Ent.Label {
			return x.Ent.Label < y.Ent.Label
		}
		return x.Def.Name < y.Def.Name
	})
	return out
}

func (a *run) count(v verdict) int {
	n := 0
	for _, r := range a.rows {
		if r.Verdict == v {
			n++
		}
	}
	return n
}

func (a *run) summary() {
	s := a.section(SecSummary, i18n.Text{En: "Summary", Ko: "요약"})
	fact := func(key string, label i18n.Text, v report.Cell) {
		s.Facts = append(s.Facts, report.Fact{Key: key, Label: label.In(a.lang), Value: v})
	}
	fact("window", i18n.Text{En: "This window", Ko: "이번 구간"}, report.Text(a.datetime(a.in.Window.Start)+" ~ "+a.datetime(a.in.Window.End)))
	fact("previous_window", i18n.Text{En: "Compared with", Ko: "비교 구간"}, report.Text(a.datetime(a.prevWin.Start)+" ~ "+a.datetime(a.prevWin.End)))
	fact("entities", i18n.Text{En: "Instances / groups compared", Ko: "비교한 인스턴스 / 그룹"},
		report.Text(a.t(i18n.Text{En: "%d instances in %d groups or single instances", Ko: "인스턴스 %d대, 그룹·단일 인스턴스 %d개"}, len(a.inst), len(a.ents))))
	if !a.known {
		fact("regressions", i18n.Text{En: "Regressions", Ko: "악화"}, report.Text(a.t(i18n.Text{En: "unknown (metrics not collected, see data gaps)", Ko: "알 수 없음 (지표 수집 실패, 데이터 누락 참조)"})))
		return
	}
	fact("regressions", i18n.Text{En: "Regressions", Ko: "악화"}, report.Count(int64(a.count(verdictRegression))))
	fact("improvements", i18n.Text{En: "Improvements", Ko: "개선"}, report.Count(int64(a.count(verdictImprovement))))
	fact("load_changes", i18n.Text{En: "Rises that follow the traffic", Ko: "트래픽에 따른 증가"}, report.Count(int64(a.count(verdictLoad))))
	fact("traffic_changes", i18n.Text{En: "Traffic changes", Ko: "트래픽 변화"}, report.Count(int64(a.count(verdictTraffic))))
	fact("test", i18n.Text{En: "Test", Ko: "검정"}, report.Text(a.t(i18n.Text{
		En: "|change| ≥ %g × day-to-day variability (over %d days) and ≥ %g%%",
		Ko: "|변화| ≥ 일별 변동폭(%[2]d일)의 %[1]g배, 그리고 ≥ %[3]g%%",
	}, a.opts.NoiseK, a.opts.NoiseDays, a.opts.MinChangePct)))
}

func (a *run) verdictText(r *row) string {
	switch r.Status {
	case statusNotCollected:
		return a.t(i18n.Text{En: "not collected", Ko: "수집 안 됨"})
	case statusCurrentOnly:
		return a.t(i18n.Text{En: "this window only", Ko: "이번 구간에만 있음"})
	case statusPreviousOnly:
		return a.t(i18n.Text{En: "earlier window only", Ko: "이전 구간에만 있음"})
	case statusTooFew:
		return a.t(i18n.Text{En: "too few points", Ko: "데이터 부족"})
	}
	switch r.Verdict {
	case verdictRegression:
		return a.t(i18n.Text{En: "regression", Ko: "악화"})
	case verdictImprovement:
		return a.t(i18n.Text{En: "improvement", Ko: "개선"})
	case verdictTraffic:
		return a.t(i18n.Text{En: "traffic change", Ko: "트래픽 변화"})
	case verdictLoad:
		return a.t(i18n.Text{En: "follows traffic", Ko: "트래픽에 따른 증가"})
	}
	return a.t(i18n.Text{En: "within normal variation", Ko: "평소 변동 범위"})
}

func (a *run) changes() {
	s := a.section(SecChanges, i18n.Text{En: "Changes beyond normal variation", Ko: "평소 변동을 넘는 변화"})
	if !a.known {
		s.Notes = append(s.Notes, a.t(i18n.Text{En: "Metrics of one of the windows could not be read (see data gaps): nothing can be compared; this is unknown, not unchanged.", Ko: "한쪽 구간의 지표를 읽지 못해(데이터 누락 참조) 비교할 수 없습니다. 변화 없음이 아니라 알 수 없음입니다."}))
		return
	}
	t := report.Table{ID: TabChanges, Title: a.t(i18n.Text{En: "Significant week-over-week changes", Ko: "유의한 주간 대비 변화"}), Columns: []report.Column{
		{Key: "entity", Title: a.t(i18n.Text{En: "Instance / group", Ko: "인스턴스 / 그룹"})},
		{Key: "metric", Title: a.t(i18n.Text{En: "Metric", Ko: "지표"})},
		{Key: "stat", Title: a.t(i18n.Text{En: "Statistic", Ko: "통계"})},
		{Key: "previous", Title: a.t(i18n.Text{En: "Earlier", Ko: "이전"}), Align: report.AlignRight},
		{Key: "current", Title: a.t(i18n.Text{En: "Now", Ko: "현재"}), Align: report.AlignRight},
		{Key: "change_pct", Title: a.t(i18n.Text{En: "Change", Ko: "변화율"}), Unit: "%", Align: report.AlignRight},
		{Key: "noise", Title: a.t(i18n.Text{En: "Day-to-day ±", Ko: "일별 변동 ±"}), Align: report.AlignRight},
		{Key: "noise_ratio", Title: a.t(i18n.Text{En: "× variability", Ko: "변동폭 배수"}), Align: report.AlignRight},
		{Key: "verdict", Title: a.t(i18n.Text{En: "Verdict", Ko: "판정"})},
	}}
	for _, r := range a.significantRows() {
		for _, j := range []int{p50, p95, pMax} {
			tt := r.Tests[j]
			if !tt.Sig {
				continue
			}
			t.Rows = append(t.Rows, []report.Cell{
				report.Text(a.entityLabel(r.Ent)), report.Text(a.metricLabel(r.Def)), report.Text(statNames[j]),
				a.valueCell(tt.Prev, r.Def), a.valueCell(tt.Cur, r.Def), pctCell(tt.Pct), a.noiseCell(tt.Noise, r.Def), ratioCell(tt),
				report.Text(a.verdictText(r)),
			})
		}
	}
	s.Tables = append(s.Tables, t)
	for i, r := range a.significantRows() {
		if i == maxCharts {
			break
		}
		s.Charts = append(s.Charts, a.overlay(i+1, r))
	}
}

func (a *run) valueCell(v float64, d metricDef) report.Cell {
	if math.IsNaN(v) {
		return report.Num(v, 0)
	}
	return report.Cell{Text: fmtValue(v, d.Unit), Value: v}
}

func (a *run) noiseCell(v float64, d metricDef) report.Cell {
	if math.IsNaN(v) {
		return report.Cell{Text: a.t(i18n.Text{En: "unknown", Ko: "알 수 없음"})}
	}
	return report.Cell{Text: fmtValue(v, d.Unit), Value: v}
}

func pctCell(p float64) report.Cell {
	if math.IsInf(p, 0) || math.IsNaN(p) {
		return report.Cell{Text: "new"}
	}
	return report.Cell{Text: signed(p, 0), Value: p}
}

func ratioCell(t test) report.Cell {
	if math.IsNaN(t.Noise) {
		return report.Num(math.NaN(), 1)
	}
	return report.Num(t.Ratio, 1)
}

func signed(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if v > 0 {
		s = "+" + s
	}
	return s
}

func (a *run) distributions() {
	s := a.section(SecDist, i18n.Text{En: "Distributions, earlier → now", Ko: "분포, 이전 → 현재"})
	if !a.known {
		return
	}
	t := report.Table{ID: TabDist, Title: a.t(i18n.Text{En: "p50, p95 and max of every metric", Ko: "모든 지표의 p50, p95, 최댓값"}), Columns: []report.Column{
		{Key: "entity", Title: a.t(i18n.Text{En: "Instance / group", Ko: "인스턴스 / 그룹"})},
		{Key: "metric", Title: a.t(i18n.Text{En: "Metric", Ko: "지표"})},
		{Key: "p50_previous", Title: "p50 " + a.t(i18n.Text{En: "earlier", Ko: "이전"}), Align: report.AlignRight},
		{Key: "p50_current", Title: "p50 " + a.t(i18n.Text{En: "now", Ko: "현재"}), Align: report.AlignRight},
		{Key: "p95_previous", Title: "p95 " + a.t(i18n.Text{En: "earlier", Ko: "이전"}), Align: report.AlignRight},
		{Key: "p95_current", Title: "p95 " + a.t(i18n.Text{En: "now", Ko: "현재"}), Align: report.AlignRight},
		{Key: "max_previous", Title: "max " + a.t(i18n.Text{En: "earlier", Ko: "이전"}), Align: report.AlignRight},
		{Key: "max_current", Title: "max " + a.t(i18n.Text{En: "now", Ko: "현재"}), Align: report.AlignRight},
		{Key: "verdict", Title: a.t(i18n.Text{En: "Verdict", Ko: "판정"})},
	}}
	for _, r := range a.rows {
		row := []report.Cell{report.Text(a.entityLabel(r.Ent)), report.Text(a.metricLabel(r.Def))}
		for j := 0; j < nStats; j++ {
			if r.Status == statusCompared {
				row = append(row, a.valueCell(r.Tests[j].Prev, r.Def), a.valueCell(r.Tests[j].Cur, r.Def))
			} else {
				row = append(row, report.Num(math.NaN(), 0), report.Num(math.NaN(), 0))
			}
		}
		row = append(row, report.Text(a.verdictText(r)))
		t.Rows = append(t.Rows, row)
	}
	s.Tables = append(s.Tables, t)
	s.Notes = append(s.Notes, a.t(i18n.Text{
		En: "\"not collected\" means the metric is not published for these instances in either window (for memory: no CloudWatch agent); it is never read as zero or as a change.",
		Ko: "\"수집 안 됨\"은 두 구간 모두 해당 지표가 게시되지 않았다는 뜻입니다(메모리는 CloudWatch 에이전트 미설치). 0이나 변화로 해석하지 않습니다.",
	}))
}

// overlay draws the window and the earlier window shifted onto it: the
// per-timestamp median over the members.
func (a *run) overlay(n int, r *row) report.Chart {
	ch := report.Chart{ID: ChartPrefix + strconv.Itoa(n), Kind: report.ChartTimeSeries, Start: a.in.Window.Start, End: a.in.Window.End,
		Title: a.t(i18n.Text{En: "%s: %s, now and %s earlier", Ko: "%s: %s, 현재와 %s 전"}, a.entityLabel(r.Ent), a.metricLabel(r.Def), i18n.Duration(a.opts.Offset.Duration, a.lang)),
		Unit:  r.Def.Unit, YLabel: r.Def.Name}
	if r.Def.Percent {
		ch.YMax = 100
	}
	ch.Series = append(ch.Series,
		report.ChartSeries{Name: a.t(i18n.Text{En: "now", Ko: "현재"}), Style: report.LineSolid, Points: medianLine(r.cur, a.in.Window, 0)},
		report.ChartSeries{Name: a.t(i18n.Text{En: "%s earlier", Ko: "%s 전"}, i18n.Duration(a.opts.Offset.Duration, a.lang)), Style: report.LineDashed,
			Points: medianLine(r.prev, a.prevWin, a.opts.Offset.Duration)})
	return ch
}

// medianLine is the per-timestamp median of the series within w, shifted
// by shift.
func medianLine(ss []*source.Series, w source.Window, shift time.Duration) []report.ChartPoint {
	by := map[int64][]float64{}
	from, to := w.Start.Unix(), w.End.Unix()
	for _, s := range ss {
		for i, t := range s.Times {
			if t >= from && t < to && !math.IsNaN(s.Values[i]) {
				by[t] = append(by[t], s.Values[i])
			}
		}
	}
	ts := make([]int64, 0, len(by))
	for t := range by {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	out := make([]report.ChartPoint, 0, len(ts))
	for _, t := range ts {
		out = append(out, report.ChartPoint{T: time.Unix(t, 0).UTC().Add(shift), V: stats.Median(by[t])})
	}
	return out
}

func (a *run) regressionSeverity(r *row) report.Severity {
	p := math.Abs(r.Tests[r.Lead].Pct)
	switch {
	case p >= 50:
		return report.SeverityHigh
	case p >= 20:
		return report.SeverityMedium
	}
	return report.SeverityLow
}

func (a *run) findings() {
	for _, r := range a.significantRows() {
		lt := r.Tests[r.Lead]
		id, sev := FindRegression, a.regressionSeverity(r)
		title := i18n.Text{En: "%s of %s up %s%% week over week (%s %s → %s)", Ko: "%[2]s의 %[1]s, 지난주 대비 %[3]s%% 증가 (%[4]s %[5]s → %[6]s)"}
		switch r.Verdict {
		case verdictImprovement:
			id, sev = FindImprove, report.SeverityInfo
			title = i18n.Text{En: "%s of %s down %s%% week over week (%s %s → %s)", Ko: "%[2]s의 %[1]s, 지난주 대비 %[3]s%% 감소 (%[4]s %[5]s → %[6]s)"}
		case verdictTraffic:
			id, sev = FindTraffic, report.SeverityInfo
			title = i18n.Text{En: "%s of %s changed %s%% week over week (%s %s → %s)", Ko: "%[2]s의 %[1]s, 지난주 대비 %[3]s%% 변화 (%[4]s %[5]s → %[6]s)"}
		case verdictLoad:
			// The traffic explains the rise: load that grew, one level
			// below a regression's lowest severity rule would give it.
			id, sev = FindTraffic, report.SeverityLow
			title = i18n.Text{En: "%s of %s up %s%% week over week with its traffic (%s %s → %s)", Ko: "%[2]s의 %[1]s, 트래픽과 함께 지난주 대비 %[3]s%% 증가 (%[4]s %[5]s → %[6]s)"}
		}
		if a.opts.Offset.Duration != 7*24*time.Hour {
			title.En = strings.Replace(title.En, "week over week", "vs "+i18n.Duration(a.opts.Offset.Duration, "en")+" earlier", 1)
			title.Ko = strings.Replace(title.Ko, "지난주 대비", i18n.Duration(a.opts.Offset.Duration, "ko")+" 전 대비", 1)
		}
		pctText := "∞"
		if !math.IsInf(lt.Pct, 0) {
			pctText = strconv.FormatFloat(math.Abs(lt.Pct), 'f', 0, 64)
			if r.Verdict == verdictTraffic {
				pctText = signed(lt.Pct, 0)
			}
		}
		var value *float64
		if !math.IsInf(lt.Pct, 0) {
			value = report.Float(math.Round(lt.Pct*10) / 10)
		}
		a.r.Findings = append(a.r.Findings, report.Finding{
			ID: id, Severity: sev, Resource: r.Ent.Key,
			Title:          a.t(title, r.Def.Name, a.entityLabel(r.Ent), pctText, statNames[r.Lead], fmtValue(lt.Prev, r.Def.Unit), fmtValue(lt.Cur, r.Def.Unit)),
			Detail:         a.explain(r),
			Value:          value,
			Unit:           "%",
			Recommendation: a.advice(r),
			Evidence:       a.evidence(r),
		})
	}
	for _, r := range a.rows {
		if r.Status != statusCurrentOnly && r.Status != statusPreviousOnly {
			continue
		}
		detail := i18n.Text{En: "%s is collected now but was not %s earlier (agent installed, or new instances): it cannot be compared yet.", Ko: "%s 지표는 지금은 수집되지만 %s 전에는 수집되지 않았습니다(에이전트 설치 또는 새 인스턴스). 아직 비교할 수 없습니다."}
		if r.Status == statusPreviousOnly {
			detail = i18n.Text{En: "%s was collected %s earlier but is not now (agent stopped or removed, or instances replaced): it cannot be compared, and its alarms are blind.", Ko: "%s 지표는 %s 전에는 수집되었지만 지금은 수집되지 않습니다(에이전트 중지·제거 또는 인스턴스 교체). 비교할 수 없고, 이 지표의 알람도 동작하지 않습니다."}
		}
		a.r.Findings = append(a.r.Findings, report.Finding{
			ID: FindCoverage, Severity: report.SeverityLow, Resource: r.Ent.Key,
			Title:          a.t(i18n.Text{En: "%s of %s: %s", Ko: "%[2]s의 %[1]s: %[3]s"}, r.Def.Name, a.entityLabel(r.Ent), a.verdictText(r)),
			Detail:         a.t(detail, r.Def.Name, i18n.Duration(a.opts.Offset.Duration, a.lang)),
			Recommendation: a.t(i18n.Text{En: "Keep the CloudWatch agent on every member so the comparison works next week.", Ko: "다음 주에도 비교할 수 있도록 모든 인스턴스에 CloudWatch 에이전트를 유지하십시오."}),
			Evidence:       map[string]any{"entity": r.Ent.Key, "metric": r.Def.Name, "current_series": r.CurSeries, "previous_series": r.PrevSeries},
		})
	}
}

func (a *run) evidence(r *row) map[string]any {
	lt := r.Tests[r.Lead]
	st := map[string]any{}
	for j := 0; j < nStats; j++ {
		t := r.Tests[j]
		m := map[string]any{"previous": t.Prev, "current": t.Cur, "significant": t.Sig}
		if !math.IsInf(t.Pct, 0) {
			m["change_pct"] = textfmt.Round(t.Pct, 1)
		}
		if !math.IsNaN(t.Noise) {
			m["noise"] = t.Noise
			m["noise_ratio"] = textfmt.Round(t.Ratio, 2)
		}
		st[statNames[j]] = m
	}
	ev := map[string]any{"entity": r.Ent.Key, "members": r.Ent.Members, "metric": r.Def.Name, "stat": statNames[r.Lead],
		"previous": lt.Prev, "current": lt.Cur, "stats": st, "noise_days": lt.Slices}
	if !math.IsInf(lt.Pct, 0) {
		ev["change_pct"] = textfmt.Round(lt.Pct, 1)
	}
	if !math.IsNaN(lt.Noise) {
		ev["noise"] = lt.Noise
		ev["noise_ratio"] = textfmt.Round(lt.Ratio, 2)
	}
	if !r.Onset.IsZero() {
		ev["onset"] = r.Onset
	}
	if m := r.Traffic; m != nil {
		ev["traffic"] = map[string]any{"metric": m.Metric, "stat": statNames[m.Stat], "change_pct": textfmt.Round(m.Pct, 1), "per_traffic_pct": textfmt.Round(m.PerTraffic, 1)}
	}
	if len(r.Members) > 0 {
		mc := map[string]any{}
		for _, m := range r.Members {
			mc[m.ID] = textfmt.Round(m.Pct, 1)
		}
		ev["members_change"] = mc
	}
	return ev
}

// explain is the short explanation of one significant change: its size
// against the noise, which part of the distribution moved, what the
// traffic did, when it began and which members carry it.
func (a *run) explain(r *row) string {
	lt := r.Tests[r.Lead]
	var parts []string
	// The Korean particles follow the values' sounds (p50이, p95가;
	// 5,003으로, 5,009로): the last two arguments, which English ignores.
	stat, cur := statNames[r.Lead], fmtValue(lt.Cur, r.Def.Unit)
	if math.IsNaN(lt.Noise) {
		parts = append(parts, a.t(i18n.Text{
			En: "%[1]s moved from %[2]s to %[3]s (%[4]s%%); fewer than %[5]d earlier days had data, so it was held to twice the minimum change instead of the day-to-day variability.",
			Ko: "%[1]s%[6]s %[2]s에서 %[3]s%[7]s 변했습니다(%[4]s%%). 이전 일별 데이터가 %[5]d일 미만이라 일별 변동폭 대신 최소 변화율의 두 배를 기준으로 판정했습니다.",
		}, stat, fmtValue(lt.Prev, r.Def.Unit), cur, pctText(lt.Pct), minSlices, i18n.KoIGa.After(stat), i18n.KoRo.After(cur)))
	} else {
		parts = append(parts, a.t(i18n.Text{
			En: "%[1]s moved from %[2]s to %[3]s (%[4]s%%), %.1[5]f× its usual day-to-day variation (±%[6]s over %[7]d days).",
			Ko: "%[1]s%[8]s %[2]s에서 %[3]s%[9]s 변했습니다(%[4]s%%). 평소 일별 변동폭(±%[6]s, %[7]d일)의 %.1[5]f배입니다.",
		}, stat, fmtValue(lt.Prev, r.Def.Unit), cur, pctText(lt.Pct), lt.Ratio, fmtValue(lt.Noise, r.Def.Unit), lt.Slices, i18n.KoIGa.After(stat), i18n.KoRo.After(cur)))
	}
	p50s, p95s := r.Tests[p50], r.Tests[p95]
	switch {
	case p50s.Sig && p95s.Sig && (p50s.Delta > 0) == (p95s.Delta > 0):
		parts = append(parts, a.t(i18n.Text{En: "The whole distribution moved (p50 %s%%, p95 %s%%): a sustained change in load or efficiency, not a few spikes.", Ko: "분포 전체가 이동했습니다(p50 %s%%, p95 %s%%). 일부 급등이 아니라 부하나 효율의 지속적인 변화입니다."}, pctText(p50s.Pct), pctText(p95s.Pct)))
	case p95s.Sig && !p50s.Sig:
		parts = append(parts, a.t(i18n.Text{En: "Only the peaks moved (p95 %s%%, p50 within its variation): bursts or scheduled jobs changed, the typical level did not.", Ko: "최고치만 움직였습니다(p95 %s%%, p50은 평소 변동 범위). 평상시 수준이 아니라 버스트나 예약 작업이 바뀌었습니다."}, pctText(p95s.Pct)))
	case p50s.Sig && !p95s.Sig:
		parts = append(parts, a.t(i18n.Text{En: "The typical level moved (p50 %s%%) while the peaks stayed within their variation.", Ko: "평상시 수준이 움직였고(p50 %s%%) 최고치는 평소 변동 범위 안에 있습니다."}, pctText(p50s.Pct)))
	}
	if r.Def.Class == classUsage {
		if s := a.trafficContext(r); s != "" {
			parts = append(parts, s)
		}
	}
	switch {
	case r.OnsetBefore:
		parts = append(parts, a.t(i18n.Text{En: "It was there on every day since %s, the first day compared: it began at least that long ago.", Ko: "비교한 첫날인 %s부터 매일 나타났습니다. 적어도 그때 이미 시작된 변화입니다."}, a.date(r.Onset)))
	case !r.Onset.IsZero():
		parts = append(parts, a.t(i18n.Text{En: "It began around %s and held every day since.", Ko: "%s 무렵 시작해 이후 매일 이어졌습니다."}, a.date(r.Onset)))
	case a.in.Window.Duration() <= 24*time.Hour:
		parts = append(parts, a.t(i18n.Text{En: "The days before this window were still normal: it began within the window.", Ko: "이 구간 직전 날들은 정상이었습니다. 변화는 이 구간 안에서 시작했습니다."}))
	}
	if len(r.Members) > 1 {
		var ms []string
		for i, m := range r.Members {
			if i == 3 {
				break
			}
			ms = append(ms, m.Label+" "+pctText(m.Pct)+"%")
		}
		all := true
		for _, m := range r.Members {
			all = all && (m.Pct > 0) == (lt.Delta > 0) && math.Abs(m.Pct) >= a.opts.MinChangePct/2
		}
		if all {
			parts = append(parts, a.t(i18n.Text{En: "Every member moved (%s).", Ko: "모든 인스턴스가 함께 움직였습니다(%s)."}, strings.Join(ms, ", ")))
		} else {
			parts = append(parts, a.t(i18n.Text{En: "Carried by some members (%s); look at those first.", Ko: "일부 인스턴스가 주도했습니다(%s). 이들부터 확인하십시오."}, strings.Join(ms, ", ")))
		}
	}
	return strings.Join(parts, " ")
}

func pctText(p float64) string {
	if math.IsInf(p, 0) || math.IsNaN(p) {
		return "∞"
	}
	return signed(p, 0)
}

// trafficContext reads a usage change against the traffic (explainByTraffic):
// a rise the traffic explains (load), a rise larger than the traffic's (the
// same traffic costs more), a change with steady traffic, or a drop with the
// traffic.
func (a *run) trafficContext(r *row) string {
	if m := r.Traffic; m != nil {
		st := statNames[m.Stat]
		switch {
		case r.Verdict == verdictLoad:
			return a.t(i18n.Text{
				En: "%[1]s rose as much (%[2]s %[3]s%%): the traffic grew and %[4]s followed it; per unit of traffic it changed %[5]s%%, less than the %[6]g%% a change must reach, so this is load, not a regression.",
				Ko: "%[1]s도 비슷하게 늘었습니다(%[2]s %[3]s%%). 트래픽이 늘었고 %[4]s 값도 이를 따랐습니다. 트래픽 단위당 변화는 %[5]s%%로 변화로 인정하는 최소치 %[6]g%%에 못 미치므로, 악화가 아니라 부하 증가입니다.",
			}, m.Metric, st, pctText(m.Pct), r.Def.Name, pctText(m.PerTraffic), a.opts.MinChangePct)
		case r.Verdict == verdictRegression:
			return a.t(i18n.Text{
				En: "%[1]s rose too (%[2]s %[3]s%%), but %[4]s rose more: %[5]s%% per unit of traffic, so the same traffic now costs more — compare the releases and configuration changes since the earlier window.",
				Ko: "%[1]s도 늘었지만(%[2]s %[3]s%%) %[4]s 값이 더 많이 늘었습니다. 트래픽 단위당 %[5]s%% 증가로 같은 트래픽에 드는 비용이 커졌으니, 이전 구간 이후의 릴리스와 설정 변경을 비교하십시오.",
			}, m.Metric, st, pctText(m.Pct), r.Def.Name, pctText(m.PerTraffic))
		default:
			return a.t(i18n.Text{En: "%s moved the same way (%s %s%%): the traffic changed, and %s followed it.", Ko: "%s도 같은 방향으로 움직였습니다(%s %s%%). 트래픽이 변했고 %s 값도 이를 따랐습니다."},
				m.Metric, st, pctText(m.Pct), r.Def.Name)
		}
	}
	for _, o := range a.rows {
		if o.Ent != r.Ent || o.Def.Name != "NetworkIn" || o.Status != statusCompared {
			continue
		}
		nt := o.Tests[p50]
		up := r.Tests[r.Lead].Delta > 0
		switch {
		case o.Verdict == verdictNone && up:
			return a.t(i18n.Text{En: "NetworkIn stayed within its variation (p50 %s%%): the same traffic now costs more %s — compare the releases and configuration changes since the earlier window.", Ko: "NetworkIn은 평소 변동 범위였습니다(p50 %s%%). 같은 트래픽에서 %s 값이 더 높으니, 이전 구간 이후의 릴리스와 설정 변경을 비교하십시오."}, pctText(nt.Pct), r.Def.Name)
		case o.Verdict == verdictNone:
			return a.t(i18n.Text{En: "NetworkIn stayed within its variation (p50 %s%%): the same traffic now costs less %s.", Ko: "NetworkIn은 평소 변동 범위였습니다(p50 %s%%). 같은 트래픽에서 %s 값이 더 낮습니다."}, pctText(nt.Pct), r.Def.Name)
		}
	}
	return ""
}

// advice is the recommendation of one significant change.
func (a *run) advice(r *row) string {
	switch r.Verdict {
	case verdictImprovement:
		return a.t(i18n.Text{En: "Confirm the work is still done (a stopped job also uses less); if the gain is real, check the capacity report for oversized instances.", Ko: "작업이 여전히 수행되는지 확인하십시오(멈춘 작업도 자원을 덜 씁니다). 실제 개선이라면 용량 보고서에서 과대 할당 인스턴스를 확인하십시오."})
	case verdictTraffic:
		return a.t(i18n.Text{En: "Check that the traffic change is expected (a campaign, a migration, a client retrying).", Ko: "트래픽 변화가 예상된 것인지(캠페인, 마이그레이션, 재시도하는 클라이언트) 확인하십시오."})
	case verdictLoad:
		return a.t(i18n.Text{En: "The load grew with the traffic: confirm the traffic growth is expected (a campaign, new clients, a client retrying) and plan capacity for it (the p95 now is %s).", Ko: "트래픽과 함께 부하가 늘었습니다. 트래픽 증가가 예상된 것인지(캠페인, 새 클라이언트, 재시도하는 클라이언트) 확인하고 그에 맞춰 용량을 계획하십시오(현재 p95 %s)."}, fmtValue(r.Tests[p95].Cur, r.Def.Unit))
	}
	switch {
	case r.Def.Name == "CPUUtilization":
		// A regression is a rise the traffic does not explain (explainByTraffic).
		return a.t(i18n.Text{En: "Compare what shipped since the earlier window (releases, configuration, dependencies) and profile the hot path: the traffic does not explain the rise (the p95 now is %s).", Ko: "이전 구간 이후 배포된 것(릴리스, 설정, 의존성)을 비교하고 핫 패스를 프로파일링하십시오. 트래픽으로는 설명되지 않는 증가입니다(현재 p95 %s)."}, fmtValue(r.Tests[p95].Cur, r.Def.Unit))
	case r.Def.Name == "mem_used_percent":
		return a.t(i18n.Text{En: "Memory that grows week over week with steady traffic is a leak or an unbounded cache: compare heap profiles of both weeks and set a limit.", Ko: "트래픽이 그대로인데 주마다 늘어나는 메모리는 누수나 무제한 캐시입니다. 두 주의 힙 프로파일을 비교하고 한도를 두십시오."})
	}
	return a.t(i18n.Text{En: "More disk operations for the same work: look for a new batch job, chattier logging, or swapping; check the volume's IOPS headroom.", Ko: "같은 작업에 디스크 연산이 늘었습니다. 새 배치 작업, 늘어난 로깅, 스와핑을 확인하고 볼륨의 IOPS 여유를 점검하십시오."})
}

func (a *run) method() {
	s := a.section(SecMethod, i18n.Text{En: "Method", Ko: "분석 방법"})
	s.Notes = append(s.Notes,
		a.t(i18n.Text{
			En: "Each instance or group (Auto Scaling group, EKS node group, or instances sharing a name such as web-prod-01..12) is compared with the same window %s earlier, on the pooled %s samples of its members: p50, p95 and max.",
			Ko: "각 인스턴스 또는 그룹(Auto Scaling 그룹, EKS 노드 그룹, web-prod-01..12처럼 이름을 공유하는 인스턴스)을 %s 전 같은 구간과 비교합니다. 구성 인스턴스의 %s 단위 표본을 합쳐 p50, p95, 최댓값을 구합니다.",
		}, i18n.Duration(a.opts.Offset.Duration, a.lang), i18n.Duration(a.opts.Resolution.Duration, a.lang)),
		a.t(i18n.Text{
			En: "A change counts when it is at least %g times the statistic's normal day-to-day variability — 1.4826 × the median absolute deviation of the same statistic over the %d daily slices before the earlier window — and at least %g%% of the earlier value. Samples minutes apart are strongly autocorrelated, so a test on the raw samples (Mann-Whitney) would call almost everything significant; whole days are the honest unit.",
			Ko: "변화는 해당 통계의 평소 일별 변동폭(이전 구간 직전 %[2]d일 동안 같은 통계의 중앙값 절대 편차 × 1.4826)의 %[1]g배 이상이고, 이전 값의 %[3]g%% 이상일 때만 인정합니다. 몇 분 간격의 표본은 자기상관이 강해 원 표본에 대한 검정(Mann-Whitney)은 거의 모든 것을 유의하다고 판정하므로, 하루 단위를 비교 단위로 씁니다.",
		}, a.opts.NoiseK, a.opts.NoiseDays, a.opts.MinChangePct),
		a.t(i18n.Text{
			En: "CPU, memory and disk I/O going up is a regression, going down an improvement; network traffic is reported as a change, and explains the others: a rise that NetworkIn or NetworkOut explains (the rise per unit of traffic, same statistic, below %g%%) is load that followed the traffic, not a regression. The max never makes a verdict by itself.",
			Ko: "CPU, 메모리, 디스크 I/O가 오르면 악화, 내리면 개선입니다. 네트워크 트래픽은 변화로만 보고하며 다른 변화를 설명하는 데 씁니다. NetworkIn이나 NetworkOut으로 설명되는 증가(같은 통계의 트래픽 단위당 증가가 %g%% 미만)는 악화가 아니라 트래픽에 따른 부하 증가로 봅니다. 최댓값만으로는 판정하지 않습니다.",
		}, a.opts.MinChangePct),
	)
}

func (a *run) headline() string {
	if !a.known {
		return a.t(i18n.Text{En: "Week-over-week comparison incomplete: metrics missing (see data gaps)", Ko: "주간 비교 불완전: 지표 누락 (데이터 누락 참조)"})
	}
	sig := a.significantRows()
	if len(a.inst) == 0 {
		// A --instance glob with a typo must not read as "all quiet".
		return a.t(i18n.Text{En: "No instance to compare: none exists, or none matches the scope", Ko: "비교할 인스턴스 없음: 인스턴스가 없거나 범위(scope)와 일치하는 인스턴스가 없음"})
	}
	if len(sig) == 0 {
		return a.t(i18n.Text{En: "No change beyond normal day-to-day variation vs %s earlier", Ko: "%s 전 대비 평소 변동을 넘는 변화 없음"}, i18n.Duration(a.opts.Offset.Duration, a.lang))
	}
	var parts []string
	for i, r := range sig {
		if i == 2 {
			break
		}
		parts = append(parts, a.t(i18n.Text{En: "%s %s %s%%", Ko: "%s %s %s%%"}, r.Ent.Label, r.Def.Name, pctText(r.Tests[r.Lead].Pct)))
	}
	reg, imp := a.count(verdictRegression), a.count(verdictImprovement)
	return a.t(i18n.Text{En: "%[5]s, %[6]s vs %[3]s earlier: %[4]s", Ko: "%[3]s 전 대비 악화 %[1]d건, 개선 %[2]d건: %[4]s"},
		reg, imp, i18n.Duration(a.opts.Offset.Duration, a.lang), strings.Join(parts, ", "), textfmt.Count(reg, "regression", "regressions"), textfmt.Count(imp, "improvement", "improvements"))
}

func defIndex(d metricDef) int {
	for i, x := range metricDefs {
		if x.Name == d.Name {
			return i
		}
	}
	return len(metricDefs)
}
