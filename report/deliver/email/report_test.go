package email

import (
	"bytes"
	"context"
	"mime/multipart"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/deliver/delivertest"
	"github.com/cwreport/cwreport/report/internal/escape"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/html"
	"github.com/cwreport/cwreport/report/render/markdown"
)

// reportBodies renders the sample run's report for an email body the way
// jobs.Deliverer does: html.Email over Markdown written with the template
// escapes, here the sample's hostile findings in a table and the given
// charts. The pictures are left out: the sample carries them (chart ids
// cpu and alarms).
func reportBodies(t testing.TB, req deliver.Request, charts ...string) []report.Artifact {
	t.Helper()
	s := req.Summary
	var md strings.Builder
	md.WriteString("# 🔴 " + escape.Markdown(s.Headline, 500) + "\n\n| | |\n|---|---|\n| 상태 | 🔴 심각 |\n\n## 발견 사항\n\n")
	md.WriteString("| 심각도 | 발견 사항 | 리소스 |\n|---|---|---|\n")
	for _, f := range s.Top {
		md.WriteString("| " + markdown.SeverityBadge(f.Severity, s.Language) + " | " + escape.MarkdownCell(f.Title, 300) + " | " + escape.MarkdownCode(f.Resource, 200) + " |\n")
	}
	md.WriteString("\n## 차트\n\n")
	for _, id := range charts {
		md.WriteString("![" + id + " 차트](chart:" + id + ")\n\n")
	}
	md.WriteString("---\n\ncwreport가 생성했습니다.\n")
	start, end := s.Window.Start, s.Window.End
	cpu := report.Chart{ID: "cpu", Kind: report.ChartTimeSeries, Title: "CPU", Unit: "%",
		Series: []report.ChartSeries{{Name: "web-01", Points: []report.ChartPoint{{T: start, V: 10}, {T: end, V: 95}}}}}
	alarms := report.Chart{ID: "alarms", Kind: report.ChartBars, Title: "알람", Bars: []report.Bar{{Label: "High-CPU-Usage", Value: 3}}}
	rep := &report.Report{Schema: report.Schema, Job: s.Job, Kind: s.Kind, Window: s.Window, Timezone: s.Timezone, Language: s.Language,
		Status: s.Status, Headline: s.Headline, Sections: []report.Section{{ID: "s", Charts: []report.Chart{cpu, alarms}}}}
	arts, err := html.Email{NoImages: true}.Render(&render.Document{Report: rep, Markdown: []byte(md.String()), Base: "morning-2026-11-24"})
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

// withReport hands every delivery the report's email rendering before the
// real target sends it, as jobs.Deliverer does for the pipeline; the
// conformance suite's sample carries none.
type withReport struct {
	tgt    deliver.Target
	bodies []report.Artifact
}

func (w withReport) Deliver(ctx context.Context, d *deliver.Delivery) error {
	d.Bodies = w.bodies
	return w.tgt.Deliver(ctx, d)
}

// TestConformanceSMTPReportBody runs the conformance suite with the report
// as the body: the hostile findings reach the message through the HTML
// renderer this time, and must still only be shown.
func TestConformanceSMTPReportBody(t *testing.T) {
	var r *relay
	bodies := reportBodies(t, delivertest.Sample(), "cpu", "alarms")
	delivertest.Run(t, delivertest.Peer{
		New: func(t *testing.T) deliver.Target {
			r = newRelay(t, startTLSRelay)
			r.user, r.pass = "cwreport", "smtp-pass-secret"
			return withReport{smtpTarget(t, r, "starttls", options()), bodies}
		},
		Received: func(t *testing.T) delivertest.Received {
			var raws [][]byte
			for _, m := range r.received() {
				raws = append(raws, m.data)
			}
			got := receivedFrom(t, raws)
			if got.Messages > 0 && !strings.Contains(got.Text, "<h1 ") {
				t.Error("the message does not carry the report")
			}
			return got
		},
		Carries:  func(a report.Artifact) bool { return a.Format == "pdf" || a.Role == report.RoleImage },
		Messages: 1,
		Dead: func(t *testing.T) deliver.Target {
			l, _ := net.Listen("tcp", "127.0.0.1:0")
			port := l.Addr().(*net.TCPAddr).Port
			l.Close()
			tgt, _ := New(&SMTP{Host: "127.0.0.1", Port: port, Username: "cwreport", Password: "smtp-pass-secret"}, options())
			return withReport{tgt, bodies}
		},
		Secrets: []string{"smtp-pass-secret"},
	})
}

var cidRE = regexp.MustCompile(`src="cid:([^"]+)"`)

// sent delivers req (with links) through a fresh relay and returns the
// delivery and the parsed message.
func sent(t *testing.T, opt Options, req deliver.Request, links map[string]string) (*deliver.Delivery, []byte, string, []part) {
	t.Helper()
	r := newRelay(t, startTLSRelay)
	d := deliver.NewDelivery(req, "mail", links)
	if err := smtpTarget(t, r, "starttls", opt).Deliver(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	got := r.received()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	_, shape, leaves := parseMIME(t, got[0].data)
	if dir := os.Getenv("EMAIL_OUT"); dir != "" {
		screenshotFiles(t, dir, leaves)
	}
	return d, got[0].data, shape, leaves
}

// screenshotFiles writes the HTML body with each cid: URL replaced by the
// file its picture is written to, so a browser shows the message as a mail
// client would (EMAIL_OUT=dir go test ./report/deliver/email).
func screenshotFiles(t *testing.T, dir string, leaves []part) {
	name := "email-" + strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	_, body, inline := bodiesOf(leaves)
	for c, b := range inline {
		file := filepath.Join(dir, name+"-"+strings.TrimSuffix(c, "@cwreport")+".png")
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		body = strings.ReplaceAll(body, `src="cid:`+c+`"`, `src="file://`+file+`"`)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func bodiesOf(leaves []part) (plain, html string, inline map[string][]byte) {
	inline = map[string][]byte{}
	for _, p := range leaves {
		switch p.typ {
		case "text/plain":
			plain = strings.ReplaceAll(string(p.body), "\r\n", "\n")
		case "text/html":
			html = strings.ReplaceAll(string(p.body), "\r\n", "\n")
		case "image/png":
			inline[strings.Trim(strings.Join(p.header["Content-Id"], ""), "<>")] = p.body
		}
	}
	return
}

func TestReportBodyMIMETree(t *testing.T) {
	req := delivertest.Sample()
	req.Bodies = reportBodies(t, req, "cpu", "alarms")
	link := "https://ops-reports.s3.amazonaws.com/x.html?X-Amz-Date=20261124T000000Z&X-Amz-Expires=604800&X-Amz-Signature=ab"
	d, _, shape, leaves := sent(t, options(), req, map[string]string{"morning-2026-11-24.html": link})
	want := "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,image/png,image/png]],application/pdf]"
	if shape != want {
		t.Errorf("MIME tree\n got %s\nwant %s", shape, want)
	}
	if d.Receipt("body") != BodyReport || d.Receipt("attachment") != attached {
		t.Errorf("receipts %v", d.Receipts())
	}
	plain, body, inline := bodiesOf(leaves)
	// Every picture shown is attached and every attached picture is shown,
	// with the sample's bytes.
	refs := map[string]bool{}
	for _, m := range cidRE.FindAllStringSubmatch(body, -1) {
		refs[m[1]] = true
	}
	for _, a := range req.Artifacts {
		if a.Role != report.RoleImage {
			continue
		}
		c := report.ChartContentID(a.ChartID)
		if !refs[c] || !bytes.Equal(inline[c], a.Data) {
			t.Errorf("%s: shown %v, attached %d bytes", c, refs[c], len(inline[c]))
		}
		delete(refs, c)
	}
	if len(refs) != 0 || len(inline) != 2 {
		t.Errorf("shown but not attached: %v; attached %d", refs, len(inline))
	}
	// Mail-safe: no SVG, style block, script, form or remote picture.
	for _, bad := range []string{"<svg", "<style", "<script", "<form", "<input", "<iframe", "<link", `src="http`, "<img src=x"} {
		if strings.Contains(body, bad) {
			t.Errorf("the HTML body contains %q", bad)
		}
	}
	// The summary block first, then the report; the link in the block.
	sum, rep := strings.Index(body, "주요 발견 사항"), strings.Index(body, "<h1 ")
	if sum < 0 || rep < sum || !strings.Contains(body, `max-width:680px`) || !strings.Contains(body[:rep], `href="https://ops-reports.s3.amazonaws.com/x.html?X-Amz-Date=20261124T000000Z&amp;`) {
		t.Errorf("summary at %d, report at %d", sum, rep)
	}
	for _, w := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;!channel&gt;", "디스크 사용률 76%"} {
		if !strings.Contains(body[rep:], w) {
			t.Errorf("the report lacks %q", w)
		}
	}
	// The plain text: the summary, then the report as text.
	i, j := strings.Index(plain, "주요 발견 사항:"), strings.Index(plain, strings.Repeat("=", 60))
	if i < 0 || j < i || !strings.Contains(plain[j:], "발견 사항\n---------") || !strings.Contains(plain[j:], "[차트: cpu 차트]") ||
		!strings.Contains(plain[j:], "</td></tr></table><script>alert(1)</script>") || strings.Contains(plain, `\<`) {
		t.Errorf("plain text:\n%s", plain)
	}
}

func TestReportBodyPictures(t *testing.T) {
	// Only the pictures the report shows travel.
	req := delivertest.Sample()
	req.Bodies = reportBodies(t, req, "cpu")
	d, _, shape, _ := sent(t, options(), req, nil)
	if d.Receipt("body") != BodyReport || !strings.Contains(shape, "multipart/related[text/html,image/png]]") {
		t.Errorf("body %q, shape %s", d.Receipt("body"), shape)
	}

	// A picture the report shows but the run lacks: the summary is sent
	// rather than a report with a broken picture.
	req = delivertest.Sample()
	req.Bodies = reportBodies(t, req, "cpu", "alarms")
	req.Artifacts = append(req.Artifacts[:3:3], req.Artifacts[4:]...) // without the alarms PNG
	d, _, _, leaves := sent(t, options(), req, nil)
	_, body, _ := bodiesOf(leaves)
	if d.Receipt("body") != BodySummary || strings.Contains(body, "<h1 ") {
		t.Errorf("body %q", d.Receipt("body"))
	}

	// Pictures drawn for the email (Bodies) count as the run's.
	req = delivertest.Sample()
	req.Bodies = reportBodies(t, req, "cpu", "alarms")
	for i, a := range req.Artifacts {
		if a.Role == report.RoleImage {
			req.Bodies = append(req.Bodies, a)
			req.Artifacts[i].Role = report.RoleEvidence // not a picture any more
		}
	}
	d, _, shape, _ = sent(t, options(), req, nil)
	if d.Receipt("body") != BodyReport || !strings.Contains(shape, "image/png,image/png") {
		t.Errorf("body %q, shape %s", d.Receipt("body"), shape)
	}
}

func TestBodyOption(t *testing.T) {
	req := delivertest.Sample()
	req.Bodies = reportBodies(t, req, "cpu", "alarms")
	opt := options()
	opt.Body = BodySummary
	d, _, shape, leaves := sent(t, opt, req, nil)
	plain, body, _ := bodiesOf(leaves)
	if d.Receipt("body") != BodySummary || strings.Contains(body, "<h1 ") || strings.Contains(plain, strings.Repeat("=", 60)) {
		t.Errorf("body %q", d.Receipt("body"))
	}
	if !strings.Contains(shape, "image/png,image/png") || !strings.Contains(body, `src="cid:chart-cpu@cwreport"`) {
		t.Errorf("the summary lost its charts: %s", shape)
	}
	opt.Body = "full"
	if _, err := New(&SMTP{}, opt); err == nil || !strings.Contains(err.Error(), `email body "full": use report`) {
		t.Errorf("New: %v", err)
	}
}

// TestSizeBudget walks the fallbacks: the report with the PDF attached, the
// report with the PDF linked, the summary with a note, the summary without
// pictures. Budgets are set from the sizes of the messages themselves.
func TestSizeBudget(t *testing.T) {
	req := delivertest.Sample()
	req.Bodies = reportBodies(t, req, "cpu", "alarms")
	pdfLink := "https://ops-reports.s3.amazonaws.com/morning-2026-11-24.pdf?X-Amz-Date=20261124T000100Z&X-Amz-Expires=604800&X-Amz-Signature=abc"
	links := map[string]string{"morning-2026-11-24.pdf": pdfLink}
	tgt, err := New(&SMTP{}, options())
	if err != nil {
		t.Fatal(err)
	}
	id, err := tgt.messageID(req.RunKey) // as long as the real one
	if err != nil {
		t.Fatal(err)
	}
	size := func(p plan, links map[string]string) int {
		d := deliver.NewDelivery(req, "mail", links)
		raw, err := tgt.build(d, id, d.Artifact(report.RoleReport, "pdf"), p, tgt.reportBody(d))
		if err != nil {
			t.Fatal(err)
		}
		return len(raw)
	}
	full := size(plan{body: BodyReport, state: attached, images: true}, links)
	linkedReport := size(plan{body: BodyReport, state: linked, images: true}, links)
	summary := size(plan{body: BodySummary, state: linked, images: true, over: linkedReport}, links)
	bare := size(plan{body: BodySummary, state: linked, over: linkedReport}, links)
	fullNoLink := size(plan{body: BodyReport, state: attached, images: true}, nil)
	if !(full > linkedReport && linkedReport > summary && summary > bare) {
		t.Fatalf("sizes not decreasing: %d %d %d %d", full, linkedReport, summary, bare)
	}
	t.Logf("sizes: report+PDF %d, report+link %d, summary %d, summary without pictures %d", full, linkedReport, summary, bare)
	for _, c := range []struct {
		name        string
		budget      int
		links       map[string]string
		body, state string
		pictures    int
		note        string
	}{
		{"fits", full, links, BodyReport, attached, 2, "전체 보고서를 첨부했습니다."},
		{"PDF linked", full - 1, links, BodyReport, linked, 2, "2026-12-01 09:01 KST까지 유효"},
		{"PDF left out without a link", fullNoLink - 1, nil, BodyReport, omitted, 2, "보관 링크가 없어 첨부하지 않았습니다"},
		{"summary instead of the report", linkedReport - 1, links, BodySummary, linked, 2, "메일 크기 한도"},
		{"summary without pictures", summary - 1, links, BodySummary, linked, 0, "요약만 보냅니다. 전체 보고서는 아래 링크에서 여십시오."},
	} {
		t.Run(c.name, func(t *testing.T) {
			opt := options()
			opt.MaxSize = c.budget
			d, raw, shape, leaves := sent(t, opt, req, c.links)
			if d.Receipt("body") != c.body || d.Receipt("attachment") != c.state {
				t.Errorf("receipts %v", d.Receipts())
			}
			if len(raw) > c.budget {
				t.Errorf("%d bytes over the %d budget", len(raw), c.budget)
			}
			plain, body, inline := bodiesOf(leaves)
			if len(inline) != c.pictures || strings.Contains(shape, "application/pdf") != (c.state == attached) {
				t.Errorf("%d pictures, shape %s", len(inline), shape)
			}
			if !strings.Contains(plain, c.note) || !strings.Contains(body, c.note) {
				t.Errorf("the note %q is missing:\n%s", c.note, plain)
			}
			if (c.body == BodyReport) != strings.Contains(body, "<h1 ") {
				t.Errorf("report in the body: %v", strings.Contains(body, "<h1 "))
			}
			if c.body == BodySummary && !strings.Contains(plain, "요약만 보냅니다") {
				t.Errorf("the summary does not say why:\n%s", plain)
			}
		})
	}
}

// TestTextEncoding: Korean text travels as base64 (quoted-printable would
// triple it), English as quoted-printable.
func TestTextEncoding(t *testing.T) {
	for _, c := range []struct {
		text, want string
	}{
		{strings.Repeat("전체 보고서를 첨부했습니다. ", 50), "base64"},
		{strings.Repeat("The full report is attached. ", 50), "quoted-printable"},
	} {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		if err := textPart(w, "text/plain; charset=utf-8", c.text); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if !strings.Contains(b.String(), "Content-Transfer-Encoding: "+c.want) {
			t.Errorf("%.20q... encoded as %s", c.text, b.String()[:200])
		}
	}
}

func BenchmarkComposeReport(b *testing.B) {
	tgt, err := New(&SMTP{}, options())
	if err != nil {
		b.Fatal(err)
	}
	req := delivertest.Sample()
	req.Bodies = reportBodies(b, req, "cpu", "alarms")
	d := deliver.NewDelivery(req, "mail", nil)
	b.ReportAllocs()
	for b.Loop() {
		m, err := tgt.compose(d)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(m.Raw)))
	}
}
