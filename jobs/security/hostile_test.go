package security

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report/render"
)

// hostileText is what an attacker controls in an account: tag values, rule
// descriptions, user names typed at the sign-in page, user agents, error
// messages echoing request data.
var hostileText = []string{
	"x | pipe | table || breaker",
	"`code` ``` fence ``` \\| escaped",
	"<script>alert(1)</script><img src=x onerror=alert(1)>",
	"<!channel> <@U123> &amp; <!-- c -->",
	"bad \xff\xfe bytes \xc3",
	"bell\a esc\x1b[31m nul\x00 \r\n newline\u202e bidi",
	"[link](javascript:alert(1)) ![i](javascript:x) see http://evil.example/x",
	"line\n# heading\n- item",
	strings.Repeat("A", 1<<20),
}

func hostileDataset() (*source.Dataset, *source.Dataset) {
	d, prev := activityDataset()
	for i, h := range hostileText {
		d.SecurityGroups = append(d.SecurityGroups, source.SecurityGroup{ID: "sg-h" + itoa(i), Name: h, VPCID: h, Ingress: []source.SGRule{
			{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDRs: []string{"0.0.0.0/0"}, Description: h}}})
		d.IAM.CredentialReport = append(d.IAM.CredentialReport, source.CredentialReportRow{User: h, PasswordEnabled: true})
		d.VPCs = append(d.VPCs, source.VPC{ID: "vpc-h" + itoa(i), Name: h, CIDR: h})
		d.Trails = append(d.Trails, source.Trail{Name: h, S3Bucket: h})
		d.TrailEvents = append(d.TrailEvents,
			failedLogin(500+i, h, h, ago(day)),
			source.TrailEvent{ID: "h" + itoa(i), Time: ago(day), Name: h, Source: h + ".amazonaws.com", UserType: "IAMUser", UserName: h,
				SourceIP: h, UserAgent: h, ErrorCode: "AccessDenied", ErrorMessage: h},
			source.TrailEvent{ID: "r" + itoa(i), Time: ago(day), Name: "ConsoleLogin", UserType: "Root", SourceIP: h, UserAgent: h, LoginResult: h},
			source.TrailEvent{ID: "s" + itoa(i), Time: ago(day), Name: "AuthorizeSecurityGroupIngress", Source: "ec2.amazonaws.com", UserName: h, SourceIP: h,
				RequestParameters: `{"groupId":"` + strings.ReplaceAll(h[:min(len(h), 100)], `"`, "") + `"}`},
		)
		d.MetricFilters = append(d.MetricFilters, source.MetricFilter{Name: h, LogGroup: "/aws/cloudtrail/org", Pattern: h})
	}
	return d, prev
}

func TestHostileDataKeepsMarkdownWellFormed(t *testing.T) {
	d, prev := hostileDataset()
	for _, lang := range []string{"ko", "en"} {
		job := testJob(lang)
		rep, err := New().Analyze(analyze.Input{Job: job, At: testAt, Window: d.Window, Location: seoul, Lang: lang, Data: d, Previous: prev})
		if err != nil {
			t.Fatal(err)
		}
		md, js := renderBoth(t, rep)
		if len(md) > 400_000 {
			t.Errorf("%s: hostile text made a %d-byte Markdown report", lang, len(md))
		}
		if !bytes.Contains(js, []byte(`"schema": "cwreport.report/v1"`)) {
			t.Errorf("%s: JSON broken", lang)
		}
		wellFormed(t, lang, md)
	}
}

func wellFormed(t *testing.T, name string, md []byte) {
	t.Helper()
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(md))
	tables := 0
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindRawHTML, ast.KindHTMLBlock:
			t.Errorf("%s: raw HTML in the Markdown: %q", name, n.Text(md))
		case ast.KindLink, ast.KindAutoLink:
			t.Errorf("%s: a link made of report text: %q", name, n.Text(md))
		case ast.KindImage:
			if img := n.(*ast.Image); !bytes.HasPrefix(img.Destination, []byte(render.ChartScheme)) {
				t.Errorf("%s: an image made of report text: %q", name, img.Destination)
			}
		case ast.KindHeading:
			if h := string(n.Text(md)); strings.Contains(h, "heading") || strings.Contains(h, "script") {
				t.Errorf("%s: heading injected: %q", name, h)
			}
		case east.KindTable:
			tables++
			var width int
			for r := n.FirstChild(); r != nil; r = r.NextSibling() {
				cells := 0
				for c := r.FirstChild(); c != nil; c = c.NextSibling() {
					cells++
				}
				if width == 0 {
					width = cells
				} else if cells != width {
					t.Errorf("%s: a table row has %d cells, its header %d: %q", name, cells, width, r.Text(md))
				}
			}
		}
		return ast.WalkContinue, nil
	})
	if tables < 10 {
		t.Errorf("%s: only %d tables parsed", name, tables)
	}
}
