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
}

// Attachment states, also written as the "attachment" receipt.
const (
	attached = "attached"
	linked   = "linked"
	omitted  = "omitted"
)

// compose builds the message within the size budget: with the PDF attached
// when it fits, otherwise with the S3 link to it (or a note that it was left
// out), and without inline charts as a last resort.
func (t *Target) compose(d *deliver.Delivery) (*message, error) {
	pdf := d.Artifact(report.RoleReport, "pdf")
	id, err := t.messageID(d.RunKey)
	if err != nil {
		return nil, err
	}
	state := ""
	if pdf != nil {
		state = attached
	}
	var raw []byte
	try := func(images bool) (bool, error) {
		raw, err = t.build(d, id, pdf, state, images)
		return err == nil && (t.opt.MaxSize <= 0 || len(raw) <= t.opt.MaxSize), err
	}
	fits, err := try(true)
	if err == nil && !fits && state == attached {
		state = omitted
		if d.Link(pdf.Name) != "" {
			state = linked
		}
		fits, err = try(true)
	}
	if err == nil && !fits {
		// Still over: the charts go too. If even the text is larger than
		// the budget, it is sent as is: a relay's 552 is a clear answer.
		_, err = try(false)
	}
	if err != nil {
		return nil, err
	}
	return &message{Raw: raw, MessageID: id, Attachment: state}, nil
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

func (t *Target) build(d *deliver.Delivery, id string, pdf *report.Artifact, state string, images bool) ([]byte, error) {
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
	if images {
		for _, a := range d.Artifacts {
			if a.Role == report.RoleImage {
				imgs = append(imgs, a)
			}
		}
	}
	mixed := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", mixed.Boundary())

	alt, err := nested(mixed, "multipart/alternative")
	if err != nil {
		return nil, err
	}
	plain, html := t.bodies(d, pdf, state, imgs)
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
	if state == attached {
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

func cid(a report.Artifact) string { return token(a.Name) + "@cwreport" }

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

func textPart(w *multipart.Writer, typ, text string) error {
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Type", typ)
	hdr.Set("Content-Transfer-Encoding", "quoted-printable")
	pw, err := w.CreatePart(hdr)
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(pw)
	if _, err := io.WriteString(qp, strings.ReplaceAll(text, "\n", "\r\n")); err != nil {
		return err
	}
	return qp.Close()
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
		"Status":     deliver.StatusName(s.Status, s.Language),
		"StatusCode": string(s.Status),
		"Kind":       escape.Header(s.Kind, 40),
		"KindName":   deliver.KindName(s.Kind, s.Language),
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

// bodies renders the plain-text and HTML bodies. Every value from the run
// goes through report/internal/escape: Clean for text, HTML for markup.
func (t *Target) bodies(d *deliver.Delivery, pdf *report.Artifact, state string, imgs []report.Artifact) (string, string) {
	s := d.Summary
	lang := s.Language
	var p, h strings.Builder
	title := deliver.Title(s)
	p.WriteString(escape.Clean(title, 200) + "\n\n")
	h.WriteString(`<!doctype html><html><head><meta charset="utf-8"><title>` + escape.HTML(title, 200) + "</title></head>\n")
	h.WriteString(`<body style="font-family:-apple-system,'Segoe UI','Apple SD Gothic Neo','Malgun Gothic',sans-serif;max-width:720px">` + "\n")
	h.WriteString(`<h2 style="margin:0 0 8px">` + escape.HTML(title, 200) + "</h2>\n")
	if s.Headline != "" {
		p.WriteString(escape.Clean(s.Headline, 500) + "\n")
		h.WriteString("<p><strong>" + escape.HTML(s.Headline, 500) + "</strong></p>\n")
	}
	p.WriteString(deliver.TextWindow.In(lang) + ": " + deliver.WindowText(s) + "\n")
	h.WriteString(`<p style="color:#555">` + escape.HTML(deliver.TextWindow.In(lang)+": "+deliver.WindowText(s), 200) + " · " + escape.HTML(deliver.TextFindings.F(lang, s.Findings), 80) + "</p>\n")

	if len(s.Top) == 0 {
		p.WriteString("\n" + deliver.TextNoFindings.In(lang) + "\n")
		h.WriteString("<p>" + escape.HTML(deliver.TextNoFindings.In(lang), 100) + "</p>\n")
	} else {
		p.WriteString("\n" + deliver.TextTopFindings.In(lang) + ":\n")
		h.WriteString("<h3>" + escape.HTML(deliver.TextTopFindings.In(lang), 100) + "</h3>\n<ul>\n")
		for _, f := range s.Top {
			sev := deliver.SeverityName(f.Severity, lang)
			p.WriteString("- [" + sev + "] " + escape.Clean(deliver.FindingText(f), 300) + "\n")
			h.WriteString("<li><strong>[" + escape.HTML(sev, 20) + "]</strong> " + escape.HTML(deliver.FindingText(f), 300) + "</li>\n")
		}
		h.WriteString("</ul>\n")
		if more := s.Findings - len(s.Top); more > 0 {
			p.WriteString(deliver.TextMore.F(lang, more) + "\n")
			h.WriteString("<p>" + escape.HTML(deliver.TextMore.F(lang, more), 100) + "</p>\n")
		}
	}
	if s.DataGaps > 0 {
		p.WriteString("\n" + deliver.TextDataGaps.F(lang, s.DataGaps) + "\n")
		h.WriteString(`<p style="color:#a60">` + escape.HTML(deliver.TextDataGaps.F(lang, s.DataGaps), 200) + "</p>\n")
	}
	for _, a := range imgs {
		h.WriteString(`<p><img src="cid:` + escape.HTML(cid(a), 200) + `" alt="` + escape.HTML(a.ChartID, 80) + `" style="max-width:100%"></p>` + "\n")
	}

	switch state {
	case attached:
		p.WriteString("\n" + deliver.TextAttached.In(lang) + "\n")
		h.WriteString("<p>" + escape.HTML(deliver.TextAttached.In(lang), 200) + "</p>\n")
	case linked, omitted:
		size, budget := deliver.FormatSize(len(pdf.Data)), deliver.FormatSize(t.opt.MaxSize)
		note := deliver.TextOmitted.F(lang, size, budget)
		if state == linked {
			note = deliver.TextLinkedNoExp.F(lang, size, budget)
			if exp, ok := deliver.LinkExpiry(d.Link(pdf.Name)); ok {
				note = deliver.TextLinked.F(lang, size, budget, exp.In(deliver.CoverDate(s).Location()).Format("2006-01-02 15:04 MST"))
			}
		}
		p.WriteString("\n" + note + "\n")
		h.WriteString("<p>" + escape.HTML(note, 400) + "</p>\n")
	}
	if links := linkList(d); len(links) > 0 {
		p.WriteString("\n" + deliver.TextLinks.In(lang) + ":\n")
		h.WriteString("<p>" + escape.HTML(deliver.TextLinks.In(lang), 40) + ":</p>\n<ul>\n")
		for _, l := range links {
			p.WriteString("- " + l.name + ": " + l.url + "\n")
			h.WriteString(`<li><a href="` + escape.HTML(l.url, 4000) + `">` + escape.HTML(l.name, 200) + "</a></li>\n")
		}
		h.WriteString("</ul>\n")
	}
	p.WriteString("\n-- \n" + deliver.TextGenerated.In(lang) + "\n")
	h.WriteString(`<p style="color:#888;font-size:small">` + escape.HTML(deliver.TextGenerated.In(lang), 100) + "</p>\n</body></html>\n")
	return p.String(), h.String()
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
