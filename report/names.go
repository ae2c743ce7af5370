package report

import "github.com/cwreport/cwreport/report/i18n"

// The reader's words for kinds, statuses and severities live here, once,
// so a report page, its PDF cover, the Slack message and the email summary
// never name the same thing two ways.
var (
	kindNames = map[string]i18n.Text{
		"daily-status": {En: "Daily status report", Ko: "일일 상태 보고서"},
		"capacity":     {En: "Weekly capacity review", Ko: "주간 용량 검토"},
		"security":     {En: "Monthly security audit", Ko: "월간 보안 감사"},
		"incident":     {En: "Incident analysis", Ko: "장애 분석"},
		"benchmark":    {En: "Week-over-week benchmark", Ko: "주간 대비 벤치마크"},
	}
	statusNames = map[Status]i18n.Text{
		StatusOK:       {En: "OK", Ko: "정상"},
		StatusWarning:  {En: "Warning", Ko: "주의"},
		StatusCritical: {En: "Critical", Ko: "심각"},
	}
	severityNames = map[Severity]i18n.Text{
		SeverityCritical: {En: "Critical", Ko: "긴급"},
		SeverityHigh:     {En: "High", Ko: "높음"},
		SeverityMedium:   {En: "Medium", Ko: "중간"},
		SeverityLow:      {En: "Low", Ko: "낮음"},
		SeverityInfo:     {En: "Info", Ko: "정보"},
	}
)

// KindName is the reader's name of a report kind in lang; an unknown kind
// is shown as it is.
func KindName(kind, lang string) string {
	if t, ok := kindNames[kind]; ok {
		return t.In(lang)
	}
	return kind
}

// StatusName is the reader's word for a report status in lang.
func StatusName(s Status, lang string) string {
	if t, ok := statusNames[s]; ok {
		return t.In(lang)
	}
	return string(s)
}

// SeverityName is the reader's word for a finding severity in lang.
func SeverityName(s Severity, lang string) string {
	if t, ok := severityNames[s]; ok {
		return t.In(lang)
	}
	return string(s)
}
