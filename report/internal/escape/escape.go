// Package escape makes untrusted text (log lines, tag values, alarm names,
// CloudTrail fields) safe for each output: Markdown, HTML, Slack mrkdwn and
// email headers. Every renderer and deliverer uses it; none escapes on its own.
//
// Clean runs first in every function: it repairs invalid UTF-8, drops
// control characters and bounds the length, so hostile input can neither
// corrupt a document nor make rendering slow.
package escape

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMax is the rune limit applied when a caller passes max <= 0.
const DefaultMax = 500

// Ellipsis marks truncated text.
const Ellipsis = "…"

// Clean returns s as valid UTF-8 on one line: invalid bytes become U+FFFD,
// newlines and tabs become spaces, other control and format characters
// (including bidirectional overrides) are removed, runs of spaces collapse,
// and the result is cut to max runes with an ellipsis. It reads at most
// 4*max bytes of s, so a megabyte line costs no more than a short one.
func Clean(s string, max int) string {
	if max <= 0 {
		max = DefaultMax
	}
	limit := 4*max + 4
	cut := false
	if len(s) > limit {
		s = s[:limit]
		cut = true
	}
	var b strings.Builder
	b.Grow(min(len(s), limit))
	n := 0
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			if cut && len(s)-i < 4 {
				break // a rune split by the byte cut, not invalid input
			}
			r = unicode.ReplacementChar
		}
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == ' ' || r == '\u00a0' || r == '\u2028' || r == '\u2029':
			if n > 0 {
				space = true
			}
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			if n+1 >= max {
				cut = true
				break
			}
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= max {
			cut = true
			break
		}
		b.WriteRune(r)
		n++
	}
	out := b.String()
	if cut {
		out = strings.TrimRight(out, " ") + Ellipsis
	}
	return out
}

// Truncate cuts s to max runes with an ellipsis, without other cleaning.
func Truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + Ellipsis
}

// mdSpecial are the characters CommonMark lets us backslash-escape that could
// otherwise start emphasis, code, links, raw HTML, entities or tables.
const mdSpecial = "\\`*_[]<>|!~&{}"

// Markdown makes s safe as inline Markdown text: after Clean, every
// character that could start formatting is backslash-escaped, and a leading
// character that could start a block (heading, list, quote) is escaped too.
func Markdown(s string, max int) string {
	s = Clean(s, max)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		if strings.ContainsRune(mdSpecial, r) || (i == 0 && strings.ContainsRune("#+-=>", r)) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	out := b.String()
	// "1. text" at the start of a paragraph would become a list.
	if j := strings.IndexFunc(out, func(r rune) bool { return r < '0' || r > '9' }); j > 0 && j < len(out) && (out[j] == '.' || out[j] == ')') {
		out = out[:j] + "\\" + out[j:]
	}
	return out
}

// MarkdownCell is Markdown for a GFM table cell: pipes are escaped (done by
// Markdown) and an empty value becomes "-" so the row keeps its columns.
func MarkdownCell(s string, max int) string {
	out := Markdown(s, max)
	if out == "" {
		return "-"
	}
	return out
}

// MarkdownCode renders s as an inline code span that nothing inside can
// close early; pipes are escaped so it is safe in a table cell too (GFM
// splits cells on | even inside code spans).
func MarkdownCode(s string, max int) string {
	s = Clean(s, max)
	if s == "" {
		return "-"
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max0(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	s = strings.ReplaceAll(s, "|", "\\|")
	return fence + " " + s + " " + fence
}

func max0(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// HTML escapes s for HTML text and attribute values after Clean.
func HTML(s string, max int) string { return html.EscapeString(Clean(s, max)) }

// Slack escapes s for Slack mrkdwn: &, < and > become entities, so
// "<!channel>" or "<https://evil|click>" in a log line is shown, not acted
// on. Formatting characters are left alone: at worst they style text.
func Slack(s string, max int) string {
	s = Clean(s, max)
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// Header makes s safe as the value of an email header: no CR or LF can start
// a new header, no control character survives, and it is bounded. Encoding
// non-ASCII (RFC 2047) is the mail writer's job.
func Header(s string, max int) string { return Clean(s, max) }
