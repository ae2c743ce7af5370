package pdf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/internal/fixture"
	"github.com/cwreport/cwreport/report/render/internal/fonts"
)

func doc(t testing.TB, o fixture.Options) *render.Document {
	t.Helper()
	d, err := fixture.Document(o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func renderPDF(t testing.TB, d *render.Document) []byte {
	t.Helper()
	b, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("output is not a PDF: %q", b[:min(len(b), 16)])
	}
	if dir := os.Getenv("PDF_OUT"); dir != "" {
		os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".pdf"), b, 0o644)
	}
	return b
}

// pdftotext extracts the text of a PDF with poppler, the reader most Linux
// tools use. .ci/run installs it; outside CI the test is skipped without it.
func pdftotext(t *testing.T, b []byte, layout bool) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is not installed; .ci/run installs it")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-enc", "UTF-8"}
	if layout {
		args = append(args, "-layout")
	}
	out, err := exec.Command(bin, append(args, f, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// squash collapses whitespace, so a phrase matches across line breaks.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func pages(b []byte) int { return bytes.Count(b, []byte("/Type /Page\n")) }

func TestKoreanTextExtractsExactly(t *testing.T) {
	b := renderPDF(t, doc(t, fixture.Options{Lang: "ko"}))
	text := squash(pdftotext(t, b, false))
	for _, want := range []string{
		"알람 3건 발생: DMZ 웹 인스턴스 CPU 95%",                     // the headline
		"일일 상태 보고서",                                        // the kind, on the cover
		"2026-11-23 08:00 ~ 2026-11-24 08:00 (Asia/Seoul)", // the window in local time
		"알람이 24시간 동안 7회 오르내렸습니다",                           // a finding in the findings table
		"High-CPU-Usage-order-api-02",                      // alarm table contents
		"legacy-reporting-01",
		"java.lang.OutOfMemoryError: Java heap space", // log group table
		"긴급", "높음", "중간", "낮음", "정보", // severity badges, drawn with their labels
		"CPU 사용률 상위 인스턴스", "시각 (Asia/Seoul)", "CPU (%)", // chart title and axes
		"aws cloudwatch describe-alarms --state-value ALARM", // code block
		"데모 계정의 합성 데이터입니다.",                                  // block quote
	} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q", want)
		}
	}
	for _, r := range text {
		if r > ' ' && !fonts.Must(fonts.Regular).Has(r) && !fonts.Must(fonts.Mono).Has(r) {
			t.Errorf("extracted text holds %U %q, which the font cannot draw (a missing-glyph box)", r, r)
		}
	}
	for _, e := range []string{"🔴", "🟡", "🟢", "🟠", "🔵", "⚪", "📈"} {
		if strings.Contains(text, e) {
			t.Errorf("emoji %s reached the PDF text", e)
		}
	}
}

func TestEnglishAndTablesWrap(t *testing.T) {
	b := renderPDF(t, doc(t, fixture.Options{Lang: "en"}))
	text := squash(pdftotext(t, b, false))
	for _, want := range []string{"3 alarms firing: DMZ web instance at 95% CPU", "Alarm flapped 7 times in 24 h",
		"CPU rising week over week; consider a larger instance type before the weekend peak", "Critical", "Security score"} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q", want)
		}
	}
}

func TestSubsetFontsKeepFilesSmall(t *testing.T) {
	b := renderPDF(t, doc(t, fixture.Options{Lang: "ko"}))
	// The three embedded fonts are 11 MB whole; subset, a report is small.
	if len(b) > 400<<10 {
		t.Errorf("PDF is %d KB; fonts are not subset?", len(b)>>10)
	}
	if !bytes.Contains(b, []byte("/ToUnicode")) {
		t.Error("fonts carry no ToUnicode map: text would not extract")
	}
}

func TestDeterministic(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "ko", Rows: 400})
	first := renderPDF(t, d)
	for i := 0; i < 3; i++ {
		if again := renderPDF(t, d); !bytes.Equal(first, again) {
			t.Fatalf("render %d differs from the first (%d vs %d bytes)", i+2, len(again), len(first))
		}
	}
	want := d.Report.GeneratedAt.UTC().Format("20060102150405")
	if !bytes.Contains(first, []byte("/CreationDate (D:"+want)) {
		t.Errorf("creation date is not the report's generated_at %s", want)
	}
}

func TestLongReport(t *testing.T) {
	b := renderPDF(t, doc(t, fixture.Options{Lang: "ko", Rows: 600}))
	n := pages(b)
	if n < tocPages {
		t.Fatalf("600 rows gave %d pages", n)
	}
	text := pdftotext(t, b, true)
	per := strings.Split(text, "\f")
	if !strings.Contains(per[0], "목차") || !strings.Contains(squash(per[0]), "인스턴스") {
		t.Errorf("a long report has no table of contents on page 1:\n%s", per[0])
	}
	// The instances table runs over many pages; each repeats the header.
	withRows, withHeader := 0, 0
	for _, p := range per {
		if strings.Contains(p, "web-prod-") {
			withRows++
			if strings.Contains(p, "CPU p95 (%)") {
				withHeader++
			}
		}
	}
	if withRows < 5 || withHeader != withRows {
		t.Errorf("table rows on %d pages, header on %d", withRows, withHeader)
	}
	last := squash(per[len(per)-2]) // the text ends with a form feed
	if want := itoa(n) + " / " + itoa(n); !strings.Contains(last, want) && !strings.Contains(last, strings.ReplaceAll(want, " ", "")) {
		t.Errorf("last page has no page number %q: ...%s", want, last[max(0, len(last)-80):])
	}
	if !bytes.Contains(b, []byte("/Outlines")) {
		t.Error("no bookmarks (outline)")
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return fmtInt(n/10) + string(rune('0'+n%10))
}

func TestShortReportHasNoContents(t *testing.T) {
	b := renderPDF(t, doc(t, fixture.Options{Lang: "ko"}))
	if n := pages(b); n >= tocPages {
		t.Fatalf("fixture is %d pages; test assumes a short report", n)
	}
	if strings.Contains(pdftotext(t, b, false), "목차") {
		t.Error("a short report got a table of contents")
	}
}

func TestHostileReport(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "ko", Hostile: true})
	start := time.Now()
	b := renderPDF(t, d)
	t.Logf("hostile report: %d pages, %d KB in %v", pages(b), len(b)>>10, time.Since(start))
	if n := pages(b); n > 40 {
		t.Errorf("hostile text blew the report up to %d pages", n)
	}
	text := pdftotext(t, b, false)
	for _, r := range text {
		if r > ' ' && !fonts.Must(fonts.Regular).Has(r) && !fonts.Must(fonts.Mono).Has(r) {
			t.Fatalf("extracted text holds %U, which the font cannot draw", r)
		}
	}
	// Markup in data is shown as the text it is.
	if !strings.Contains(text, `<script>alert("x")</script>`) {
		t.Error("the script tag in a headline is not shown as text")
	}
}

// TestHostileMarkdown feeds pathological Markdown straight to the renderer,
// as if a template had written untrusted text raw.
func TestHostileMarkdown(t *testing.T) {
	var md strings.Builder
	md.WriteString("# title\n\n")
	for _, s := range fixture.Hostile() {
		md.WriteString(s + "\n\n")
	}
	md.WriteString(strings.Repeat("> ", 10000) + "deep\n\n")
	md.WriteString(strings.Repeat("- ", 2000) + "list\n\n")
	md.WriteString("|" + strings.Repeat(" a |", 3000) + "\n|" + strings.Repeat("---|", 3000) + "\n|" + strings.Repeat(" b |", 3000) + "\n\n")
	md.WriteString("```\n" + strings.Repeat("x", 200000) + "\n```\n")
	d := doc(t, fixture.Options{Lang: "en"})
	d.Markdown = []byte(md.String())
	start := time.Now()
	b := renderPDF(t, d)
	t.Logf("hostile Markdown (%d KB): %d pages in %v", md.Len()>>10, pages(b), time.Since(start))
	if n := pages(b); n > 200 {
		t.Errorf("%d pages", n)
	}
}

func TestRejectsInvalidReport(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "ko"})
	d.Report.Status = "fine"
	if _, err := Render(d); err == nil || !strings.Contains(err.Error(), "status") {
		t.Errorf("invalid report: err = %v", err)
	}
	d = doc(t, fixture.Options{Lang: "ko"})
	d.Report.Timezone = "Mars/Olympus"
	if _, err := Render(d); err == nil || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Errorf("bad time zone: err = %v", err)
	}
}

func TestRendererArtifact(t *testing.T) {
	arts, err := Renderer{}.Render(doc(t, fixture.Options{Lang: "ko"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 1 || arts[0].Name != "morning-2026-11-24.pdf" || arts[0].ContentType != "application/pdf" || arts[0].Role != report.RoleReport {
		t.Errorf("artifact: %+v", arts[0].Name)
	}
}

// rowsFor100Pages is the instances-table length that makes the fixture
// 100 pages long (checked by the benchmark).
const rowsFor100Pages = 3270

func BenchmarkPDF100Pages(b *testing.B) {
	d := doc(b, fixture.Options{Lang: "ko", Rows: rowsFor100Pages})
	out, err := Render(d)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pages(out)), "pages")
	b.ReportMetric(float64(len(out)>>10), "KB")
}

func BenchmarkPDFHostile(b *testing.B) {
	d := doc(b, fixture.Options{Lang: "ko", Hostile: true})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(d); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrent renders from several goroutines at once, as the serve loop
// may; run with -race it checks the shared fonts and parser.
func TestConcurrent(t *testing.T) {
	d := doc(t, fixture.Options{Lang: "ko"})
	want := renderPDF(t, d)
	errs := make(chan error, 4)
	outs := make(chan []byte, 4)
	for i := 0; i < 4; i++ {
		go func() {
			b, err := Render(d)
			errs <- err
			outs <- b
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(<-outs, want) {
			t.Error("a concurrent render differs")
		}
	}
}

// The errors-per-hour sparklines ("▁▂█") have no glyph in the embedded
// font: they are drawn as bars, never as "???", and keep their width in
// table layout.
func TestSparklinesAreDrawn(t *testing.T) {
	st := style{size: 9}
	toks := tokenize([]run{{text: "per hour ▁▂▃▄▅▆▇█ done", st: st}})
	var spark *token
	for i := range toks {
		if toks[i].spark != "" {
			spark = &toks[i]
		}
	}
	if spark == nil || spark.spark != "▁▂▃▄▅▆▇█" || spark.w != 8*sparkSlot*st.em() {
		t.Fatalf("tokens %+v: want one sparkline token of 8 bars", toks)
	}
	d := doc(t, fixture.Options{Lang: "ko"})
	d.Markdown = []byte("# 로그\n\n| 로그 그룹 | 시간별 |\n|---|---|\n| /aws/eks/cluster | ▁▂▂▁▁█▂▁ |\n\n시간별 ▁▂█ 오류\n")
	text := pdftotext(t, renderPDF(t, d), false)
	if strings.Contains(text, "?") || !strings.Contains(text, "/aws/eks/cluster") || !strings.Contains(text, "오류") {
		t.Errorf("text:\n%s", text)
	}
}
