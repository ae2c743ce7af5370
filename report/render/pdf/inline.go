package pdf

import (
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/cwreport/cwreport/report/internal/escape"
	"github.com/cwreport/cwreport/report/render/chart"
	"github.com/cwreport/cwreport/report/render/internal/fonts"
	"github.com/cwreport/cwreport/report/render/internal/markup"
)

// fontsSafe cleans report-model text (not from the Markdown) for drawing:
// one line, bounded, only runes the font has.
func fontsSafe(s string, max int) string {
	return fonts.Must(fonts.Regular).Sanitize(escape.Clean(s, max))
}

// style is how a piece of inline text is set.
type style struct {
	size   float64 // points
	bold   bool
	mono   bool
	italic bool
	strike bool
	color  chart.Color
	link   string
}

func (s style) face() *fonts.Face {
	switch {
	case s.mono:
		return fonts.Must(fonts.Mono)
	case s.bold:
		return fonts.Must(fonts.Bold)
	}
	return fonts.Must(fonts.Regular)
}

func (s style) family() (string, string) {
	switch {
	case s.mono:
		return "mono", ""
	case s.bold:
		return "nanum", "B"
	}
	return "nanum", ""
}

// em is the font size in millimetres.
func (s style) em() float64 { return s.size * ptmm }

// run is a stretch of inline content in one style: text, a badge, or a
// forced line break.
type run struct {
	text  string
	st    style
	badge *markup.Badge
	br    bool
}

// maxInline bounds the text of one block (a paragraph, a table cell): the
// templates cut untrusted text long before this; it guards layout cost
// against Markdown that reached the renderer some other way.
const maxInline = 64 << 10

// inlines flattens the inline children of n into runs.
func (w *writer) inlines(n ast.Node, st style) []run {
	var nodes []ast.Node
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		nodes = append(nodes, c)
	}
	return w.inlineNodes(nodes, st)
}

// inlineNodes flattens the given inline nodes and their descendants.
func (w *writer) inlineNodes(nodes []ast.Node, st style) []run {
	var out []run
	size := 0
	var walk func(n ast.Node, st style)
	add := func(s string, st style) {
		if size >= maxInline {
			return
		}
		if size+len(s) > maxInline {
			s = s[:maxInline-size]
			for !utf8.ValidString(s) {
				s = s[:len(s)-1]
			}
			s += escape.Ellipsis
		}
		size += len(s)
		out = append(out, run{text: s, st: st})
	}
	var each func(c ast.Node, st style)
	walk = func(n ast.Node, st style) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			each(c, st)
		}
	}
	each = func(c ast.Node, st style) {
		{
			switch v := c.(type) {
			case *ast.Text:
				add(markup.Unescape(v.Segment.Value(w.src)), st)
				if v.HardLineBreak() {
					out = append(out, run{br: true, st: st})
				} else if v.SoftLineBreak() {
					add(" ", st)
				}
			case *ast.String:
				add(markup.Unescape(v.Value), st)
			case *ast.Emphasis:
				s := st
				if v.Level >= 2 {
					s.bold = true
				} else {
					s.italic = true
					s.color = chart.Color{R: 0x49, G: 0x50, B: 0x57}
				}
				walk(v, s)
			case *east.Strikethrough:
				s := st
				s.strike = true
				walk(v, s)
			case *ast.CodeSpan:
				s := st
				s.mono = true
				s.bold = false
				s.size = st.size * 0.9
				var b strings.Builder
				for k := v.FirstChild(); k != nil; k = k.NextSibling() {
					switch t := k.(type) {
					case *ast.Text:
						b.Write(t.Segment.Value(w.src))
					case *ast.String:
						b.Write(t.Value)
					}
				}
				add(b.String(), s)
			case *ast.Link:
				s := st
				if markup.SafeURL(v.Destination) {
					s.link = string(v.Destination)
					s.color = chart.Color{R: 0x0b, G: 0x5c, B: 0xad}
				}
				walk(v, s)
			case *ast.AutoLink:
				s := st
				url := v.URL(w.src)
				if v.AutoLinkType == ast.AutoLinkEmail {
					url = append([]byte("mailto:"), url...)
				}
				if markup.SafeURL(url) {
					s.link = string(url)
					s.color = chart.Color{R: 0x0b, G: 0x5c, B: 0xad}
				}
				add(string(v.Label(w.src)), s)
			case *ast.Image:
				add(markup.PlainText(v, w.src, 400), st)
			case *ast.RawHTML:
				for i := 0; i < v.Segments.Len(); i++ {
					seg := v.Segments.At(i)
					add(string(seg.Value(w.src)), st)
				}
			case *markup.Badge:
				out = append(out, run{badge: v, st: st})
			default:
				walk(c, st)
			}
		}
	}
	for _, n := range nodes {
		each(n, st)
	}
	return out
}

// frag is a positioned piece of one line.
type frag struct {
	x, w  float64
	text  string
	st    style
	badge *markup.Badge
	spark string // block elements drawn as bars (see sparkRune)
}

// line is one laid-out line: its fragments and height.
type line struct {
	frags []frag
	h     float64
	w     float64
}

// badgeWidth is the width of a badge set at st.
func badgeWidth(b *markup.Badge, st style) float64 {
	if b.Pill {
		size := st.em() * 0.82
		return fonts.Must(fonts.Bold).Width(fonts.Must(fonts.Bold).Sanitize(b.Label), size) + 2*size*0.55 + st.em()*0.25
	}
	return st.em() * 0.95
}

// token is an unbreakable piece: a word with its trailing space, a badge,
// a sparkline or a line break.
type token struct {
	text  string
	st    style
	w     float64 // width without the trailing space
	space float64 // width of the trailing space
	badge *markup.Badge
	spark string
	br    bool
}

// sparkRune reports whether r is one of the eight block elements
// U+2581..U+2588 ("▁▂▃▄▅▆▇█") the templates write as sparklines (errors per
// hour). The embedded font has no glyph for them, so they are drawn as bars
// instead of becoming '?'.
func sparkRune(r rune) bool { return r >= 0x2581 && r <= 0x2588 }

// sparkSlot is the width of one sparkline bar and its gap, in ems.
const sparkSlot = 0.42

// sparkWidth is the drawn width of a sparkline at st.
func sparkWidth(s string, st style) float64 {
	return float64(utf8.RuneCountInString(s)) * sparkSlot * st.em()
}

// splitSpark cuts s into alternating pieces of sparkline and other text.
func splitSpark(s string) (pieces []string, spark []bool) {
	start := 0
	cur := false
	for i, r := range s {
		if sr := sparkRune(r); sr != cur {
			if i > start {
				pieces, spark = append(pieces, s[start:i]), append(spark, cur)
			}
			start, cur = i, sr
		}
	}
	if start < len(s) {
		pieces, spark = append(pieces, s[start:]), append(spark, cur)
	}
	return pieces, spark
}

func tokenize(runs []run) []token {
	var toks []token
	for _, r := range runs {
		switch {
		case r.br:
			toks = append(toks, token{br: true, st: r.st})
			continue
		case r.badge != nil:
			toks = append(toks, token{badge: r.badge, st: r.st, w: badgeWidth(r.badge, r.st), space: 0})
			continue
		}
		if strings.ContainsFunc(r.text, sparkRune) {
			pieces, spark := splitSpark(r.text)
			for i, p := range pieces {
				if spark[i] {
					toks = append(toks, token{spark: p, st: r.st, w: sparkWidth(p, r.st)})
				} else {
					toks = append(toks, tokenize([]run{{text: p, st: r.st}})...)
				}
			}
			continue
		}
		face := r.st.face()
		s := face.Sanitize(r.text)
		if r.st.mono {
			s = strings.ReplaceAll(s, "\t", "    ")
		}
		sp := face.RuneWidth(' ', r.st.em())
		for len(s) > 0 {
			i := strings.IndexByte(s, ' ')
			word, rest := s, ""
			if i >= 0 {
				word, rest = s[:i], s[i:]
			}
			n := len(rest) - len(strings.TrimLeft(rest, " "))
			rest = rest[n:]
			t := token{text: word, st: r.st, w: face.Width(word, r.st.em()), space: float64(n) * sp}
			if n > 0 {
				t.text += " "
			}
			if word != "" || n > 0 {
				if word == "" && len(toks) > 0 && !toks[len(toks)-1].br {
					toks[len(toks)-1].space += t.space // a run of spaces joins the word before it
					if !strings.HasSuffix(toks[len(toks)-1].text, " ") {
						toks[len(toks)-1].text += " "
					}
				} else {
					toks = append(toks, t)
				}
			}
			s = rest
		}
	}
	return toks
}

// split cuts a token wider than max into pieces that fit: after a
// punctuation mark that separates the parts of an id, a path or an address
// ("api-gateway-" / "01", "10.11." / "20.101") when one lies in the last
// two thirds of the piece, else between characters.
func split(t token, maxW float64) []token {
	text := strings.TrimSuffix(t.text, " ")
	var out []token
	start := 0
	splitPlan(text, t.st, maxW, func(end int, w float64) {
		out = append(out, token{text: text[start:end], st: t.st, w: w})
		start = end
	})
	last := &out[len(out)-1]
	last.space = t.space
	if t.space > 0 {
		last.text += " "
	}
	return out
}

// splitPlan calls piece with the end (a byte offset in text) and width of
// each piece split makes, without building them: countLines measures with
// it for free.
func splitPlan(text string, st style, maxW float64, piece func(end int, w float64)) {
	face := st.face()
	em := st.em()
	type rw struct {
		off int // byte offset just after the rune
		w   float64
		sep bool
	}
	var buf [64]rw // a piece is rarely longer: no allocation per call
	cur := buf[:0]
	cw := 0.0
	for i, r := range text {
		w := face.RuneWidth(r, em)
		for cw+w > maxW && len(cur) > 0 {
			cut := len(cur)
			for j := len(cur) - 1; j >= max(1, len(cur)/3); j-- {
				if cur[j].sep {
					cut = j + 1
					break
				}
			}
			pw := 0.0
			for _, x := range cur[:cut] {
				pw += x.w
			}
			piece(cur[cut-1].off, pw)
			cur = append(cur[:0], cur[cut:]...)
			cw -= pw
		}
		cur = append(cur, rw{off: i + utf8.RuneLen(r), w: w, sep: r < utf8.RuneSelf && strings.IndexByte(breakAfter, byte(r)) >= 0})
		cw += w
	}
	piece(len(text), cw)
}

// breakAfter are the characters a long word is preferably broken after.
const breakAfter = "-/._:,=&?"

// maxLines bounds the lines of one block, so a pathological cell or
// paragraph cannot fill hundreds of pages.
const maxLines = 400

// lay breaks runs into lines at most width wide, greedily; words longer
// than a line are broken between characters.
func lay(runs []run, width float64, base style) []line {
	toks := tokenize(runs)
	var lines []line
	var cur line
	x := 0.0
	lh := func(st style) float64 { return st.em() * 1.45 }
	cur.h = lh(base)
	push := func() {
		lines = append(lines, cur)
		cur = line{h: lh(base)}
		x = 0
	}
	place := func(t token) {
		if t.badge == nil && t.spark == "" && t.text == "" {
			return
		}
		n := len(cur.frags)
		if n > 0 && cur.frags[n-1].badge == nil && cur.frags[n-1].spark == "" && t.badge == nil && t.spark == "" && cur.frags[n-1].st == t.st {
			f := &cur.frags[n-1]
			f.text += t.text
			f.w = x + t.w - f.x
		} else {
			cur.frags = append(cur.frags, frag{x: x, w: t.w, text: t.text, st: t.st, badge: t.badge, spark: t.spark})
		}
		cur.h = max(cur.h, lh(t.st))
		cur.w = x + t.w
		x += t.w + t.space
	}
	for _, t := range toks {
		if len(lines) >= maxLines {
			break
		}
		if t.br {
			push()
			continue
		}
		if x > 0 && x+t.w > width {
			push()
		}
		if t.w > width && t.badge == nil && t.spark == "" {
			for i, p := range split(t, width) {
				if i > 0 {
					push()
				}
				place(p)
			}
			continue
		}
		place(t)
	}
	if len(cur.frags) > 0 || len(lines) == 0 {
		lines = append(lines, cur)
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
	}
	// Trailing spaces do not count towards a fragment's drawn width.
	for i := range lines {
		for j := range lines[i].frags {
			f := &lines[i].frags[j]
			f.text = strings.TrimRight(f.text, " ")
		}
	}
	return lines
}

// drawLine draws one laid-out line with its top at y, starting at x.
func (w *writer) drawLine(l line, x, y float64) {
	for _, f := range l.frags {
		fx := x + f.x
		em := f.st.em()
		base := y + l.h/2 + em*0.35
		if f.badge != nil {
			w.drawBadge(f.badge, f.st, fx, y+l.h/2)
			continue
		}
		if f.spark != "" {
			w.drawSpark(f.spark, f.st, fx, y+l.h/2)
			continue
		}
		if f.text == "" {
			continue
		}
		if f.st.mono {
			w.fill(chart.Color{R: 0xf1, G: 0xf3, B: 0xf5})
			w.pdf.Rect(fx-0.4, y+l.h/2-em*0.62, f.w+0.8, em*1.2, "F")
		}
		fam, sty := f.st.family()
		w.font(fam, sty, f.st.size, f.st.color)
		w.pdf.Text(fx, base, f.text)
		if f.st.strike {
			w.draw(f.st.color)
			w.pdf.SetLineWidth(0.2)
			w.pdf.Line(fx, base-em*0.3, fx+f.w, base-em*0.3)
		}
		if f.st.link != "" {
			w.draw(f.st.color)
			w.pdf.SetLineWidth(0.15)
			w.pdf.Line(fx, base+em*0.12, fx+f.w, base+em*0.12)
			w.pdf.LinkString(fx, y, f.w, l.h, f.st.link)
		}
	}
}

// drawSpark draws a sparkline as bars of 1/8 to 8/8 of a line's height,
// standing on a common baseline, centred vertically on mid.
func (w *writer) drawSpark(s string, st style, x, mid float64) {
	em := st.em()
	full := em * 0.9
	w.fill(chart.Blue)
	i := 0
	for _, r := range s {
		h := full * float64(r-0x2580) / 8
		w.pdf.Rect(x+float64(i)*sparkSlot*em, mid+full/2-h, sparkSlot*em*0.72, h, "F")
		i++
	}
}

// drawBadge draws b centred vertically on mid, starting at x.
func (w *writer) drawBadge(b *markup.Badge, st style, x, mid float64) {
	c := b.Marker.Tone.Color()
	em := st.em()
	w.fill(c)
	w.draw(c)
	switch {
	case b.Pill:
		size := em * 0.82
		label := fonts.Must(fonts.Bold).Sanitize(b.Label)
		tw := fonts.Must(fonts.Bold).Width(label, size)
		pad := size * 0.55
		h := size * 1.45
		w.pdf.RoundedRect(x, mid-h/2, tw+2*pad, h, h/2, "1234", "F")
		ink := chart.White
		if b.Marker.Tone == markup.ToneYellow {
			ink = chart.Ink
		}
		w.font("nanum", "B", st.size*0.82, ink)
		w.pdf.Text(x+pad, mid+size*0.36, label)
	case b.Marker.Shape == markup.ShapeDot:
		w.pdf.Circle(x+em*0.35, mid, em*0.33, "F")
	case b.Marker.Shape == markup.ShapeCheck:
		w.pdf.SetLineWidth(em * 0.12)
		w.pdf.Line(x+em*0.05, mid, x+em*0.3, mid+em*0.28)
		w.pdf.Line(x+em*0.3, mid+em*0.28, x+em*0.72, mid-em*0.3)
	case b.Marker.Shape == markup.ShapeCross:
		w.pdf.SetLineWidth(em * 0.12)
		w.pdf.Line(x+em*0.08, mid-em*0.3, x+em*0.64, mid+em*0.3)
		w.pdf.Line(x+em*0.08, mid+em*0.3, x+em*0.64, mid-em*0.3)
	case b.Marker.Shape == markup.ShapeWarn:
		w.pdf.Polygon([]fpdfPoint{{X: x + em*0.36, Y: mid - em*0.38}, {X: x + em*0.74, Y: mid + em*0.32}, {X: x - em*0.02, Y: mid + em*0.32}}, "F")
		w.font("nanum", "B", st.size*0.6, chart.Ink)
		w.pdf.Text(x+em*0.3, mid+em*0.26, "!")
	case b.Marker.Shape == markup.ShapeChart:
		for i, hgt := range []float64{0.3, 0.55, 0.42} {
			w.pdf.Rect(x+em*(0.04+float64(i)*0.24), mid+em*0.32-em*hgt, em*0.16, em*hgt, "F")
		}
	}
}
