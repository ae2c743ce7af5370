package html

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/cwreport/cwreport/report/i18n"
	"github.com/cwreport/cwreport/report/render/internal/markup"
)

// textChart names a chart in the plain-text rendering, where it cannot be
// drawn.
var textChart = i18n.Text{En: "Chart", Ko: "차트"}

// Plain-text layout bounds: table columns are padded to at most textCell
// display columns; underlines stop at textRule.
const (
	textCell = 40
	textRule = 72
)

// Text renders a parsed report Markdown document as plain text for a
// message's text/plain part: headings underlined, lists and quotes as in
// Markdown, tables as aligned columns (the meta table as "key: value"
// lines), charts named "[Chart: title]", links as "label (url)", status
// signs as their emoji and labels. Backslash escapes are resolved, so text
// reads as the page shows it; nothing in text/plain can act, so nothing is
// escaped.
func Text(doc ast.Node, src []byte, lang string) string {
	t := &textWriter{src: src, lang: lang}
	lines := t.blocks(doc)
	return strings.Join(lines, "\n") + "\n"
}

type textWriter struct {
	src  []byte
	lang string
}

// blocks renders the block children of n, a blank line between blocks.
func (t *textWriter) blocks(n ast.Node) []string {
	var out []string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		lines := t.block(c)
		if len(lines) == 0 {
			continue
		}
		if len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, lines...)
	}
	return out
}

func (t *textWriter) block(n ast.Node) []string {
	switch b := n.(type) {
	case *ast.Heading:
		s := strings.ReplaceAll(t.inline(b), "\n", " ")
		switch b.Level {
		case 1:
			return []string{s, strings.Repeat("=", min(textRule, max(3, displayWidth(s))))}
		case 2:
			return []string{s, strings.Repeat("-", min(textRule, max(3, displayWidth(s))))}
		}
		return []string{"■ " + s}
	case *ast.Paragraph, *ast.TextBlock:
		return strings.Split(t.inline(b), "\n")
	case *ast.List:
		return t.list(b)
	case *ast.Blockquote:
		lines := t.blocks(b)
		for i, l := range lines {
			lines[i] = strings.TrimRight("> "+l, " ")
		}
		return lines
	case *ast.CodeBlock, *ast.FencedCodeBlock, *ast.HTMLBlock:
		var lines []string
		segs := n.Lines()
		for i := 0; i < segs.Len(); i++ {
			s := segs.At(i)
			l := strings.TrimRight(string(s.Value(t.src)), "\n")
			if _, code := n.(*ast.HTMLBlock); !code {
				l = "    " + l
			}
			lines = append(lines, l)
		}
		if h, ok := n.(*ast.HTMLBlock); ok && h.HasClosure() {
			lines = append(lines, strings.TrimRight(string(h.ClosureLine.Value(t.src)), "\n"))
		}
		return lines
	case *ast.ThematicBreak:
		return []string{strings.Repeat("-", 40)}
	case *east.Table:
		return t.table(b)
	}
	if n.Type() == ast.TypeBlock && n.HasChildren() && n.FirstChild().Type() == ast.TypeBlock {
		return t.blocks(n)
	}
	return strings.Split(t.inline(n), "\n")
}

// list writes "- item" or "1. item", continuation lines indented under the
// item's text, items of a loose list separated by blank lines.
func (t *textWriter) list(l *ast.List) []string {
	var out []string
	i := l.Start
	if i == 0 {
		i = 1
	}
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		marker := "- "
		if l.IsOrdered() {
			marker = strconv.Itoa(i) + ". "
			i++
		}
		var lines []string
		for c := item.FirstChild(); c != nil; c = c.NextSibling() {
			lines = append(lines, t.block(c)...)
		}
		if len(out) > 0 && !l.IsTight {
			out = append(out, "")
		}
		pad := strings.Repeat(" ", len(marker))
		for j, ln := range lines {
			switch {
			case j == 0:
				out = append(out, marker+ln)
			case ln == "":
				out = append(out, "")
			default:
				out = append(out, pad+ln)
			}
		}
		if len(lines) == 0 {
			out = append(out, strings.TrimSpace(marker))
		}
	}
	return out
}

// table aligns columns by display width (Hangul and emoji count two), cells
// separated by " | ". The meta table (empty header row) is "key: value"
// lines.
func (t *textWriter) table(tb *east.Table) []string {
	var rows [][]string
	var aligns []east.Alignment
	meta := markup.IsMetaTable(tb, t.src)
	for r := tb.FirstChild(); r != nil; r = r.NextSibling() {
		if meta && r.Kind() == east.KindTableHeader {
			continue
		}
		var cells []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, strings.TrimSpace(strings.ReplaceAll(t.inline(c), "\n", " ")))
			if r.Kind() == east.KindTableHeader {
				aligns = append(aligns, c.(*east.TableCell).Alignment)
			}
		}
		rows = append(rows, cells)
	}
	if meta {
		var out []string
		for _, r := range rows {
			out = append(out, strings.Join(r, ": "))
		}
		return out
	}
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	// Columns are padded to their widest cell, at most textCell wide: a
	// longer cell (a log line) shifts the rest of its own row only. The last
	// column is not padded.
	widths := make([]int, cols)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = min(textCell, max(widths[i], displayWidth(c)))
		}
	}
	var out []string
	for ri, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString(" | ")
			}
			pad := strings.Repeat(" ", max(0, widths[i]-displayWidth(c)))
			if i < len(aligns) && aligns[i] == east.AlignRight {
				b.WriteString(pad + c)
			} else if i < len(r)-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
		}
		out = append(out, strings.TrimRight(b.String(), " "))
		if ri == 0 && tb.FirstChild().Kind() == east.KindTableHeader {
			var sep []string
			for _, w := range widths {
				sep = append(sep, strings.Repeat("-", w))
			}
			out = append(out, strings.Join(sep, "-+-"))
		}
	}
	return out
}

// inline is the text of n's inline content as a reader sees it.
func (t *textWriter) inline(n ast.Node) string {
	var b strings.Builder
	t.inlineTo(&b, n)
	return b.String()
}

func (t *textWriter) inlineTo(b *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch x := c.(type) {
		case *ast.Text:
			v := x.Segment.Value(t.src)
			if x.IsRaw() {
				b.Write(v)
			} else {
				b.WriteString(markup.Unescape(v))
			}
			if x.HardLineBreak() || x.SoftLineBreak() {
				b.WriteByte('\n')
			}
		case *ast.String:
			if x.IsCode() || x.IsRaw() {
				b.Write(x.Value)
			} else {
				b.WriteString(markup.Unescape(x.Value))
			}
		case *ast.CodeSpan:
			var s strings.Builder
			for k := x.FirstChild(); k != nil; k = k.NextSibling() {
				switch y := k.(type) {
				case *ast.Text:
					s.Write(y.Segment.Value(t.src))
				case *ast.String:
					s.Write(y.Value)
				}
			}
			b.WriteString(strings.ReplaceAll(s.String(), "\n", " "))
		case *ast.RawHTML:
			for i := 0; i < x.Segments.Len(); i++ {
				s := x.Segments.At(i)
				b.Write(s.Value(t.src))
			}
		case *ast.Link:
			label := t.inline(x)
			b.WriteString(label)
			if dest := string(x.Destination); markup.SafeURL(x.Destination) && dest != label {
				b.WriteString(" (" + dest + ")")
			}
		case *ast.AutoLink:
			b.Write(x.Label(t.src))
		case *ast.Image:
			alt := markup.PlainText(x, t.src, 400)
			if _, ok := markup.ChartID(x.Destination); ok {
				b.WriteString("[" + textChart.In(t.lang) + ": " + alt + "]")
			} else {
				b.WriteString(alt)
			}
		case *markup.Badge:
			b.WriteString(x.Marker.Emoji)
			if x.Pill {
				b.WriteString(" " + x.Label)
			}
		default:
			t.inlineTo(b, c)
		}
	}
}

// displayWidth counts the columns a terminal or a monospaced mail reader
// gives s: two for Hangul, CJK ideographs, full-width forms and emoji, zero
// for combining marks and variation selectors, one otherwise.
func displayWidth(s string) int {
	w := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r < 0x300:
			w++
		case r >= 0x300 && r < 0x370, r == 0x200d, r >= 0xfe00 && r <= 0xfe0f:
		case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf, r >= 0xac00 && r <= 0xd7a3,
			r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f, r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6,
			r >= 0x1f300 && r <= 0x1f64f, r == 0x26aa, r == 0x26ab, r == 0x2705, r == 0x274c, r == 0x2b50, r >= 0x1f900 && r <= 0x1f9ff, r >= 0x1f7e0 && r <= 0x1f7eb, r >= 0x20000 && r <= 0x3fffd:
			w += 2
		default:
			w++
		}
	}
	return w
}
