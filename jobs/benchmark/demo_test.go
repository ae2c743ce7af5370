package benchmark

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/demo"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render/json"
	"github.com/cwreport/cwreport/report/render/markdown"
)

var update = flag.Bool("update", false, "rewrite the golden files")

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
		t.Fatalf("%v (run go test ./jobs/benchmark -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if intended run: go test ./jobs/benchmark -run %s -update", name, t.Name())
	}
}

// demoJob is the benchmark job of cmd/cwreport/demo.yaml.
func demoJob(lang string) *config.Job {
	return &config.Job{Name: "benchmark", Kind: "benchmark", Window: config.Window{Raw: "24h"}, Period: "run", Location: seoul, Language: lang}
}

func runDemo(t *testing.T, j *config.Job, at time.Time) *report.Report {
	t.Helper()
	start, end := j.Window.Resolve(at, seoul)
	win := source.Window{Start: start, End: end}
	p := New().Plan(j, win, at)
	p.Request.At = at
	src := demo.New()
	cur, err := src.Collect(context.Background(), p.Request)
	if err != nil {
		t.Fatal(err)
	}
	prev := p.Request
	prev.Window = *p.Compare
	prev.Needs = p.CompareNeeds
	pd, err := src.Collect(context.Background(), prev)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New().Analyze(analyze.Input{Job: j, At: at, Window: win, Location: seoul, Lang: j.Language, Data: cur, Previous: pd})
	if err != nil {
		t.Fatal(err)
	}
	r.GeneratedAt = at.UTC()
	return r
}

// TestDemoBenchmark: the demo account's week-over-week stories are found —
// order-api CPU ~30% higher with its traffic ~30% higher (load that
// followed the traffic: a low benchmark.traffic_change, not a regression),
// the DMZ instance's CPU spike with steady traffic (a regression), batch
// workers ~40% lighter (an improvement) — memory that no agent reports is
// "not collected", never a change, and the EKS node group is named as the
// capacity report names it.
func TestDemoBenchmark(t *testing.T) {
	for _, at := range []time.Time{at, time.Date(2026, 11, 24, 15, 41, 0, 0, seoul), time.Date(2027, 2, 3, 22, 5, 0, 0, seoul)} {
		r := runDemo(t, demoJob("en"), at)
		load := findingFor(r, FindTraffic, "order-api-asg", "CPUUtilization")
		if load == nil || *load.Value < 20 || *load.Value > 40 || load.Severity != report.SeverityLow || load.Evidence["traffic"] == nil {
			t.Errorf("%v: order-api-asg CPU ~+30%% with its traffic: %+v\n%v", at, load, titles(r))
		}
		if reg := findingFor(r, FindRegression, "order-api-asg", "CPUUtilization"); reg != nil {
			t.Errorf("%v: order-api-asg CPU is a regression though its traffic explains it: %s\n%s", at, reg.Title, reg.Detail)
		}
		if reg := findingFor(r, FindRegression, "i-0da49510f4cda22db", "CPUUtilization"); reg == nil || reg.Severity != report.SeverityHigh {
			t.Errorf("%v: the DMZ instance's CPU spike is not a high regression: %v", at, titles(r))
		}
		eks := false
		for _, row := range r.Table(TabDist).Rows {
			eks = eks || row[0].Text == "eksworkshop/ng-general (8 instances)"
			if strings.HasPrefix(row[0].Text, "eks-ng-") {
				t.Errorf("%v: the EKS node group is labelled by its Auto Scaling group: %s", at, row[0].Text)
				break
			}
		}
		if !eks {
			t.Errorf("%v: no group eksworkshop/ng-general (8 instances)", at)
		}
		imp := findingFor(r, FindImprove, "batch-worker-*", "CPUUtilization")
		if imp == nil || *imp.Value > -30 || *imp.Value < -50 {
			t.Errorf("%v: batch-worker CPU improvement ~-40%%: %+v\n%v", at, imp, titles(r))
		}
		for _, f := range r.Findings {
			if f.Evidence["metric"] == "mem_used_percent" {
				t.Errorf("%v: memory read as a change: %s", at, f.Title)
			}
		}
		notCollected := 0
		for _, row := range r.Table(TabDist).Rows {
			if strings.HasPrefix(row[1].Text, "mem_used_percent") && row[8].Text == "not collected" {
				notCollected++
			}
		}
		if notCollected == 0 {
			t.Errorf("%v: no group without memory reported as not collected", at)
		}
		for _, f := range r.Findings {
			ok := strings.HasPrefix(f.Resource, "order-api") || strings.HasPrefix(f.Resource, "batch-worker") || f.ID == FindTraffic
			if !ok {
				t.Logf("%v: other change: %s %s", at, f.ID, f.Title)
			}
		}
	}
}

func TestDemoBenchmarkGolden(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		r := runDemo(t, demoJob(lang), at)
		md, err := markdown.Source(r)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "demo."+lang+".md", md)
		if i := bytes.Index(md, []byte("(s)")); i >= 0 {
			t.Errorf("%s: a lazy plural: %q", lang, md[max(0, i-30):i+3]) // "1 regression", "3 improvements"
		}
		// A metric is 지표 in every Korean report, as in the daily status.
		if i := bytes.Index(md, []byte("메트릭")); lang == "ko" && i >= 0 {
			t.Errorf("ko: 메트릭 where the reports say 지표: %q", md[max(0, i-30):i+9])
		}
		if lang == "en" {
			js, err := json.Encode(r)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "demo.en.json", js)
		}
	}
}

// An --instance glob that matches nothing says so; it is not "no change".
func TestEmptyScopeIsSaid(t *testing.T) {
	for _, lang := range []string{"en", "ko"} {
		job := demoJob(lang)
		job.Scope = config.Scope{Names: []string{"order-apj-*"}}
		r := runDemo(t, job, at)
		if want := map[string]string{"en": "none matches the scope", "ko": "범위(scope)와 일치하는 인스턴스가 없음"}[lang]; !strings.Contains(r.Headline, want) || r.Status != report.StatusWarning {
			t.Errorf("%s: %s, headline %q", lang, r.Status, r.Headline)
		}
	}
}
