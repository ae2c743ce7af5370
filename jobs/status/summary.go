package status

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/internal/numfmt"
	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// summary writes the answer to each morning question as one sentence, in
// the order the template shows them, and raises the status to warning when
// a whole part is unknown: "unknown" must never read as "all clear".
func (a *run) summary() {
	sec := report.Section{ID: SecSummary, Title: a.t(i18n.Text{En: "Summary", Ko: "요약"})}
	as, ms, ls := a.alarmSum, a.metricSum, a.logSum
	unknown := i18n.Text{En: "unknown (could not be collected, see data gaps)", Ko: "알 수 없음 (수집 실패, 아래 '수집하지 못한 데이터' 참조)"}

	// Alarms.
	var line string
	if !a.alarmsKnown {
		line = a.t(i18n.Text{En: "Alarms: %s.", Ko: "알람: %s."}, unknown.In(a.lang))
	} else {
		if as.firing > 0 {
			line = a.t(i18n.Text{En: "Alarms: %d of %d in ALARM (new in the window: %d)", Ko: "알람: %[2]d개 중 %[1]d개 ALARM 상태 (기간 중 새로 발생 %[3]d개)"}, as.firing, as.total, as.fresh)
		} else if as.total == 0 {
			line = a.t(i18n.Text{En: "Alarms: none defined", Ko: "알람: 정의된 알람 없음"})
		} else {
			line = a.t(i18n.Text{En: "Alarms: none of %d in ALARM", Ko: "알람: %d개 모두 ALARM 아님"}, as.total)
		}
		if as.historyKnown {
			line += a.t(i18n.Text{En: "; state changes: %d; flapping: %d", Ko: ", 상태 변경 %d회, 반복 전환 %d개"}, as.changes, as.flapping)
		} else {
			line += a.t(i18n.Text{En: "; state changes unknown", Ko: ", 상태 변경 이력 알 수 없음"})
		}
		line += a.t(i18n.Text{En: "; stuck in INSUFFICIENT_DATA: %d.", Ko: ", 데이터 부족으로 방치된 알람 %d개."}, as.stuck)
	}
	sec.Notes = append(sec.Notes, line)

	// Instances.
	if !a.metricsKnown {
		line = a.t(i18n.Text{En: "Instances: %s.", Ko: "인스턴스: %s."}, unknown.In(a.lang))
	} else if ms.instances == 0 {
		line = a.t(i18n.Text{En: "Instances: none to check (none exists, or none matches the job's scope).", Ko: "인스턴스: 점검할 인스턴스 없음 (인스턴스가 없거나 작업의 scope와 일치하는 인스턴스가 없음)."})
	} else {
		line = a.t(i18n.Text{En: "Instances: %d checked; anomalies against their own baseline: %d; failed status checks: %d",
			Ko: "인스턴스: %d대 점검, 평소 대비 이상 징후 %d대, 상태 검사 실패 %d대"}, ms.instances, ms.anomalous, ms.statusFailed)
		if ms.noData > 0 {
			line += a.t(i18n.Text{En: "; running without any CPU data (health unknown): %d", Ko: ", CPU 지표가 없어 상태를 알 수 없는 실행 중 인스턴스 %d대"}, ms.noData)
		}
		if ms.diskHigh > 0 {
			line += a.t(i18n.Text{En: "; file systems above %.0[2]f%%: %[1]d", Ko: ", 사용률 %.0[2]f%% 이상 파일 시스템 %[1]d개"}, ms.diskHigh, diskWarn)
		}
		if len(ms.top) > 0 {
			top := ms.top[0]
			line += a.t(i18n.Text{En: "; busiest: %s (CPU p95 %.1f%%)", Ko: ", 가장 바쁜 인스턴스는 %s (CPU p95 %.1f%%)"}, a.labelOf(top), top.by[mCPU].p95)
		}
		line += "."
	}
	sec.Notes = append(sec.Notes, line)

	// Logs.
	if !a.logsKnown {
		line = a.t(i18n.Text{En: "Logs: %s.", Ko: "로그: %s."}, unknown.In(a.lang))
	} else {
		errs := textfmt.Int(ls.errors)
		if ls.truncated {
			errs = "≥ " + errs
		}
		if ls.groups == 0 && ls.unknown == 0 {
			line = a.t(i18n.Text{En: "Logs: no log group to scan (none exists, or none matches the job's logs.groups)", Ko: "로그: 검사할 로그 그룹 없음 (그룹이 없거나 작업의 logs.groups와 일치하는 그룹이 없음)"})
		} else if ls.errors > 0 {
			line = a.t(i18n.Text{En: "Logs: %s error events in %d of %d log groups; the most in %s",
				Ko: "로그: 로그 그룹 %[3]d개 중 %[2]d개에서 오류 %[1]s건, 가장 많은 그룹은 %[4]s"}, errs, ls.withErrors, ls.groups, ls.worst)
		} else {
			line = a.t(i18n.Text{En: "Logs: no error events in %s", Ko: "로그: 로그 그룹 %s에서 오류 없음"}, a.count(ls.groups, "log group", "log groups", "개"))
		}
		if ls.unknown > 0 {
			line += a.t(i18n.Text{En: " (not scanned, so unknown: %d)", Ko: " (그룹 %d개는 검사하지 못해 알 수 없음)"}, ls.unknown)
		}
		line += "."
	}
	sec.Notes = append(sec.Notes, line)

	// Put the summary first.
	a.r.Sections = append([]report.Section{sec}, a.r.Sections...)
	// Anything the source could not read (a whole part, the alarm history,
	// one log group, one instance's metrics) makes the report at least a
	// warning: a report that could not look everywhere must not be a green
	// "all quiet".
	if len(a.in.Data.Gaps) > 0 || !a.alarmsKnown || !a.metricsKnown || !a.logsKnown {
		a.r.Status = report.StatusWarning
	}
}

// otherGaps counts the gaps the headline does not name in its alarm,
// instance and log parts (those parts say "unknown" themselves).
func (a *run) otherGaps() int {
	n := 0
	for _, g := range a.in.Data.Gaps {
		switch {
		case g.Part == "alarms" || g.Part == "alarm_history" || g.Part == "metrics" || g.Part == "log_stats":
		case strings.HasPrefix(g.Part, "metrics:") || strings.HasPrefix(g.Part, "log_stats:"):
		default:
			n++
		}
	}
	return n
}

// headline is the one line a reader sees first (also the Slack message and
// the email subject).
func (a *run) headline() string {
	as, ms, ls := a.alarmSum, a.metricSum, a.logSum
	var parts []string
	switch {
	case !a.alarmsKnown:
		parts = append(parts, a.t(i18n.Text{En: "alarms unknown", Ko: "알람 상태 알 수 없음"}))
	case as.firing == 1:
		parts = append(parts, a.t(i18n.Text{En: "%s in ALARM", Ko: "%s 알람 발생 중"}, as.firstFiring))
	case as.firing > 1:
		parts = append(parts, a.t(i18n.Text{En: "%d alarms in ALARM (%s, …)", Ko: "%[2]s 등 알람 %[1]d개 발생 중"}, as.firing, as.firstFiring))
	default:
		parts = append(parts, a.t(i18n.Text{En: "no alarm firing", Ko: "발생 중인 알람 없음"}))
	}
	if a.alarmsKnown && !as.historyKnown {
		parts[len(parts)-1] += a.t(i18n.Text{En: " (state changes unknown)", Ko: " (상태 변경 이력 알 수 없음)"})
	}
	switch {
	case !a.metricsKnown:
		parts = append(parts, a.t(i18n.Text{En: "instance health unknown", Ko: "인스턴스 상태 알 수 없음"}))
	case ms.anomalous > 0:
		parts = append(parts, a.t(i18n.Text{En: "%s off baseline", Ko: "평소와 다른 인스턴스 %s"}, a.count(ms.anomalous, "instance", "instances", "대")))
	case ms.instances == 0:
		parts = append(parts, a.t(i18n.Text{En: "no instance checked", Ko: "점검한 인스턴스 없음"}))
	case ms.noData > 0:
		// Not "instances normal": nothing is known about these.
		parts = append(parts, a.t(i18n.Text{En: "%s without metrics", Ko: "지표 없는 인스턴스 %s"}, a.count(ms.noData, "instance", "instances", "대")))
	default:
		parts = append(parts, a.t(i18n.Text{En: "instances normal", Ko: "인스턴스 정상"}))
	}
	if _, partial := partialGap(a.in.Data, "metrics"); a.metricsKnown && partial {
		parts[len(parts)-1] += a.t(i18n.Text{En: " (some metrics unknown)", Ko: " (일부 지표 알 수 없음)"})
	}
	switch {
	case !a.logsKnown:
		parts = append(parts, a.t(i18n.Text{En: "log errors unknown", Ko: "오류 로그 알 수 없음"}))
	case ls.errors > 0:
		parts = append(parts, a.t(i18n.Text{En: "%s error log events", Ko: "오류 로그 %s건"}, textfmt.Int(ls.errors)))
	case ls.groups == 0 && ls.unknown == 0:
		parts = append(parts, a.t(i18n.Text{En: "no log group scanned", Ko: "검사한 로그 그룹 없음"}))
	default:
		parts = append(parts, a.t(i18n.Text{En: "no error logs", Ko: "오류 로그 없음"}))
	}
	if a.logsKnown && ls.unknown > 0 {
		parts[len(parts)-1] += a.t(i18n.Text{En: " (%s not scanned)", Ko: " (로그 그룹 %s 검사 못 함)"}, a.count(ls.unknown, "log group", "log groups", "개"))
	}
	if n := a.otherGaps(); n > 0 {
		parts = append(parts, a.t(i18n.Text{En: "%s (see the end)", Ko: "수집하지 못한 데이터 %s (끝부분 참조)"}, a.count(n, "data gap", "data gaps", "건")))
	}
	sep := ", "
	if a.lang != "en" {
		sep = " · "
	}
	h := strings.Join(parts, sep)
	if a.lang == "en" {
		h = upperFirst(h)
	}
	return h
}

// fmtValue writes a metric value in its display unit.
func fmtValue(v float64, unit string) string {
	switch unit {
	case "%":
		return strconv.FormatFloat(v, 'f', 1, 64) + "%"
	case "B/s":
		return numfmt.Bytes(v) + "/s"
	case "ops/s":
		return strconv.FormatFloat(v, 'f', 0, 64) + " ops/s"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// valueCell is a metric value cell: machine value plus display text.
func valueCell(v float64, unit string) report.Cell {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return report.Cell{Text: "-"}
	}
	return report.Cell{Text: fmtValue(v, unit), Value: textfmt.Round(v, 3)}
}

func fmtTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format(i18n.DateTime)
}

func fmtClock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format(i18n.Clock)
}

// fmtHour names an hourly bin: "11-24 03:00".
func fmtHour(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("01-02 15:04")
}

func hours(d time.Duration) float64 { return textfmt.Round(d.Hours(), 1) }

// durCell shows how long a state has lasted; its value is minutes.
func durCell(d time.Duration, since time.Time, lang string) report.Cell {
	if since.IsZero() {
		return report.Cell{Text: "-"}
	}
	return report.Cell{Text: i18n.Duration(d, lang), Value: float64(int64(d / time.Minute))}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// windowDur names a window length: "24h"/"24시간" up to two days, then days.
func windowDur(d time.Duration, lang string) string {
	if d <= 48*time.Hour && d%time.Hour == 0 {
		return i18n.Text{En: "%dh", Ko: "%d시간"}.F(lang, int(d/time.Hour))
	}
	return i18n.Duration(d, lang)
}

// intCell is a count with thousands separators.
func intCell(n int64) report.Cell { return report.Cell{Text: textfmt.Int(n), Value: n} }

// count writes "1 instance" / "3 instances" in English and "3대" in Korean.
func (a *run) count(n int, one, many, counter string) string {
	if a.lang != "en" {
		return strconv.Itoa(n) + counter
	}
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// upperFirst capitalises the first letter (ASCII) of an English sentence.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
