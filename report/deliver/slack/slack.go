// Package slack posts a run's summary to Slack as Block Kit (status,
// headline, top findings, links) and uploads the PDF into the message's
// thread with the external upload flow (files.getUploadURLExternal, upload,
// files.completeUploadExternal). An incoming-webhook mode posts the summary
// only.
//
// Every string from the run goes through escape.Slack (&, <, > become
// entities), so "<!channel>" in a log line is shown, never acted on, and
// every block stays within Slack's limits (50 blocks, 3,000 characters per
// section, 150 per header).
package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/internal/escape"
)

// Options configure the target: Token with Channel (bot), or WebhookURL.
type Options struct {
	Token   string
	Channel string
	// WebhookURL posts the summary only (no upload, no channel choice).
	WebhookURL string
	// APIURL overrides https://slack.com/api/ (tests, proxies).
	APIURL string
	// HTTPClient is used for every call; nil means a client without a
	// global timeout (the pipeline bounds each attempt).
	HTTPClient *http.Client
}

// Target posts with one Slack client.
type Target struct {
	opt  Options
	api  *slack.Client
	http *http.Client

	mu        sync.Mutex
	channelID string
}

// New returns the target.
func New(opt Options) *Target {
	t := &Target{opt: opt, http: opt.HTTPClient}
	if t.http == nil {
		t.http = &http.Client{}
	}
	if opt.Token != "" {
		opts := []slack.Option{slack.OptionHTTPClient(t.http)}
		if opt.APIURL != "" {
			opts = append(opts, slack.OptionAPIURL(opt.APIURL))
		}
		t.api = slack.New(opt.Token, opts...)
	}
	return t
}

// Deliver posts the summary and, with a bot token, uploads the PDF into the
// message's thread. Receipts: "channel", "ts", "file_id" (bot) or "webhook"
// (webhook). A retry skips the steps whose receipts exist, so a failed
// upload never posts the message twice.
func (t *Target) Deliver(ctx context.Context, d *deliver.Delivery) error {
	blocks, fallback := Blocks(d)
	if t.opt.WebhookURL != "" {
		if d.Receipt("webhook") != "" {
			return nil
		}
		msg := &slack.WebhookMessage{Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}, UnfurlLinks: ptr(false), UnfurlMedia: ptr(false)}
		if err := slack.PostWebhookCustomHTTPContext(ctx, t.opt.WebhookURL, t.http, msg); err != nil {
			return failure("slack webhook post", hide(err, t.opt.WebhookURL))
		}
		d.SetReceipt("webhook", "posted")
		return nil
	}
	if t.api == nil {
		return deliver.Final("slack", errors.New("neither token nor webhook_url is set"), "set one")
	}
	channel := d.Receipt("channel")
	if channel == "" {
		var err error
		if channel, err = t.resolve(ctx); err != nil {
			return err
		}
	}
	ts := d.Receipt("ts")
	if ts == "" {
		ch, posted, err := t.api.PostMessageContext(ctx, channel,
			slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...), slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
		if err != nil {
			return failure("slack chat.postMessage to "+t.opt.Channel, err)
		}
		if ch != "" {
			channel = ch
		}
		ts = posted
		d.SetReceipt("channel", channel)
		d.SetReceipt("ts", ts)
	}
	pdf := d.Artifact(report.RoleReport, "pdf")
	if pdf == nil || d.Receipt("file_id") != "" {
		return nil
	}
	f, err := t.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(pdf.Data), FileSize: len(pdf.Data), Filename: pdf.Name,
		Title: escape.Clean(deliver.Title(d.Summary), 200), Channel: channel, ThreadTimestamp: ts,
	})
	if err != nil {
		return failure("slack upload of "+pdf.Name, err)
	}
	d.SetReceipt("file_id", f.ID)
	return nil
}

var channelID = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

// resolve turns the configured channel into an id: an id is used as is, a
// name is looked up once (conversations.list, public and private channels
// the bot can see) and remembered.
func (t *Target) resolve(ctx context.Context) (string, error) {
	if channelID.MatchString(t.opt.Channel) {
		return t.opt.Channel, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.channelID != "" {
		return t.channelID, nil
	}
	name := strings.TrimPrefix(t.opt.Channel, "#")
	params := &slack.GetConversationsParameters{Types: []string{"public_channel", "private_channel"}, ExcludeArchived: true, Limit: 1000}
	for pages := 0; pages < 100; pages++ {
		chans, next, err := t.api.GetConversationsContext(ctx, params)
		if err != nil {
			return "", failure("slack conversations.list looking for #"+name, err)
		}
		for _, c := range chans {
			if c.Name == name {
				t.channelID = c.ID
				return c.ID, nil
			}
		}
		if next == "" {
			break
		}
		params.Cursor = next
	}
	return "", deliver.Final("slack channel #"+name, errors.New("not found among the channels the bot can see"),
		"check the name, invite the bot to a private channel, or configure the channel id (C0123456789)")
}

// failure types what Slack answered. Slack reports most problems as HTTP
// 200 with ok:false and an error name; the names that mean "try later"
// retry, the others are final and say what to fix.
func failure(op string, err error) error {
	f := &deliver.Failure{Op: op, Protocol: deliver.HTTP, Err: err}
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &rl):
		f.Code, f.Throttled, f.RetryAfter = http.StatusTooManyRequests, true, rl.RetryAfter
	case errors.As(err, &sc):
		f.Code = sc.Code
		if sc.Code == http.StatusNotFound || sc.Code == http.StatusForbidden || sc.Code == http.StatusGone {
			f.Fix = "the webhook URL is no longer valid or the channel was archived: create a new webhook"
		}
	case errors.As(err, &se):
		f.ErrorCode = se.Err
		f.Err = nil // the error name is the whole message
		switch se.Err {
		case "ratelimited", "rate_limited":
			f.Code = http.StatusTooManyRequests
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			f.Code = http.StatusServiceUnavailable
		default:
			f.Code = http.StatusBadRequest
			f.Fix = fixes[se.Err]
			if se.Err == "missing_scope" && se.Needed != "" {
				f.Fix = "add the " + se.Needed + " scope to the Slack app and reinstall it"
			}
		}
	}
	return f
}

var fixes = map[string]string{
	"channel_not_found":           "check the channel, or invite the bot to it",
	"not_in_channel":              "invite the bot to the channel (/invite @yourbot)",
	"is_archived":                 "the channel is archived: choose another",
	"invalid_auth":                "the bot token is not valid: check the token",
	"not_authed":                  "no bot token was sent: check the token",
	"token_revoked":               "the bot token was revoked: install the app again and update the token",
	"token_expired":               "the bot token expired: refresh it",
	"account_inactive":            "the bot's workspace account is inactive",
	"missing_scope":               "add the chat:write and files:write scopes to the Slack app",
	"restricted_action":           "a workspace setting stops the bot from posting here",
	"invalid_blocks":              "report this as a bug: cwreport built invalid blocks",
	"msg_too_long":                "report this as a bug: cwreport exceeded a Slack limit",
	"file_upload_size_restricted": "the workspace limits upload sizes: the PDF is too large",
}

// hidden removes a secret (the webhook URL, which Go's HTTP errors quote)
// from an error's text while keeping the chain for errors.As.
type hidden struct {
	err    error
	secret string
}

func (h hidden) Error() string { return strings.ReplaceAll(h.err.Error(), h.secret, "<webhook URL>") }
func (h hidden) Unwrap() error { return h.err }

func hide(err error, secret string) error {
	if secret == "" {
		return err
	}
	return hidden{err, secret}
}

func ptr[T any](v T) *T { return &v }

// Limits of Block Kit this package keeps to.
const (
	MaxBlocks      = 50
	MaxSectionText = 3000
	MaxHeaderText  = 150
	MaxButtonText  = 75
	MaxButtonURL   = 3000
	MaxFallback    = 3000
	// maxFindings leaves room for the other blocks within MaxBlocks.
	maxFindings = 40
)

var statusEmoji = map[report.Status]string{
	report.StatusOK: ":large_green_circle:", report.StatusWarning: ":warning:", report.StatusCritical: ":rotating_light:",
}

// Blocks builds the summary message and its notification text.
func Blocks(d *deliver.Delivery) ([]slack.Block, string) {
	s := d.Summary
	lang := s.Language
	title := deliver.Title(s)
	emoji := statusEmoji[s.Status]
	var blocks []slack.Block
	blocks = append(blocks, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, fit(escape.Clean(title, MaxHeaderText), MaxHeaderText), false, false)))
	headline := emoji + " *" + escape.Slack(s.Headline, 600) + "*"
	if strings.TrimSpace(s.Headline) == "" {
		headline = emoji + " " + escape.Slack(report.StatusName(s.Status, lang), 40)
	}
	blocks = append(blocks, section(headline))
	meta := escape.Slack(deliver.TextWindow.In(lang)+": "+deliver.WindowText(s), 200) + " · " + escape.Slack(deliver.TextFindings.F(lang, s.Findings), 60)
	if s.DataGaps > 0 {
		meta += " · :warning: " + escape.Slack(deliver.TextDataGaps.F(lang, s.DataGaps), 200)
	}
	blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, fit(meta, MaxSectionText), false, false)))

	if len(s.Top) > 0 {
		blocks = append(blocks, slack.NewDividerBlock(), section("*"+escape.Slack(deliver.TextTopFindings.In(lang), 60)+"*"))
		shown := s.Top
		if len(shown) > maxFindings {
			shown = shown[:maxFindings]
		}
		for _, f := range shown {
			line := "*[" + escape.Slack(report.SeverityName(f.Severity, lang), 20) + "]* " + escape.Slack(f.Title, 300)
			if strings.TrimSpace(f.Resource) != "" {
				line += "\n`" + strings.ReplaceAll(escape.Slack(f.Resource, 200), "`", "'") + "`"
			}
			blocks = append(blocks, section(line))
		}
		if more := s.Findings - len(shown); more > 0 {
			blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, escape.Slack(deliver.TextMore.F(lang, more), 100), false, false)))
		}
	} else {
		blocks = append(blocks, section(escape.Slack(deliver.TextNoFindings.In(lang), 100)))
	}

	var buttons []slack.BlockElement
	for _, a := range d.Artifacts {
		u := d.Link(a.Name)
		if u == "" || len(u) > MaxButtonURL || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) || len(buttons) == 25 {
			continue
		}
		label := fit(escape.Clean(deliver.TextOpen.F(lang, strings.ToUpper(a.Format)), MaxButtonText), MaxButtonText)
		b := slack.NewButtonBlockElement("open-"+a.Format, a.Name, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
		b.URL = u
		buttons = append(buttons, b)
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock("links", buttons...))
	}
	if len(blocks) > MaxBlocks {
		blocks = blocks[:MaxBlocks]
	}
	fallback := fit(escape.Slack(title, 200)+": "+escape.Slack(s.Headline, 600), MaxFallback)
	return blocks, fallback
}

func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, fit(text, MaxSectionText), false, false), nil, nil)
}

// fit cuts escaped text to max characters without splitting an entity
// (&amp; &lt; &gt;), so a cut can never leave a bare "&" or "<".
func fit(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max-1]
	if i := lastIndex(r, '&'); i >= 0 && i >= len(r)-5 && lastIndex(r[i:], ';') < 0 {
		r = r[:i]
	}
	return string(r) + escape.Ellipsis
}

func lastIndex(r []rune, c rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == c {
			return i
		}
	}
	return -1
}

// String reports which mode the target is in, without secrets.
func (t *Target) String() string {
	if t.opt.WebhookURL != "" {
		return "slack webhook"
	}
	return fmt.Sprintf("slack %s", t.opt.Channel)
}
