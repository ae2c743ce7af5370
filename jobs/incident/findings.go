package incident

import (
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// alarmLagMin is the delay between the first change and the first alarm
// worth a finding.
const alarmLagMin = 3 * time.Minute

// Findings declares every finding id this analyzer can raise.
func (Analyzer) Findings() []report.FindingDef {
	return []report.FindingDef{
		{
			ID:       FindCandidate,
			Title:    "A probable root cause of the incident: a metric change, new errors in a log group, or a change event (deploy, restart) followed by related changes. One finding per candidate, up to `candidates` (default 3), most probable first.",
			Severity: "high for the first candidate when its score is 0.6 or more, medium otherwise; medium for the others from a score of 0.6, low below.",
			Value:    "the candidate's score, 0 to 1 (0.5 × precedence + 0.3 × strength + 0.2 × corroboration)",
			Evidence: []string{"rank, score, precedence, strength, corroboration: the ranking", "kind: metric | log | change", "time: when the change began", "offset_seconds: from the incident time",
				"metric, before, after, z, p_value, step: for a metric", "new_patterns, rate_before, rate_after, rate_z: for a log group", "example, count: for a change event",
				"followed_by: the later related changes and alarms (kind, resource, time)",
				"the finding's `order` field is the rank too, so candidates of one severity read #1, #2, #3 in every output"},
			Recommendation: "Investigate the first candidate first: per kind, the finding says what to check. A deploy followed by the change: roll back, then find the defect. A metric step: find what started on the instance at that minute. New error patterns: read the example line and the code path it names.",
		},
		{
			ID:             FindFirst,
			Title:          "The first metric or log change in the window: the first symptom, and where a timeline of the incident starts.",
			Severity:       "info.",
			Value:          "minutes from the incident time (negative: before)",
			Evidence:       []string{"kind, resource, time", "description: what changed", "preceded_by: the change event (deploy, restart) just before it, if any"},
			Recommendation: "Start the investigation at this minute: what ran, shipped or changed on this resource just before it.",
		},
		{
			ID:             FindNewPattern,
			Title:          "An error pattern that was absent from the log baseline (default the 6 hours before the window) appeared in the window with at least min_new_events events (default 3).",
			Severity:       "medium for fatal-class patterns (OutOfMemoryError, panic, segfault, killed) or 100+ events, low otherwise.",
			Value:          "events of the pattern in the window",
			Evidence:       []string{"pattern: the masked message shape", "example: one raw line (untrusted text)", "first_seen, last_seen", "count"},
			Recommendation: "Read the example and the code path it names; add a CloudWatch Logs metric filter on the pattern with an alarm, so the next occurrence pages by itself instead of being found afterwards.",
		},
		{
			ID:             FindAlarmLag,
			Title:          "An alarm related to the first symptom fired at least 3 minutes after it: the detection delay of this incident.",
			Severity:       "low.",
			Value:          "minutes between the first symptom and the alarm",
			Evidence:       []string{"alarm, alarm_time", "first_change, first_change_time", "period, evaluation_periods: the alarm's rule, when known"},
			Recommendation: "Alarm on the leading signal (the first symptom's metric, or a metric filter on the new error pattern) or shorten the alarm's evaluation (period × evaluation periods, M of N datapoints) so the next incident pages sooner.",
		},
	}
}

func (a *run) candidateSeverity(c *signal) report.Severity {
	switch {
	case c.Rank == 1 && c.Score >= 0.6:
		return report.SeverityHigh
	case c.Rank == 1, c.Score >= 0.6:
		return report.SeverityMedium
	}
	return report.SeverityLow
}

func (a *run) findings() {
	for i, c := range a.candidates {
		if i >= a.opts.Candidates {
			break
		}
		a.add(report.Finding{
			ID: FindCandidate, Severity: a.candidateSeverity(c), Resource: c.Resource,
			Title: a.t(i18n.Text{En: "Probable cause #%d: %s", Ko: "유력 원인 #%d: %s"}, c.Rank, a.describe(c)),
			Detail: a.t(i18n.Text{
				En: "Began at %s (%s from the incident time). %d of the later changes are related: %s. Score %.2f = 0.5 × precedence %.2f + 0.3 × strength %.2f + 0.2 × corroboration %.2f.",
				Ko: "%s에 시작 (장애 시각 대비 %s). 이후 변화 중 관련된 것 %d건: %s. 점수 %.2f = 0.5 × 선행성 %.2f + 0.3 × 강도 %.2f + 0.2 × 연관성 %.2f.",
			}, a.datetime(c.Time), offset(c.Time, a.in.At, a.lang), len(c.Later), a.followText(c), c.Score, c.Precedence, c.Strength, c.Corroboration),
			Value: report.Float(textfmt.Round(c.Score, 2)), Unit: "score",
			Recommendation: a.advice(c),
			Evidence:       a.evidence(c),
			// Candidates of one severity read in rank order (#2 before #3),
			// not by resource.
			Order: c.Rank,
		})
	}
	if f := a.firstChange(); f != nil {
		ev := map[string]any{"kind": string(f.Kind), "resource": f.Resource, "time": f.Time, "description": a.describe(f)}
		detail := a.t(i18n.Text{En: "%s began at %s, %s from the incident time.", Ko: "%s: %s에 시작 (장애 시각 대비 %s)."},
			a.describe(f), a.datetime(f.Time), offset(f.Time, a.in.At, a.lang))
		if p := a.precedingChange(f); p != nil {
			ev["preceded_by"] = map[string]any{"resource": p.Resource, "time": p.Time, "example": p.Change.Pattern.Example}
			detail += " " + a.t(i18n.Text{En: "It came %s after a change event in %s: %s.", Ko: "%[2]s의 변경 이벤트 %[1]s 뒤에 일어났습니다: %[3]s."},
				i18n.Duration(f.Time.Sub(p.Time), a.lang), p.Resource, shorten(a.changeMessage(p.Change.Pattern.Example), 90))
		}
		a.add(report.Finding{
			ID: FindFirst, Severity: report.SeverityInfo, Resource: f.Resource,
			Title:  a.t(i18n.Text{En: "First symptom at %s: %s", Ko: "첫 증상 %s: %s"}, a.clock(f.Time), a.shortName(f)),
			Detail: detail, Value: report.Float(textfmt.Round(f.Time.Sub(a.in.At).Minutes(), 2)), Unit: "min",
			Recommendation: a.t(i18n.Text{En: "Start the investigation at %s: what ran, shipped or changed on %s just before it.", Ko: "%s부터 조사하십시오: 직전에 %s에서 무엇이 실행·배포·변경되었는지 확인합니다."}, a.clock(f.Time), a.resourceLabel(f)),
			Evidence:       ev,
		})
	}
	a.newPatternFindings()
	a.alarmLag()
}

// precedingChange is the latest change event at or before s and related
// to it, within changeFollowWindow.
func (a *run) precedingChange(s *signal) *signal {
	var best *signal
	for _, c := range a.signals {
		if c.Kind != sigChange || c.Time.After(s.Time) || s.Time.Sub(c.Time) > changeFollowWindow || !related(c, s) {
			continue
		}
		best = c
	}
	return best
}

func (a *run) evidence(c *signal) map[string]any {
	ev := map[string]any{
		"rank": c.Rank, "score": textfmt.Round(c.Score, 2), "precedence": textfmt.Round(c.Precedence, 2), "strength": textfmt.Round(c.Strength, 2),
		"corroboration": textfmt.Round(c.Corroboration, 2), "kind": string(c.Kind), "time": c.Time,
		"offset_seconds": int64(c.Time.Sub(a.in.At) / time.Second),
	}
	var follow []map[string]any
	for _, l := range c.Later {
		follow = append(follow, map[string]any{"kind": string(l.Kind), "resource": l.Resource, "time": l.Time})
	}
	ev["followed_by"] = follow
	switch c.Kind {
	case sigMetric:
		m := c.Metric
		ev["instance_id"] = m.InstanceID
		ev["metric"] = m.Name
		ev["before"] = m.Shift.Before
		ev["after"] = m.Shift.After
		ev["z"] = textfmt.Round(m.Shift.Z, 2)
		ev["p_value"] = m.Shift.P
		ev["step"] = m.Shift.Step
	case sigLog:
		l := c.Log
		var ps []map[string]any
		for _, p := range l.New {
			if p.Count >= int64(a.opts.MinNewEvents) {
				ps = append(ps, map[string]any{"pattern": p.Pattern, "count": p.Count, "first_seen": p.FirstSeen})
			}
		}
		ev["new_patterns"] = ps
		if l.Shift.Tested {
			ev["rate_before"] = l.Shift.Before
			ev["rate_after"] = l.Shift.After
			ev["rate_z"] = textfmt.Round(l.Shift.Z, 2)
		}
	case sigChange:
		ev["example"] = c.Change.Pattern.Example
		ev["count"] = c.Change.Pattern.Count
	}
	return ev
}

// fatalTerms mark error patterns that mean a process died or is dying.
var fatalTerms = []string{"OutOfMemory", "out of memory", "panic", "segfault", "Segmentation fault", "Killed process", "FATAL", "oom-kill"}

func isFatal(p string) bool {
	for _, t := range fatalTerms {
		if strings.Contains(p, t) {
			return true
		}
	}
	return false
}

func (a *run) newPatternFindings() {
	type np struct {
		g string
		p source.LogPattern
	}
	var all []np
	for _, l := range a.logRows {
		for _, p := range l.New {
			if p.Count >= int64(a.opts.MinNewEvents) {
				all = append(all, np{l.Group, p})
			}
		}
	}
	// Fatal first, then most events, then earliest.
	for i := 1; i < len(all); i++ {
		for j := i; j > 0; j-- {
			x, y := all[j], all[j-1]
			fx, fy := isFatal(x.p.Pattern), isFatal(y.p.Pattern)
			less := fx && !fy || fx == fy && (x.p.Count > y.p.Count || x.p.Count == y.p.Count && x.p.FirstSeen.Before(y.p.FirstSeen))
			if !less {
				break
			}
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	for i, x := range all {
		if i == maxNewFindings {
			break
		}
		sev := report.SeverityLow
		if isFatal(x.p.Pattern) || x.p.Count >= 100 {
			sev = report.SeverityMedium
		}
		a.add(report.Finding{
			ID: FindNewPattern, Severity: sev, Resource: x.g,
			Title: a.t(i18n.Text{En: "New error pattern in %s: %s", Ko: "%s에 새 오류 패턴: %s"}, x.g, shorten(a.errMessage(x.p.Pattern), 120)),
			Detail: a.t(i18n.Text{En: "%[5]s from %[2]s to %[3]s; absent from the %[4]s before the window.", Ko: "%[2]s ~ %[3]s 동안 %[1]s건. 구간 이전 %[4]s 동안에는 없던 패턴입니다."},
				textfmt.Int(x.p.Count), a.clockSec(x.p.FirstSeen), a.clockSec(x.p.LastSeen), i18n.Duration(a.opts.LogBaseline.Duration, a.lang), textfmt.Count(int(x.p.Count), "event", "events")),
			Value: report.Float(float64(x.p.Count)), Unit: "events",
			Recommendation: a.patternAdvice(x.p.Pattern, x.g),
			Evidence:       map[string]any{"pattern": x.p.Pattern, "example": x.p.Example, "first_seen": x.p.FirstSeen, "last_seen": x.p.LastSeen, "count": x.p.Count},
		})
	}
}

// alarmLag reports how long after the first change the first related alarm
// fired.
func (a *run) alarmLag() {
	f := a.firstChange()
	if f == nil {
		return
	}
	for _, s := range a.signals {
		if s.Kind != sigAlarm || s.Time.Before(f.Time) || !related(f, s) {
			continue
		}
		lag := s.Time.Sub(f.Time)
		if lag < alarmLagMin {
			return
		}
		ev := map[string]any{"alarm": s.Resource, "alarm_time": s.Time, "first_change": a.shortName(f), "first_change_time": f.Time}
		rule := ""
		if al := a.alarmsByName[s.Resource]; al != nil && al.Period > 0 {
			ev["period"] = al.Period
			ev["evaluation_periods"] = al.EvaluationPeriods
			rule = a.t(i18n.Text{En: " Its rule needs %d × %ds.", Ko: " 이 알람은 %d × %d초 동안의 조건이 필요합니다."}, al.EvaluationPeriods, al.Period)
		}
		a.add(report.Finding{
			ID: FindAlarmLag, Severity: report.SeverityLow, Resource: s.Resource,
			Title: a.t(i18n.Text{En: "Alarm %s fired %s after the first symptom", Ko: "알람 %s: 첫 증상 %s 뒤에 울림"}, s.Resource, i18n.Duration(lag, a.lang)),
			Detail: a.t(i18n.Text{En: "The first symptom (%s) began at %s; the alarm went to ALARM at %s.", Ko: "첫 증상(%s)은 %s에 시작했고, 알람은 %s에 ALARM이 되었습니다."},
				a.shortName(f), a.clock(f.Time), a.clock(s.Time)) + rule,
			Value: report.Float(textfmt.Round(lag.Minutes(), 2)), Unit: "min",
			Recommendation: a.t(i18n.Text{
				En: "Alarm on the leading signal (%s) or shorten the evaluation of %s (fewer periods, M of N datapoints) so the next incident pages sooner.",
				Ko: "선행 신호(%s)에 알람을 걸거나 %s의 평가 구간을 줄여(기간 수 축소, N개 중 M개 조건) 다음 장애를 더 빨리 알리십시오.",
			}, a.shortName(f), s.Resource),
			Evidence: ev,
		})
		return
	}
}

// advice is the recommendation of one candidate.
func (a *run) advice(c *signal) string {
	switch c.Kind {
	case sigChange:
		return a.t(i18n.Text{
			En: "Roll back or fix the change (%s) first; next time ship it gradually (canary, one instance first) with automatic rollback on the alarms and error rates that moved here.",
			Ko: "먼저 이 변경(%s)을 롤백하거나 수정하십시오. 다음에는 카나리·단계적 배포(인스턴스 하나부터)로 내보내고, 이번에 움직인 알람과 오류율에 자동 롤백을 연결하십시오.",
		}, shorten(a.changeMessage(c.Change.Pattern.Example), 90))
	case sigLog:
		if c.Rank == 1 {
			// The errors came first: their text is the best lead.
			for _, p := range c.Log.New {
				if p.Count >= int64(a.opts.MinNewEvents) {
					return a.patternAdvice(p.Pattern, c.Resource)
				}
			}
		}
		return a.t(i18n.Text{
			En: "Read the errors of %s from %s on. When a candidate above precedes them they are most likely its consequence; otherwise start from the first new error. Alarm on the group's error rate with a metric filter.",
			Ko: "%[2]s 이후 %[1]s의 오류를 확인하십시오. 위의 후보가 먼저 일어났다면 그 결과일 가능성이 높고, 아니라면 첫 새 오류부터 보십시오. 지표 필터로 이 그룹의 오류율에 알람을 거십시오.",
		}, c.Resource, a.clock(c.Time))
	}
	return a.metricAdvice(c.Metric)
}

func (a *run) metricAdvice(m *metricRow) string {
	inst := a.label(m.InstanceID)
	at := a.clock(m.Shift.Time)
	up := m.Shift.Z > 0
	switch {
	case m.Series.Metric == "CPUUtilization" && up:
		return a.t(i18n.Text{
			En: "Find what is burning CPU on %s since %s (a hot loop, garbage collection, a retry storm, a new release); if it is load, scale out. Keep an alarm on CPU with a short evaluation period.",
			Ko: "%[2]s부터 %[1]s의 CPU를 쓰는 원인(무한 루프, GC, 재시도 폭주, 새 릴리스)을 찾으십시오. 부하 때문이면 스케일 아웃하고, 짧은 평가 기간의 CPU 알람을 유지하십시오.",
		}, inst, at)
	case m.Series.Metric == "CPUUtilization":
		return a.t(i18n.Text{En: "CPU on %s dropped at %s: check whether the process stopped serving (crash, deregistered from the load balancer).", Ko: "%[2]s에 %[1]s의 CPU가 떨어졌습니다. 프로세스가 요청 처리를 멈췄는지(크래시, 로드 밸런서에서 제외) 확인하십시오."}, inst, at)
	case m.Series.Metric == "mem_used_percent":
		return a.t(i18n.Text{En: "Memory on %s moved at %s: capture a heap or memory profile, cap the process below the instance memory, and alarm on mem_used_percent.", Ko: "%[2]s에 %[1]s의 메모리가 변했습니다. 힙·메모리 프로파일을 확보하고, 프로세스 메모리 한도를 인스턴스 메모리보다 낮게 두고, mem_used_percent 알람을 거십시오."}, inst, at)
	case m.Series.Metric == "CPUCreditBalance":
		return a.t(i18n.Text{En: "%s is running out of CPU credits: switch it to unlimited mode or to a non-burstable type, and alarm on CPUCreditBalance.", Ko: "%s의 CPU 크레딧이 소진되고 있습니다. unlimited 모드나 비버스터블 인스턴스 유형으로 바꾸고, CPUCreditBalance 알람을 거십시오."}, inst)
	case strings.HasPrefix(m.Series.Metric, "Network"):
		return a.t(i18n.Text{En: "Traffic of %s changed at %s: check the load balancer and the callers for a traffic shift or a retry storm.", Ko: "%[2]s에 %[1]s의 트래픽이 변했습니다. 로드 밸런서와 호출 측에서 트래픽 이동이나 재시도 폭주가 있었는지 확인하십시오."}, inst, at)
	case strings.HasPrefix(m.Series.Metric, "EBS") || strings.HasPrefix(m.Series.Metric, "Disk"):
		return a.t(i18n.Text{En: "Disk I/O of %s changed at %s: look for a batch job, a log flood or swapping (memory pressure).", Ko: "%[2]s에 %[1]s의 디스크 I/O가 변했습니다. 배치 작업, 로그 폭주, 스와핑(메모리 부족)을 확인하십시오."}, inst, at)
	case m.Series.Metric == "disk_used_percent":
		return a.t(i18n.Text{En: "A file system of %s is filling since %s: find the writer (logs, temporary files), rotate logs and alarm on disk_used_percent.", Ko: "%[2]s부터 %[1]s의 파일 시스템이 차고 있습니다. 쓰는 주체(로그, 임시 파일)를 찾고 로그 로테이션과 disk_used_percent 알람을 설정하십시오."}, inst, at)
	case m.Series.Metric == "StatusCheckFailed":
		return a.t(i18n.Text{En: "%s failed its status check: read the system log; add a StatusCheckFailed_System alarm with the EC2 recover action.", Ko: "%s 인스턴스가 상태 검사에 실패했습니다. 시스템 로그를 확인하고, EC2 복구 작업이 연결된 StatusCheckFailed_System 알람을 추가하십시오."}, inst)
	}
	return a.t(i18n.Text{En: "Find what changed on %s at %s.", Ko: "%[2]s에 %[1]s에서 무엇이 바뀌었는지 확인하십시오."}, inst, at)
}

func (a *run) patternAdvice(p, group string) string {
	switch {
	case strings.Contains(p, "OutOfMemory") || strings.Contains(p, "out of memory"):
		return a.t(i18n.Text{
			En: "The process ran out of memory: size the heap (-Xmx) below the instance memory, capture a dump on the next one (-XX:+HeapDumpOnOutOfMemoryError), and add a metric filter with an alarm on this pattern in %s.",
			Ko: "프로세스 메모리가 부족합니다. 힙(-Xmx)을 인스턴스 메모리보다 작게 잡고, 다음 발생 시 덤프를 남기며(-XX:+HeapDumpOnOutOfMemoryError), %s에 이 패턴의 지표 필터와 알람을 추가하십시오.",
		}, group)
	case strings.Contains(p, "NullPointerException") || strings.Contains(p, "panic") || strings.Contains(p, "TypeError"):
		return a.t(i18n.Text{
			En: "A code defect on a live path: roll back the release that introduced it, add a test for the path the example names, and alarm on this pattern in %s.",
			Ko: "운영 경로의 코드 결함입니다. 이를 들여온 릴리스를 롤백하고, 예시가 가리키는 경로에 테스트를 추가하고, %s에 이 패턴 알람을 거십시오.",
		}, group)
	case strings.Contains(p, "connection refused") || strings.Contains(p, "timeout") || strings.Contains(p, "timed out") || strings.Contains(p, "transport is closing"):
		return a.t(i18n.Text{
			En: "A dependency is unreachable: check the called service's health first; add timeouts, retries with backoff and a circuit breaker, and alarm on this pattern in %s.",
			Ko: "의존 서비스에 연결할 수 없습니다. 호출 대상의 상태부터 확인하고, 타임아웃·백오프 재시도·서킷 브레이커를 두고, %s에 이 패턴 알람을 거십시오.",
		}, group)
	}
	return a.t(i18n.Text{
		En: "Read the example and the code path it names; add a CloudWatch Logs metric filter on this pattern in %s with an alarm, so it pages by itself next time.",
		Ko: "예시 로그와 그것이 가리키는 코드 경로를 확인하십시오. 다음에는 스스로 알리도록 %s에 이 패턴의 지표 필터와 알람을 추가하십시오.",
	}, group)
}

// recommendations collects the advice to prevent recurrence.
func (a *run) recommendations() {
	s := a.section(SecRecommendations, i18n.Text{En: "Preventing a recurrence", Ko: "재발 방지"})
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			s.Notes = append(s.Notes, n)
		}
	}
	for i, c := range a.candidates {
		if i >= a.opts.Candidates {
			break
		}
		add(a.advice(c))
	}
	for _, f := range a.r.Findings {
		if f.ID == FindAlarmLag || f.ID == FindNewPattern {
			add(f.Recommendation)
		}
	}
	if c := a.top(); c != nil && c.Kind == sigMetric && a.alarmsKnown && a.alarmOn(c.Metric) == nil {
		add(a.t(i18n.Text{En: "No alarm watches %s on %s: add one, so this change pages by itself next time.", Ko: "%[2]s의 %[1]s 지표를 감시하는 알람이 없습니다. 다음에는 스스로 알리도록 알람을 추가하십시오."}, c.Metric.Name, a.label(c.Metric.InstanceID)))
	}
	if len(a.candidates) > 0 && a.alarmsKnown && a.alarmSignals() == 0 {
		add(a.t(i18n.Text{En: "No alarm went to ALARM during these changes: nobody was paged. Cover the changed metrics and error patterns with alarms.", Ko: "이 변화 동안 ALARM이 된 알람이 없어 아무도 호출되지 않았습니다. 변한 지표와 오류 패턴을 알람으로 감시하십시오."}))
	}
	if len(a.candidates) == 0 {
		add(a.t(i18n.Text{
			En: "Nothing stood out here: widen the window (--window 2h), add the instances of the dependencies (databases, load balancers, upstream services) to the scope, or check managed services outside EC2.",
			Ko: "여기서는 두드러진 변화가 없습니다. 구간을 넓히거나(--window 2h), 의존 대상(데이터베이스, 로드 밸런서, 상위 서비스)의 인스턴스를 범위에 넣거나, EC2 밖의 관리형 서비스를 확인하십시오.",
		}))
	}
}
