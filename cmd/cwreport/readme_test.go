package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's excerpt of real output stays real: every line of it appears
// in the daily report the demo writes at the instant the README names.
func TestReadmeExcerptIsRealOutput(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	at := regexp.MustCompile("`demo --at ([^`]+)`").FindSubmatch(readme)
	block := regexp.MustCompile("(?s)```markdown\n(.*?)```").FindSubmatch(readme)
	if at == nil || block == nil {
		t.Fatal("README lost its excerpt or the instant it was made at")
	}
	dir := t.TempDir()
	if code, _, errs := cli(t, "demo", "--out", dir, "--at", string(at[1])); code != 0 {
		t.Fatalf("demo exit %d: %s", code, errs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "daily-status-*.md"))
	if len(files) != 1 {
		t.Fatalf("daily report files: %v", files)
	}
	out, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(block[1])), "\n") {
		if line != "" && !strings.Contains(string(out), line) {
			t.Errorf("README line not in the demo's output:\n%s", line)
		}
	}
}
