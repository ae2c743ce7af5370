// Package email sends a run as an email: the rendered report as the HTML
// body (the email variant of report/render/html, charts as inline images by
// Content-ID, multipart/related) under a summary block (status, headline,
// top findings, links), a plain-text alternative, and the PDF attached, or
// linked from S3 when the message would exceed the size budget. Without the
// email rendering in the delivery (body: summary, or none was made), or when
// even the linked report is over budget, the body is the summary alone. It
// sends through an SMTP relay (STARTTLS or implicit TLS, AUTH) or as a raw
// message through Amazon SES v2.
//
// Header injection is impossible by construction: addresses are parsed and
// re-formatted, every other header value comes from config or is cleaned by
// report/internal/escape (no CR, LF or control characters survive) and
// non-ASCII text is RFC 2047-encoded.
package email

import (
	"context"
	"fmt"
	"net/mail"
	"text/template"
	"time"

	"github.com/cwreport/cwreport/report/deliver"
)

// Options configure the message.
type Options struct {
	// From is the sender ("cwreport <reports@example.com>").
	From string
	// To, Cc and Bcc are recipients; Bcc goes only to the envelope.
	To, Cc, Bcc []string
	// Subject is a text/template over Status, StatusCode, Kind, KindName,
	// Job, Period, Headline, Findings (config.SubjectFields).
	Subject string
	// MaxSize is the size budget in bytes; 0 means no budget.
	MaxSize int
	// Body is BodyReport (default: the rendered report under a summary
	// block, when the delivery carries its email rendering) or BodySummary
	// (the summary block and the charts only).
	Body string
	// Now stamps the Date header; nil means time.Now.
	Now func() time.Time
}

// Sender hands a composed message to a mail system and returns its id for
// the message (the relay's queue answer, the SES message id).
type Sender interface {
	Send(ctx context.Context, from string, rcpt []string, msg []byte) (id string, err error)
	// Receipt names the receipt key the id is stored under.
	Receipt() string
}

// Target composes and sends through one Sender.
type Target struct {
	opt          Options
	send         Sender
	from         *mail.Address
	to, cc, bcc  []*mail.Address
	tmpl         *template.Template
	now          func() time.Time
	envelopeRcpt []string
}

// New checks the options and returns the target.
func New(send Sender, opt Options) (*Target, error) {
	t := &Target{opt: opt, send: send, now: opt.Now}
	if t.now == nil {
		t.now = time.Now
	}
	var err error
	if t.from, err = mail.ParseAddress(opt.From); err != nil {
		return nil, fmt.Errorf("email from %q: %w", opt.From, err)
	}
	for _, l := range []struct {
		in  []string
		out *[]*mail.Address
	}{{opt.To, &t.to}, {opt.Cc, &t.cc}, {opt.Bcc, &t.bcc}} {
		for _, s := range l.in {
			a, err := mail.ParseAddress(s)
			if err != nil {
				return nil, fmt.Errorf("email recipient %q: %w", s, err)
			}
			*l.out = append(*l.out, a)
			t.envelopeRcpt = append(t.envelopeRcpt, a.Address)
		}
	}
	if len(t.envelopeRcpt) == 0 {
		return nil, fmt.Errorf("email: no recipients")
	}
	switch opt.Body {
	case "":
		t.opt.Body = BodyReport
	case BodyReport, BodySummary:
	default:
		return nil, fmt.Errorf("email body %q: use %s (the rendered report) or %s (status, top findings and links)", opt.Body, BodyReport, BodySummary)
	}
	subject := opt.Subject
	if subject == "" {
		subject = DefaultSubject
	}
	if t.tmpl, err = template.New("subject").Option("missingkey=error").Parse(subject); err != nil {
		return nil, fmt.Errorf("email subject template: %w", err)
	}
	return t, nil
}

// Body choices (Options.Body, the "body" receipt).
const (
	BodyReport  = "report"
	BodySummary = "summary"
)

// DefaultSubject matches config.DefaultSubject.
const DefaultSubject = "[{{.Status}}] {{.KindName}} {{.Job}} {{.Period}}: {{.Headline}}"

// Deliver composes and sends once. Receipts: "message_id" (the Message-ID
// header), the sender's id ("smtp_response" or "ses_message_id"),
// "attachment" (attached, linked, omitted), "body" (report or summary) and
// "size" (bytes). A delivery that already has a message id was sent: it is
// not sent again.
func (t *Target) Deliver(ctx context.Context, d *deliver.Delivery) error {
	if d.Receipt(t.send.Receipt()) != "" {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("send email: %w", err)
	}
	msg, err := t.compose(d)
	if err != nil {
		return err
	}
	id, err := t.send.Send(ctx, t.from.Address, t.envelopeRcpt, msg.Raw)
	if err != nil {
		return err
	}
	d.SetReceipt("message_id", msg.MessageID)
	d.SetReceipt(t.send.Receipt(), id)
	if msg.Attachment != "" {
		d.SetReceipt("attachment", msg.Attachment)
	}
	d.SetReceipt("body", msg.Body)
	d.SetReceipt("size", fmt.Sprint(len(msg.Raw)))
	return nil
}
