package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

const good = `timezone: Asia/Seoul
language: en
source:
  type: demo
targets:
  ops:
    type: slack
    token: ${SLACK_BOT_TOKEN}
    channel: "#ops"
  archive: {type: s3, bucket: ops-reports, prefix: cwreport/}
jobs:
  - name: morning
    kind: daily-status
    schedule: "0 8 * * *"
    deliver: [ops, archive]
  - name: audit
    kind: security
    schedule: "@monthly"
    timezone: Europe/Berlin
    language: ko
    window: last-month
`

func TestParseGoodConfigAppliesDefaults(t *testing.T) {
	cfg, err := Parse("good.yaml", []byte(good), env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-secret-value"}))
	if err != nil {
		t.Fatalf("unexpected error:\n%v", err)
	}
	m := cfg.Job("morning")
	if m.Window.Raw != "24h" || m.Period != "day" || m.Language != "en" || m.Location.String() != "Asia/Seoul" {
		t.Errorf("morning defaults: window %q period %q lang %q tz %v", m.Window.Raw, m.Period, m.Language, m.Location)
	}
	if strings.Join(m.Formats, ",") != "md,html,pdf,json" || m.Timeout.Duration != 15*time.Minute {
		t.Errorf("morning formats %v timeout %v", m.Formats, m.Timeout)
	}
	a := cfg.Job("audit")
	if a.Location.String() != "Europe/Berlin" || a.Language != "ko" || a.Period != "month" {
		t.Errorf("audit overrides: %v %q %q", a.Location, a.Language, a.Period)
	}
	if got := cfg.Targets["ops"].Token.Reveal(); got != "xoxb-secret-value" {
		t.Errorf("token not expanded: %q", got)
	}
	if s := cfg.Targets["ops"].Token.String(); s != "<secret>" {
		t.Errorf("secret prints as %q", s)
	}
}

// TestBrokenConfigs pins the exact messages users see: file:line:column,
// field, what was found, what is allowed.
func TestBrokenConfigs(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "unknown job kind",
			yaml: "jobs:\n  - name: m\n    kind: daily-stats\n",
			want: []string{`c.yaml:3:11: jobs[0].kind: found "daily-stats"; allowed: daily-status, capacity, security, incident, benchmark (did you mean "daily-status"?)`},
		},
		{
			name: "bad cron expression",
			yaml: "jobs:\n  - name: m\n    kind: daily-status\n    schedule: \"0 8 * *\"\n",
			want: []string{`c.yaml:4:15: jobs[0].schedule: found "0 8 * *": expected 5 to 6 fields, found 4: [0 8 * *]; use 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 8 * * *" for 08:00 daily) or a descriptor such as @daily or @every 1h`},
		},
		{
			name: "unknown time zone",
			yaml: "timezone: Asia/Seul\njobs:\n  - name: m\n    kind: daily-status\n",
			want: []string{`c.yaml:1:11: timezone: found "Asia/Seul"; expected an IANA time zone name such as Asia/Seoul, Europe/Berlin or UTC`},
		},
		{
			name: "job time zone",
			yaml: "jobs:\n  - name: m\n    kind: daily-status\n    timezone: Mars/Olympus\n",
			want: []string{`c.yaml:4:15: jobs[0].timezone: found "Mars/Olympus"; expected an IANA time zone name such as Asia/Seoul, America/New_York or UTC`},
		},
		{
			name: "undefined target",
			yaml: "targets:\n  ops: {type: file, dir: /tmp/x}\njobs:\n  - name: m\n    kind: daily-status\n    deliver: [ops, archiv]\n",
			want: []string{`c.yaml:6:20: jobs[0].deliver[1]: target "archiv" is not defined under targets: defined are ops`},
		},
		{
			name: "undefined target with suggestion",
			yaml: "targets:\n  archive: {type: file, dir: /tmp/x}\njobs:\n  - name: m\n    kind: daily-status\n    deliver: [archiv]\n",
			want: []string{`c.yaml:6:15: jobs[0].deliver[0]: target "archiv" is not defined under targets: defined are archive (did you mean "archive"?)`},
		},
		{
			name: "duplicate job names",
			yaml: "jobs:\n  - name: m\n    kind: daily-status\n  - name: m\n    kind: capacity\n",
			want: []string{`c.yaml:4:11: jobs[1].name: duplicate job name "m" (also jobs[0]); job names must be unique`},
		},
		{
			name: "unset environment variable",
			yaml: "targets:\n  ops: {type: slack, token: \"${NOPE_TOKEN}\", channel: \"#ops\"}\njobs:\n  - name: m\n    kind: daily-status\n",
			want: []string{`c.yaml:2:29: targets.ops.token: environment variable NOPE_TOKEN is not set; export it before running cwreport, or write ${NOPE_TOKEN:-default}`},
		},
		{
			name: "unknown field is an error, with a suggestion",
			yaml: "jobs:\n  - name: m\n    kind: daily-status\n    schedul: \"0 8 * * *\"\n",
			want: []string{`c.yaml:4:5: jobs[0]: unknown field "schedul"; did you mean "schedule"? (allowed: benchmark, capacity, catch_up, …`},
		},
		{
			name: "list expected",
			yaml: "jobs:\n  - name: m\n    kind: daily-status\n    formats: md\n",
			want: []string{`c.yaml:4:14: jobs[0].formats: found "md"; expected a list, e.g. [md]`},
		},
		{
			name: "number expected",
			yaml: "source: {type: aws, max_attempts: many}\njobs:\n  - name: m\n    kind: daily-status\n",
			want: []string{`c.yaml:1:35: source.max_attempts: found "many"; expected a whole number`},
		},
		{
			name: "bad window and format",
			yaml: "jobs:\n  - name: m\n    kind: capacity\n    window: 3x\n    formats: [md, docx]\n",
			want: []string{
				`c.yaml:4:13: jobs[0].window: "3x" is not a duration like 90m, 24h or 7d; allowed: a duration (90m, 24h, 7d, 30d) or today, yesterday, last-week, last-month`,
				`c.yaml:5:19: jobs[0].formats[1]: found "docx"; allowed: md, html, pdf, json`,
			},
		},
		{
			name: "field of another target type",
			yaml: "targets:\n  ops: {type: slack, token: t, channel: c, bucket: b}\njobs:\n  - name: m\n    kind: daily-status\n",
			want: []string{`c.yaml:2:52: targets.ops.bucket: is not used by a slack target (it belongs to type s3); slack targets use: token, channel, webhook_url`},
		},
		{
			name: "options of another kind",
			yaml: "jobs:\n  - name: m\n    kind: capacity\n    daily_status: {anomaly_z: 8}\n",
			want: []string{`c.yaml:4:19: jobs[0].daily_status: options for kind daily-status on a job of kind capacity; remove the block or change kind`},
		},
		{
			name: "no jobs",
			yaml: "timezone: UTC\n",
			want: []string{"c.yaml:1:1: jobs: no jobs are defined; add at least one, e.g.\n  jobs:\n    - name: morning\n      kind: daily-status\n      schedule: \"0 8 * * *\""},
		},
		{
			name: "missing name and kind",
			yaml: "jobs:\n  - schedule: \"@daily\"\n",
			want: []string{
				`c.yaml:2:5: jobs[0].name: missing; every job needs a name (letters, digits, - and _), used on the command line and in file names`,
				`c.yaml:2:5: jobs[0].kind: missing; allowed: daily-status, capacity, security, incident, benchmark`,
			},
		},
		{
			name: "YAML syntax error",
			yaml: "jobs:\n\t- name: m\n",
			want: []string{`c.yaml:2:1: YAML syntax: found character that cannot start any token (a tab? YAML indents with spaces only)`},
		},
		{
			name: "all errors at once",
			yaml: "timezone: Nowhere\nlanguage: fr\njobs:\n  - name: m\n    kind: nope\n",
			want: []string{
				`c.yaml:1:11: timezone: found "Nowhere"; expected an IANA time zone name such as Asia/Seoul, Europe/Berlin or UTC`,
				`c.yaml:2:11: language: found "fr"; allowed: ko, en`,
				`c.yaml:5:11: jobs[0].kind: found "nope"; allowed: daily-status, capacity, security, incident, benchmark`,
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(c.yaml), env(nil))
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %v", err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			// A want ending in "…" matches any message it is a prefix of,
			// so growing lists (allowed fields) do not break the test.
			for i := range got {
				if i < len(c.want) && strings.HasSuffix(c.want[i], "…") && strings.HasPrefix(got[i], strings.TrimSuffix(c.want[i], "…")) {
					got[i] = c.want[i]
				}
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestSecretsNeverEchoed(t *testing.T) {
	y := "source: {type: aws, max_attempts: \"${ATTEMPTS}\"}\njobs:\n  - name: m\n    kind: daily-status\n"
	_, err := Parse("c.yaml", []byte(y), env(map[string]string{"ATTEMPTS": "hunter2-secret"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error must not repeat an environment value: %v", err)
	}
	if !strings.Contains(err.Error(), "a value from the environment") {
		t.Errorf("message should say where the value came from: %v", err)
	}
}

func TestEnvDefault(t *testing.T) {
	y := "timezone: ${TZ_NAME:-Asia/Seoul}\njobs:\n  - name: m\n    kind: daily-status\n"
	cfg, err := Parse("c.yaml", []byte(y), env(nil))
	if err != nil || cfg.Timezone != "Asia/Seoul" {
		t.Fatalf("default not applied: %v %v", cfg, err)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty.yaml")
	os.WriteFile(empty, nil, 0o644)
	if _, err := Load(empty); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty file: %v", err)
	}
}

func TestExampleConfigsAreValid(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.yaml")
	if len(files) == 0 {
		t.Fatal("no example configs found")
	}
	for _, f := range files {
		if _, err := Parse(f, mustRead(t, f), env(map[string]string{
			"SLACK_BOT_TOKEN": "x", "SMTP_PASSWORD": "x", "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/x",
		})); err != nil {
			t.Errorf("%s:\n%v", f, err)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWindowResolve(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, seoul) // a Tuesday
	cases := []struct{ raw, start, end string }{
		{"24h", "2026-11-23 08:00", "2026-11-24 08:00"},
		{"7d", "2026-11-17 08:00", "2026-11-24 08:00"},
		{"today", "2026-11-24 00:00", "2026-11-24 08:00"},
		{"yesterday", "2026-11-23 00:00", "2026-11-24 00:00"},
		{"last-week", "2026-11-16 00:00", "2026-11-23 00:00"},
		{"last-month", "2026-10-01 00:00", "2026-11-01 00:00"},
	}
	for _, c := range cases {
		s, e := Window{Raw: c.raw}.Resolve(at, seoul)
		if got := s.In(seoul).Format("2006-01-02 15:04"); got != c.start {
			t.Errorf("%s start %s want %s", c.raw, got, c.start)
		}
		if got := e.In(seoul).Format("2006-01-02 15:04"); got != c.end {
			t.Errorf("%s end %s want %s", c.raw, got, c.end)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"90m": 90 * time.Minute, "7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "x", "-5m", "3x", "d"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) should fail", bad)
		}
	}
}

// design.md writes targets as flow mappings with unquoted references:
// {type: slack, token: ${SLACK_BOT_TOKEN}}. The braces of ${...} must not be
// read as YAML, and positions in messages must still point at the reference.
func TestEnvInFlowMapping(t *testing.T) {
	y := "source: {type: demo}\ntargets:\n  ops: {type: slack, token: ${SLACK_BOT_TOKEN}, channel: \"#ops\"}\n  mail: {type: slack, token: ${MISSING}, channel: x}\njobs:\n  - name: m\n    kind: daily-status\n    deliver: [ops]\n"
	cfg, err := Parse("c.yaml", []byte(y), env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "MISSING": "y"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Targets["ops"].Token.Reveal(); got != "xoxb-1" {
		t.Errorf("token %q", got)
	}
	_, err = Parse("c.yaml", []byte(y), env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}))
	if err == nil || !strings.Contains(err.Error(), "c.yaml:4:30: targets.mail.token: environment variable MISSING is not set") {
		t.Errorf("unset variable in a flow mapping: %v", err)
	}
	// A file that already uses "$(" is parsed as written: nothing of the
	// user's text is taken for a reference.
	y2 := "source: {type: demo}\njobs:\n  - name: m\n    kind: daily-status\n    logs: {error_terms: [\"$(x)\", \"${TERM_X:-ERROR}\"]}\n"
	cfg, err = Parse("c.yaml", []byte(y2), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Jobs[0].Logs.ErrorTerms; len(got) != 2 || got[0] != "$(x)" || got[1] != "ERROR" {
		t.Errorf("error terms %q", got)
	}
}
