package deliver

import (
	"fmt"
	"strings"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
	"github.com/cwreport/cwreport/report/internal/escape"
)

// The words targets put around a summary, in both languages. Targets escape
// them (and everything from the report) for their medium; none of these
// strings is trusted markup.
var (
	TextTopFindings = i18n.Text{En: "Top findings", Ko: "주요 발견 사항"}
	TextFindings    = i18n.Text{En: "%d finding(s)", Ko: "발견 사항 %d건"}
	TextDataGaps    = i18n.Text{En: "%d data gap(s): parts of this report could not be computed", Ko: "데이터 누락 %d건: 보고서 일부를 계산하지 못했습니다"}
	TextNoFindings  = i18n.Text{En: "No findings.", Ko: "발견 사항이 없습니다."}
	TextMore        = i18n.Text{En: "…and %d more in the report", Ko: "…외 %d건은 보고서에 있습니다"}
	TextWindow      = i18n.Text{En: "Window", Ko: "기간"}
	TextOpen        = i18n.Text{En: "Open %s", Ko: "%s 열기"}
	TextAttached    = i18n.Text{En: "The full report is attached.", Ko: "전체 보고서를 첨부했습니다."}
	TextLinked      = i18n.Text{En: "The PDF (%s) does not fit the %s size limit for email; download it here (link valid until %s):", Ko: "PDF(%s)는 메일 크기 한도 %s에 들어가지 않아 링크로 보냅니다(%s까지 유효):"}
	TextLinkedNoExp = i18n.Text{En: "The PDF (%s) does not fit the %s size limit for email; download it here:", Ko: "PDF(%s)는 메일 크기 한도 %s에 들어가지 않아 링크로 보냅니다:"}
	TextOmitted     = i18n.Text{En: "The PDF (%s) does not fit the %s size limit for email and no archive link is available; it was not attached.", Ko: "PDF(%s)는 메일 크기 한도 %s에 들어가지 않고 보관 링크가 없어 첨부하지 않았습니다."}
	TextLinks       = i18n.Text{En: "Links", Ko: "링크"}
	TextGenerated   = i18n.Text{En: "Sent by cwreport", Ko: "cwreport가 보냈습니다"}
)

// Title is the one-line name of a run's report: "[Warning] Daily status ·
// morning · 2026-11-24". It is plain, untrusted-as-a-whole text (the job
// name comes from config, but escaping is the medium's job).
func Title(s report.Summary) string {
	return fmt.Sprintf("[%s] %s · %s · %s", report.StatusName(s.Status, s.Language), report.KindName(s.Kind, s.Language), s.Job, s.Period)
}

// WindowText renders the report window in its time zone.
func WindowText(s report.Summary) string {
	loc := CoverDate(s).Location()
	return fmt.Sprintf("%s – %s (%s)", s.Window.Start.In(loc).Format(i18n.DateTime), s.Window.End.In(loc).Format(i18n.DateTime), s.Timezone)
}

// FindingText is one finding on one line: "title — resource", cleaned and
// bounded (a megabyte log line costs what a short one does) but not escaped:
// that is the medium's job.
func FindingText(f report.Finding) string {
	title := escape.Clean(f.Title, 300)
	if strings.TrimSpace(f.Resource) == "" {
		return title
	}
	return title + " — " + escape.Clean(f.Resource, 200)
}

// FormatSize renders a byte count for a reader: "12.3 MB".
func FormatSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
