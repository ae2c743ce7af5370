package incident

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render/json"
	"github.com/cwreport/cwreport/report/render/markdown"
)

var update = flag.Bool("update", false, "rewrite the golden files")

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
		t.Fatalf("%v (run go test ./jobs/incident -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended run: go test ./jobs/incident -run %s -update\n%s", name, t.Name(), firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + itoa(i+1) + ":\n want: " + w + "\n  got: " + g
		}
	}
	return ""
}

func itoa(i int) string { return strconv.Itoa(i) }

// hostileIncident is the seeded incident plus a deploy line and hostile
// error lines: Markdown table breakers, HTML, Slack mentions, control
// characters, invalid UTF-8 and a very long line.
func hostileIncident(t *testing.T, lang string) *report.Report {
	s := seeded(t, 1)
	s.job.Language = lang
	g := "/aws/ec2/order-api/app"
	s.lines[g] = append(s.lines[g], logLine{at.Add(-12 * time.Minute), "deploy: rolling out order-api v2.14.1 to order-api-02"})
	for i := 0; i < 4; i++ {
		ts := at.Add(-5*time.Minute + time.Duration(i)*time.Second)
		s.lines[g] = append(s.lines[g],
			logLine{ts, "ERROR | pipe | `tick` <script>alert(1)</script> <!channel> **bold** [x](http://evil)"},
			logLine{ts, "ERROR bad bytes \xff\xfe and \x1b[31mred\x1b[0m and \x00 nul"},
			logLine{ts, "ERROR huge " + strings.Repeat("A|", 300000)})
	}
	in := s.finish()
	in.Lang = lang
	r := analyzeOK(t, in)
	r.GeneratedAt = at.UTC()
	return r
}

func TestGoldenReports(t *testing.T) {
	for _, lang := range []string{"en", "ko"} {
		r := hostileIncident(t, lang)
		md, err := markdown.Source(r)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "incident."+lang+".md", md)
		js, err := json.Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "incident."+lang+".json", js)
		for _, bad := range []string{"<script>", "<!channel>", "\x1b", "\x00", "\xff", "| pipe |"} {
			if bytes.Contains(md, []byte(bad)) {
				t.Errorf("%s Markdown contains raw %q", lang, bad)
			}
		}
		if len(md) > 200_000 {
			t.Errorf("%s Markdown is %d bytes: a huge log line was not bounded", lang, len(md))
		}
	}
}

func TestQuietReportRenders(t *testing.T) {
	s := newScenario(t, 11)
	in := s.finish()
	r := analyzeOK(t, in)
	r.GeneratedAt = at.UTC()
	md, err := markdown.Source(r)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "quiet.en.md", md)
}
