package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/emersion/go-smtp"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/deliver/delivertest"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 24, 8, 1, 0, 0, time.UTC) }

func options() Options {
	return Options{
		From: "cwreport 보고서 <reports@example.com>",
		To:   []string{"SRE 팀 <sre@example.com>", "oncall@example.com"},
		Cc:   []string{"lead@example.com"},
		Bcc:  []string{"audit@example.com"},
		Now:  fixedNow,
	}
}

func smtpTarget(t *testing.T, r *relay, mode string, opt Options) *Target {
	t.Helper()
	s := &SMTP{Host: "127.0.0.1", Port: r.port, TLS: mode, TLSConfig: &tls.Config{RootCAs: r.ca}}
	if r.user != "" {
		s.Username, s.Password = r.user, r.pass
	}
	tgt, err := New(s, opt)
	if err != nil {
		t.Fatal(err)
	}
	return tgt
}

// receivedFrom turns raw messages into what the conformance suite checks:
// attachments and inline images by file name; as text, the raw header
// block (where an injected header would show) and the HTML bodies (where
// markup would act). Plain-text bodies show hostile text as text by nature.
func receivedFrom(t *testing.T, raws [][]byte) delivertest.Received {
	got := delivertest.Received{Messages: len(raws), Files: map[string][]byte{}}
	var text strings.Builder
	for _, raw := range raws {
		head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
		text.Write(head)
		_, _, leaves := parseMIME(t, raw)
		for _, p := range leaves {
			if name := fileName(p); name != "" {
				got.Files[name] = p.body
			}
			if p.typ == "text/html" {
				text.Write(p.body)
			}
		}
	}
	got.Text = text.String()
	return got
}

func fileName(p part) string {
	if _, params, err := parseDisposition(p); err == nil && params["filename"] != "" {
		return params["filename"]
	}
	return p.params["name"]
}

func TestConformanceSMTP(t *testing.T) {
	var r *relay
	delivertest.Run(t, delivertest.Peer{
		New: func(t *testing.T) deliver.Target {
			r = newRelay(t, startTLSRelay)
			r.user, r.pass = "cwreport", "smtp-pass-secret"
			return smtpTarget(t, r, "starttls", options())
		},
		Received: func(t *testing.T) delivertest.Received {
			var raws [][]byte
			for _, m := range r.received() {
				raws = append(raws, m.data)
			}
			return receivedFrom(t, raws)
		},
		Carries:  func(a report.Artifact) bool { return a.Format == "pdf" || a.Role == report.RoleImage },
		Messages: 1,
		Dead: func(t *testing.T) deliver.Target {
			l, _ := net.Listen("tcp", "127.0.0.1:0")
			port := l.Addr().(*net.TCPAddr).Port
			l.Close()
			tgt, _ := New(&SMTP{Host: "127.0.0.1", Port: port, Username: "cwreport", Password: "smtp-pass-secret"}, options())
			return tgt
		},
		Secrets: []string{"smtp-pass-secret"},
	})
}

var sesFrom atomic.Int64

func sesClient(endpoint string) *sesv2.Client {
	return sesv2.NewFromConfig(aws.Config{Region: "ap-northeast-2", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "ses-secret-key", "")},
		func(o *sesv2.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// sentByKumo reads kumo's record of sent SES emails (its debug endpoint
// GET /kumo/ses/v2/sent-emails) from one sender; kumo keeps state per
// process, so each test sends from its own address.
func sentByKumo(t *testing.T, srv *kumo.Server, from string) []kumoSent {
	t.Helper()
	resp, err := http.Get(srv.URL + "/kumo/ses/v2/sent-emails")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ SentEmails []kumoSent }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	var mine []kumoSent
	for _, s := range out.SentEmails {
		if s.FromEmailAddress == from {
			mine = append(mine, s)
		}
	}
	return mine
}

type kumoSent struct {
	MessageId        string
	FromEmailAddress string
	Destination      struct{ ToAddresses, CcAddresses, BccAddresses []string }
	RawData          []byte
}

func TestConformanceSES(t *testing.T) {
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	var from string
	delivertest.Run(t, delivertest.Peer{
		New: func(t *testing.T) deliver.Target {
			from = fmt.Sprintf("reports-%d@example.com", sesFrom.Add(1))
			opt := options()
			opt.From = from
			tgt, err := New(&SES{Client: sesClient(srv.URL), To: opt.To, Cc: opt.Cc, Bcc: opt.Bcc}, opt)
			if err != nil {
				t.Fatal(err)
			}
			return tgt
		},
		Received: func(t *testing.T) delivertest.Received {
			var raws [][]byte
			for _, s := range sentByKumo(t, srv, from) {
				raws = append(raws, s.RawData)
			}
			return receivedFrom(t, raws)
		},
		Carries:  func(a report.Artifact) bool { return a.Format == "pdf" || a.Role == report.RoleImage },
		Messages: 1,
		Dead: func(t *testing.T) deliver.Target {
			tgt, _ := New(&SES{Client: sesClient("http://127.0.0.1:1"), To: []string{"a@example.com"}}, options())
			return tgt
		},
		Secrets: []string{"ses-secret-key"},
	})
}

func TestSESDestinationAndMessageID(t *testing.T) {
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	opt := options()
	opt.From = fmt.Sprintf("reports-%d@example.com", sesFrom.Add(1))
	tgt, err := New(&SES{Client: sesClient(srv.URL), To: []string{"sre@example.com"}, Cc: []string{"lead@example.com"}, Bcc: []string{"audit@example.com"}}, opt)
	if err != nil {
		t.Fatal(err)
	}
	d := deliver.NewDelivery(delivertest.Sample(), "mail", nil)
	if err := tgt.Deliver(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	sent := sentByKumo(t, srv, opt.From)
	if len(sent) != 1 {
		t.Fatalf("kumo has %d messages", len(sent))
	}
	if got := d.Receipt("ses_message_id"); got == "" || got != sent[0].MessageId {
		t.Errorf("receipt %q, kumo's id %q", got, sent[0].MessageId)
	}
	if strings.Join(sent[0].Destination.BccAddresses, ",") != "audit@example.com" {
		t.Errorf("bcc not in the SES destination: %+v", sent[0].Destination)
	}
	msg, _, _ := parseMIME(t, sent[0].RawData)
	if msg.Header.Get("Bcc") != "" || msg.Header.Get("Message-ID") != d.Receipt("message_id") {
		t.Errorf("headers: Bcc %q, Message-ID %q vs receipt %q", msg.Header.Get("Bcc"), msg.Header.Get("Message-ID"), d.Receipt("message_id"))
	}
}

func TestMIMETree(t *testing.T) {
	r := newRelay(t, startTLSRelay)
	r.user, r.pass = "cwreport", "pw"
	tgt := smtpTarget(t, r, "starttls", options())
	req := delivertest.Sample()
	d := deliver.NewDelivery(req, "mail", map[string]string{"morning-2026-11-24.pdf": "https://ops-reports.s3.amazonaws.com/x.pdf?X-Amz-Date=20261124T000000Z&X-Amz-Expires=604800&X-Amz-Signature=ab"})
	if err := tgt.Deliver(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	got := r.received()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	m := got[0]
	if !m.tls {
		t.Error("the message crossed without TLS")
	}
	if m.from != "reports@example.com" || strings.Join(m.rcpt, ",") != "sre@example.com,oncall@example.com,lead@example.com,audit@example.com" {
		t.Errorf("envelope from %q rcpt %v", m.from, m.rcpt)
	}
	msg, shape, leaves := parseMIME(t, m.data)
	want := "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,image/png,image/png]],application/pdf]"
	if shape != want {
		t.Errorf("MIME tree\n got %s\nwant %s", shape, want)
	}
	// Headers: exactly these, none injected, Bcc absent, non-ASCII encoded.
	var keys []string
	for k := range msg.Header {
		keys = append(keys, k)
	}
	for _, k := range keys {
		switch k {
		case "From", "To", "Cc", "Subject", "Date", "Message-Id", "Mime-Version", "Auto-Submitted", "X-Cwreport-Run", "Content-Type":
		default:
			t.Errorf("unexpected header %q: %q", k, msg.Header.Get(k))
		}
	}
	raw := string(m.data[:bytes.Index(m.data, []byte("\r\n\r\n"))])
	for _, line := range strings.Split(raw, "\r\n") {
		if len(line) > 998 {
			t.Errorf("header line of %d bytes", len(line))
		}
		for _, c := range line {
			if c > 127 {
				t.Fatalf("raw non-ASCII in a header line: %q", line)
			}
		}
	}
	subject := decodeHeader(t, msg.Header.Get("Subject"))
	if !strings.HasPrefix(subject, "[심각] 일일 상태 보고서 morning 2026-11-24: CPU 95% on DMZ") || strings.ContainsAny(subject, "\r\n") {
		t.Errorf("subject %q", subject)
	}
	if from := decodeHeader(t, msg.Header.Get("From")); from != "cwreport 보고서 <reports@example.com>" {
		t.Errorf("From decodes to %q", from)
	}
	// The HTML references each inline image by its Content-ID.
	var html string
	images := map[string][]byte{}
	for _, p := range leaves {
		switch p.typ {
		case "text/html":
			html = string(p.body)
		case "image/png":
			cid := strings.Trim(strings.Join(p.header["Content-Id"], ""), "<>")
			images[cid] = p.body
		case "application/pdf":
			if !bytes.Equal(p.body, req.Artifacts[4].Data) {
				t.Error("PDF attachment bytes differ")
			}
		}
	}
	for _, a := range req.Artifacts {
		if a.Role != report.RoleImage {
			continue
		}
		c := cid(a)
		if !bytes.Equal(images[c], a.Data) {
			t.Errorf("inline image %s: %d bytes, want %d", c, len(images[c]), len(a.Data))
		}
		if !strings.Contains(html, `src="cid:`+c+`"`) {
			t.Errorf("HTML does not reference cid:%s", c)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;!channel&gt;", "디스크 사용률 76%", `href="https://ops-reports.s3.amazonaws.com/x.pdf?X-Amz-Date=20261124T000000Z&amp;X-Amz-Expires=604800&amp;X-Amz-Signature=ab"`, "…외 33건은 보고서에 있습니다"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if d.Receipt("attachment") != attached || !strings.HasPrefix(d.Receipt("message_id"), "<") || d.Receipt("smtp_response") == "" {
		t.Errorf("receipts %v", d.Receipts())
	}
}

func TestImplicitTLSAndEnglish(t *testing.T) {
	r := newRelay(t, implicitTLSRelay)
	opt := options()
	opt.Subject = "{{.StatusCode}} {{.Job}}"
	tgt := smtpTarget(t, r, "tls", opt)
	req := delivertest.Sample()
	req.Summary.Language = "en"
	if err := tgt.Deliver(context.Background(), deliver.NewDelivery(req, "mail", nil)); err != nil {
		t.Fatal(err)
	}
	got := r.received()
	if len(got) != 1 || !got[0].tls {
		t.Fatalf("messages %d", len(got))
	}
	msg, _, _ := parseMIME(t, got[0].data)
	if s := msg.Header.Get("Subject"); s != "critical morning" {
		t.Errorf("subject %q", s)
	}
}

func pipeline(slept *[]time.Duration) *deliver.Pipeline {
	return &deliver.Pipeline{Policy: deliver.Policy{Sleep: func(ctx context.Context, d time.Duration) error {
		*slept = append(*slept, d)
		return nil
	}}}
}

func TestSMTP451ThenSuccess(t *testing.T) {
	r := newRelay(t, startTLSRelay)
	r.dataFault = func(n int) error {
		if n == 0 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary local problem, try later"}
		}
		return nil
	}
	var slept []time.Duration
	res := pipeline(&slept).Deliver(context.Background(), delivertest.Sample(), []deliver.Entry{{Name: "mail", Type: "email", Target: smtpTarget(t, r, "starttls", options())}})[0]
	if res.Status != deliver.StatusOK || res.Attempts != 2 || len(slept) != 1 {
		t.Fatalf("result %+v slept %v", res, slept)
	}
	if n := len(r.received()); n != 1 {
		t.Errorf("relay holds %d messages, want 1", n)
	}
}

func TestPermanentSMTPErrorsAreFinal(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *relay, opt *Options)
		want  []string
	}{
		{"unknown recipient 550", func(r *relay, opt *Options) { opt.To = append(opt.To, "nobody@example.com") },
			[]string{"RCPT TO nobody@example.com: SMTP 550 5.1.1: No such user", "fix: the relay refused an address"}},
		{"bad password 535", func(r *relay, opt *Options) { r.user, r.pass = "cwreport", "right" },
			[]string{"AUTH: SMTP 535 5.7.8", "fix: the relay refused the credentials"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRelay(t, startTLSRelay)
			opt := options()
			tt.setup(r, &opt)
			s := &SMTP{Host: "127.0.0.1", Port: r.port, TLSConfig: &tls.Config{RootCAs: r.ca}}
			if r.user != "" {
				s.Username, s.Password = "cwreport", "wrong-secret"
			}
			tgt, err := New(s, opt)
			if err != nil {
				t.Fatal(err)
			}
			var slept []time.Duration
			res := pipeline(&slept).Deliver(context.Background(), delivertest.Sample(), []deliver.Entry{{Name: "mail", Target: tgt, Secrets: []string{"wrong-secret"}}})[0]
			if res.Status != deliver.StatusFailed || res.Attempts != 1 || len(slept) != 0 {
				t.Fatalf("result %+v", res)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Error, w) {
					t.Errorf("error %q lacks %q", res.Error, w)
				}
			}
			if strings.Contains(res.Error, "wrong-secret") {
				t.Error("password in the error")
			}
		})
	}
}

func TestRelayWithoutSTARTTLS(t *testing.T) {
	r := newRelay(t, plainRelay)
	tgt := smtpTarget(t, r, "starttls", options())
	err := tgt.Deliver(context.Background(), deliver.NewDelivery(delivertest.Sample(), "mail", nil))
	if err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") {
		t.Fatalf("err %v", err)
	}
	if retry, _ := deliver.Retryable(err); retry {
		t.Error("a relay without STARTTLS will not grow it on retry")
	}
	if len(r.received()) != 0 {
		t.Error("sent in clear text")
	}
}

func TestUntrustedCertificateIsFinal(t *testing.T) {
	r := newRelay(t, startTLSRelay)
	tgt, _ := New(&SMTP{Host: "127.0.0.1", Port: r.port}, options()) // system roots: the test CA is unknown
	err := tgt.Deliver(context.Background(), deliver.NewDelivery(delivertest.Sample(), "mail", nil))
	if err == nil {
		t.Fatal("accepted an unknown certificate")
	}
	if retry, _ := deliver.Retryable(err); retry {
		t.Errorf("certificate errors are final: %v", err)
	}
}

func TestOversizeReportIsLinked(t *testing.T) {
	r := newRelay(t, startTLSRelay)
	opt := options()
	opt.MaxSize = 30 << 10 // the PDF alone is 20 KB, 27 KB in base64
	tgt := smtpTarget(t, r, "starttls", opt)
	req := delivertest.Sample()
	link := "https://ops-reports.s3.ap-northeast-2.amazonaws.com/cwreport/morning/2026/11/24/morning-2026-11-24.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261124T000100Z&X-Amz-Expires=604800&X-Amz-Signature=abc"
	d := deliver.NewDelivery(req, "mail", map[string]string{"morning-2026-11-24.pdf": link})
	if err := tgt.Deliver(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	m := r.received()[0]
	_, shape, leaves := parseMIME(t, m.data)
	if strings.Contains(shape, "application/pdf") {
		t.Errorf("the PDF is still attached: %s", shape)
	}
	if len(m.data) > opt.MaxSize {
		t.Errorf("message of %d bytes over the %d budget", len(m.data), opt.MaxSize)
	}
	var plain string
	for _, p := range leaves {
		if p.typ == "text/plain" {
			plain = string(p.body)
		}
	}
	if !strings.Contains(plain, link) || !strings.Contains(plain, "2026-12-01 09:01 KST까지 유효") {
		t.Errorf("plain text lacks the link and its expiry:\n%s", plain)
	}
	if d.Receipt("attachment") != linked {
		t.Errorf("attachment receipt %q", d.Receipt("attachment"))
	}

	// Without a link the PDF is left out and the text says so.
	r2 := newRelay(t, startTLSRelay)
	d2 := deliver.NewDelivery(req, "mail", nil)
	if err := smtpTarget(t, r2, "starttls", opt).Deliver(context.Background(), d2); err != nil {
		t.Fatal(err)
	}
	_, shape2, leaves2 := parseMIME(t, r2.received()[0].data)
	if d2.Receipt("attachment") != omitted || strings.Contains(shape2, "application/pdf") {
		t.Errorf("no link: attachment %q, shape %s", d2.Receipt("attachment"), shape2)
	}
	if !strings.Contains(string(leaves2[0].body), "보관 링크가 없어 첨부하지 않았습니다") {
		t.Errorf("the text does not say the PDF was left out:\n%s", leaves2[0].body)
	}
}
