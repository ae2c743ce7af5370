package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The daily status report end to end through the CLI: the demo command,
// its English variant, and a run through a config with source.type demo.

const statusAt = "2026-11-24T08:00:00+09:00"

type dailyJSON struct {
	Schema   string `json:"schema"`
	Kind     string `json:"kind"`
	Job      string `json:"job"`
	Language string `json:"language"`
	Status   string `json:"status"`
	Headline string `json:"headline"`
	Account  struct {
		ID   string `json:"id"`
		Demo bool   `json:"demo"`
	} `json:"account"`
	Findings []struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
		Resource string `json:"resource"`
	} `json:"findings"`
	DataGaps []any `json:"data_gaps"`
}

func readDaily(t *testing.T, path string) dailyJSON {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d dailyJSON
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

func hasFinding(d dailyJSON, id, resource string) bool {
	for _, f := range d.Findings {
		if f.ID == id && (resource == "" || f.Resource == resource) {
			return true
		}
	}
	return false
}

func TestDemoWritesTheDailyStatusReport(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := cli(t, "demo", "--out", dir, "--at", statusAt)
	if code != 0 {
		t.Fatalf("demo exited %d\n%s", code, errs)
	}
	md := filepath.Join(dir, "daily-status-2026-11-24.md")
	js := filepath.Join(dir, "daily-status-2026-11-24.json")
	for _, p := range []string{md, js} {
		if !strings.Contains(out, p+"\n") {
			t.Errorf("stdout does not list %s:\n%s", p, out)
		}
	}
	body, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	// Reads like an answer to the morning questions, in Korean, in order:
	// summary, details with tables, recommended actions.
	order := []string{"# 🔴 ", "## 요약", "### 발견 사항", "## 1. 알람", "### 지금 ALARM 상태인 알람", "### 기간 중 상태 변경",
		"## 2. 인스턴스 지표", "### 평소 대비 이상 징후", "### 가장 바쁜 인스턴스", "## 3. 로그", "### 로그 그룹별 오류", "### 주요 오류 패턴", "## 권장 조치"}
	pos := 0
	for _, h := range order {
		i := strings.Index(s[pos:], h)
		if i < 0 {
			t.Fatalf("daily Markdown lacks %q after byte %d", h, pos)
		}
		pos += i
	}
	for _, want := range []string{"High-CPU-Usage", "DMZVPC-Private-A-10.11.20.101", "order-api-02", "High-Network-In",
		"Disk-Space-Low-db-primary-01", "/aws/eks/eksworkshop/cluster", "(데모)"} {
		if !strings.Contains(s, want) {
			t.Errorf("daily Markdown does not mention %s", want)
		}
	}
	d := readDaily(t, js)
	if d.Schema != "cwreport.report/v1" || d.Kind != "daily-status" || d.Language != "ko" || !d.Account.Demo || d.Account.ID != "123456789012" {
		t.Errorf("JSON header %+v", d)
	}
	if d.Status != "critical" || !strings.Contains(d.Headline, "알람") {
		t.Errorf("status %s headline %q", d.Status, d.Headline)
	}
	// The demo account's story, as the brief tells it.
	for _, f := range []struct{ id, res string }{
		{"alarm.firing", "High-CPU-Usage"}, {"alarm.firing", "High-CPU-Usage-order-api-02"}, {"alarm.firing", "Low-CPU-Usage"},
		{"alarm.flapping", "High-Network-In"}, {"alarm.insufficient_data", "Disk-Space-Low-db-primary-01"},
		{"metric.anomaly", "DMZVPC-Private-A-10.11.20.101"}, {"metric.anomaly", "order-api-02"},
		{"metric.status_check_failed", "batch-worker-03"},
		{"logs.errors", "/aws/eks/eksworkshop/cluster"}, {"logs.errors", "/aws/ec2/order-api/app"},
	} {
		if !hasFinding(d, f.id, f.res) {
			t.Errorf("no %s on %s", f.id, f.res)
		}
	}
	// Idle and steady instances are not anomalies.
	for _, quiet := range []string{"web-prod-01", "legacy-reporting-01", "api-gateway-01", "db-primary-01"} {
		if hasFinding(d, "metric.anomaly", quiet) {
			t.Errorf("false anomaly on %s", quiet)
		}
	}

	// Same instant, same bytes.
	dir2 := t.TempDir()
	if code, _, errs := cli(t, "demo", "--out", dir2, "--at", statusAt); code != 0 {
		t.Fatalf("second demo exited %d: %s", code, errs)
	}
	for _, name := range []string{"daily-status-2026-11-24.md", "daily-status-2026-11-24.json"} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(dir2, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two demo runs at the same instant", name)
		}
	}
}

func TestDemoInEnglish(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := cli(t, "demo", "--out", dir, "--lang", "en", "--at", statusAt); code != 0 {
		t.Fatalf("demo --lang en exited %d\n%s", code, errs)
	}
	body, err := os.ReadFile(filepath.Join(dir, "daily-status-2026-11-24.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	for _, want := range []string{"## Summary", "## 1. Alarms", "## 2. Instances and metrics", "## 3. Logs", "## Recommended actions", "(demo)"} {
		if !strings.Contains(s, want) {
			t.Errorf("English Markdown lacks %q", want)
		}
	}
	if strings.Contains(s, "알람") || strings.Contains(s, "권장") {
		t.Error("English report contains Korean text")
	}
	if d := readDaily(t, filepath.Join(dir, "daily-status-2026-11-24.json")); d.Language != "en" || !strings.Contains(d.Headline, "ALARM") {
		t.Errorf("language %s headline %q", d.Language, d.Headline)
	}
}

func TestRunMorningThroughTheExampleConfig(t *testing.T) {
	cfg, err := filepath.Abs("../../examples/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // anything the config writes relative to the working directory stays out of the repo
	dir := t.TempDir()
	code, out, errs := cli(t, "run", "morning", "--config", cfg, "--out", dir, "--at", statusAt)
	if code != 0 {
		t.Fatalf("run morning exited %d\n%s", code, errs)
	}
	md := filepath.Join(dir, "morning-2026-11-24.md")
	js := filepath.Join(dir, "morning-2026-11-24.json")
	if !strings.Contains(out, md) || !strings.Contains(out, js) {
		t.Fatalf("stdout %q", out)
	}
	if !strings.Contains(errs, "morning/2026-11-24: critical") {
		t.Errorf("stderr %q", errs)
	}
	run := readDaily(t, js)

	// The same report as the demo command's: same findings, same headline.
	demoDir := t.TempDir()
	if code, _, errs := cli(t, "demo", "--out", demoDir, "--at", statusAt); code != 0 {
		t.Fatalf("demo exited %d: %s", code, errs)
	}
	demo := readDaily(t, filepath.Join(demoDir, "daily-status-2026-11-24.json"))
	if run.Job != "morning" || run.Headline != demo.Headline || run.Status != demo.Status || len(run.Findings) != len(demo.Findings) {
		t.Fatalf("run: %s %q %s %d findings; demo: %q %s %d findings", run.Job, run.Headline, run.Status, len(run.Findings), demo.Headline, demo.Status, len(demo.Findings))
	}
	for i := range run.Findings {
		if run.Findings[i] != demo.Findings[i] {
			t.Errorf("finding %d: run %+v, demo %+v", i, run.Findings[i], demo.Findings[i])
		}
	}
}
