package html

import (
	"bytes"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/internal/fixture"
)

// renderEmail returns the email fragment, its text and its images.
func renderEmail(t testing.TB, d *render.Document, o Email) (string, string, []report.Artifact) {
	t.Helper()
	arts, err := o.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) < 2 || arts[0].Role != report.RoleEmail || arts[0].Format != "html" || arts[1].Role != report.RoleEmail || arts[1].Format != "txt" {
		t.Fatalf("artifacts are not the email HTML and text: %+v", arts)
	}
	if arts[0].Name != d.Base+".email.html" || arts[1].Name != d.Base+".email.txt" || arts[1].ContentType != "text/plain; charset=utf-8" {
		t.Errorf("names %q %q, text type %q", arts[0].Name, arts[1].Name, arts[1].ContentType)
	}
	if dir := os.Getenv("HTML_OUT"); dir != "" {
		name := strings.ReplaceAll(t.Name(), "/", "_")
		os.WriteFile(filepath.Join(dir, name+".email.html"), arts[0].Data, 0o644)
		os.WriteFile(filepath.Join(dir, name+".email.txt"), arts[1].Data, 0o644)
	}
	return string(arts[0].Data), string(arts[1].Data), arts[2:]
}

func TestEmailGolden(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		t.Run(lang, func(t *testing.T) {
			frag, text, _ := renderEmail(t, doc(t, fixture.Options{Lang: lang}), Email{NoImages: true})
			for name, got := range map[string]string{"daily." + lang + ".email.html": frag, "daily." + lang + ".email.txt": text} {
				golden := filepath.Join("testdata", name)
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./report/render/html -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from %s; inspect and run with -update if intended", name, golden)
				}
			}
		})
	}
}

var (
	imgRE = regexp.MustCompile(`<img [^>]*>`)
	srcRE = regexp.MustCompile(`\ssrc="([^"]*)"`)
)

// checkMailSafe asserts what mail clients need and what hostile text must
// not reach: no <style>, <svg>, <script>, forms, frames or external
// resources; only tags the renderer writes; pictures only by cid:; links
// only http(s) and mailto; no event handlers.
func checkMailSafe(t *testing.T, frag string) {
	t.Helper()
	low := strings.ToLower(frag)
	for _, bad := range []string{"<style", "<svg", "<script", "<form", "<input", "<button", "<iframe", "<link", "<object", "<embed", "<meta", "url(", "@import", "class=", "<!channel>"} {
		if i := strings.Index(low, bad); i >= 0 {
			t.Errorf("email body contains %q: ...%s...", bad, frag[max(0, i-80):min(len(frag), i+80)])
		}
	}
	for _, img := range imgRE.FindAllString(frag, -1) {
		m := srcRE.FindStringSubmatch(img)
		if m == nil || !strings.HasPrefix(m[1], "cid:chart-") || !strings.HasSuffix(m[1], "@cwreport") {
			t.Errorf("picture not by Content-ID: %s", img)
		}
	}
	for _, tag := range regexp.MustCompile(`<[A-Za-z][^>]*>`).FindAllString(frag, -1) {
		names := regexp.MustCompile(`"[^"]*"`).ReplaceAllString(strings.ToLower(tag), `""`)
		if regexp.MustCompile(`\son[a-z]+\s*=`).MatchString(names) || strings.Contains(names, "javascript:") {
			t.Errorf("live tag from data: %s", tag)
		}
	}
	for _, m := range hrefRE.FindAllStringSubmatch(frag, -1) {
		if !strings.HasPrefix(m[1], "https://") && !strings.HasPrefix(m[1], "http://") && !strings.HasPrefix(m[1], "mailto:") {
			t.Errorf("link to %q", m[1])
		}
	}
	for _, r := range frag {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || r == 0x202e || r == 0xfffe {
			t.Fatalf("control character %U in the email body", r)
		}
	}
	allowed := map[string]bool{"div": true, "span": true, "code": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "p": true,
		"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "ul": true, "ol": true, "li": true, "img": true,
		"a": true, "strong": true, "em": true, "del": true, "pre": true, "blockquote": true, "hr": true, "br": true, "wbr": true}
	for _, m := range regexp.MustCompile(`</?([!A-Za-z][A-Za-z0-9]*)`).FindAllStringSubmatch(frag, -1) {
		if !allowed[m[1]] {
			t.Errorf("unexpected tag <%s>", m[1])
		}
	}
}

func TestEmailIsMailSafe(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "ko"})
	frag, _, imgs := renderEmail(t, d, Email{})
	checkMailSafe(t, frag)
	// The pictures are the page's PNGs, byte for byte, and the fragment
	// shows each by its Content-ID, in the page's order.
	_, pageImgs := renderHTML(t, d)
	if len(imgs) != len(pageImgs) || len(imgs) != 5 {
		t.Fatalf("%d email images, %d page images, want 5", len(imgs), len(pageImgs))
	}
	var refs []string
	for _, img := range imgRE.FindAllString(frag, -1) {
		refs = append(refs, strings.TrimPrefix(srcRE.FindStringSubmatch(img)[1], "cid:"))
	}
	for i, a := range imgs {
		p := pageImgs[i]
		if a.Name != p.Name || a.ChartID != p.ChartID || a.Role != report.RoleImage || !bytes.Equal(a.Data, p.Data) {
			t.Errorf("image %d: %s/%s differs from the page's %s/%s", i, a.Name, a.ChartID, p.Name, p.ChartID)
		}
		if i >= len(refs) || refs[i] != report.ChartContentID(a.ChartID) {
			t.Errorf("image %d (%s) is not referenced in order: refs %v", i, a.ChartID, refs)
		}
	}
	if len(refs) != len(imgs) {
		t.Errorf("%d pictures referenced, %d images", len(refs), len(imgs))
	}
	// Sizes for Outlook (attributes) and phones (max-width); the gauge is
	// half as wide as the other charts.
	for _, want := range []string{
		`<img src="cid:chart-cpu@cwreport" alt="CPU 사용률 상위 인스턴스" width="656" height="273" style="display:block;width:100%;max-width:656px;height:auto;border:0">`,
		`width="360"`,
		`<span style="display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:bold;line-height:18px;white-space:nowrap;background:#c62828;color:#ffffff">긴급</span>`,
		`<span style="color:#c62828">●</span>`,
		`<tr valign="top" bgcolor="#fafbfc" style="border-bottom:1px solid #e9ecef">`,
		`<td nowrap style="text-align:right">95.2</td>`,
		`<td nowrap>web-prod-01</td>`,
		`<tr bgcolor="#f1f3f5" style="border-bottom:2px solid #ced4da;background:#f1f3f5">`,
		`<span style="white-space:nowrap">High-CPU-Usage가</span>`,
		`<h2 style="margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid #e9ecef;font-size:19px;line-height:1.35;color:#111418">`,
		`<a href="https://console.aws.amazon.com/cloudwatch/" rel="noopener noreferrer" style="color:#0b5cad">CloudWatch 콘솔</a>`,
		`<div style="overflow-x:auto;margin:0 0 16px"><table cellpadding="5" cellspacing="0" style="border-collapse:collapse;width:100%;`,
	} {
		if !strings.Contains(frag, want) {
			t.Errorf("email body lacks %s", want)
		}
	}
	arts, err := Email{NoImages: true}.Render(d)
	if err != nil || len(arts) != 2 {
		t.Errorf("NoImages: %d artifacts, %v", len(arts), err)
	}
}

// words returns the visible words of an HTML fragment: tags, pictures and
// the drawn status dots left out, entities resolved.
func words(s string) []string {
	s = svgRE.ReplaceAllString(s, " ")
	s = regexp.MustCompile(`<wbr>`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "●", " ")
	return strings.Fields(s)
}

// TestEmailSameWords: the email body says what the page says, word for
// word, from the same Markdown.
func TestEmailSameWords(t *testing.T) {
	for _, o := range []fixture.Options{{Lang: "ko"}, {Lang: "en"}, {Lang: "ko", Hostile: true}} {
		d := doc(t, o)
		page, _ := renderHTML(t, d)
		main := page[strings.Index(page, "<main>"):strings.Index(page, "</main>")]
		frag, _, _ := renderEmail(t, d, Email{NoImages: true})
		a, b := words(main), words(frag)
		if len(a) < 50 || strings.Join(a, " ") != strings.Join(b, " ") {
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Errorf("%s hostile=%v: word %d differs: page %.60q, email %.60q", o.Lang, o.Hostile, i, a[i], b[i])
					break
				}
			}
			t.Errorf("%s hostile=%v: page has %d words, email %d", o.Lang, o.Hostile, len(a), len(b))
		}
	}
}

func TestEmailHostile(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "ko", Hostile: true})
	frag, text, _ := renderEmail(t, d, Email{NoImages: true})
	checkMailSafe(t, frag)
	if !strings.Contains(frag, "&lt;script&gt;alert") {
		t.Error("the script tag in the headline is not shown as text")
	}
	if len(frag) > 2<<20 {
		t.Errorf("hostile text made a %d KB email body", len(frag)>>10)
	}
	if !strings.Contains(text, `<script>alert("x")</script>`) {
		t.Error("the plain text does not show the hostile headline as it is")
	}
	for _, r := range text {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || r == 0x202e {
			t.Fatalf("control character %U in the plain text", r)
		}
	}

	// Markdown with raw HTML, as if a template wrote text raw.
	var md strings.Builder
	md.WriteString("# t\n\n<script>alert(1)</script>\n\ntext <img src=x onerror=alert(1)> <style>p{}</style> <svg onload=alert(1)>\n\n")
	md.WriteString("[x](javascript:alert(1)) ![i](https://evil.example/pixel.png) <https://ok.example/> ![c](cid:chart-cpu@cwreport)\n\n")
	md.WriteString("<form action=https://evil.example><input name=p></form>\n\n")
	for _, s := range fixture.Hostile() {
		md.WriteString(s + "\n\n")
	}
	d2 := doc(t, fixture.Options{Lang: "en"})
	d2.Markdown = []byte(md.String())
	frag, _, _ = renderEmail(t, d2, Email{NoImages: true})
	checkMailSafe(t, frag)
	if imgRE.MatchString(frag) {
		t.Errorf("a picture from raw Markdown: %v", imgRE.FindAllString(frag, -1))
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;form action=https://evil.example&gt;", `<a href="https://ok.example/"`} {
		if !strings.Contains(frag, want) {
			t.Errorf("email body lacks %s", want)
		}
	}
}

func TestEmailDeterministic(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "ko"})
	a, ta, ia := renderEmail(t, d, Email{})
	b, tb, ib := renderEmail(t, d, Email{})
	if a != b || ta != tb || len(ia) != len(ib) {
		t.Fatal("two renders of the same report differ")
	}
}

func TestEmailMissingChart(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "en"})
	d.Markdown = []byte("# t\n\n![Gone chart](chart:nope)\n")
	frag, text, imgs := renderEmail(t, d, Email{})
	if !strings.Contains(frag, `<span style="color:#868e96;font-style:italic">Gone chart</span>`) || len(imgs) != 0 || strings.Contains(frag, "<img") {
		t.Errorf("missing chart: %d images, body %s", len(imgs), frag)
	}
	if !strings.Contains(text, "[Chart: Gone chart]") {
		t.Errorf("text %q", text)
	}
}

func TestText(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "en"})
	d.Markdown = []byte("# 🔴 Title \\<b\\>\n\n| | |\n|---|---|\n| Status | 🔴 Critical |\n| Window | a ~ b |\n\n" +
		"## Findings\n\n| Severity | Finding | Value |\n|---|---|---:|\n| 🔴 Critical | 디스크 사용률 | 76% |\n| 🔵 Low | `i-0abc` *x* | 5 |\n\n" +
		"Text with [a link](https://example.com/x) and [javascript](javascript:alert(1)), ![CPU](chart:cpu).\nsecond line\n\n" +
		"- one\n- two\n  1. nested\n\n> quoted\n> more\n\n```\ncode  line\n```\n\n---\n\nfooter\n")
	_, text, _ := renderEmail(t, d, Email{NoImages: true})
	want := `🔴 Title <b>
============

Status: 🔴 Critical
Window: a ~ b

Findings
--------

Severity    | Finding       | Value
------------+---------------+------
🔴 Critical | 디스크 사용률 |   76%
🔵 Low      | i-0abc x      |     5

Text with a link (https://example.com/x) and javascript, [Chart: CPU].
second line

- one
- two
  1. nested

> quoted
> more

    code  line

----------------------------------------

footer
`
	if text != want {
		t.Errorf("text:\n%s\nwant:\n%s", text, want)
	}
	if displayWidth("가a🔴") != 5 {
		t.Errorf("displayWidth = %d", displayWidth("가a🔴"))
	}
}

func BenchmarkEmail(b *testing.B) {
	for _, c := range []struct {
		name string
		o    Email
	}{{"with-images", Email{}}, {"no-images", Email{NoImages: true}}} {
		b.Run(c.name, func(b *testing.B) {
			d := doc(b, fixture.Options{Lang: "ko"})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.o.Render(d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
