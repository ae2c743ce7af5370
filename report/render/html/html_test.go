package html

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render"
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
			if dir := os.Getenv("HTML_OUT"); dir != "" {
				os.WriteFile(filepath.Join(dir, "daily."+lang+".html"), []byte(page), 0o644)
			}
		})
	}
}
