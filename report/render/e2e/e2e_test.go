// Package e2e renders every demo report in every format through the real
// runner (demo source, registered analyzers, registered renderers) and
// measures it: the test and benchmarks the rendering work is judged by.
package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/report"
)

// at is a fixed demo instant, so runs are reproducible.
var at = time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC)

var formats = []string{"md", "html", "pdf", "json"}

type demoReport struct {
	run jobs.Run
	rep *report.Report
}

// demo runs every job of the built-in demo configuration whose kind this
// build has, and returns the runner and the reports.
func demo(tb testing.TB, lang string) (*jobs.Runner, []demoReport) {
	tb.Helper()
	path := filepath.Join("..", "..", "..", "cmd", "cwreport", "demo.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := config.Parse(path, data, func(string) (string, bool) { return "", false })
	if err != nil {
		tb.Fatal(err)
	}
	an, err := jobs.Analyzers()
	if err != nil {
		tb.Fatal(err)
	}
	src, err := jobs.OpenSource(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	r := &jobs.Runner{Config: cfg, Source: src, Analyzers: an, Renderers: jobs.Renderers(), Now: func() time.Time { return at }}
	var out []demoReport
	for _, j := range cfg.Jobs {
		if _, ok := an.Get(j.Kind); !ok {
			continue
		}
		j.Language = lang
		j.Formats = formats
		run := jobs.NewRun(j, at)
		res := r.Run(context.Background(), run)
		if res.Err != nil {
			tb.Fatalf("%s: %v", run.Key(), res.Err)
		}
		out = append(out, demoReport{run: run, rep: res.Report})
	}
	if len(out) == 0 {
		tb.Skip("no report kinds registered")
	}
	return r, out
}

func TestEveryDemoReportInEveryFormat(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		r, reps := demo(t, lang)
		for _, d := range reps {
			arts, err := r.Render(d.rep, d.run.Base(), formats)
			if err != nil {
				t.Fatalf("%s: %v", d.run.Key(), err)
			}
			got := map[string]report.Artifact{}
			images := 0
			for _, a := range arts {
				if a.Role == report.RoleImage {
					images++
					continue
				}
				got[a.Format] = a
			}
			for _, f := range formats {
				if len(got[f].Data) == 0 {
					t.Errorf("%s (%s): no %s artifact", d.run.Key(), lang, f)
				}
			}
			charts := 0
			for _, s := range d.rep.Sections {
				charts += len(s.Charts)
			}
			if charts > 0 && images == 0 {
				t.Errorf("%s: %d charts but no PNG", d.run.Key(), charts)
			}
			again, _ := r.Render(d.rep, d.run.Base(), formats)
			for i := range arts {
				if !bytes.Equal(arts[i].Data, again[i].Data) {
					t.Errorf("%s: %s differs between two renders", d.run.Key(), arts[i].Name)
				}
			}
			if text := pdftotext(t, got["pdf"].Data); text != "" {
				head := strings.Join(strings.Fields(d.rep.Headline), " ")
				if !strings.Contains(strings.Join(strings.Fields(text), " "), head) {
					t.Errorf("%s (%s): PDF text lacks the headline %q", d.run.Key(), lang, head)
				}
			}
			t.Logf("%s (%s): html %d KB, pdf %d KB, %d images", d.run.Key(), lang, len(got["html"].Data)>>10, len(got["pdf"].Data)>>10, images)
		}
	}
}

func pdftotext(t *testing.T, pdf []byte) string {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is not installed; .ci/run installs it")
		}
		return ""
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// BenchmarkDemoRender renders every demo report (the kinds this build
// registers) in md, html (with PNG charts), pdf and json: one op is the
// whole set.
func BenchmarkDemoRender(b *testing.B) {
	r, reps := demo(b, "ko")
	kinds := []string{}
	for _, d := range reps {
		kinds = append(kinds, d.rep.Kind)
	}
	slices.Sort(kinds)
	b.Logf("kinds: %s", strings.Join(kinds, ", "))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range reps {
			if _, err := r.Render(d.rep, d.run.Base(), formats); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(reps)), "reports")
}

// BenchmarkDemoRun is the same set end to end: demo source, analyzer and
// rendering.
func BenchmarkDemoRun(b *testing.B) {
	r, reps := demo(b, "ko")
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range reps {
			if res := r.Run(context.Background(), d.run); res.Err != nil {
				b.Fatal(res.Err)
			}
		}
	}
	b.ReportMetric(float64(len(reps)), "reports")
}

// BenchmarkDemoRenderFormat splits the set by format.
func BenchmarkDemoRenderFormat(b *testing.B) {
	r, reps := demo(b, "ko")
	for _, f := range formats {
		b.Run(f, func(b *testing.B) {
			for b.Loop() {
				for _, d := range reps {
					if _, err := r.Render(d.rep, d.run.Base(), []string{f}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
