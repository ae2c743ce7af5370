package email

import (
	"bytes"
	"fmt"
	"image/png"
	"strings"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/i18n"
	"github.com/cwreport/cwreport/report/internal/escape"
)

// The words the email adds around the report, in both languages.
var (
	textReportOver = i18n.Text{
		En: "The full report (%s with its charts) is over the %s size limit for email, so this message carries its summary.",
		Ko: "전체 보고서(차트 포함 %s)가 메일 크기 한도 %s를 넘어 요약만 보냅니다.",
	}
	textReportAtLinks = i18n.Text{En: "Open the full report from the links below.", Ko: "전체 보고서는 아래 링크에서 여십시오."}
)

// The body's look, inline on every element: mail clients drop <style>
// blocks. The font stack and colours are those of the report's email
// rendering (report/render/html.Email), so the summary block and the report
// under it read as one page.
const (
	bodyFont  = `-apple-system,BlinkMacSystemFont,'Apple SD Gothic Neo','Malgun Gothic','Noto Sans KR','Segoe UI',Roboto,Arial,sans-serif`
	pillStyle = "display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:bold;line-height:18px;white-space:nowrap;"
	grey      = "#5f6770"
	warnInk   = "#8a5300"
)

// tone is a badge's ground and ink.
type tone struct{ bg, ink string }

var statusTones = map[report.Status]tone{
	report.StatusCritical: {"#c62828", "#ffffff"},
	report.StatusWarning:  {"#f2a900", "#212529"},
	report.StatusOK:       {"#2e7d32", "#ffffff"},
}

var severityTones = map[report.Severity]tone{
	report.SeverityCritical: {"#c62828", "#ffffff"},
	report.SeverityHigh:     {"#e65c00", "#ffffff"},
	report.SeverityMedium:   {"#f2a900", "#212529"},
	report.SeverityLow:      {"#1565c0", "#ffffff"},
	report.SeverityInfo:     {"#757575", "#ffffff"},
}

func pill(t tone, label string) string {
	if t.bg == "" {
		t = tone{"#757575", "#ffffff"}
	}
	return `<span style="` + pillStyle + "background:" + t.bg + ";color:" + t.ink + `">` + escape.HTML(label, 40) + "</span>"
}

// imageWidth is the width in CSS pixels at which a chart picture is shown:
// charts are drawn at two pixels per CSS pixel, and shown at most 656
// pixels wide (the body's width less its padding).
func imageWidth(data []byte) int {
	c, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil || c.Width <= 0 {
		return 656
	}
	return min(656, max(1, c.Width/2))
}

// reportBody is the report's email rendering, found in a delivery.
type reportBody struct {
	html, text string
	// images are the pictures the HTML refers to, in order of first
	// reference.
	images []report.Artifact
}

// reportBody returns the report's email rendering (report.RoleEmail, from
// Bodies or Artifacts) when the target sends the report and every picture
// the rendering refers to is at hand; otherwise nil, and the body is the
// summary: a broken picture in a forwarded report is worse than a summary.
func (t *Target) reportBody(d *deliver.Delivery) *reportBody {
	if t.opt.Body == BodySummary {
		return nil
	}
	var html, text *report.Artifact
	for _, list := range [][]report.Artifact{d.Bodies, d.Artifacts} {
		for i := range list {
			a := &list[i]
			switch {
			case a.Role != report.RoleEmail:
			case a.Format == "html" && html == nil:
				html = a
			case a.Format == "txt" && text == nil:
				text = a
			}
		}
	}
	if html == nil {
		return nil
	}
	pool := map[string]report.Artifact{}
	for _, a := range images(d) {
		pool[cid(a)] = a
	}
	rb := &reportBody{html: string(html.Data)}
	if text != nil {
		rb.text = string(text.Data)
	}
	seen := map[string]bool{}
	for _, c := range cidRefs(rb.html) {
		if seen[c] {
			continue
		}
		seen[c] = true
		a, ok := pool[c]
		if !ok {
			return nil
		}
		rb.images = append(rb.images, a)
	}
	return rb
}

// cidRefs returns the Content-IDs an HTML body refers to (src="cid:…").
// Report text cannot forge one: the renderer writes quotes in text as
// entities.
func cidRefs(html string) []string {
	const pre = `src="cid:`
	var out []string
	for {
		i := strings.Index(html, pre)
		if i < 0 {
			return out
		}
		html = html[i+len(pre):]
		j := strings.IndexByte(html, '"')
		if j < 0 {
			return out
		}
		out = append(out, html[:j])
		html = html[j:]
	}
}

// images returns the chart pictures of a delivery, Artifacts first, then
// Bodies, one per Content-ID.
func images(d *deliver.Delivery) []report.Artifact {
	var out []report.Artifact
	seen := map[string]bool{}
	for _, list := range [][]report.Artifact{d.Artifacts, d.Bodies} {
		for _, a := range list {
			if a.Role != report.RoleImage || seen[cid(a)] {
				continue
			}
			seen[cid(a)] = true
			out = append(out, a)
		}
	}
	return out
}

// bodies renders the plain-text and HTML bodies: the summary block, then
// the report (p.body report) or the charts (summary). Every value from the
// run goes through report/internal/escape (Clean for text, HTML for
// markup); the report's rendering was escaped by its renderer.
func (t *Target) bodies(d *deliver.Delivery, pdf *report.Artifact, p plan, rb *reportBody, imgs []report.Artifact) (string, string) {
	s := d.Summary
	lang := s.Language
	var pl, h strings.Builder
	title := deliver.Title(s)
	st := statusTones[s.Status]
	if st.bg == "" {
		st = tone{"#757575", "#ffffff"}
	}

	h.WriteString(`<!DOCTYPE html>` + "\n" + `<html lang="` + escape.HTML(lang, 8) + `"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light">` +
		`<meta name="supported-color-schemes" content="light"><title>` + escape.HTML(title, 200) + "</title></head>\n")
	h.WriteString(`<body style="margin:0;padding:0;background:#ffffff">` + "\n")
	// Outlook for Windows ignores max-width: a fixed-width table holds the
	// body there; every other client reads the div's max-width and narrows
	// on a phone.
	h.WriteString(`<!--[if mso]><table role="presentation" width="680" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->` + "\n")
	h.WriteString(`<div style="max-width:680px;margin:0 auto;padding:16px 12px;color:#212529;font-family:` + bodyFont + `;font-size:15px;line-height:1.6;word-break:keep-all;overflow-wrap:break-word">` + "\n")

	// The summary block. A fixed layout keeps it at the body's width
	// whatever a finding holds (a megabyte log line breaks, not widens it).
	h.WriteString(`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;table-layout:fixed;margin:0 0 8px;font-family:` + bodyFont + `">` + "\n")
	h.WriteString(`<tr><td style="padding:12px 16px;background:#f8f9fa;border:1px solid #dee2e6;border-top:4px solid ` + st.bg + `;word-wrap:break-word;overflow-wrap:anywhere">` + "\n")
	h.WriteString(`<div style="font-size:13px;color:` + grey + `">` + pill(st, report.StatusName(s.Status, lang)) + " " +
		escape.HTML(report.KindName(s.Kind, lang)+" · "+s.Job+" · "+s.Period, 200) + "</div>\n")
	pl.WriteString(escape.Clean(title, 200) + "\n")
	if s.Headline != "" {
		pl.WriteString(escape.Clean(s.Headline, 500) + "\n")
		h.WriteString(`<div style="margin:6px 0 2px;font-size:17px;line-height:1.4;font-weight:bold;color:#111418">` + escape.HTML(s.Headline, 500) + "</div>\n")
	}
	counts := deliver.TextFindings.F(lang, s.Findings)
	pl.WriteString(deliver.TextWindow.In(lang) + ": " + deliver.WindowText(s) + " · " + counts + "\n")
	h.WriteString(`<div style="font-size:13px;color:` + grey + `">` + escape.HTML(deliver.TextWindow.In(lang)+": "+deliver.WindowText(s), 200) + " · " + escape.HTML(counts, 80) + "</div>\n")

	links := linkList(d)
	if p.over > 0 {
		note := textReportOver.F(lang, deliver.FormatSize(p.over), deliver.FormatSize(t.opt.MaxSize))
		if len(links) > 0 {
			note += " " + textReportAtLinks.In(lang)
		}
		pl.WriteString("\n" + note + "\n")
		h.WriteString(`<div style="margin:10px 0 0;font-size:14px;color:` + warnInk + `">` + escape.HTML(note, 400) + "</div>\n")
	}

	if len(s.Top) == 0 {
		pl.WriteString("\n" + deliver.TextNoFindings.In(lang) + "\n")
		h.WriteString(`<div style="margin:10px 0 0;font-size:14px">` + escape.HTML(deliver.TextNoFindings.In(lang), 100) + "</div>\n")
	} else {
		pl.WriteString("\n" + deliver.TextTopFindings.In(lang) + ":\n")
		h.WriteString(`<div style="margin:12px 0 4px;font-size:14px;font-weight:bold;color:#111418">` + escape.HTML(deliver.TextTopFindings.In(lang), 100) + "</div>\n")
		h.WriteString(`<ul style="margin:0;padding-left:20px;font-size:14px;line-height:1.5">` + "\n")
		for _, f := range s.Top {
			sev := report.SeverityName(f.Severity, lang)
			pl.WriteString("- [" + sev + "] " + escape.Clean(deliver.FindingText(f), 300) + "\n")
			h.WriteString(`<li style="margin:0 0 3px">` + pill(severityTones[f.Severity], sev) + " " + escape.HTML(deliver.FindingText(f), 300) + "</li>\n")
		}
		h.WriteString("</ul>\n")
		if more := s.Findings - len(s.Top); more > 0 {
			pl.WriteString(deliver.TextMore.F(lang, more) + "\n")
			h.WriteString(`<div style="margin:2px 0 0;font-size:13px;color:` + grey + `">` + escape.HTML(deliver.TextMore.F(lang, more), 100) + "</div>\n")
		}
	}
	if s.DataGaps > 0 {
		pl.WriteString("\n" + deliver.TextDataGaps.F(lang, s.DataGaps) + "\n")
		h.WriteString(`<div style="margin:8px 0 0;font-size:13px;color:` + warnInk + `">` + escape.HTML(deliver.TextDataGaps.F(lang, s.DataGaps), 200) + "</div>\n")
	}

	var note string
	switch p.state {
	case attached:
		note = deliver.TextAttached.In(lang)
	case linked, omitted:
		size, budget := deliver.FormatSize(len(pdf.Data)), deliver.FormatSize(t.opt.MaxSize)
		note = deliver.TextOmitted.F(lang, size, budget)
		if p.state == linked {
			note = deliver.TextLinkedNoExp.F(lang, size, budget)
			if exp, ok := deliver.LinkExpiry(d.Link(pdf.Name)); ok {
				note = deliver.TextLinked.F(lang, size, budget, exp.In(deliver.CoverDate(s).Location()).Format("2006-01-02 15:04 MST"))
			}
		}
	}
	if note != "" {
		pl.WriteString("\n" + note + "\n")
		h.WriteString(`<div style="margin:10px 0 0;font-size:13px;color:#495057">` + escape.HTML(note, 400) + "</div>\n")
	}
	if len(links) > 0 {
		pl.WriteString("\n" + deliver.TextLinks.In(lang) + ":\n")
		h.WriteString(`<div style="margin:6px 0 0;font-size:13px">` + escape.HTML(deliver.TextLinks.In(lang), 40) + ": ")
		for i, l := range links {
			pl.WriteString("- " + l.name + ": " + l.url + "\n")
			if i > 0 {
				h.WriteString(` <span style="color:#adb5bd">·</span> `)
			}
			h.WriteString(`<a href="` + escape.HTML(l.url, 4000) + `" style="color:#0b5cad">` + escape.HTML(l.name, 200) + "</a>")
		}
		h.WriteString("</div>\n")
	}
	h.WriteString("</td></tr>\n</table>\n")

	if p.body == BodyReport {
		// The report itself: its own header, sections and footer.
		h.WriteString(rb.html)
		if rb.text != "" {
			pl.WriteString("\n" + strings.Repeat("=", 60) + "\n\n" + rb.text)
		} else {
			pl.WriteString("\n-- \n" + deliver.TextGenerated.In(lang) + "\n")
		}
	} else {
		for _, a := range imgs {
			w := imageWidth(a.Data)
			h.WriteString(fmt.Sprintf(`<div style="margin:16px 0 0"><img src="cid:%s" alt="%s" width="%d" style="display:block;width:100%%;max-width:%dpx;height:auto;border:0"></div>`+"\n",
				escape.HTML(cid(a), 200), escape.HTML(a.ChartID, 80), w, w))
		}
		pl.WriteString("\n-- \n" + deliver.TextGenerated.In(lang) + "\n")
		h.WriteString(`<p style="margin:16px 0 0;color:#868e96;font-size:12px">` + escape.HTML(deliver.TextGenerated.In(lang), 100) + "</p>\n")
	}
	h.WriteString("</div>\n")
	h.WriteString(`<!--[if mso]></td></tr></table><![endif]-->` + "\n</body></html>\n")
	return pl.String(), h.String()
}
