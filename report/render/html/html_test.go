package html

import (
	"bytes"
	"encoding/xml"
	"flag"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/chart"
	"github.com/cwreport/cwreport/report/render/internal/fixture"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func doc(t testing.TB, o fixture.Options) *render.Document {
	t.Helper()
	d, err := fixture.Document(o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func renderHTML(t testing.TB, d *render.Document) (string, []report.Artifact) {
	t.Helper()
	arts, err := Renderer{}.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) == 0 || arts[0].Format != "html" || arts[0].Role != report.RoleReport {
		t.Fatalf("first artifact is not the HTML report: %+v", arts)
	}
	if dir := os.Getenv("HTML_OUT"); dir != "" {
		os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".html"), arts[0].Data, 0o644)
	}
	return string(arts[0].Data), arts[1:]
}

func TestGolden(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		t.Run(lang, func(t *testing.T) {
			page, _ := renderHTML(t, doc(t, fixture.Options{Lang: lang}))
			golden := filepath.Join("testdata", "daily."+lang+".html")
			if *update {
				if err := os.WriteFile(golden, []byte(page), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./report/render/html -update)", err)
			}
			if page != string(want) {
				t.Errorf("HTML differs from %s; inspect and run with -update if intended", golden)
			}
		})
	}
}

func TestPageShape(t *testing.T) {
	page, _ := renderHTML(t, doc(t, fixture.Options{Lang: "ko"}))
	for _, want := range []string{
		`<html lang="ko">`,
		`<title>일일 상태 보고서: 알람 3건 발생: DMZ 웹 인스턴스 CPU 95%</title>`,
		`<table class="meta">`, // the key/value block under the headline, without an empty header
		`<span class="badge badge-red" style="background:#c62828;color:#ffffff">긴급</span>`, // a severity pill, coloured inline for email clients
		`<span class="badge badge-yellow" style="background:#f2a900;color:#212529">중간</span>`,
		`<td style="text-align:right">95.2</td>`,
		`<figure class="chart" id="chart-cpu"><svg xmlns="http://www.w3.org/2000/svg"`,
		`<a href="https://console.aws.amazon.com/cloudwatch/" rel="noopener noreferrer">CloudWatch 콘솔</a>`,
		`<pre><code>aws cloudwatch describe-alarms`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "<p><figure") {
		t.Error("a chart figure is nested in a paragraph")
	}
	if strings.Contains(page, "🔴") || strings.Contains(page, "🟡") {
		t.Error("status emoji were not turned into badges")
	}
}

// svgs returns every inline SVG element of page.
var svgRE = regexp.MustCompile(`(?s)<svg .*?</svg>`)

func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("inline SVG is not well-formed: %v", err)
		}
	}
}

func TestChartsInlineAndAsPNG(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "ko"})
	page, imgs := renderHTML(t, d)
	svgs := svgRE.FindAllString(page, -1)
	if len(svgs) != 5 {
		t.Fatalf("%d inline SVG charts, want 5", len(svgs))
	}
	for _, s := range svgs {
		wellFormed(t, []byte(s))
	}
	if len(imgs) != 5 {
		t.Fatalf("%d PNG artifacts, want 5", len(imgs))
	}
	seen := map[string]bool{}
	for _, a := range imgs {
		if a.Role != report.RoleImage || a.Format != "png" || a.ContentType != "image/png" || a.ChartID == "" {
			t.Errorf("image artifact %s: role %q format %q chart %q", a.Name, a.Role, a.Format, a.ChartID)
		}
		if a.Name != d.Base+"-"+a.ChartID+".png" {
			t.Errorf("image name %q", a.Name)
		}
		seen[a.ChartID] = true
		m, err := png.Decode(bytes.NewReader(a.Data))
		if err != nil {
			t.Fatalf("%s does not decode: %v", a.Name, err)
		}
		wantW := int(chart.Width * chart.PNGScale)
		if a.ChartID == "score" {
			wantW = 360 * chart.PNGScale
		}
		if m.Bounds().Dx() != wantW {
			t.Errorf("%s is %d pixels wide, want %d", a.Name, m.Bounds().Dx(), wantW)
		}
	}
	for _, id := range []string{"cpu", "alarm-timeline", "errors-per-hour", "errors-per-group", "score"} {
		if !seen[id] {
			t.Errorf("no PNG for chart %s", id)
		}
	}
	arts, err := Renderer{NoImages: true}.Render(d)
	if err != nil || len(arts) != 1 {
		t.Errorf("NoImages: %d artifacts, %v", len(arts), err)
	}
}

func TestOfflineAndSelfContained(t *testing.T) {
	page, _ := renderHTML(t, doc(t, fixture.Options{Lang: "en"}))
	for _, bad := range []string{"<link", "<script", "@import", "url(", " src=", "<img", "<iframe"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q: it must open offline and fetch nothing", bad)
		}
	}
}

// hrefs returns the href values in page.
var hrefRE = regexp.MustCompile(`href="([^"]*)"`)

// checkSafe asserts that nothing in page came alive from data: no tags or
// attributes other than the renderer's own, no script URLs.
func checkSafe(t *testing.T, page string) {
	t.Helper()
	for _, bad := range []string{"<script", "<img", "<iframe", "<!channel>"} {
		if strings.Contains(strings.ToLower(page), bad) {
			i := strings.Index(strings.ToLower(page), bad)
			t.Errorf("page contains %q: ...%s...", bad, page[max(0, i-80):min(len(page), i+80)])
		}
	}
	// No tag carries an event handler or a script URL (the same words in
	// escaped text are harmless and expected).
	for _, tag := range regexp.MustCompile(`<[A-Za-z][^>]*>`).FindAllString(page, -1) {
		low := strings.ToLower(tag)
		names := regexp.MustCompile(`"[^"]*"`).ReplaceAllString(low, `""`) // attribute names only
		if regexp.MustCompile(`\son[a-z]+\s*=`).MatchString(names) || strings.Contains(names, "javascript:") {
			t.Errorf("live tag from data: %s", tag)
		}
	}
	for _, m := range hrefRE.FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "https://") && !strings.HasPrefix(m[1], "http://") && !strings.HasPrefix(m[1], "mailto:") {
			t.Errorf("link to %q", m[1])
		}
	}
	for _, r := range page {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || r == 0x202e || r == 0xfffe {
			t.Fatalf("control character %U in page", r)
		}
	}
	// Every tag is one the renderer writes.
	allowed := map[string]bool{"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true, "div": true,
		"header": true, "main": true, "span": true, "code": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "p": true,
		"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "ul": true, "ol": true, "li": true,
		"a": true, "strong": true, "em": true, "del": true, "pre": true, "blockquote": true, "hr": true, "br": true, "wbr": true, "figure": true,
		"svg": true, "rect": true, "polyline": true, "polygon": true, "text": true, "!DOCTYPE": true}
	for _, m := range regexp.MustCompile(`</?([!A-Za-z][A-Za-z0-9]*)`).FindAllStringSubmatch(page, -1) {
		if !allowed[m[1]] {
			t.Errorf("unexpected tag <%s>", m[1])
		}
	}
}

func TestHostileReport(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "ko", Hostile: true})
	start := time.Now()
	page, imgs := renderHTML(t, d)
	t.Logf("hostile report: %d KB HTML, %d images in %v", len(page)>>10, len(imgs), time.Since(start))
	checkSafe(t, page)
	if !strings.Contains(page, "&lt;script&gt;alert") {
		t.Error("the script tag in the headline is not shown as text")
	}
	if len(page) > 2<<20 {
		t.Errorf("hostile text made a %d KB page", len(page)>>10)
	}
	for _, s := range svgRE.FindAllString(page, -1) {
		wellFormed(t, []byte(s))
	}
	// Long unbroken strings (a megabyte of "A", thousands of ideographs)
	// carry break opportunities, so they wrap instead of widening the page.
	body := page[strings.Index(page, "<main>"):]
	body = svgRE.ReplaceAllString(body, " ")
	body = regexp.MustCompile(`<wbr>|<[^>]*>|&[#a-z0-9]+;`).ReplaceAllString(body, " ")
	for _, word := range strings.FieldsFunc(body, func(r rune) bool { return r == ' ' || r == '\n' || r == '-' || r == '/' }) {
		if n := len([]rune(word)); n > wordRun {
			t.Errorf("unbreakable run of %d characters: %.40s...", n, word)
			break
		}
	}
}

// TestHostileMarkdown feeds Markdown with raw HTML and pathological
// nesting straight to the renderer, as if a template wrote text raw.
func TestHostileMarkdown(t *testing.T) {
	var md strings.Builder
	md.WriteString("# t\n\n<script>alert(1)</script>\n\ntext <img src=x onerror=alert(1)> and <b>bold</b>\n\n")
	md.WriteString("[x](javascript:alert(1)) ![i](https://evil.example/pixel.png) <javascript:alert(1)> <https://ok.example/>\n\n")
	md.WriteString("<div>\n<iframe src=\"https://evil.example\"></iframe>\n</div>\n\n")
	for _, s := range fixture.Hostile() {
		md.WriteString(s + "\n\n")
	}
	md.WriteString(strings.Repeat("> ", 10000) + "deep\n\n")
	md.WriteString(strings.Repeat("[", 10000) + "\n\n")
	d := doc(t, fixture.Options{Lang: "en"})
	d.Markdown = []byte(md.String())
	start := time.Now()
	page, _ := renderHTML(t, d)
	t.Logf("hostile Markdown (%d KB) in %v", md.Len()>>10, time.Since(start))
	checkSafe(t, page)
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", `<a href="https://ok.example/"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "ko"})
	a, ia := renderHTML(t, d)
	b, ib := renderHTML(t, d)
	if a != b {
		t.Fatal("two renders of the same report differ")
	}
	for i := range ia {
		if !bytes.Equal(ia[i].Data, ib[i].Data) {
			t.Errorf("image %s differs between renders", ia[i].Name)
		}
	}
}

func TestMissingChartIsNamed(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "en"})
	d.Markdown = []byte("# t\n\n![Gone chart](chart:nope)\n")
	page, imgs := renderHTML(t, d)
	if !strings.Contains(page, `<span class="missing">Gone chart</span>`) || len(imgs) != 0 {
		t.Errorf("missing chart: %d images, page %s", len(imgs), page[strings.Index(page, "<main>"):])
	}
}

func BenchmarkHTML(b *testing.B) {
	d := doc(b, fixture.Options{Lang: "ko"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Renderer{}).Render(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHTMLHostile(b *testing.B) {
	d := doc(b, fixture.Options{Lang: "ko", Hostile: true})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Renderer{}).Render(d); err != nil {
			b.Fatal(err)
		}
	}
}
