package config

import (
	"strings"
	"testing"
)

func TestEmailBody(t *testing.T) {
	cfg, err := parseTargets(t, `  report: {type: email, ses: {}, from: a@example.com, to: [b@example.com]}
  short: {type: email, ses: {}, from: a@example.com, to: [b@example.com], body: summary}
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Targets["report"].Body; got != "report" {
		t.Errorf("default body %q, want report", got)
	}
	if got := cfg.Targets["short"].Body; got != "summary" {
		t.Errorf("body %q, want summary", got)
	}
	for _, c := range []struct{ name, yaml, want string }{
		{"unknown value", "  m: {type: email, ses: {}, from: a@example.com, to: [b@example.com], body: full}\n",
			`c.yaml:2:77: targets.m.body: found "full"; allowed: report (the rendered report in the message, under a summary) or summary (status, top findings and links only; the PDF attached either way)`},
		{"on a slack target", "  s: {type: slack, token: t, channel: \"#ops\", body: report}\n",
			`targets.s.body`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseTargets(t, c.yaml, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v\nwant %s", err, c.want)
			}
		})
	}
}
