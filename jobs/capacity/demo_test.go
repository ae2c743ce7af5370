package capacity

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
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// demoReport runs the capacity review on the built-in demo account the way
// the runner does: plan, collect, analyze.
func demoReport(t *testing.T, lang string) *report.Report {
	t.Helper()
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, seoul) // a Monday, 09:00
	job := &config.Job{Name: "capacity", Kind: "capacity", Location: seoul, Language: lang, Window: config.Window{Raw: "30d"}}
	start, end := job.Window.Resolve(at, seoul)
	an := New()
	plan := an.Plan(job, windowOf(start, end), at)
	plan.Request.At = at
	ds, err := demo.New().Collect(context.Background(), plan.Request)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := an.Analyze(analyze.Input{Job: job, At: at, Window: plan.Request.Window, Location: seoul, Lang: lang, Data: ds})
	if err != nil {
		t.Fatal(err)
	}
	rep.GeneratedAt = at.UTC()
	return rep
}

func TestDemoCapacityReview(t *testing.T) {
	rep := demoReport(t, "en")
	one := func(id, res string) report.Finding {
		t.Helper()
		fs := findingsOf(rep, id, res)
		if len(fs) != 1 {
			t.Fatalf("%s %s: %d findings, want 1", id, res, len(fs))
		}
		return fs[0]
	}
	// The idle web fleet: 12 t3.small at 1-2% CPU.
	web := one(FindingGroupNodes, "web-prod-asg")
	if web.Evidence["label"] != "idle" || web.Evidence["current_nodes"] != 12 || web.Evidence["recommended_nodes"].(int) >= 12 {
		t.Errorf("web fleet %v", web.Evidence)
	}
	if m := one(FindingMemoryMissing, "web-prod-asg"); m.Evidence["nodes_without_memory"] != 6 {
		t.Errorf("web memory %v", m.Evidence)
	}
	// The oversized EKS nodes: 8 m6i.xlarge at 10-18% CPU, 35% memory.
	eks := one(FindingGroupNodes, "eksworkshop/ng-general")
	if eks.Evidence["recommended_nodes"].(int) >= 8 || eks.Evidence["monthly_savings_usd"].(float64) <= 0 {
		t.Errorf("eks %v", eks.Evidence)
	}
	// The database's forecast dates.
	for _, m := range []struct{ res, metric string }{{"db-primary-01", "cpu"}, {"db-primary-01", "memory"}, {"db-primary-01:/data", "disk"}} {
		found := false
		for _, f := range findingsOf(rep, FindingExhaustion, m.res) {
			if f.Evidence["metric"] == m.metric {
				found = true
				if d, _ := f.Evidence["forecast_date"].(string); len(d) != len("2006-01-02") {
					t.Errorf("%s %s: forecast_date %v", m.res, m.metric, f.Evidence)
				}
			}
		}
		if !found {
			t.Errorf("no %s exhaustion forecast for %s", m.metric, m.res)
		}
	}
	one(FindingIdle, "legacy-reporting-01")
	one(FindingUnder, "api-gateway-01")
	// jenkins: memory is not collected, so nothing smaller is proposed and
	// the low-utilisation advice must not say "downsize".
	if low := one(FindingLowUtilization, "jenkins-agent-01"); strings.Contains(low.Recommendation, "Downsize") || len(findingsOf(rep, FindingRightsize, "jenkins-agent-01")) != 0 {
		t.Errorf("jenkins: %q", low.Recommendation)
	}
	// The healthy kafka brokers and the DMZ instance pinned at 95% are not
	// over-provisioned; the DMZ instance and order-api-02 (the incident) are
	// already above their CPU limit, and the order-api group is not scaled
	// in meanwhile.
	for _, res := range []string{"kafka-01", "kafka-02", "kafka-03", "DMZVPC-Private-A-10.11.20.101"} {
		if fs := findingsOf(rep, FindingRightsize, res); len(fs) != 0 {
			t.Errorf("%s: rightsize %s", res, fs[0].Title)
		}
	}
	for _, res := range []string{"DMZVPC-Private-A-10.11.20.101", "order-api-02"} {
		if f := one(FindingExhaustion, res); f.Evidence["status"] != "above" || f.Evidence["metric"] != "cpu" {
			t.Errorf("%s: %v", res, f.Evidence)
		}
	}
	if fs := findingsOf(rep, FindingGroupNodes, "order-api-asg"); len(fs) != 0 {
		t.Errorf("order-api-asg scaled in while order-api-02 is saturated: %s", fs[0].Title)
	}
	// Every exhaustion finding has its chart (/data as well as /var/log).
	charted := map[string]bool{}
	for _, ch := range rep.Section("forecasts").Charts {
		charted[strings.SplitN(ch.Title, ":", 2)[0]] = true
	}
	for _, f := range findingsOf(rep, FindingExhaustion, "") {
		name := strings.Replace(f.Resource, ":", " disk ", 1)
		if f.Evidence["metric"] != "disk" {
			name += map[string]string{"cpu": " CPU", "memory": " memory"}[f.Evidence["metric"].(string)]
		}
		if !charted[name] {
			t.Errorf("no chart for %s (charts %v)", name, charted)
		}
	}
	// Savings totals.
	var total float64
	for _, f := range rep.Section("summary").Facts {
		if f.Key == "savings_total_usd" {
			total, _ = f.Value.Value.(float64)
		}
	}
	if total <= 0 {
		t.Errorf("no savings total in the summary")
	}
	if rep.Chart("fleet-cpu") == nil || rep.Chart("savings") == nil || rep.Chart("trend-1") == nil {
		t.Error("charts missing")
	}
}

// TestDemoGolden pins the demo's capacity report in both languages and as
// JSON: go test ./jobs/capacity -run TestDemoGolden -update.
func TestDemoGolden(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		rep := demoReport(t, lang)
		md := render(t, rep)
		golden(t, "demo."+lang+".md", []byte(md))
		// Korean is written for a reader, not assembled: no "(으)로" left
		// for the reader to resolve.
		if b, _ := json.Encode(rep); lang == "ko" && (strings.Contains(md, "(으)로") || bytes.Contains(b, []byte("(으)로"))) {
			t.Errorf("ko: the report leaves the particle (으)로 to the reader")
		}
		if b, _ := json.Encode(rep); lang == "ko" && bytes.Contains(b, []byte("경보")) {
			t.Errorf("ko: 경보 where the reports say 알람")
		}
		if lang == "en" {
			b, err := json.Encode(rep)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "demo.json", b)
		}
	}
}

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
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file; if the change is intended run: go test ./jobs/capacity -run TestDemoGolden -update", path)
	}
}

func windowOf(start, end time.Time) source.Window { return source.Window{Start: start, End: end} }
