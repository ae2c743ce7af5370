package status

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/markdown"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// hostileLines are log lines written to break a Markdown report: table
// pipes, code fences, HTML and script, Slack mentions, a megabyte line,
// invalid UTF-8, control and bidi characters, fake headings and links.
var hostileLines = []string{
	"ERROR | pipe | table | breaker || end",
	"ERROR `code` ``` fence ``` and \\| escaped pipe",
	"ERROR <script>alert(1)</script> <img src=x onerror=alert(1)>",
	"ERROR <!channel> <@U123> &amp; &#x3C;b&#x3E; <!-- comment -->",
	"ERROR " + strings.Repeat("A", 1<<20),
	"ERROR \xff\xfe bad bytes \xc3 end",
	"ERROR bell\a esc\x1b[31m red \x00 nul \r\n newline\u202e bidi \u200b zw",
	"ERROR [link](javascript:alert(1)) ![img](javascript:x)",
	"ERROR\n# heading\n- list item\n> quote",
	"ERROR ~~strike~~ **bold** _it_ {{template}} $(rm -rf /)",
	"ERROR fetch http://evil.example/x failed, see www.evil.example or mail root@evil.example",
}

func hostile(at time.Time) *builder {
	b := crafted(at)
	b.logs("/aws/ec2/hostile", func(add func(time.Time, string)) {
		for i, l := range hostileLines {
			for k := 0; k <= i; k++ { // distinct counts keep the row order stable
				add(at.Add(-time.Duration(i*10+k+1)*time.Minute), l)
			}
		}
	})
	// Untrusted names and reasons elsewhere too: a Name tag and an alarm.
	b.instance("i-0evil00000000009", "web|<script>`x`</script>", "t3.micro")
	b.series("i-0evil00000000009", "AWS/EC2", "CPUUtilization", "Average", func(t time.Time) float64 {
		if !t.Before(at.Add(-2 * time.Hour)) {
			return 99
		}
		return 3
	})
	b.alarm(source.Alarm{Name: "Evil|<b>alarm</b>`", State: source.StateAlarm, StateUpdated: at.Add(-time.Hour),
		StateReason: "reason | with <i>html</i> see http://evil.example/x and\nnewline " + strings.Repeat("x", 5000),
		Namespace:   "AWS/EC2", Metric: "CPUUtilization", Threshold: 1, Comparison: "GreaterThanThreshold",
		Dimensions: []source.Dimension{{Name: "InstanceId", Value: "i-0evil00000000009"}}})
	return b
}

func TestHostileLogLinesKeepMarkdownWellFormed(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		t.Run(lang, func(t *testing.T) {
			b := hostile(fixedAt)
			job := b.job()
			job.Language = lang
			r := b.analyze(t, job)
			src, err := markdown.Source(r)
			if err != nil {
				t.Fatal(err)
			}
			arts, err := markdown.Renderer{}.Render(&render.Document{Report: r, Markdown: src, Base: "x"})
			if err != nil {
				t.Fatal(err)
			}
			for name, md := range map[string][]byte{"source": src, "artifact": arts[0].Data} {
				checkWellFormed(t, name, r, md)
			}
			if len(src) > 200_000 {
				t.Errorf("a 1 MB log line made a %d-byte report", len(src))
			}
		})
	}
}

func checkWellFormed(t *testing.T, name string, r *report.Report, md []byte) {
	t.Helper()
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM))
	doc := gm.Parser().Parse(text.NewReader(md))
	var tables []*east.Table
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindRawHTML, ast.KindHTMLBlock:
			t.Errorf("%s: raw HTML node in the Markdown: %q", name, nodeText(n, md))
		case ast.KindLink, ast.KindAutoLink, ast.KindImage:
			if img, ok := n.(*ast.Image); ok && bytes.HasPrefix(img.Destination, []byte(render.ChartScheme)) {
				break
			}
			t.Errorf("%s: link or image from report text: %q", name, nodeText(n, md))
		case ast.KindHeading:
			h := nodeText(n, md)
			if strings.Contains(h, "heading") || strings.Contains(h, "script") {
				t.Errorf("%s: heading injected: %q", name, h)
			}
		case east.KindTable:
			tables = append(tables, n.(*east.Table))
		}
		return ast.WalkContinue, nil
	})
	// Every report table must come out as a GFM table with its rows, and each
	// row's cells where they belong: a cell that split on a pipe would shift
	// the time and count columns.
	for _, sec := range r.Sections {
		for _, tab := range sec.Tables {
			if len(tab.Rows) == 0 || tab.ID == TabInstances { // instances: JSON only
				continue
			}
			gt := findTable(tables, tab, md)
			if gt == nil {
				t.Errorf("%s: table %s not found as a GFM table", name, tab.ID)
				continue
			}
			rows := tableRows(gt, md)
			if len(rows) != len(tab.Rows) {
				t.Errorf("%s: table %s has %d rows, want %d", name, tab.ID, len(rows), len(tab.Rows))
				continue
			}
			for i, row := range tab.Rows {
				if len(rows[i]) != len(tab.Columns) {
					t.Errorf("%s: table %s row %d has %d cells, want %d", name, tab.ID, i, len(rows[i]), len(tab.Columns))
					continue
				}
				for j, c := range row {
					if _, isTime := c.Value.(time.Time); (isTime || isNumber(c.Value)) && c.Severity == "" && rows[i][j] != c.Text {
						t.Errorf("%s: table %s row %d column %s: %q, want %q (columns shifted)", name, tab.ID, i, tab.Columns[j].Key, rows[i][j], c.Text)
					}
				}
			}
		}
	}
	// Findings: one table row per finding.
	if gt := findHeader(tables, md, []string{"심각도", "발견 사항", "리소스", "값"}, []string{"Severity", "Finding", "Resource", "Value"}); gt == nil {
		t.Errorf("%s: findings table missing", name)
	} else if rows := tableRows(gt, md); len(rows) != len(r.Findings) {
		t.Errorf("%s: findings table has %d rows for %d findings", name, len(rows), len(r.Findings))
	}
}

func isNumber(v any) bool {
	switch v.(type) {
	case float64, int64:
		return true
	}
	return false
}

func findTable(tables []*east.Table, tab report.Table, md []byte) *east.Table {
	want := make([]string, len(tab.Columns))
	for i, c := range tab.Columns {
		want[i] = c.Title
		if c.Unit != "" {
			want[i] += " (" + c.Unit + ")"
		}
	}
	return findHeader(tables, md, want, nil)
}

func findHeader(tables []*east.Table, md []byte, a, b []string) *east.Table {
	for _, gt := range tables {
		head := headerCells(gt, md)
		if equal(head, a) || (b != nil && equal(head, b)) {
			return gt
		}
	}
	return nil
}

func equal(x, y []string) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

func headerCells(gt *east.Table, md []byte) []string {
	for n := gt.FirstChild(); n != nil; n = n.NextSibling() {
		if n.Kind() == east.KindTableHeader {
			return cells(n, md)
		}
	}
	return nil
}

func tableRows(gt *east.Table, md []byte) [][]string {
	var out [][]string
	for n := gt.FirstChild(); n != nil; n = n.NextSibling() {
		if n.Kind() == east.KindTableRow {
			out = append(out, cells(n, md))
		}
	}
	return out
}

func cells(row ast.Node, md []byte) []string {
	var out []string
	for c := row.FirstChild(); c != nil; c = c.NextSibling() {
		out = append(out, strings.TrimSpace(nodeText(c, md)))
	}
	return out
}

// nodeText is the plain text of a node's inline content.
func nodeText(n ast.Node, src []byte) string {
	var b strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := c.(type) {
		case *ast.Text:
			b.Write(x.Segment.Value(src))
			if x.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(x.Value)
		case *ast.AutoLink:
			b.Write(x.URL(src))
		case *ast.RawHTML:
			for i := 0; i < x.Segments.Len(); i++ {
				s := x.Segments.At(i)
				b.Write(s.Value(src))
			}
		}
		return ast.WalkContinue, nil
	})
	if b.Len() == 0 && n.Type() == ast.TypeBlock && n.Lines() != nil {
		for i := 0; i < n.Lines().Len(); i++ {
			s := n.Lines().At(i)
			b.Write(s.Value(src))
		}
	}
	return b.String()
}
