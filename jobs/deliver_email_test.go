package jobs

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/deliver/email"
)

// startRelay runs the plain in-process go-smtp relay of deliver_test.go and
// returns it with its port.
func startRelay(t *testing.T) (*relay, int) {
	t.Helper()
	rl := &relay{}
	srv := smtp.NewServer(rl)
	srv.MaxMessageBytes = 50 << 20
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return rl, l.Addr().(*net.TCPAddr).Port
}

// emailRun runs the demo daily-status job with the given formats through
// the runner and a Deliverer to an email target (and a file archive), and
// returns the result and the one message the relay got.
func emailRun(t *testing.T, formats, body string) (*Result, []byte, string) {
	t.Helper()
	rl, port := startRelay(t)
	dir := t.TempDir()
	cfg := parseConfig(t, fmt.Sprintf(`timezone: Asia/Seoul
source: {type: demo}
targets:
  archive: {type: file, dir: %q}
  mail:
    type: email
    smtp: {host: 127.0.0.1, port: %d, tls: none}
    from: "cwreport <reports@example.com>"
    to: [sre@example.com]
%s
jobs:
  - name: daily-status
    kind: daily-status
    formats: %s
    deliver: [archive, mail]
`, dir, port, body, formats))
	an, err := Analyzers()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, cfg.Location)
	r := &Runner{Config: cfg, Source: mustSource(t, cfg), Analyzers: an, Renderers: Renderers(), Now: func() time.Time { return at }}
	r.Deliverer = NewDeliverer(cfg)
	res := r.Run(context.Background(), NewRun(cfg.Job("daily-status"), at))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	for _, d := range res.Deliveries {
		if d.Status != deliver.StatusOK || d.Warning != "" {
			t.Fatalf("delivery %+v", d)
		}
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if len(rl.msgs) != 1 {
		t.Fatalf("relay holds %d messages", len(rl.msgs))
	}
	return res, rl.msgs[0], dir
}

// mimePart is one leaf of a message.
type mimePart struct {
	typ, cid, name string
	body           []byte
}

// mimeTree parses a message into its shape, e.g.
// "multipart/mixed[multipart/alternative[text/plain,text/html]]", and its
// decoded leaves; anything malformed fails the test.
func mimeTree(t *testing.T, raw []byte) (string, []mimePart) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var leaves []mimePart
	var walk func(h func(string) string, body io.Reader) string
	walk = func(h func(string) string, body io.Reader) string {
		mt, params, err := mime.ParseMediaType(h("Content-Type"))
		if err != nil {
			t.Fatalf("Content-Type %q: %v", h("Content-Type"), err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			var kids []string
			for {
				p, err := mr.NextRawPart()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				kids = append(kids, walk(p.Header.Get, p))
			}
			return mt + "[" + strings.Join(kids, ",") + "]"
		}
		var r io.Reader = body
		switch strings.ToLower(h("Content-Transfer-Encoding")) {
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, body)
		case "quoted-printable":
			r = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(mt, "text/") {
			b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		}
		leaves = append(leaves, mimePart{typ: mt, cid: strings.Trim(h("Content-Id"), "<>"), name: params["name"], body: b})
		return mt
	}
	return walk(msg.Header.Get, msg.Body), leaves
}

var cidRE = regexp.MustCompile(`src="cid:([^"]+)"`)

func TestEmailCarriesTheReport(t *testing.T) {
	start := time.Now()
	res, raw, archive := emailRun(t, "[md, html, pdf, json]", "")
	mailRes := res.Deliveries[1]
	t.Logf("demo daily-status email: %d bytes (run and delivery %v)", len(raw), time.Since(start))
	if mailRes.Receipt["body"] != "report" || mailRes.Receipt["attachment"] != "attached" {
		t.Errorf("receipt %v", mailRes.Receipt)
	}
	var pngs []report.Artifact
	for _, a := range res.Artifacts {
		if a.Role == report.RoleEmail {
			t.Errorf("the email rendering %s is among the run's artifacts", a.Name)
		}
		if a.Role == report.RoleImage {
			pngs = append(pngs, a)
		}
	}
	// Nothing made for the email is archived.
	_ = filepath.Walk(archive, func(p string, _ os.FileInfo, _ error) error {
		if strings.Contains(p, ".email.") {
			t.Errorf("archived %s", p)
		}
		return nil
	})
	shape, leaves := mimeTree(t, raw)
	want := "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html" + strings.Repeat(",image/png", len(pngs)) + "]],application/pdf]"
	if len(pngs) < 3 || shape != want {
		t.Fatalf("MIME tree\n got %s\nwant %s", shape, want)
	}
	var html, plain string
	inline := map[string][]byte{}
	for _, p := range leaves {
		switch p.typ {
		case "text/html":
			html = string(p.body)
		case "text/plain":
			plain = string(p.body)
		case "image/png":
			inline[p.cid] = p.body
		}
	}
	// Every picture the body shows is attached, every attached picture is
	// shown, and each is the run's own PNG.
	refs := map[string]bool{}
	for _, m := range cidRE.FindAllStringSubmatch(html, -1) {
		refs[m[1]] = true
		if inline[m[1]] == nil {
			t.Errorf("the body shows cid:%s, which is not attached", m[1])
		}
	}
	for _, a := range pngs {
		c := report.ChartContentID(a.ChartID)
		if !refs[c] {
			t.Errorf("%s is attached as %s but not shown", a.Name, c)
		}
		if !bytes.Equal(inline[c], a.Data) {
			t.Errorf("%s: the inline picture differs from the artifact", a.Name)
		}
	}
	for _, bad := range []string{"<svg", "<style", "<script", "<form", `src="http`, "<link"} {
		if strings.Contains(html, bad) {
			t.Errorf("the HTML body contains %q", bad)
		}
	}
	// The summary block first, then the report with its sections.
	sum, rep := strings.Index(html, "주요 발견 사항"), strings.Index(html, "<h1 ")
	if sum < 0 || rep < sum || !strings.Contains(html[rep:], ">1. 알람</h2>") || !strings.Contains(html, "max-width:680px") {
		t.Errorf("summary at %d, report at %d", sum, rep)
	}
	for _, w := range []string{"[심각] 일일 상태 보고서 · daily-status · 2026-11-24", "주요 발견 사항:", "전체 보고서를 첨부했습니다.", "1. 알람\n-------", "[차트: "} {
		if !strings.Contains(plain, w) {
			t.Errorf("plain text lacks %q", w)
		}
	}
	if dir := os.Getenv("EMAIL_OUT"); dir != "" {
		writeEmailForScreenshot(t, dir, "email-daily-status", html, plain, leaves, raw)
	}
}

// writeEmailForScreenshot writes the HTML body with each cid: URL replaced
// by the file the picture is written to, so a browser can show the message
// as a mail client would; and the raw message.
func writeEmailForScreenshot(t *testing.T, dir, name, html, plain string, leaves []mimePart, raw []byte) {
	for _, p := range leaves {
		if p.cid == "" {
			continue
		}
		file := filepath.Join(dir, name+"-"+strings.TrimSuffix(p.cid, "@cwreport")+".png")
		if err := os.WriteFile(file, p.body, 0o644); err != nil {
			t.Fatal(err)
		}
		html = strings.ReplaceAll(html, `src="cid:`+p.cid+`"`, `src="file://`+file+`"`)
	}
	os.WriteFile(filepath.Join(dir, name+".html"), []byte(html), 0o644)
	os.WriteFile(filepath.Join(dir, name+".txt"), []byte(plain), 0o644)
	os.WriteFile(filepath.Join(dir, name+".eml"), raw, 0o644)
}

// TestEmailWithoutHTMLFormat: a job that renders only a PDF still mails the
// report with its charts, drawn for the email and not archived.
func TestEmailWithoutHTMLFormat(t *testing.T) {
	res, raw, _ := emailRun(t, "[pdf]", "")
	if b := res.Deliveries[1].Receipt["body"]; b != "report" {
		t.Errorf("body %q", b)
	}
	for _, a := range res.Artifacts {
		if a.Format != "pdf" {
			t.Errorf("artifact %s beside the PDF", a.Name)
		}
	}
	shape, leaves := mimeTree(t, raw)
	n := 0
	for _, p := range leaves {
		if p.typ == "image/png" {
			n++
		}
	}
	if n < 3 || !strings.HasSuffix(shape, "],application/pdf]") {
		t.Errorf("%d pictures, shape %s", n, shape)
	}
}

func TestEmailSummaryBody(t *testing.T) {
	res, raw, _ := emailRun(t, "[md, html, pdf, json]", "    body: summary")
	if b := res.Deliveries[1].Receipt["body"]; b != "summary" {
		t.Errorf("body %q", b)
	}
	_, leaves := mimeTree(t, raw)
	for _, p := range leaves {
		if p.typ == "text/html" && (strings.Contains(string(p.body), "<h1") || !strings.Contains(string(p.body), "주요 발견 사항")) {
			t.Error("the summary body holds the report, or lacks the summary")
		}
	}
}

// discard is a Sender for the benchmark: it keeps the last message.
type discard struct{ last []byte }

func (d *discard) Send(_ context.Context, _ string, _ []string, msg []byte) (string, error) {
	d.last = msg
	return "250 ok", nil
}
func (d *discard) Receipt() string { return "smtp_response" }

// BenchmarkDemoEmail measures, for the demo daily-status report, rendering
// the email body (bodies: Markdown, the fragment and its text; the PNGs are
// the run's) and composing the message (compose: summary block, encoding,
// pictures and PDF in base64).
func BenchmarkDemoEmail(b *testing.B) {
	cfg, err := config.Parse("b.yaml", []byte("timezone: Asia/Seoul\nsource: {type: demo}\njobs:\n  - name: daily-status\n    kind: daily-status\n"), func(string) (string, bool) { return "", false })
	if err != nil {
		b.Fatal(err)
	}
	an, _ := Analyzers()
	src, _ := OpenSource(context.Background(), cfg)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, cfg.Location)
	r := &Runner{Config: cfg, Source: src, Analyzers: an, Renderers: Renderers(), Now: func() time.Time { return at }}
	run := NewRun(cfg.Job("daily-status"), at)
	res := r.Run(context.Background(), run)
	if res.Err != nil {
		b.Fatal(res.Err)
	}
	req := deliver.Request{RunKey: run.Key(), Summary: res.Report.Summarize(run.Period, 5), Artifacts: res.Artifacts}
	b.Run("bodies", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := EmailBodies(res.Report, run.Base(), res.Artifacts); err != nil {
				b.Fatal(err)
			}
		}
	})
	req.Bodies, _ = EmailBodies(res.Report, run.Base(), res.Artifacts)
	sink := &discard{}
	tgt, err := email.New(sink, email.Options{From: "reports@example.com", To: []string{"sre@example.com"}, MaxSize: 10 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("compose", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := tgt.Deliver(context.Background(), deliver.NewDelivery(req, "mail", nil)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(sink.last)), "msg-bytes")
	})
}

// TestDemoEmailsFitGmail: the HTML part of every demo report's email, in
// both languages, stays under the size at which Gmail clips a message
// (about 102 KB: "[Message clipped] View entire message"), with room left.
func TestDemoEmailsFitGmail(t *testing.T) {
	const clip = 95_000
	kinds := []string{"daily-status", "capacity", "security", "incident", "benchmark"}
	for _, lang := range []string{"ko", "en"} {
		rl, port := startRelay(t)
		y := fmt.Sprintf("timezone: Asia/Seoul\nlanguage: %s\nsource: {type: demo}\ntargets:\n  mail: {type: email, smtp: {host: 127.0.0.1, port: %d, tls: none}, from: r@example.com, to: [s@example.com]}\njobs:\n", lang, port)
		for _, k := range kinds {
			y += "  - {name: " + k + ", kind: " + k + ", formats: [html, pdf], deliver: [mail]}\n"
		}
		cfg := parseConfig(t, y)
		an, _ := Analyzers()
		at := time.Date(2026, 11, 24, 8, 0, 0, 0, cfg.Location)
		r := &Runner{Config: cfg, Source: mustSource(t, cfg), Analyzers: an, Renderers: Renderers(), Now: func() time.Time { return at }, Deliverer: NewDeliverer(cfg)}
		for _, k := range kinds {
			res := r.Run(context.Background(), NewRun(cfg.Job(k), at))
			if res.Err != nil || len(res.Deliveries) != 1 || res.Deliveries[0].Receipt["body"] != "report" {
				t.Fatalf("%s: %v %+v", k, res.Err, res.Deliveries)
			}
		}
		rl.mu.Lock()
		msgs := rl.msgs
		rl.mu.Unlock()
		if len(msgs) != len(kinds) {
			t.Fatalf("%d messages", len(msgs))
		}
		for i, raw := range msgs {
			_, leaves := mimeTree(t, raw)
			for _, p := range leaves {
				if p.typ == "text/html" {
					t.Logf("%s %s: HTML %d bytes, message %d bytes", lang, kinds[i], len(p.body), len(raw))
					if len(p.body) > clip {
						t.Errorf("%s %s: the HTML body is %d bytes; Gmail clips beyond ~102 KB", lang, kinds[i], len(p.body))
					}
				}
			}
		}
	}
}
