// Package markup parses the report Markdown once, the same way for every
// renderer that draws it (HTML and PDF), and turns the status and severity
// emoji the templates write into Badge nodes that each renderer draws in its
// own way: coloured pills and dots instead of glyphs a PDF font lacks.
package markup

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/cwreport/cwreport/report/render"
)

// MaxSource bounds the Markdown a renderer accepts. Template output of a
// real report is a few hundred kilobytes at most; beyond this the source is
// cut at a line boundary and the document says so, so a runaway template
// cannot make a renderer slow.
const MaxSource = 8 << 20

// Truncated is appended to a source cut at MaxSource.
const Truncated = "\n\n_(…)_\n"

// md is safe for concurrent use: goldmark parsers keep no state between
// calls. Linkify is left out on purpose: a URL inside a log line stays
// text, never becomes a link. Raw HTML is parsed (CommonMark has no switch
// to stop that) and every renderer shows it as text.
var md = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough),
)

// Parse cleans src (see Clean), parses it as GFM and replaces status and
// severity markers by Badge nodes. It returns the document and the cleaned
// source that the node segments point into.
func Parse(src []byte) (ast.Node, []byte) {
	src = Clean(src)
	doc := md.Parser().Parse(text.NewReader(src))
	badges(doc, src)
	return doc, src
}

// Clean makes src safe to parse: invalid UTF-8 becomes U+FFFD; control
// characters other than newline and tab, and bidirectional overrides, are
// removed; the size is bounded by MaxSource. Report text was already escaped
// by report/internal/escape when the template ran; this is the second line
// of defence for text that reached the Markdown another way.
func Clean(src []byte) []byte {
	if len(src) > MaxSource {
		cut := bytes.LastIndexByte(src[:MaxSource], '\n')
		if cut < 0 {
			cut = MaxSource
		}
		src = append(src[:cut:cut], Truncated...)
	}
	clean := true
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				clean = false
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size == 1 || drop(r) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return src
	}
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		i += size
		switch {
		case r == '\r':
			// CRLF and lone CR are line ends.
			if i >= len(src) || src[i] != '\n' {
				out = append(out, '\n')
			}
		case r == '\n' || r == '\t':
			out = append(out, byte(r))
		case r == utf8.RuneError && size == 1:
			out = utf8.AppendRune(out, unicode.ReplacementChar)
		case r < 0x20 || r == 0x7f || drop(r):
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return out
}

func drop(r rune) bool {
	return (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f
}

// ChartID returns the chart id of an image destination "chart:<id>".
func ChartID(dest []byte) (string, bool) {
	s := string(dest)
	if !strings.HasPrefix(s, render.ChartScheme) {
		return "", false
	}
	return strings.TrimPrefix(s, render.ChartScheme), true
}

// SafeURL reports whether a link destination may become a live link:
// http, https and mailto only. Anything else is shown as text.
func SafeURL(dest []byte) bool {
	s := strings.ToLower(string(dest))
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "mailto:")
}

// Unescape returns the text of a Markdown text segment as a reader sees
// it: backslash escapes removed, entity and numeric references resolved,
// NUL replaced. It mirrors what goldmark's HTML writer does, for renderers
// that do not write HTML.
func Unescape(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 && bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, 0) < 0 {
		return string(b)
	}
	var out strings.Builder
	out.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\\' && i+1 < len(b) && util.IsPunct(b[i+1]):
			out.WriteByte(b[i+1])
			i++
		case c == 0:
			out.WriteRune(unicode.ReplacementChar)
		case c == '&':
			if r, n := reference(b[i:]); n > 0 {
				out.WriteString(r)
				i += n - 1
			} else {
				out.WriteByte(c)
			}
		default:
			out.WriteByte(c)
		}
	}
	return out.String()
}

// reference decodes "&name;", "&#123;" or "&#x1F;" at the start of b.
func reference(b []byte) (string, int) {
	end := bytes.IndexByte(b[:min(len(b), 40)], ';')
	if end < 2 {
		return "", 0
	}
	body := string(b[1:end])
	if body[0] == '#' {
		var v uint64
		var err error
		if len(body) > 1 && (body[1] == 'x' || body[1] == 'X') {
			v, err = strconv.ParseUint(body[2:], 16, 32)
		} else {
			v, err = strconv.ParseUint(body[1:], 10, 32)
		}
		if err != nil || len(body) > 9 {
			return "", 0
		}
		r := rune(v)
		if r == 0 || !utf8.ValidRune(r) {
			r = unicode.ReplacementChar
		}
		return string(r), end + 1
	}
	if e, ok := util.LookUpHTML5EntityByName(body); ok {
		return string(e.Characters), end + 1
	}
	return "", 0
}

// PlainText is the text of n and its descendants (for headings in a table
// of contents, image alt text, cell measurement), bounded to max bytes.
func PlainText(n ast.Node, src []byte, max int) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if b.Len() >= max {
			return ast.WalkStop, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.WriteString(Unescape(t.Segment.Value(src)))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.WriteString(Unescape(t.Value))
		case *ast.CodeSpan:
			for k := t.FirstChild(); k != nil; k = k.NextSibling() {
				if tx, ok := k.(*ast.Text); ok {
					b.Write(tx.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		case *Badge:
			if t.Pill {
				b.WriteString(t.Label)
			}
		}
		return ast.WalkContinue, nil
	})
	s := b.String()
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// IsMetaTable reports whether n is a table whose header row is empty: the
// key/value block the templates put under the headline (report, account,
// window, generated at, status).
func IsMetaTable(n ast.Node, src []byte) bool {
	t, ok := n.(*east.Table)
	if !ok || t.FirstChild() == nil {
		return false
	}
	head, ok := t.FirstChild().(*east.TableHeader)
	if !ok {
		return false
	}
	return strings.TrimSpace(PlainText(head, src, 64)) == ""
}
