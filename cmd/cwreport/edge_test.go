package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Small CLI contracts a script relies on: usage errors are 2, an empty
// history is an answer.
func TestCLIEdgeCases(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "c.yaml", "source: {type: demo}\nhistory: {path: "+filepath.Join(dir, "h.db")+"}\njobs:\n  - name: m\n    kind: daily-status\n    schedule: \"0 8 * * *\"\n")

	if code, _, errs := cli(t, "list", "--config", cfg, "--next", "-3"); code != 2 || !strings.Contains(errs, "--next -3") {
		t.Errorf("list --next -3: exit %d, %q", code, errs)
	}
	if code, out, _ := cli(t, "list", "--config", cfg, "--next", "0"); code != 0 || !strings.Contains(out, "m ") {
		t.Errorf("list --next 0: exit %d, %q", code, out)
	}
	if code, out, errs := cli(t, "history", "--config", cfg); code != 0 || !strings.Contains(out, "no runs recorded yet") {
		t.Errorf("history without a database: exit %d, %q %q", code, out, errs)
	}
	if code, out, _ := cli(t, "history", "--config", cfg, "--json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("history --json without a database: exit %d, %q", code, out)
	}
	if code, _, errs := cli(t, "verify", filepath.Join(dir, "missing.zip")); code != 2 || !strings.Contains(errs, "missing.zip") {
		t.Errorf("verify of a missing file: exit %d, %q", code, errs)
	}
	if code, _, errs := cli(t, "verify", dir); code != 2 || !strings.Contains(errs, "not a regular file") {
		t.Errorf("verify of a directory: exit %d, %q", code, errs)
	}
}

func TestFutureAtRefusedForRealAccounts(t *testing.T) {
	aws := writeFile(t, "aws.yaml", "source: {type: aws, region: ap-northeast-2}\njobs:\n  - name: m\n    kind: daily-status\n  - name: b\n    kind: benchmark\n  - name: i\n    kind: incident\n")
	for _, args := range [][]string{
		{"run", "m", "--config", aws, "--at", "2099-01-01T08:00"},
		{"benchmark", "--config", aws, "--at", "2099-01-01T08:00"},
		{"incident", "--config", aws, "--at", "2099-01-01T08:00"},
	} {
		if code, _, errs := cli(t, args...); code != 2 || !strings.Contains(errs, "is in the future") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
	demo := writeFile(t, "demo.yaml", "source: {type: demo}\njobs:\n  - name: m\n    kind: daily-status\n    formats: [json]\n")
	if code, _, errs := cli(t, "run", "m", "--config", demo, "--at", "2099-01-01T08:00", "--no-deliver"); code != 0 {
		t.Errorf("demo source in the future: exit %d, %q", code, errs)
	}
}
