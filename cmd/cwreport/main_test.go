package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the command in-process and returns exit code, stdout, stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := runMain(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHelpForEveryCommand(t *testing.T) {
	code, out, _ := cli(t, "--help")
	if code != 0 || !strings.Contains(out, "Commands:") {
		t.Fatalf("--help: %d %q", code, out)
	}
	for _, c := range commands() {
		code, out, _ := cli(t, c.name, "--help")
		if code != 0 {
			t.Errorf("%s --help exited %d", c.name, code)
		}
		if !strings.Contains(out, "Usage:") || !strings.Contains(out, "Example:") || !strings.Contains(out, "cwreport "+c.name) {
			t.Errorf("%s --help lacks usage or example:\n%s", c.name, out)
		}
		if _, main, _ := cli(t, "--help"); !strings.Contains(main, "  "+c.name+"  ") {
			t.Errorf("%s missing from the main help, or its summary not set apart", c.name)
		}
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	code, _, errs := cli(t, "valid")
	if code != 2 || !strings.Contains(errs, `Did you mean "validate"?`) {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

func TestValidate(t *testing.T) {
	code, out, _ := cli(t, "validate", "--config", "../../examples/demo.yaml")
	if code != 0 || !strings.Contains(out, "ok, source demo") || !strings.Contains(out, "morning") {
		t.Fatalf("valid config: exit %d\n%s", code, out)
	}
	bad := writeFile(t, "bad.yaml", "timezone: Asia/Seul\njobs:\n  - name: m\n    kind: daily-stats\n")
	code, out, errs := cli(t, "validate", "--config", bad)
	if code != 2 || out != "" {
		t.Fatalf("bad config: exit %d stdout %q", code, out)
	}
	for _, want := range []string{bad + ":1:11: timezone:", bad + ":4:11: jobs[0].kind:", "2 error(s); nothing was run"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if code, _, errs := cli(t, "validate"); code != 2 || !strings.Contains(errs, "--config FILE is required") {
		t.Errorf("no --config: exit %d %q", code, errs)
	}
}

func TestList(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "timezone: Asia/Seoul\nsource: {type: demo}\njobs:\n  - name: morning\n    kind: daily-status\n    schedule: \"0 8 * * *\"\n  - name: adhoc\n    kind: incident\n")
	code, out, _ := cli(t, "list", "--config", cfg, "--next", "2")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if strings.Count(out, "08:00 KST") != 2 || !strings.Contains(out, "on demand") {
		t.Errorf("list output:\n%s", out)
	}
}

func TestRunUsageErrors(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "source: {type: demo}\njobs:\n  - name: morning\n    kind: daily-status\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--config", cfg}, "name exactly one JOB"},
		{[]string{"run", "nightly", "--config", cfg}, `no job "nightly"`},
		{[]string{"run", "morning", "--config", cfg, "--at", "yesterday-ish"}, "is not a time"},
		{[]string{"run", "morning", "--bogus"}, "flag provided but not defined"},
		{[]string{"run", "morning", "--config", cfg, "--out", cfg}, "is a file, not a directory"},
		{[]string{"demo", "--out", cfg}, "is a file, not a directory"},
		{[]string{"incident", "--config", cfg, "--at", "2026-11-24T08:00", "--out", cfg}, "is a file, not a directory"},
		{[]string{"benchmark", "--config", cfg, "--out", filepath.Join(cfg, "sub")}, "cannot create the directory"},
	}
	for _, c := range cases {
		code, _, errs := cli(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) || strings.Count(errs, "\n") > 2 {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
}

// A mistyped flag gets the error, a suggestion and a pointer to --help on
// stderr, not the whole help on stdout.
func TestMistypedFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "morning", "--confg", "x.yaml"}, "Did you mean --config?"},
		{[]string{"run", "morning", "--no-delivr"}, "Did you mean --no-deliver?"},
		{[]string{"demo", "--lnag", "en"}, "Did you mean --lang?"},
		{[]string{"list", "--config", "x.yaml", "--next", "many"}, "invalid value"},
	} {
		code, out, errs := cli(t, c.args...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) || !strings.Contains(errs, "cwreport "+c.args[0]+" --help") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want %q", c.args, code, out, errs, c.want)
		}
	}
	if !oneEdit("confg", "config") || !oneEdit("cofnig", "config") || oneEdit("cfg", "config") || oneEdit("config", "config") {
		t.Error("oneEdit")
	}
}

// Ctrl-C during the demo: one "interrupted" line, no "context canceled" per
// report kind, exit 1.
func TestDemoInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := runMain(ctx, &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, []string{"demo", "--out", t.TempDir()})
	if code != 1 || strings.Count(errb.String(), "interrupted") != 1 || strings.Contains(errb.String(), "context canceled") {
		t.Errorf("exit %d, stderr:\n%s", code, errb.String())
	}
}
