package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// utcConfig has one job of every kind on the demo account, and a daily
// status over the calendar day before (its window is resolved at local
// midnight, in Asia/Seoul).
const utcConfig = `timezone: Asia/Seoul
source: {type: demo}
jobs:
  - {name: daily-status, kind: daily-status, window: 24h, formats: [md, json, html, pdf]}
  - {name: yesterday, kind: daily-status, window: yesterday, formats: [md, json]}
  - {name: capacity, kind: capacity, window: 30d, formats: [md, json, html, pdf]}
  - {name: capacity-p90, kind: capacity, window: 30d, formats: [md, json], capacity: {sizing_percentile: 90}}
  - {name: security, kind: security, window: 30d, formats: [md, json, html, pdf], security: {pack: {demo_key: true}}}
  - {name: incident, kind: incident, window: 2h, formats: [md, json, html, pdf], incident: {before: 2h, after: 0m}}
  - {name: benchmark, kind: benchmark, window: 24h, formats: [md, json, html, pdf]}
`

var rfc3339Time = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

// nonUTCTimes returns the string values of a JSON document that are an RFC
// 3339 time with an offset other than Z (log lines that begin with a time
// are data, not times, and are not whole-string matches).
func nonUTCTimes(t *testing.T, data []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			if rfc3339Time.MatchString(x) && !strings.HasSuffix(x, "Z") {
				out = append(out, x)
			}
		}
	}
	walk(v)
	return out
}

// The same instant written with an offset (--at 2026-11-24T08:00:00+09:00)
// or in UTC (--at 2026-11-23T23:00:00Z) is the same run: every kind gives
// byte-identical artifacts, and every time in its JSON is UTC.
func TestSameInstantSameBytes(t *testing.T) {
	cfg := parseConfig(t, utcConfig)
	an, err := Analyzers()
	if err != nil {
		t.Fatal(err)
	}
	seoul := time.Date(2026, 11, 24, 8, 0, 0, 0, time.FixedZone("", 9*3600))
	utc := seoul.UTC()
	kinds := map[string]bool{}
	for _, job := range cfg.Jobs {
		kinds[job.Kind] = true
		t.Run(job.Name, func(t *testing.T) {
			runAt := func(at time.Time) *Result {
				t.Helper()
				r := &Runner{Config: cfg, Source: mustSource(t, cfg), Analyzers: an, Renderers: Renderers(), Now: func() time.Time { return at }}
				res := r.Run(context.Background(), NewRun(job, at))
				if res.Err != nil {
					t.Fatal(res.Err)
				}
				return res
			}
			a, b := runAt(seoul), runAt(utc)
			if a.Run.Key() != b.Run.Key() {
				t.Errorf("run keys %s and %s", a.Run.Key(), b.Run.Key())
			}
			if len(a.Artifacts) != len(b.Artifacts) || len(a.Artifacts) < len(job.Formats) {
				t.Fatalf("%d and %d artifacts for %d formats", len(a.Artifacts), len(b.Artifacts), len(job.Formats))
			}
			for i := range a.Artifacts {
				x, y := a.Artifacts[i], b.Artifacts[i]
				if x.Name != y.Name || !bytes.Equal(x.Data, y.Data) {
					t.Errorf("%s (at %s) and %s (at %s) differ", x.Name, seoul.Format(time.RFC3339), y.Name, utc.Format(time.RFC3339))
				}
				if x.Format == "json" && x.Role == report.RoleReport {
					if bad := nonUTCTimes(t, x.Data); len(bad) > 0 {
						t.Errorf("%s: %d times not in UTC, e.g. %s", x.Name, len(bad), bad[0])
					}
					if !bytes.Contains(x.Data, []byte(`"end": "`+a.Run.Window.End.UTC().Format(time.RFC3339)+`"`)) {
						t.Errorf("%s: no window end %s", x.Name, a.Run.Window.End.UTC().Format(time.RFC3339))
					}
				}
			}
		})
	}
	if len(kinds) != 5 {
		t.Errorf("kinds tested: %v, want all five", kinds)
	}
}

// NewRun hands sources and analyzers UTC, also for a calendar window
// resolved at local midnight; the period key stays local.
func TestNewRunIsUTC(t *testing.T) {
	cfg := parseConfig(t, utcConfig)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, cfg.Location)
	run := NewRun(cfg.Job("yesterday"), at)
	for name, tm := range map[string]time.Time{"at": run.At, "start": run.Window.Start, "end": run.Window.End} {
		if tm.Location() != time.UTC {
			t.Errorf("%s %s is not UTC", name, tm)
		}
	}
	if !run.At.Equal(at) || run.Window.Start.Format(time.RFC3339) != "2026-11-22T15:00:00Z" || run.Window.End.Format(time.RFC3339) != "2026-11-23T15:00:00Z" {
		t.Errorf("run at %s, window %s .. %s", run.At, run.Window.Start, run.Window.End)
	}
	if run.Key() != "yesterday/2026-11-23" {
		t.Errorf("key %s", run.Key())
	}
}

// Every count a demo report shows in a table or a fact groups its digits
// ("3,756 events"); ports, years and ids are text or report.Int, and ranks
// never reach four digits.
func TestCountsGrouped(t *testing.T) {
	cfg := parseConfig(t, utcConfig)
	an, err := Analyzers()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, cfg.Location)
	large := 0
	for _, job := range cfg.Jobs {
		job.Formats = []string{"json"}
		r := &Runner{Config: cfg, Source: mustSource(t, cfg), Analyzers: an, Renderers: Renderers(), Now: func() time.Time { return at }}
		res := r.Run(context.Background(), NewRun(job, at))
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		check := func(where string, c report.Cell) {
			n, ok := c.Value.(int64)
			if !ok || (n < 1000 && n > -1000) {
				return
			}
			large++
			if !strings.Contains(c.Text, ",") {
				t.Errorf("%s: %s: count %d shown as %q", job.Name, where, n, c.Text)
			}
		}
		for _, s := range res.Report.Sections {
			for _, f := range s.Facts {
				check(s.ID+"/"+f.Key, f.Value)
			}
			for _, tb := range s.Tables {
				for _, row := range tb.Rows {
					for i, c := range row {
						check(tb.ID+"/"+tb.Columns[i].Key, c)
					}
				}
			}
		}
	}
	if large == 0 {
		t.Error("no count of four digits or more in the demo reports: the test reads nothing")
	}
}

// gluedParticle is a number with a Korean particle right after it.
var gluedParticle = regexp.MustCompile(`(\d[\d,.]*%?)(으로|로|이|가|을|를|은|는|과|와)([\s.,:;)(]|$)`)

// In every Korean demo report a particle after a number follows the
// number's sound as Korean reads it: 5,003으로 and 5,009로, p50이 and p95가.
func TestKoreanParticlesAfterNumbers(t *testing.T) {
	cfg := parseConfig(t, utcConfig)
	an, err := Analyzers()
	if err != nil {
		t.Fatal(err)
	}
	families := map[string]i18n.Particle{"으로": i18n.KoRo, "로": i18n.KoRo, "이": i18n.KoIGa, "가": i18n.KoIGa,
		"을": i18n.KoEulReul, "를": i18n.KoEulReul, "은": i18n.KoEunNeun, "는": i18n.KoEunNeun, "과": i18n.KoGwaWa, "와": i18n.KoGwaWa}
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, cfg.Location)
	seen := 0
	for _, job := range cfg.Jobs {
		if job.Language != "ko" {
			t.Fatalf("%s: language %q, want the default ko", job.Name, job.Language)
		}
		job.Formats = []string{"md"}
		r := &Runner{Config: cfg, Source: mustSource(t, cfg), Analyzers: an, Renderers: Renderers(), Now: func() time.Time { return at }}
		res := r.Run(context.Background(), NewRun(job, at))
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		for _, m := range gluedParticle.FindAllStringSubmatch(string(res.Artifacts[0].Data), -1) {
			seen++
			if want := families[m[2]].After(m[1]); want != m[2] {
				t.Errorf("%s: %q: want %s%s", job.Name, m[0], m[1], want)
			}
		}
	}
	if seen == 0 {
		t.Error("no particle after a number in the Korean demo reports: the test reads nothing")
	}
}
