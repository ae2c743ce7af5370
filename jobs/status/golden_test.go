package status

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/json"
	"github.com/cwreport/cwreport/report/render/markdown"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./jobs/status -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run: go test ./jobs/status -run %s -update\n%s",
			path, t.Name(), firstDiff(want, got))
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + itoa(i+1) + ":\n want: " + string(w) + "\n  got: " + string(g)
		}
	}
	return ""
}

func itoa(i int) string { return textfmt.Int(int64(i)) }

// renderAll gives the .md and .json artifacts exactly as the CLI writes them.
func renderAll(t *testing.T, r *report.Report) (md, js []byte) {
	t.Helper()
	src, err := markdown.Source(r)
	if err != nil {
		t.Fatal(err)
	}
	doc := &render.Document{Report: r, Markdown: src, Base: "morning"}
	m, err := markdown.Renderer{}.Render(doc)
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Renderer{}.Render(doc)
	if err != nil {
		t.Fatal(err)
	}
	return m[0].Data, j[0].Data
}

func TestGoldenCrafted(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		b := crafted(fixedAt)
		job := b.job()
		job.Language = lang
		md, js := renderAll(t, b.analyze(t, job))
		golden(t, "crafted."+lang+".md", md)
		if lang == "ko" {
			golden(t, "crafted.json", js)
		}
	}
}
