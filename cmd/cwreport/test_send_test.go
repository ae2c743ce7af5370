package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTestSendToFileTarget(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "c.yaml", "source: {type: demo}\ntargets:\n  archive: {type: file, dir: "+dir+"}\njobs:\n  - name: m\n    kind: daily-status\n")
	code, out, errs := cli(t, "test-send", "archive", "--config", cfg, "--lang", "en")
	if code != 0 || !strings.HasPrefix(out, "delivered to archive (file)") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "daily-status", "*", "*", "*", "daily-status-*.json"))
	if len(files) != 1 {
		t.Fatalf("archived %v", files)
	}
	b, _ := os.ReadFile(files[0])
	var rep struct{ Language string }
	if json.Unmarshal(b, &rep); rep.Language != "en" {
		t.Errorf("the demo report was not rendered in English: %q", rep.Language)
	}
}

func TestTestSendUsage(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "source: {type: demo}\ntargets:\n  archive: {type: file, dir: /tmp/x}\njobs:\n  - name: m\n    kind: daily-status\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"test-send", "--config", cfg}, "name exactly one TARGET"},
		{[]string{"test-send", "nope", "--config", cfg}, `no target "nope"`},
		{[]string{"test-send", "archive"}, "--config FILE is required"},
		{[]string{"test-send", "archive", "--config", cfg, "--lang", "fr"}, `--lang "fr"`},
	} {
		code, _, errs := cli(t, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q", tt.args, code, errs)
		}
	}
}

func TestTestSendFailureExitsOne(t *testing.T) {
	// A webhook that was deleted: Slack answers 404 "no_service", a final
	// error, so the command fails at once and says what to do.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "no_service")
	}))
	defer hook.Close()
	t.Setenv("HOOK", hook.URL+"/services/T/B/VERYSECRET")
	cfg := writeFile(t, "c.yaml", "source: {type: demo}\ntargets:\n  hook: {type: slack, webhook_url: \"${HOOK}\"}\njobs:\n  - name: m\n    kind: daily-status\n")
	code, out, errs := cli(t, "test-send", "hook", "--config", cfg)
	if code != 1 || !strings.Contains(out, "FAILED") || !strings.Contains(out, "create a new webhook") || strings.Contains(out+errs, "VERYSECRET") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
}

func TestRunNoDeliverAndDeliveriesFile(t *testing.T) {
	archive, out := t.TempDir(), t.TempDir()
	cfg := writeFile(t, "c.yaml", "source: {type: demo}\ntargets:\n  archive: {type: file, dir: "+archive+"}\njobs:\n  - name: m\n    kind: daily-status\n    formats: [md, json]\n    deliver: [archive]\n")
	code, stdout, errs := cli(t, "run", "m", "--config", cfg, "--out", out, "--no-deliver", "--at", "2026-11-24T08:00")
	if code == 1 || code == 2 || strings.Contains(stdout, "deliveries.json") || strings.Contains(errs, "delivered") {
		t.Fatalf("--no-deliver: exit %d\n%s\n%s", code, stdout, errs)
	}
	if entries, _ := os.ReadDir(archive); len(entries) != 0 {
		t.Errorf("--no-deliver delivered: %v", entries)
	}
	code, stdout, errs = cli(t, "run", "m", "--config", cfg, "--out", out, "--at", "2026-11-24T08:00")
	if code == 1 || code == 2 || !strings.Contains(errs, "delivered to archive (file)") {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, errs)
	}
	b, err := os.ReadFile(filepath.Join(out, "m-2026-11-24.deliveries.json"))
	if err != nil || !strings.Contains(string(b), `"status": "ok"`) || !strings.Contains(stdout, "m-2026-11-24.deliveries.json") {
		t.Errorf("deliveries file: %v\n%s", err, b)
	}
}
