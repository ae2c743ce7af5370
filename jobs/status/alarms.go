package status

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// staleAlarm is how long an alarm may stay in ALARM before the report calls
// it stale rather than an incident.
const staleAlarm = 7 * 24 * time.Hour

// maxChangeRows bounds the state-change table; the JSON keeps the count.
const maxChangeRows = 40

// maxTimelineLanes bounds the alarm timeline chart.
const maxTimelineLanes = 12

type alarmSummary struct {
	total, firing, fresh, changes, flapping, stuck, insufficient int
	firstFiring                                                  string
	historyKnown                                                 bool
	// firingOn maps instance ids to the names of their alarms in ALARM.
	firingOn map[string][]string
}

var comparisonSymbol = map[string]string{
	"GreaterThanThreshold":                     ">",
	"GreaterThanOrEqualToThreshold":            "≥",
	"LessThanThreshold":                        "<",
	"LessThanOrEqualToThreshold":               "≤",
	"GreaterThanUpperThreshold":                ">",
	"LessThanLowerThreshold":                   "<",
	"LessThanLowerOrGreaterThanUpperThreshold": "<>",
}

func alarmInstance(al *source.Alarm) string {
	for _, d := range al.Dimensions {
		if d.Name == "InstanceId" {
			return d.Value
		}
	}
	return ""
}

// rule describes a metric alarm's condition: "CPUUtilization > 80".
func rule(al *source.Alarm) string {
	if al.Composite {
		return al.Rule
	}
	if al.Metric == "" {
		return ""
	}
	sym := comparisonSymbol[al.Comparison]
	if sym == "" {
		sym = al.Comparison
	}
	return fmt.Sprintf("%s %s %s", al.Metric, sym, strconv.FormatFloat(al.Threshold, 'f', -1, 64))
}

func (a *run) alarms() {
	d := a.in.Data
	sec := a.section(SecAlarms, i18n.Text{En: "Alarms", Ko: "알람"})
	a.alarmSum.firingOn = map[string][]string{}
	if g, missing := exactGap(d, "alarms"); missing {
		sec.Notes = append(sec.Notes, a.t(i18n.Text{
			En: "Alarm states are unknown: the alarms could not be read (%s).",
			Ko: "알람 상태를 알 수 없습니다: 알람을 읽지 못했습니다 (%s).",
		}, g.Error))
		return
	}
	a.alarmsKnown = true
	at, w := a.in.At, a.in.Window
	loc := a.in.Location
	_, histMissing := exactGap(d, "alarm_history")
	a.alarmSum.historyKnown = !histMissing

	alarms := a.scopedAlarms()
	a.alarmSum.total = len(alarms)

	// History in the window, by alarm, in time order.
	byAlarm := map[string][]source.AlarmTransition{}
	var changes []source.AlarmTransition
	for _, tr := range d.AlarmHistory {
		if histMissing || !w.Contains(tr.Time) {
			continue
		}
		changes = append(changes, tr)
	}
	sort.SliceStable(changes, func(i, j int) bool {
		if !changes[i].Time.Equal(changes[j].Time) {
			return changes[i].Time.Before(changes[j].Time)
		}
		return changes[i].Alarm < changes[j].Alarm
	})
	for _, tr := range changes {
		byAlarm[tr.Alarm] = append(byAlarm[tr.Alarm], tr)
	}
	a.alarmSum.changes = len(changes)

	firing := report.Table{ID: TabAlarmsFiring, Title: a.t(i18n.Text{En: "Alarms in ALARM now", Ko: "현재 ALARM 상태인 알람"}),
		Columns: []report.Column{
			{Key: "severity", Title: a.t(i18n.Text{En: "Severity", Ko: "심각도"})},
			{Key: "alarm", Title: a.t(i18n.Text{En: "Alarm", Ko: "알람"})},
			{Key: "resource", Title: a.t(i18n.Text{En: "Resource", Ko: "대상"})},
			{Key: "rule", Title: a.t(i18n.Text{En: "Condition", Ko: "조건"}), Code: true},
			{Key: "since", Title: a.t(i18n.Text{En: "Since", Ko: "발생 시각"})},
			{Key: "for_minutes", Title: a.t(i18n.Text{En: "For", Ko: "지속"}), Align: report.AlignRight},
			{Key: "reason", Title: a.t(i18n.Text{En: "Reason", Ko: "사유"})},
		}}
	insufficient := report.Table{ID: TabAlarmsInsufficent, Title: a.t(i18n.Text{En: "Alarms in INSUFFICIENT_DATA", Ko: "데이터 부족(INSUFFICIENT_DATA) 알람"}),
		Columns: []report.Column{
			{Key: "alarm", Title: a.t(i18n.Text{En: "Alarm", Ko: "알람"})},
			{Key: "rule", Title: a.t(i18n.Text{En: "Condition", Ko: "조건"}), Code: true},
			{Key: "since", Title: a.t(i18n.Text{En: "Since", Ko: "시작 시각"})},
			{Key: "for_hours", Title: a.t(i18n.Text{En: "For", Ko: "지속"}), Align: report.AlignRight},
			{Key: "stuck", Title: a.t(i18n.Text{En: "Stuck", Ko: "방치"})},
		}}
	flapping := report.Table{ID: TabAlarmsFlapping, Title: a.t(i18n.Text{En: "Flapping alarms", Ko: "상태가 반복 전환되는(flapping) 알람"}),
		Columns: []report.Column{
			{Key: "alarm", Title: a.t(i18n.Text{En: "Alarm", Ko: "알람"})},
			{Key: "transitions", Title: a.t(i18n.Text{En: "State changes", Ko: "상태 변경"}), Align: report.AlignRight},
			{Key: "first", Title: a.t(i18n.Text{En: "First", Ko: "처음"})},
			{Key: "last", Title: a.t(i18n.Text{En: "Last", Ko: "마지막"})},
			{Key: "rule", Title: a.t(i18n.Text{En: "Condition", Ko: "조건"}), Code: true},
		}}

	for i := range alarms {
		al := &alarms[i]
		inst := alarmInstance(al)
		res := a.instanceLabel(inst)
		if res == "" {
			res = "-"
		}
		since := al.StateUpdated
		trs := byAlarm[al.Name]
		flaps := len(trs) >= a.opts.FlapTransitions
		switch al.State {
		case source.StateAlarm:
			a.alarmSum.firing++
			if inst != "" {
				a.alarmSum.firingOn[inst] = append(a.alarmSum.firingOn[inst], al.Name)
			}
			dur := at.Sub(since)
			sev := report.SeverityHigh
			switch {
			case since.IsZero():
				sev = report.SeverityHigh
			case !since.Before(w.Start) && flaps:
				// Fresh but flapping: the signal is unreliable, the
				// flapping finding says why; not a page-now.
				sev = report.SeverityHigh
				a.alarmSum.fresh++
			case !since.Before(w.Start):
				sev = report.SeverityCritical
				a.alarmSum.fresh++
			case dur > staleAlarm:
				sev = report.SeverityMedium
			}
			firing.Rows = append(firing.Rows, []report.Cell{
				report.Sev(sev, ""), report.Text(al.Name), report.Text(res), report.Text(rule(al)),
				report.Time(since, loc, i18n.DateTime), durCell(dur, since, a.lang), report.Text(textfmt.LocalReason(al.StateReason, loc)),
			})
			a.add(a.firingFinding(al, inst, sev, since, dur, flaps))
		case source.StateInsufficientData:
			a.alarmSum.insufficient++
			dur := at.Sub(since)
			stuck := !since.IsZero() && dur >= a.opts.StuckAfter.Duration
			mark := a.t(i18n.Text{En: "no", Ko: "아니요"})
			if stuck {
				mark = a.t(i18n.Text{En: "yes", Ko: "예"})
				a.alarmSum.stuck++
				a.add(a.insufficientFinding(al, inst, since, dur))
			}
			c := durCell(dur, since, a.lang)
			c.Value = hours(dur)
			insufficient.Rows = append(insufficient.Rows, []report.Cell{
				report.Text(al.Name), report.Text(rule(al)), report.Time(since, loc, i18n.DateTime), c, report.Text(mark),
			})
		}
		if flaps {
			a.alarmSum.flapping++
			flapping.Rows = append(flapping.Rows, []report.Cell{
				report.Text(al.Name), report.Count(int64(len(trs))),
				report.Time(trs[0].Time, loc, i18n.DateTime), report.Time(trs[len(trs)-1].Time, loc, i18n.DateTime),
				report.Text(rule(al)),
			})
			a.add(a.flappingFinding(al, inst, trs))
		} else if al.State != source.StateAlarm && len(trs) > 0 && slices.ContainsFunc(trs, func(t source.AlarmTransition) bool { return t.To == source.StateAlarm }) {
			a.add(a.recoveredFinding(al, inst, trs))
		}
	}
	sortRowsBySeverity(firing.Rows)
	if len(firing.Rows) > 0 {
		a.alarmSum.firstFiring = firing.Rows[0][1].Text
	}

	sec = a.sectionByID(SecAlarms)
	sec.Tables = append(sec.Tables, firing, flapping, insufficient)
	if !histMissing {
		a.changeTable(sec, changes)
		if ch := a.timeline(alarms, byAlarm); ch != nil {
			sec.Charts = append(sec.Charts, *ch)
		}
	} else {
		g, _ := exactGap(d, "alarm_history")
		sec.Notes = append(sec.Notes, a.t(i18n.Text{
			En: "State changes and flapping are unknown: the alarm history could not be read (%s).",
			Ko: "상태 변경 이력과 반복 전환 여부는 알 수 없습니다: 알람 이력을 읽지 못했습니다 (%s).",
		}, g.Error))
		// Without history a flapping table would read "none": drop it.
		sec.Tables = slices.DeleteFunc(sec.Tables, func(t report.Table) bool { return t.ID == TabAlarmsFlapping })
	}
	sec.Facts = append(sec.Facts,
		report.Fact{Key: "alarms_total", Label: a.t(i18n.Text{En: "Alarms", Ko: "알람 수"}), Value: report.Count(int64(a.alarmSum.total))},
		report.Fact{Key: "alarms_firing", Label: a.t(i18n.Text{En: "In ALARM", Ko: "ALARM 상태"}), Value: report.Count(int64(a.alarmSum.firing))},
		report.Fact{Key: "alarms_insufficient", Label: a.t(i18n.Text{En: "INSUFFICIENT_DATA", Ko: "데이터 부족"}), Value: report.Count(int64(a.alarmSum.insufficient))},
	)
	if !histMissing {
		sec.Facts = append(sec.Facts,
			report.Fact{Key: "alarm_changes", Label: a.t(i18n.Text{En: "State changes in the window", Ko: "기간 중 상태 변경"}), Value: report.Count(int64(a.alarmSum.changes))},
			report.Fact{Key: "alarms_flapping", Label: a.t(i18n.Text{En: "Flapping", Ko: "반복 전환"}), Value: report.Count(int64(a.alarmSum.flapping))},
		)
	}
}

// scopedAlarms drops alarms on instances outside the job's scope (when the
// job has one and the inventory is known), in name order.
func (a *run) scopedAlarms() []source.Alarm {
	d := a.in.Data
	alarms := slices.Clone(d.Alarms)
	sort.SliceStable(alarms, func(i, j int) bool { return alarms[i].Name < alarms[j].Name })
	if a.in.Job == nil || a.in.Job.Scope.InstanceIDs == nil && a.in.Job.Scope.Tags == nil && a.in.Job.Scope.Names == nil {
		return alarms
	}
	if _, missing := exactGap(d, "instances"); missing {
		return alarms
	}
	known := map[string]bool{}
	for _, in := range d.Instances {
		known[in.ID] = true
	}
	return slices.DeleteFunc(alarms, func(al source.Alarm) bool {
		id := alarmInstance(&al)
		return id != "" && !known[id]
	})
}

func (a *run) changeTable(sec *report.Section, changes []source.AlarmTransition) {
	loc := a.in.Location
	t := report.Table{ID: TabAlarmChanges, Title: a.t(i18n.Text{En: "State changes in the window, in order", Ko: "기간 중 상태 변경 (시간순)"}),
		Columns: []report.Column{
			{Key: "time", Title: a.t(i18n.Text{En: "Time", Ko: "시각"})},
			{Key: "alarm", Title: a.t(i18n.Text{En: "Alarm", Ko: "알람"})},
			{Key: "from", Title: a.t(i18n.Text{En: "From", Ko: "이전"})},
			{Key: "to", Title: a.t(i18n.Text{En: "To", Ko: "이후"})},
			{Key: "reason", Title: a.t(i18n.Text{En: "Reason", Ko: "사유"})},
		}}
	// Keep the most recent changes when there are too many: the morning
	// reader cares about the latest ones, the JSON keeps the total.
	start := 0
	if len(changes) > maxChangeRows {
		start = len(changes) - maxChangeRows
		t.Omitted = start
	}
	for _, tr := range changes[start:] {
		t.Rows = append(t.Rows, []report.Cell{
			report.Time(tr.Time, loc, i18n.DateTime), report.Text(tr.Alarm),
			stateCell(tr.From), stateCell(tr.To), report.Text(textfmt.LocalReason(tr.Reason, loc)),
		})
	}
	sec.Tables = append(sec.Tables, t)
}

// stateCell shows an alarm state.
func stateCell(s source.AlarmState) report.Cell {
	return report.Text(string(s))
}

// timeline draws the state spans of the alarms that changed in the window or
// are not OK, most changes first.
func (a *run) timeline(alarms []source.Alarm, byAlarm map[string][]source.AlarmTransition) *report.Chart {
	w := a.in.Window
	type lane struct {
		al  *source.Alarm
		trs []source.AlarmTransition
	}
	var lanes []lane
	for i := range alarms {
		al := &alarms[i]
		trs := byAlarm[al.Name]
		if len(trs) == 0 && al.State == source.StateOK {
			continue
		}
		lanes = append(lanes, lane{al, trs})
	}
	if len(lanes) == 0 {
		return nil
	}
	sort.SliceStable(lanes, func(i, j int) bool { return len(lanes[i].trs) > len(lanes[j].trs) })
	if len(lanes) > maxTimelineLanes {
		lanes = lanes[:maxTimelineLanes]
	}
	ch := &report.Chart{ID: ChartAlarmTimeline, Kind: report.ChartTimeline,
		Title: a.t(i18n.Text{En: "Alarm states over the window", Ko: "기간 중 알람 상태 변화"}), Start: w.Start, End: w.End}
	for _, l := range lanes {
		state := string(l.al.State)
		if len(l.trs) > 0 {
			state = string(l.trs[0].From)
		}
		cur := w.Start
		var spans []report.Span
		for _, tr := range l.trs {
			if tr.Time.After(cur) {
				spans = append(spans, report.Span{Start: cur, End: tr.Time, State: state})
			}
			cur, state = tr.Time, string(tr.To)
		}
		spans = append(spans, report.Span{Start: cur, End: w.End, State: state})
		ch.Lanes = append(ch.Lanes, report.Lane{Label: l.al.Name, Spans: spans})
	}
	return ch
}

func (a *run) firingFinding(al *source.Alarm, inst string, sev report.Severity, since time.Time, dur time.Duration, flaps bool) report.Finding {
	title := a.t(i18n.Text{En: "Alarm firing: %s (for %s)", Ko: "알람 발생 중: %s (%s째)"}, al.Name, i18n.Duration(dur, a.lang))
	if since.IsZero() {
		title = a.t(i18n.Text{En: "Alarm firing: %s", Ko: "알람 발생 중: %s"}, al.Name)
	}
	detail := a.t(i18n.Text{En: "%s has been in ALARM since %s", Ko: "%s 알람이 %s부터 ALARM 상태입니다"}, al.Name, fmtTime(since, a.in.Location))
	if r := rule(al); r != "" {
		detail += a.t(i18n.Text{En: " (condition %s", Ko: " (조건 %s"}, r)
		if inst != "" {
			detail += a.t(i18n.Text{En: " on %s", Ko: ", 대상 %s"}, a.instanceLabel(inst))
		}
		detail += ")"
	}
	detail += ". "
	if al.StateReason != "" {
		detail += a.t(i18n.Text{En: "CloudWatch says: %s", Ko: "CloudWatch 사유: %s"}, textfmt.Clip(textfmt.LocalReason(al.StateReason, a.in.Location), 300))
	}
	fresh := !since.IsZero() && !since.Before(a.in.Window.Start)
	var rec string
	switch {
	case fresh && flaps:
		rec = a.t(i18n.Text{
			En: "This alarm flaps (see the flapping finding): check the metric now to tell a real breach from noise, then fix the alarm's evaluation so the next page means something.",
			Ko: "이 알람은 반복 전환 중입니다(반복 전환 항목 참조): 지금 지표를 직접 보고 실제 임계 초과인지 잡음인지 가린 뒤, 다음 알림이 의미 있도록 알람의 평가 조건을 고치십시오.",
		})
	case fresh:
		rec = a.t(i18n.Text{
			En: "Act now: follow the alarm's runbook. Check the metric-anomaly and log findings for the same resource in this report for the cause, and what changed just before %s (deploys, config, traffic).",
			Ko: "지금 대응하십시오: 알람 런북을 따르고, 이 보고서에서 같은 대상의 지표 이상·오류 로그 항목으로 원인을 확인하며, %s 직전에 바뀐 것(배포, 설정, 트래픽)을 점검하십시오.",
		}, fmtClock(since, a.in.Location))
	case dur > staleAlarm:
		rec = a.t(i18n.Text{
			En: "This alarm has been red for %s: fix the cause or tune the alarm (threshold, evaluation periods) or retire it. An alarm that stays red trains people to ignore red.",
			Ko: "이 알람은 %s째 ALARM입니다: 원인을 해결하거나, 임계값·평가 기간을 조정하거나, 알람을 정리하십시오. 계속 빨간 알람은 모두가 무시하는 법을 배우게 만듭니다.",
		}, i18n.Duration(dur, a.lang))
	default:
		rec = a.t(i18n.Text{
			En: "Still in ALARM since before the window: assign an owner and a fix date, or tune the alarm if the condition is expected.",
			Ko: "기간 이전부터 계속 ALARM 상태입니다: 담당자와 해결 일정을 정하거나, 예상된 상황이라면 알람 조건을 조정하십시오.",
		})
	}
	if !al.Composite && (!al.ActionsEnabled || len(al.AlarmActions) == 0) {
		rec += a.t(i18n.Text{
			En: " Nobody was notified: the alarm has no enabled ALARM action; add an SNS topic.",
			Ko: " 알림이 전달되지 않았습니다: 활성화된 ALARM 작업이 없으니 SNS 주제를 연결하십시오.",
		})
	}
	ev := map[string]any{"reason": textfmt.Clip(al.StateReason, 500), "actions_enabled": al.ActionsEnabled, "alarm_actions": len(al.AlarmActions)}
	if !since.IsZero() {
		ev["since"] = since.UTC().Format(time.RFC3339)
	}
	if al.Metric != "" {
		ev["metric"], ev["namespace"], ev["threshold"], ev["comparison"] = al.Metric, al.Namespace, al.Threshold, al.Comparison
	}
	if al.Composite {
		ev["composite"] = true
	}
	if inst != "" {
		ev["instance_id"] = inst
	}
	var val *float64
	if !since.IsZero() {
		val = report.Float(float64(int64(dur / time.Minute)))
	}
	return report.Finding{ID: FindAlarmFiring, Severity: sev, Resource: al.Name, Title: title, Detail: detail,
		Value: val, Unit: "min", Recommendation: rec, Evidence: ev}
}

func (a *run) insufficientFinding(al *source.Alarm, inst string, since time.Time, dur time.Duration) report.Finding {
	title := a.t(i18n.Text{En: "Alarm blind for %s (INSUFFICIENT_DATA): %s", Ko: "알람이 %s째 데이터 부족 상태: %s"}, i18n.Duration(dur, a.lang), al.Name)
	detail := a.t(i18n.Text{
		En: "%s has received no data since %s, so it cannot fire whatever happens to %s.",
		Ko: "%s 알람은 %s 이후 데이터를 받지 못해, %s에 무슨 일이 생겨도 울리지 않습니다.",
	}, al.Name, fmtTime(since, a.in.Location), orDash(al.Metric))
	rec := a.t(i18n.Text{
		En: "Check that %s is still published with exactly the alarm's dimensions (%s): a stopped CloudWatch agent, a renamed device or a replaced instance are the usual causes. Fix the alarm or delete it; where missing data means trouble, set TreatMissingData to breaching.",
		Ko: "%s 지표가 알람의 차원(%s) 그대로 아직 수집되는지 확인하십시오. CloudWatch 에이전트 중지, 디바이스 이름 변경, 인스턴스 교체가 흔한 원인입니다. 알람을 고치거나 삭제하고, 데이터가 없는 것 자체가 문제라면 TreatMissingData를 breaching으로 설정하십시오.",
	}, orDash(al.Metric), dimString(al.Dimensions))
	ev := map[string]any{"since": since.UTC().Format(time.RFC3339), "metric": al.Metric, "namespace": al.Namespace, "dimensions": dimString(al.Dimensions)}
	if inst != "" {
		ev["instance_id"] = inst
	}
	return report.Finding{ID: FindAlarmInsufficient, Severity: report.SeverityMedium, Resource: al.Name, Title: title, Detail: detail,
		Value: report.Float(float64(int64(dur / time.Hour))), Unit: "h", Recommendation: rec, Evidence: ev}
}

func (a *run) flappingFinding(al *source.Alarm, inst string, trs []source.AlarmTransition) report.Finding {
	n := len(trs)
	title := a.t(i18n.Text{En: "Alarm flapping: %[1]s (%[2]d state changes in %[3]s)", Ko: "알람 반복 전환: %[1]s (%[3]s 동안 %[2]d회 상태 변경)"}, al.Name, n, windowDur(a.in.Window.Duration(), a.lang))
	detail := a.t(i18n.Text{
		En: "%[1]s changed state %[2]d times between %[3]s and %[4]s (now %[5]s).",
		Ko: "%[1]s 알람이 %[3]s부터 %[4]s까지 %[2]d회 상태를 바꿨습니다 (현재 %[5]s).",
	}, al.Name, n, fmtTime(trs[0].Time, a.in.Location), fmtTime(trs[n-1].Time, a.in.Location), al.State)
	rec := a.t(i18n.Text{
		En: "The metric hovers around the threshold (%s): alarm on M of N datapoints (e.g. 3 of 5), lengthen the period, or move the threshold away from normal operation. If the load itself oscillates, fix that instead.",
		Ko: "지표가 임계값(%s) 근처를 오르내립니다: 'N개 중 M개 데이터포인트'(예: 5개 중 3개) 조건을 쓰거나, 기간을 늘리거나, 평상시 값에서 떨어진 곳으로 임계값을 옮기십시오. 부하 자체가 출렁인다면 그것을 먼저 해결하십시오.",
	}, orDash(rule(al)))
	ev := map[string]any{"transitions": n, "first": trs[0].Time.UTC().Format(time.RFC3339), "last": trs[n-1].Time.UTC().Format(time.RFC3339),
		"threshold": al.Threshold, "evaluation_periods": al.EvaluationPeriods}
	if inst != "" {
		ev["instance_id"] = inst
	}
	return report.Finding{ID: FindAlarmFlapping, Severity: report.SeverityMedium, Resource: al.Name, Title: title, Detail: detail,
		Value: report.Float(float64(n)), Unit: "changes", Recommendation: rec, Evidence: ev}
}

func (a *run) recoveredFinding(al *source.Alarm, inst string, trs []source.AlarmTransition) report.Finding {
	var inAlarm time.Duration
	var firstAlarm, lastOK time.Time
	var alarmAt time.Time
	state := trs[0].From
	if state == source.StateAlarm {
		alarmAt = a.in.Window.Start
	}
	for _, tr := range trs {
		if tr.To == source.StateAlarm && state != source.StateAlarm {
			alarmAt = tr.Time
			if firstAlarm.IsZero() {
				firstAlarm = tr.Time
			}
		}
		if state == source.StateAlarm && tr.To != source.StateAlarm {
			inAlarm += tr.Time.Sub(alarmAt)
		}
		if tr.To == source.StateOK {
			lastOK = tr.Time
		}
		state = tr.To
	}
	title := a.t(i18n.Text{En: "Alarm fired and recovered: %s (%s in ALARM)", Ko: "알람 발생 후 복구: %s (ALARM %s)"}, al.Name, i18n.Duration(inAlarm, a.lang))
	detail := a.t(i18n.Text{
		En: "%s went to ALARM at %s and is %s now.",
		Ko: "%s 알람이 %s에 ALARM이 되었고 지금은 %s 상태입니다.",
	}, al.Name, fmtTime(firstAlarm, a.in.Location), al.State)
	rec := a.t(i18n.Text{
		En: "Nothing is burning now; read the cause in the state-change table and open a follow-up ticket if it may come back.",
		Ko: "지금은 정상입니다. 상태 변경 표에서 원인을 확인하고, 재발 가능성이 있으면 후속 티켓을 만드십시오.",
	})
	ev := map[string]any{"first_alarm": firstAlarm.UTC().Format(time.RFC3339), "transitions": len(trs)}
	if !lastOK.IsZero() {
		ev["last_ok"] = lastOK.UTC().Format(time.RFC3339)
	}
	if inst != "" {
		ev["instance_id"] = inst
	}
	return report.Finding{ID: FindAlarmRecovered, Severity: report.SeverityInfo, Resource: al.Name, Title: title, Detail: detail,
		Value: report.Float(float64(int64(inAlarm / time.Minute))), Unit: "min", Recommendation: rec, Evidence: ev}
}

func dimString(ds []source.Dimension) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Name + "=" + d.Value
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// sortRowsBySeverity orders rows whose first cell is a severity badge, worst
// first, keeping name order within a severity.
func sortRowsBySeverity(rows [][]report.Cell) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i][0].Severity.Rank() > rows[j][0].Severity.Rank() })
}
