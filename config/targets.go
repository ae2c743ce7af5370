package config

import (
	"bytes"
	"fmt"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"
)

// Target is one delivery destination, referenced by name from jobs. The
// fields a type does not use must stay empty; validation says which belong.
type Target struct {
	// Type is file, s3, email or slack.
	Type string `yaml:"type"`

	// Dir is the directory a file target writes into, as
	// <dir>/<job>/<YYYY>/<MM>/<DD>/<file>.
	Dir string `yaml:"dir"`

	// Bucket is the S3 bucket; objects are written as
	// <prefix>/<job>/<YYYY>/<MM>/<DD>/<job>-<period>.<ext>.
	Bucket string `yaml:"bucket"`
	// Prefix starts every object key (e.g. cwreport/).
	Prefix string `yaml:"prefix"`
	// Region of the bucket; default source.region, then the AWS environment.
	Region string `yaml:"region"`
	// EndpointURL points the S3 client at an emulator or an S3-compatible
	// store (path-style addressing is used then); AWS_ENDPOINT_URL is
	// honoured too.
	EndpointURL string `yaml:"endpoint_url"`
	// SSE is the server-side encryption: AES256 (default), aws:kms or none
	// (the bucket's default applies).
	SSE string `yaml:"sse"`
	// KMSKeyID is the KMS key (id, ARN or alias) for sse aws:kms; empty uses
	// the account's aws/s3 key.
	KMSKeyID string `yaml:"kms_key_id"`
	// PresignExpiry is how long the presigned download links that other
	// targets (email, Slack) show stay valid: at most 7d (default); 0
	// disables links.
	PresignExpiry Duration `yaml:"presign_expiry"`

	// SMTP sends email through a relay; set smtp or ses, not both.
	SMTP *SMTP `yaml:"smtp"`
	// SES sends email as a raw message with Amazon SES v2.
	SES *SES `yaml:"ses"`
	// From is the sender address, e.g. "cwreport <reports@example.com>".
	From string `yaml:"from"`
	// To, Cc and Bcc are recipient addresses; Bcc recipients are not written
	// into the message.
	To  []string `yaml:"to"`
	Cc  []string `yaml:"cc"`
	Bcc []string `yaml:"bcc"`
	// Subject is a Go text/template over .Status (OK, Warning, Critical in
	// the report language), .StatusCode (ok, warning, critical), .Kind,
	// .KindName, .Job, .Period, .Headline, .Findings; default
	// "[{{.Status}}] {{.KindName}} {{.Job}} {{.Period}}: {{.Headline}}".
	Subject string `yaml:"subject"`
	// MaxSizeMB is the email size budget (1 to 40, default 10): a larger
	// message carries the S3 link to the report instead of the attachment.
	MaxSizeMB int `yaml:"max_size_mb"`
	// Body is what the email's HTML body holds: report (default: the
	// rendered report, charts inline, under a summary block with status,
	// headline, top findings and links) or summary (the summary block and
	// the charts only, for recipients who read the attached PDF).
	Body string `yaml:"body"`

	// Token is the Slack bot token (xoxb-...); set token or webhook_url.
	Token Secret `yaml:"token"`
	// Channel is a channel id (C0123456789) or name (#ops) for the bot.
	Channel string `yaml:"channel"`
	// WebhookURL is a Slack incoming webhook: the summary only, no upload.
	WebhookURL Secret `yaml:"webhook_url"`
}

// SMTP is an SMTP relay.
type SMTP struct {
	Host string `yaml:"host"`
	// Port default 587, or 465 with tls: tls.
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	// TLS is starttls (default; the relay must offer it), tls (implicit TLS,
	// usually port 465) or none (a local relay only; no credentials then).
	TLS string `yaml:"tls"`
}

// SES is Amazon SES v2 as the email transport.
type SES struct {
	// Region default source.region, then the AWS environment.
	Region string `yaml:"region"`
	// EndpointURL points the SES client at an emulator.
	EndpointURL string `yaml:"endpoint_url"`
	// ConfigurationSet is the SES configuration set to send with, if any.
	ConfigurationSet string `yaml:"configuration_set"`
}

// TargetTypes are the allowed target types.
var TargetTypes = []string{"file", "s3", "email", "slack"}

// targetFields lists, per type, the fields it uses beyond "type"; any other
// field set on a target is an error naming the type it belongs to.
var reflectTypeOfTarget = reflect.TypeOf(Target{})

var targetFields = map[string][]string{
	"file":  {"dir"},
	"s3":    {"bucket", "prefix", "region", "endpoint_url", "sse", "kms_key_id", "presign_expiry"},
	"email": {"smtp", "ses", "from", "to", "cc", "bcc", "subject", "max_size_mb", "body"},
	"slack": {"token", "channel", "webhook_url"},
}

// targetRequired lists, per type, the fields that must be set. Choices
// (smtp or ses, token or webhook_url) are checked in targetOptions.
var targetRequired = map[string][]string{
	"file":  {"dir"},
	"s3":    {"bucket"},
	"email": {"from", "to"},
	"slack": {},
}

// SSE modes of an s3 target.
var SSEModes = []string{"AES256", "aws:kms", "none"}

// SMTPTLSModes are the allowed smtp.tls values.
var SMTPTLSModes = []string{"starttls", "tls", "none"}

// EmailBodies are the allowed email body values; the first is the default.
var EmailBodies = []string{"report", "summary"}

// DefaultSubject is the email subject template unless a target sets one.
const DefaultSubject = "[{{.Status}}] {{.KindName}} {{.Job}} {{.Period}}: {{.Headline}}"

// SubjectFields are the names a subject template may use; the email target
// fills exactly these.
var SubjectFields = []string{"Status", "StatusCode", "Kind", "KindName", "Job", "Period", "Headline", "Findings"}

// Target defaults.
const (
	DefaultMaxSizeMB     = 10
	MaxPresignExpiry     = 7 * 24 * time.Hour
	defaultPresignExpiry = "7d"
)

var slackChannelID = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)
var slackChannelName = regexp.MustCompile(`^#?[a-z0-9][a-z0-9._\-]{0,79}$`)

// targetOptions applies a target's defaults and checks the values of its
// own fields; target() has checked the type and which fields are set.
func (v *validator) targetOptions(path string, t *Target) {
	switch t.Type {
	case "s3":
		v.s3Target(path, t)
	case "email":
		v.emailTarget(path, t)
	case "slack":
		v.slackTarget(path, t)
	}
}

func (v *validator) s3Target(path string, t *Target) {
	if t.SSE == "" {
		t.SSE = "AES256"
	} else {
		v.oneOf(path+".sse", t.SSE, SSEModes)
	}
	if t.KMSKeyID != "" && t.SSE != "aws:kms" {
		v.errorf(path+".kms_key_id", "is set but sse is %q; set sse: aws:kms to encrypt with a KMS key", t.SSE)
	}
	if strings.HasPrefix(t.Prefix, "/") {
		v.errorf(path+".prefix", "found %s; S3 keys do not start with /: write %q", v.found(path+".prefix", t.Prefix), strings.TrimLeft(t.Prefix, "/"))
	}
	v.endpoint(path+".endpoint_url", t.EndpointURL)
	if !t.PresignExpiry.IsSet() {
		t.PresignExpiry = Duration{Raw: defaultPresignExpiry, Duration: MaxPresignExpiry}
	} else if _, err := ParseDuration(t.PresignExpiry.Raw); err != nil {
		v.errorf(path+".presign_expiry", "%v; use a duration up to 7d, or 0 for no links", err)
	} else if t.PresignExpiry.Duration > MaxPresignExpiry {
		v.errorf(path+".presign_expiry", "found %q; S3 presigned links last at most 7d", t.PresignExpiry.Raw)
	} else if t.PresignExpiry.Duration > 0 && t.PresignExpiry.Duration < time.Minute {
		v.errorf(path+".presign_expiry", "found %q; a link that expires within a minute is useless: use at least 1m, or 0 for no links", t.PresignExpiry.Raw)
	}
}

func (v *validator) endpoint(path, raw string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.errorf(path, "found %s; expected a URL such as http://localhost:4566", v.found(path, raw))
	}
}

func (v *validator) emailTarget(path string, t *Target) {
	switch {
	case t.SMTP == nil && t.SES == nil:
		v.errorf(path, "an email target needs smtp (a relay) or ses (Amazon SES v2); set one")
	case t.SMTP != nil && t.SES != nil:
		v.errorf(path+".ses", "both smtp and ses are set; an email target sends through one, remove the other")
	case t.SMTP != nil:
		v.smtp(path+".smtp", t.SMTP)
	case t.SES != nil:
		v.endpoint(path+".ses.endpoint_url", t.SES.EndpointURL)
	}
	v.address(path+".from", t.From)
	if _, set := v.nodes[path+".to"]; set && len(t.To) == 0 {
		v.errorf(path+".to", "is empty; list at least one recipient")
	}
	for _, l := range []struct {
		key  string
		list []string
	}{{"to", t.To}, {"cc", t.Cc}, {"bcc", t.Bcc}} {
		for i, a := range l.list {
			v.address(fmt.Sprintf("%s.%s[%d]", path, l.key, i), a)
		}
	}
	if t.Subject == "" {
		t.Subject = DefaultSubject
	} else if err := CheckSubject(t.Subject); err != nil {
		v.errorf(path+".subject", "%v; fields: %s (e.g. %q)", err, strings.Join(SubjectFields, ", "), DefaultSubject)
	}
	if t.Body == "" {
		t.Body = EmailBodies[0]
	} else if !slices.Contains(EmailBodies, t.Body) {
		v.errorf(path+".body", "found %s; allowed: report (the rendered report in the message, under a summary) or summary (status, top findings and links only; the PDF attached either way)", v.found(path+".body", t.Body))
	}
	if t.MaxSizeMB == 0 {
		t.MaxSizeMB = DefaultMaxSizeMB
	} else if t.MaxSizeMB < 1 || t.MaxSizeMB > 40 {
		v.errorf(path+".max_size_mb", "found %d; allowed 1 to 40 (Amazon SES takes at most 40 MB, most relays less)", t.MaxSizeMB)
	}
}

// CheckSubject parses a subject template and runs it on sample values, so
// an unknown field is a config error, not a failed delivery.
func CheckSubject(s string) error {
	tmpl, err := template.New("subject").Option("missingkey=error").Parse(s)
	if err != nil {
		return fmt.Errorf("not a valid template: %v", strings.TrimPrefix(err.Error(), "template: "))
	}
	data := map[string]any{}
	for _, f := range SubjectFields {
		data[f] = "x"
	}
	if err := tmpl.Execute(&bytes.Buffer{}, data); err != nil {
		return fmt.Errorf("template fails: %v", strings.TrimPrefix(err.Error(), "template: "))
	}
	return nil
}

func (v *validator) address(path, a string) {
	if a == "" {
		return
	}
	if _, err := mail.ParseAddress(a); err != nil {
		v.errorf(path, "found %s: %v; expected an address such as ops@example.com or \"Ops <ops@example.com>\"", v.found(path, a), err)
	}
}

func (v *validator) smtp(path string, s *SMTP) {
	if s.Host == "" {
		v.errorf(path+".host", "missing; the SMTP relay's host name")
	}
	if s.TLS == "" {
		s.TLS = "starttls"
		if s.Port == 465 {
			s.TLS = "tls"
		}
	} else {
		v.oneOf(path+".tls", s.TLS, SMTPTLSModes)
	}
	if s.Port == 0 {
		s.Port = 587
		if s.TLS == "tls" {
			s.Port = 465
		}
	} else if s.Port < 1 || s.Port > 65535 {
		v.errorf(path+".port", "found %d; allowed 1 to 65535 (usually 587, or 465 for tls)", s.Port)
	}
	if (s.Username == "") != (s.Password == "") {
		v.errorf(path+".password", "set both username and password, or neither")
	}
	if s.TLS == "none" && s.Username != "" {
		v.errorf(path+".tls", "is none but credentials are set; they would cross the network in clear text: use starttls or tls")
	}
}

func (v *validator) slackTarget(path string, t *Target) {
	// Presence, not value: a ${VAR} that failed to expand is reported once,
	// where it is, not again as "missing".
	_, token := v.nodes[path+".token"]
	_, hook := v.nodes[path+".webhook_url"]
	switch {
	case !token && !hook:
		v.errorf(path, "a slack target needs token (a bot token, xoxb-...) with channel, or webhook_url; set one")
	case token && hook:
		v.errorf(path+".webhook_url", "both token and webhook_url are set; use one")
	case token:
		if t.Channel == "" {
			v.errorf(path+".channel", "missing; a bot posts to a channel id (C0123456789) or name (#ops)")
		} else if !slackChannelID.MatchString(t.Channel) && !slackChannelName.MatchString(t.Channel) {
			v.errorf(path+".channel", "found %s; expected a channel id (C0123456789) or name (#ops: lower case, digits, - _ .)", v.found(path+".channel", t.Channel))
		}
	default:
		if t.Channel != "" {
			v.errorf(path+".channel", "is set with webhook_url; a webhook posts to the channel it was created for: remove channel")
		}
		u, err := url.Parse(t.WebhookURL.Reveal())
		if t.WebhookURL == "" {
			break // an unset variable, already reported
		}
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.errorf(path+".webhook_url", "is not a URL; expected https://hooks.slack.com/services/...")
		}
	}
}

// TargetSecrets returns the secret values of t, so a deliverer can remove
// them from any error text a library produced.
func TargetSecrets(t *Target) []string {
	var out []string
	for _, s := range []Secret{t.Token, t.WebhookURL} {
		if s != "" {
			out = append(out, s.Reveal())
		}
	}
	if t.SMTP != nil && t.SMTP.Password != "" {
		out = append(out, t.SMTP.Password.Reveal())
	}
	return slices.Clip(out)
}
