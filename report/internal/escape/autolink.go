package escape

import "strings"

// DefuseAutolinks stops GFM's autolink extension (which GitHub, goldmark
// and most viewers enable) from turning URLs, www. names and e-mail
// addresses inside already-escaped Markdown text into clickable links: a
// log line or an alarm reason must not become a link in a report. It
// backslash-escapes the ':' of "scheme://" and "mailto:"/"xmpp:", the '.'
// after a leading "www", and every '@'; the text reads the same once
// rendered. Apply it to the output of Markdown or MarkdownCell, never to
// code spans (backslashes are literal there, and code spans are not
// linkified anyway).
func DefuseAutolinks(s string) string {
	if !strings.ContainsAny(s, ":@.") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '@' && !escaped(s, i):
			b.WriteByte('\\')
		case c == ':' && !escaped(s, i) && (strings.HasPrefix(s[i:], "://") || hasSuffixFold(s[:i], "mailto") || hasSuffixFold(s[:i], "xmpp")):
			b.WriteByte('\\')
		case c == '.' && !escaped(s, i) && hasSuffixFold(s[:i], "www") && (i == 3 || !isWordByte(s[i-4])):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// escaped reports whether s[i] is preceded by an odd number of backslashes.
func escaped(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
