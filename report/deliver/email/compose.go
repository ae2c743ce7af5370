package email

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/internal/escape"
)

// message is one composed email.
type message struct {
	Raw       []byte
	MessageID string
	// Attachment is attached, linked or omitted (over the size budget
	// without a link), or "" when the run had no PDF.
	Attachment string
	// Body is BodyReport or BodySummary: what the HTML body holds.
	Body string
}

// Attachment states, also written as the "attachment" receipt.
const (
	attached = "attached"
	linked   = "linked"
	omitted  = "omitted"
)

// plan is one way of composing the message; compose tries them from the
// richest down until one fits the size budget.
type plan struct {
	body   string // BodyReport or BodySummary
	state  string // attached, linked, omitted or ""
	images bool   // inline chart pictures
	// over is the size of the message with the report body, when that did
	// not fit and the body fell back to the summary (0 otherwise).
	over int
}

// compose builds the message within the size budget, trying in turn: the
// report body with the PDF attached; the PDF replaced by its S3 link (or
// left out with a note); the summary instead of the report body, with a
// note; the summary without inline charts. If even that is larger than the
// budget, it is sent as is: a relay's 552 is a clear answer.
func (t *Target) compose(d *deliver.Delivery) (*message, error) {
	pdf := d.Artifact(report.RoleReport, "pdf")
	id, err := t.messageID(d.RunKey)
	if err != nil {
		return nil, err
	}
	rb := t.reportBody(d)
	p := plan{body: BodySummary, images: true}
	if pdf != nil {
		p.state = attached
	}
	if rb != nil {
		p.body = BodyReport
	}
	var raw []byte
	try := func() (bool, error) {
		raw, err = t.build(d, id, pdf, p, rb)
		return err == nil && (t.opt.MaxSize <= 0 || len(raw) <= t.opt.MaxSize), err
	}
	fits, err := try()
	if err == nil && !fits && p.state == attached {
		p.state = omitted
		if d.Link(pdf.Name) != "" {
			p.state = linked
		}
		fits, err = try()
	}
	if err == nil && !fits && p.body == BodyReport {
		p.body, p.over = BodySummary, len(raw)
		fits, err = try()
	}
	if err == nil && !fits {
		p.images = false
		_, err = try()
	}
	if err != nil {
		return nil, err
	}
	return &message{Raw: raw, MessageID: id, Attachment: p.state, Body: p.body}, nil
}

func (t *Target) messageID(runKey string) (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("message id: %w", err)
	}
	domain := "cwreport.invalid"
	if i := strings.LastIndexByte(t.from.Address, '@'); i >= 0 {
		domain = t.from.Address[i+1:]
	}
	return "<" + hex.EncodeToString(b[:]) + "." + token(runKey) + "@" + domain + ">", nil
}

// token keeps the characters safe in a Message-ID or Content-ID.
func token(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return r
		}
		return '-'
	}, s)
}

func (t *Target) build(d *deliver.Delivery, id string, pdf *report.Artifact, p plan, rb *reportBody) ([]byte, error) {
	var b bytes.Buffer
	subject, err := t.subject(d.Summary)
	if err != nil {
		return nil, err
	}
	h := []struct{ k, v string }{
		{"From", t.from.String()},
		{"To", addressList(t.to)},
		{"Cc", addressList(t.cc)},
		{"Subject", subject},
		{"Date", t.now().Format(time.RFC1123Z)},
		{"Message-ID", id},
		{"MIME-Version", "1.0"},
		{"Auto-Submitted", "auto-generated"}, // RFC 3834: no vacation replies
		{"X-Cwreport-Run", encodeHeader(escape.Header(d.RunKey, 120))},
	}
	for _, f := range h {
		if f.v != "" {
			writeHeader(&b, f.k, f.v)
		}
	}
	var imgs []report.Artifact
	switch {
	case !p.images:
	case p.body == BodyReport:
		imgs = rb.images
	default:
		imgs = images(d)
	}
	mixed := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", mixed.Boundary())

	alt, err := nested(mixed, "multipart/alternative")
	if err != nil {
		return nil, err
	}
	plain, html := t.bodies(d, pdf, p, rb, imgs)
	if err := textPart(alt, "text/plain; charset=utf-8", plain); err != nil {
		return nil, err
	}
	if len(imgs) == 0 {
		if err := textPart(alt, "text/html; charset=utf-8", html); err != nil {
			return nil, err
		}
	} else {
		rel, err := nested(alt, "multipart/related")
		if err != nil {
			return nil, err
		}
		if err := textPart(rel, "text/html; charset=utf-8", html); err != nil {
			return nil, err
		}
		for _, a := range imgs {
			hdr := textproto.MIMEHeader{}
			hdr.Set("Content-Type", mime.FormatMediaType(contentType(a), map[string]string{"name": a.Name}))
			hdr.Set("Content-Transfer-Encoding", "base64")
			hdr.Set("Content-ID", "<"+cid(a)+">")
			hdr.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": a.Name}))
			if err := base64Part(rel, hdr, a.Data); err != nil {
				return nil, err
			}
		}
		if err := rel.Close(); err != nil {
			return nil, err
		}
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	if p.state == attached {
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Type", mime.FormatMediaType(contentType(*pdf), map[string]string{"name": pdf.Name}))
		hdr.Set("Content-Transfer-Encoding", "base64")
		hdr.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": pdf.Name}))
		if err := base64Part(mixed, hdr, pdf.Data); err != nil {
			return nil, err
		}
	}
	if err := mixed.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func contentType(a report.Artifact) string {
	if a.ContentType != "" {
		return strings.SplitN(a.ContentType, ";", 2)[0]
	}
	return "application/octet-stream"
}

// cid is the Content-ID of an inline picture: report.ChartContentID for a
// chart, which is what the report's email body refers to.
func cid(a report.Artifact) string {
	if a.ChartID != "" {
		return report.ChartContentID(a.ChartID)
	}
	return token(a.Name) + "@cwreport"
}

// nested opens a multipart child part of the given type in w.
func nested(w *multipart.Writer, typ string) (*multipart.Writer, error) {
	child := multipart.NewWriter(nil)
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Type", typ+"; boundary=\""+child.Boundary()+"\"")
	pw, err := w.CreatePart(hdr)
	if err != nil {
		return nil, err
	}
	out := multipart.NewWriter(pw)
	if err := out.SetBoundary(child.Boundary()); err != nil {
		return nil, err
	}
	return out, nil
}

// textPart writes text with CRLF line ends in the smaller of two
// encodings: quoted-printable for mostly ASCII text (English, HTML markup),
// base64 for mostly Korean text, which quoted-printable would triple.
func textPart(w *multipart.Writer, typ, text string) error {
	text = strings.ReplaceAll(text, "\n", "\r\n")
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Type", typ)
	if qpSize(text) > (len(text)+2)/3*4*78/76 {
		hdr.Set("Content-Transfer-Encoding", "base64")
		return base64Part(w, hdr, []byte(text))
	}
	hdr.Set("Content-Transfer-Encoding", "quoted-printable")
	pw, err := w.CreatePart(hdr)
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(pw)
	if _, err := io.WriteString(qp, text); err != nil {
		return err
	}
	return qp.Close()
}

// qpSize estimates the quoted-printable size of s: one byte per printable
// ASCII byte or line end, three per other byte, three per soft break.
func qpSize(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= ' ' && c <= '~' && c != '=' || c == '\r' || c == '\n' {
			n++
		} else {
			n += 3
		}
	}
	return n + n/75*3
}

func base64Part(w *multipart.Writer, hdr textproto.MIMEHeader, data []byte) error {
	pw, err := w.CreatePart(hdr)
	if err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		if _, err := io.WriteString(pw, enc[:76]+"\r\n"); err != nil {
			return err
		}
		enc = enc[76:]
	}
	_, err = io.WriteString(pw, enc+"\r\n")
	return err
}

func addressList(as []*mail.Address) string {
	var parts []string
	for _, a := range as {
		parts = append(parts, a.String())
	}
	return strings.Join(parts, ", ")
}

// subject runs the subject template on the summary. Every value is cleaned
// first and the result once more, so no line break can reach the header,
// then non-ASCII text is encoded as RFC 2047 words.
func (t *Target) subject(s report.Summary) (string, error) {
	data := map[string]any{
		"Status":     report.StatusName(s.Status, s.Language),
		"StatusCode": string(s.Status),
		"Kind":       escape.Header(s.Kind, 40),
		"KindName":   report.KindName(s.Kind, s.Language),
		"Job":        escape.Header(s.Job, 80),
		"Period":     escape.Header(s.Period, 40),
		"Headline":   escape.Header(s.Headline, 160),
		"Findings":   s.Findings,
	}
	var b strings.Builder
	if err := t.tmpl.Execute(&b, data); err != nil {
		return "", deliver.Final("email subject", err, "fix the target's subject template")
	}
	return encodeHeader(escape.Header(b.String(), 250)), nil
}

// encodeHeader returns v as header text: ASCII as is, anything else as
// UTF-8 encoded words, each short enough to fold between.
func encodeHeader(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			return mime.BEncoding.Encode("utf-8", v)
		}
	}
	return v
}

// writeHeader writes "Key: value" folded below 78 columns where it can be
// (between words; encoded words are separated by spaces already).
func writeHeader(b *bytes.Buffer, key, value string) {
	line := key + ":"
	col := len(line)
	b.WriteString(line)
	for i, w := range strings.Split(value, " ") {
		if i > 0 && col+1+len(w) > 76 {
			b.WriteString("\r\n")
			col = 0
		}
		b.WriteByte(' ')
		b.WriteString(w)
		col += 1 + len(w)
	}
	b.WriteString("\r\n")
}

type link struct{ name, url string }

// linkList returns the links to this run's artifacts that are safe to put
// in a message: http(s) URLs only, in artifact order.
func linkList(d *deliver.Delivery) []link {
	var out []link
	for _, a := range d.Artifacts {
		u := d.Link(a.Name)
		if u == "" || len(u) > 4000 {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") {
			continue
		}
		out = append(out, link{a.Name, u})
	}
	return out
}
