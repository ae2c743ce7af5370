package config

import (
	"strings"
	"testing"
	"time"
)

func parseTargets(t *testing.T, targets string, vars map[string]string) (*Config, error) {
	t.Helper()
	y := "targets:\n" + targets + "jobs:\n  - name: m\n    kind: daily-status\n"
	return Parse("c.yaml", []byte(y), env(vars))
}

func TestTargetDefaults(t *testing.T) {
	cfg, err := parseTargets(t, `  archive: {type: s3, bucket: b}
  mail:
    type: email
    smtp: {host: smtp.example.com}
    from: "리포트 <reports@example.com>"
    to: [ops@example.com]
  relay465:
    type: email
    smtp: {host: smtp.example.com, port: 465, username: u, password: "${PW}"}
    from: r@example.com
    to: [a@example.com]
  ses:
    type: email
    ses: {region: ap-northeast-2}
    from: r@example.com
    to: [a@example.com]
    bcc: [audit@example.com]
  hook: {type: slack, webhook_url: "${HOOK}"}
`, map[string]string{"PW": "pw-secret", "HOOK": "https://hooks.slack.com/services/T/B/X"})
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Targets["archive"]
	if a.SSE != "AES256" || a.PresignExpiry.Duration != 7*24*time.Hour {
		t.Errorf("s3 defaults: sse %q expiry %v", a.SSE, a.PresignExpiry.Duration)
	}
	m := cfg.Targets["mail"]
	if m.SMTP.Port != 587 || m.SMTP.TLS != "starttls" || m.MaxSizeMB != 10 || m.Subject != DefaultSubject {
		t.Errorf("email defaults: %+v %+v", m, m.SMTP)
	}
	if r := cfg.Targets["relay465"].SMTP; r.TLS != "tls" {
		t.Errorf("port 465 implies implicit TLS, got %q", r.TLS)
	}
	secrets := strings.Join(TargetSecrets(cfg.Targets["relay465"]), ",") + strings.Join(TargetSecrets(cfg.Targets["hook"]), ",")
	if !strings.Contains(secrets, "pw-secret") || !strings.Contains(secrets, "hooks.slack.com") {
		t.Errorf("TargetSecrets = %q", secrets)
	}
}

func TestBrokenTargets(t *testing.T) {
	cases := []struct {
		name, yaml string
		vars       map[string]string
		want       []string
	}{
		{"kms key without kms", "  a: {type: s3, bucket: b, kms_key_id: alias/x}\n", nil,
			[]string{`c.yaml:2:40: targets.a.kms_key_id: is set but sse is "AES256"; set sse: aws:kms to encrypt with a KMS key`}},
		{"bad sse", "  a: {type: s3, bucket: b, sse: aes256}\n", nil,
			[]string{`c.yaml:2:33: targets.a.sse: found "aes256"; allowed: AES256, aws:kms, none (did you mean "AES256"?)`}},
		{"presign too long", "  a: {type: s3, bucket: b, presign_expiry: 8d}\n", nil,
			[]string{`c.yaml:2:44: targets.a.presign_expiry: found "8d"; S3 presigned links last at most 7d`}},
		{"prefix slash and bad endpoint", "  a: {type: s3, bucket: b, prefix: /r/, endpoint_url: localhost}\n", nil,
			[]string{`c.yaml:2:36: targets.a.prefix: found "/r/"; S3 keys do not start with /: write "r/"`,
				`c.yaml:2:55: targets.a.endpoint_url: found "localhost"; expected a URL such as http://localhost:4566`}},
		{"email without transport", "  m: {type: email, from: a@example.com, to: [b@example.com]}\n", nil,
			[]string{`c.yaml:2:6: targets.m: an email target needs smtp (a relay) or ses (Amazon SES v2); set one`}},
		{"email both transports", "  m: {type: email, smtp: {host: h}, ses: {}, from: a@example.com, to: [b@example.com]}\n", nil,
			[]string{`c.yaml:2:42: targets.m.ses: both smtp and ses are set; an email target sends through one, remove the other`}},
		{"header injection in an address", "  m: {type: email, ses: {}, from: \"a@example.com\\r\\nBcc: evil@example.com\", to: [b@example.com]}\n", nil,
			[]string{`c.yaml:2:35: targets.m.from: found "a@example.com\r\nBcc: evil@example.com": mail: expected single address, got "\r\nBcc: evil@example.com"; expected an address such as ops@example.com or "Ops <ops@example.com>"`}},
		{"bad recipient", "  m: {type: email, ses: {}, from: a@example.com, to: [b@example.com], cc: [not an address]}\n", nil,
			[]string{`c.yaml:2:76: targets.m.cc[0]: found "not an address": mail: no angle-addr; expected an address such as ops@example.com or "Ops <ops@example.com>"`}},
		{"subject unknown field", "  m: {type: email, ses: {}, from: a@example.com, to: [b@example.com], subject: \"{{.Nope}}\"}\n", nil,
			[]string{`c.yaml:2:80: targets.m.subject: template fails: subject:1:2: executing "subject" at <.Nope>: map has no entry for key "Nope"; fields: Status, StatusCode, Kind, KindName, Job, Period, Headline, Findings (e.g. "[{{.Status}}] {{.KindName}} {{.Job}} {{.Period}}: {{.Headline}}")`}},
		{"size and smtp", "  m: {type: email, smtp: {host: h, tls: none, username: u, password: p}, from: a@example.com, to: [b@example.com], max_size_mb: 100}\n", nil,
			[]string{`c.yaml:2:41: targets.m.smtp.tls: is none but credentials are set; they would cross the network in clear text: use starttls or tls`,
				`c.yaml:2:129: targets.m.max_size_mb: found 100; allowed 1 to 40 (Amazon SES takes at most 40 MB, most relays less)`}},
		{"password without user", "  m: {type: email, smtp: {host: h, password: \"${PW}\"}, from: a@example.com, to: [b@example.com]}\n", map[string]string{"PW": "s3cret-pw"},
			[]string{`c.yaml:2:46: targets.m.smtp.password: set both username and password, or neither`}},
		{"slack neither", "  s: {type: slack, channel: \"#ops\"}\n", nil,
			[]string{`c.yaml:2:6: targets.s: a slack target needs token (a bot token, xoxb-...) with channel, or webhook_url; set one`}},
		{"slack both", "  s: {type: slack, token: t, webhook_url: \"${HOOK}\", channel: \"#ops\"}\n", map[string]string{"HOOK": "https://hooks.slack.com/services/SECRET"},
			[]string{`c.yaml:2:43: targets.s.webhook_url: both token and webhook_url are set; use one`}},
		{"slack webhook with channel, bad url", "  s: {type: slack, webhook_url: \"${HOOK}\", channel: \"#ops\"}\n", map[string]string{"HOOK": "hooks-SECRET"},
			[]string{`c.yaml:2:33: targets.s.webhook_url: is not a URL; expected https://hooks.slack.com/services/...`,
				`c.yaml:2:53: targets.s.channel: is set with webhook_url; a webhook posts to the channel it was created for: remove channel`}},
		{"slack bad channel", "  s: {type: slack, token: t, channel: \"#Ops Team\"}\n", nil,
			[]string{`c.yaml:2:39: targets.s.channel: found "#Ops Team"; expected a channel id (C0123456789) or name (#ops: lower case, digits, - _ .)`}},
		{"slack token without channel", "  s: {type: slack, token: t}\n", nil,
			[]string{`c.yaml:2:6: targets.s.channel: missing; a bot posts to a channel id (C0123456789) or name (#ops)`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseTargets(t, c.yaml, c.vars)
			if err == nil {
				t.Fatal("no error")
			}
			got := err.Error()
			if got != strings.Join(c.want, "\n") {
				t.Errorf("messages:\n%s\nwant:\n%s", got, strings.Join(c.want, "\n"))
			}
			for _, v := range c.vars {
				if strings.Contains(got, v) {
					t.Errorf("a value from the environment was echoed: %s", got)
				}
			}
		})
	}
}
