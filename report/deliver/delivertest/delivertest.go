// Package delivertest is the conformance suite every delivery target runs
// against its real protocol peer (a directory, kumo's S3, an in-process
// SMTP server, slacktest), plus a sample request full of hostile text.
package delivertest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
)

// Hostile strings a report may carry (log lines, tag values, alarm names).
// Targets must show them as text: no ping, no header, no markup.
var Hostile = []string{
	"<!channel> disk full <!here|here> <@U0123ABC>",
	"<https://evil.example/phish|click to fix>",
	"a@example.com\r\nBcc: evil@example.com",
	"subject\nX-Injected: yes",
	"</td></tr></table><script>alert(1)</script><img src=x onerror=alert(2)>",
	"| pipe | table | `code` *bold* _it_ ~strike~ &amp; &",
	"invalid \xff\xfe utf-8 \x00\x07 controls \u202e bidi",
	"디스크 사용률 76% — /data (db-primary-01)",
}

// Forbidden are substrings that must never reach a peer's message text:
// each one means a hostile string acted instead of being shown.
var Forbidden = []string{"<!channel>", "<!here", "<@U0123ABC>", "<https://evil.example", "\nBcc: evil", "\nX-Injected", "<script>", "<img src=x"}

// Long is a one-megabyte log line.
var Long = strings.Repeat("A", 1<<20)

// Sample returns a run with hostile findings and every kind of artifact:
// a PDF holding every byte value, HTML, Markdown, JSON and two PNG charts.
func Sample() deliver.Request {
	loc, _ := time.LoadLocation("Asia/Seoul")
	end := time.Date(2026, 11, 24, 8, 0, 0, 0, loc)
	var top []report.Finding
	sev := []report.Severity{report.SeverityCritical, report.SeverityHigh, report.SeverityHigh, report.SeverityMedium, report.SeverityMedium, report.SeverityLow, report.SeverityLow, report.SeverityInfo}
	for i, h := range Hostile {
		top = append(top, report.Finding{ID: "status.hostile", Severity: sev[i], Resource: "i-0abc" + h[:1], Title: h, Detail: h})
	}
	top = append(top, report.Finding{ID: "status.long", Severity: report.SeverityInfo, Title: Long, Resource: Long})
	s := report.Summary{
		Job: "morning", Kind: "daily-status", Period: "2026-11-24",
		Window:   report.Window{Start: end.Add(-24 * time.Hour), End: end},
		Timezone: "Asia/Seoul", Language: "ko", Status: report.StatusCritical,
		Headline: "CPU 95% on DMZ " + Hostile[0] + " " + Hostile[2],
		Top:      top, Findings: 42, DataGaps: 2,
	}
	pdf := []byte("%PDF-1.4\n")
	for i := 0; i < 80; i++ {
		for b := 0; b < 256; b++ {
			pdf = append(pdf, byte(b))
		}
	}
	pdf = append(pdf, "\n%%EOF\n"...)
	arts := []report.Artifact{
		{Name: "morning-2026-11-24.md", Format: "md", ContentType: "text/markdown; charset=utf-8", Data: []byte("# 일일 현황\n\nCPU \\<\\!channel\\>\n"), Role: report.RoleReport},
		{Name: "morning-2026-11-24.html", Format: "html", ContentType: "text/html; charset=utf-8", Data: []byte("<!doctype html><title>일일 현황</title><p>CPU &lt;!channel&gt;</p><img src=\"morning-2026-11-24-cpu.png\">"), Role: report.RoleReport},
		{Name: "morning-2026-11-24-cpu.png", Format: "png", ContentType: "image/png", Data: PNG(color.RGBA{200, 30, 30, 255}), Role: report.RoleImage, ChartID: "cpu"},
		{Name: "morning-2026-11-24-alarms.png", Format: "png", ContentType: "image/png", Data: PNG(color.RGBA{30, 30, 200, 255}), Role: report.RoleImage, ChartID: "alarms"},
		{Name: "morning-2026-11-24.pdf", Format: "pdf", ContentType: "application/pdf", Data: pdf, Role: report.RoleReport},
		{Name: "morning-2026-11-24.json", Format: "json", ContentType: "application/json", Data: []byte(`{"schema":"cwreport.report/v1","status":"critical"}`), Role: report.RoleReport},
	}
	return deliver.Request{RunKey: "morning/2026-11-24", Summary: s, Artifacts: arts}
}

// PNG encodes a small solid image.
func PNG(c color.Color) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 4))
	for x := 0; x < 8; x++ {
		for y := 0; y < 4; y++ {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// Received is what a peer holds after deliveries.
type Received struct {
	// Messages counts messages (emails, Slack posts) the peer got.
	Messages int
	// Files maps artifact names to the bytes the peer stored or got as an
	// attachment or upload.
	Files map[string][]byte
	// Text is every piece of message text the peer got, decoded (headers,
	// text and HTML bodies, Slack block texts), for the hostile-text checks.
	Text string
}

// Peer describes a target under test and the real peer behind it.
type Peer struct {
	// New returns a target pointed at a fresh, working peer.
	New func(t *testing.T) deliver.Target
	// Received reports what the peer New pointed at holds now.
	Received func(t *testing.T) Received
	// Carries reports whether the target hands this artifact over byte for
	// byte (S3 and file: all; email: the PDF and the charts; Slack: the PDF).
	Carries func(a report.Artifact) bool
	// Messages is how many messages one delivery makes.
	Messages int
	// Dead returns a target pointed at a peer that does not answer.
	Dead func(t *testing.T) deliver.Target
	// Secrets are values the target was given that must never appear in an
	// error.
	Secrets []string
}

// Run runs the conformance suite.
func Run(t *testing.T, p Peer) {
	t.Run("delivers every carried artifact byte for byte", func(t *testing.T) {
		tgt := p.New(t)
		req := Sample()
		d := deliver.NewDelivery(req, "under-test", nil)
		if err := tgt.Deliver(context.Background(), d); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		got := p.Received(t)
		if got.Messages != p.Messages {
			t.Errorf("peer got %d message(s); want %d", got.Messages, p.Messages)
		}
		n := 0
		for _, a := range req.Artifacts {
			if !p.Carries(a) {
				continue
			}
			n++
			if b, ok := got.Files[a.Name]; !ok {
				t.Errorf("%s did not arrive (peer has %v)", a.Name, keys(got.Files))
			} else if !bytes.Equal(b, a.Data) {
				t.Errorf("%s arrived with %d bytes that differ from the %d sent", a.Name, len(b), len(a.Data))
			}
		}
		if n == 0 {
			t.Error("the target carries no artifact of the sample; Carries is wrong")
		}
		for _, f := range Forbidden {
			if strings.Contains(got.Text, f) {
				t.Errorf("hostile text acted: the peer's message holds %q", f)
			}
		}
		if got.Messages > 0 && !strings.Contains(got.Text, "디스크 사용률 76%") {
			t.Error("the Korean finding did not reach the message intact")
		}

		// A retry after success (the pipeline never does it, but a resumed
		// delivery must behave the same) sends nothing new.
		if err := tgt.Deliver(context.Background(), d); err != nil {
			t.Fatalf("second Deliver on the same delivery: %v", err)
		}
		if again := p.Received(t); again.Messages != got.Messages || len(again.Files) != len(got.Files) {
			t.Errorf("a resumed delivery repeated work: messages %d → %d, files %d → %d", got.Messages, again.Messages, len(got.Files), len(again.Files))
		}
	})

	t.Run("a dead peer is a retryable failure without secrets", func(t *testing.T) {
		if p.Dead == nil {
			t.Skip("a local target has no peer to lose")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := p.Dead(t).Deliver(ctx, deliver.NewDelivery(Sample(), "dead", nil))
		if err == nil {
			t.Fatal("Deliver to a dead peer succeeded")
		}
		if retry, _ := deliver.Retryable(err); !retry {
			t.Errorf("a dead peer should be worth retrying: %v", err)
		}
		for _, s := range p.Secrets {
			if s != "" && strings.Contains(err.Error(), s) {
				t.Errorf("error leaks a secret: %v", err)
			}
		}
	})

	t.Run("a cancelled run stops and is not retried", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := p.New(t).Deliver(ctx, deliver.NewDelivery(Sample(), "cancelled", nil))
		if err == nil {
			t.Fatal("Deliver with a cancelled context succeeded")
		}
		if retry, _ := deliver.Retryable(err); retry {
			t.Errorf("a cancelled delivery must not be retried: %v", err)
		}
	})
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
