package markup

import (
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render/chart"
)

// Tone is the colour family of a badge; renderers map it to their palette.
type Tone string

// Badge tones, one per marker colour the templates use.
const (
	ToneRed    Tone = "red"
	ToneOrange Tone = "orange"
	ToneYellow Tone = "yellow"
	ToneGreen  Tone = "green"
	ToneBlue   Tone = "blue"
	ToneGrey   Tone = "grey"
	ToneBlack  Tone = "black"
	TonePurple Tone = "purple"
)

// tones are the badge colours, the same on the page, in the PDF and in the
// charts.
var tones = map[Tone]chart.Color{
	ToneRed: chart.Red, ToneOrange: chart.Orange, ToneYellow: chart.Amber,
	ToneGreen: chart.Green, ToneBlue: chart.Blue, ToneGrey: {R: 0x75, G: 0x75, B: 0x75},
	ToneBlack: chart.Ink, TonePurple: chart.Purple,
}

// Color is the colour of a badge of tone t.
func (t Tone) Color() chart.Color { return tones[t] }

// StatusTone is the tone of a report status's badge.
func StatusTone(s report.Status) Tone {
	switch s {
	case report.StatusCritical:
		return ToneRed
	case report.StatusWarning:
		return ToneYellow
	}
	return ToneGreen
}

// Shape is what a marker is drawn as when it stands alone.
type Shape string

// Marker shapes.
const (
	ShapeDot   Shape = "dot"   // 🔴 🟡 🟢 ...
	ShapeCheck Shape = "check" // ✅ ✔
	ShapeCross Shape = "cross" // ❌ ✖
	ShapeWarn  Shape = "warn"  // ⚠
	ShapeChart Shape = "chart" // 📈 📉 📊
)

// Marker is what an emoji means in a report.
type Marker struct {
	Emoji string
	Tone  Tone
	Shape Shape
}

// markers are the emoji the templates and analyzers use as signs. Only these
// become badges; other emoji are left to each renderer (HTML keeps them, the
// PDF drops glyphs its font lacks).
var markers = map[rune]Marker{
	'🔴': {"🔴", ToneRed, ShapeDot},
	'🟠': {"🟠", ToneOrange, ShapeDot},
	'🟡': {"🟡", ToneYellow, ShapeDot},
	'🟢': {"🟢", ToneGreen, ShapeDot},
	'🔵': {"🔵", ToneBlue, ShapeDot},
	'⚪': {"⚪", ToneGrey, ShapeDot},
	'⚫': {"⚫", ToneBlack, ShapeDot},
	'🟣': {"🟣", TonePurple, ShapeDot},
	'✅': {"✅", ToneGreen, ShapeCheck},
	'✔': {"✔", ToneGreen, ShapeCheck},
	'❌': {"❌", ToneRed, ShapeCross},
	'✖': {"✖", ToneRed, ShapeCross},
	'⚠': {"⚠", ToneYellow, ShapeWarn},
	'📈': {"📈", ToneBlue, ShapeChart},
	'📉': {"📉", ToneBlue, ShapeChart},
	'📊': {"📊", ToneBlue, ShapeChart},
}

// MarkerFor returns the marker for r.
func MarkerFor(r rune) (Marker, bool) {
	m, ok := markers[r]
	return m, ok
}

// KindBadge is the AST kind of Badge.
var KindBadge = ast.NewNodeKind("Badge")

// Badge is a status or severity sign. A Pill carries its label ("🔴 심각"
// alone in a table cell becomes a red pill reading 심각); otherwise it is a
// sign beside the text that follows.
type Badge struct {
	ast.BaseInline
	Marker Marker
	Pill   bool
	Label  string
}

// Kind implements ast.Node.
func (b *Badge) Kind() ast.NodeKind { return KindBadge }

// Dump implements ast.Node.
func (b *Badge) Dump(source []byte, level int) {
	ast.DumpHelper(b, source, level, map[string]string{"Tone": string(b.Marker.Tone), "Label": b.Label}, nil)
}

// pillMax bounds a pill's label: longer text after a marker is a sentence,
// not a label.
const pillMax = 24

// badges replaces marker emoji in text nodes by Badge nodes. A block (table
// cell, paragraph) whose whole text is "<marker> <label>" becomes one pill.
func badges(doc ast.Node, src []byte) {
	var texts []*ast.Text
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindCodeSpan, ast.KindCodeBlock, ast.KindFencedCodeBlock, ast.KindRawHTML, ast.KindHTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		if t, ok := n.(*ast.Text); ok && hasMarker(t.Segment.Value(src)) {
			texts = append(texts, t)
		}
		return ast.WalkContinue, nil
	})
	for _, t := range texts {
		if t.Parent() == nil {
			continue
		}
		if pill(t, src) {
			continue
		}
		split(t, src)
	}
}

func hasMarker(b []byte) bool {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if _, ok := markers[r]; ok {
			return true
		}
		i += size
	}
	return false
}

// pill turns a cell or paragraph that reads exactly "<marker> <label>" into
// one pill badge.
func pill(t *ast.Text, src []byte) bool {
	block := t.Parent()
	switch block.(type) {
	case *east.TableCell, *ast.Paragraph, *ast.TextBlock:
	default:
		return false
	}
	if block.FirstChild() != t || block.LastChild() != t {
		return false
	}
	s := strings.TrimSpace(Unescape(t.Segment.Value(src)))
	r, size := utf8.DecodeRuneInString(s)
	m, ok := markers[r]
	if !ok || m.Shape != ShapeDot {
		return false
	}
	label := strings.TrimSpace(strings.TrimPrefix(s[size:], "\ufe0f"))
	if label == "" || utf8.RuneCountInString(label) > pillMax || hasMarker([]byte(label)) {
		return false
	}
	block.RemoveChildren(block)
	block.AppendChild(block, &Badge{Marker: m, Pill: true, Label: label})
	return true
}

// split replaces t by text, badge, text, ... keeping t's line break on the
// last piece.
func split(t *ast.Text, src []byte) {
	parent := t.Parent()
	seg := t.Segment
	b := seg.Value(src)
	start := 0
	var pieces []ast.Node
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		m, ok := markers[r]
		if !ok {
			i += size
			continue
		}
		if i > start {
			pieces = append(pieces, ast.NewTextSegment(text.NewSegment(seg.Start+start, seg.Start+i)))
		}
		pieces = append(pieces, &Badge{Marker: m})
		i += size
		if i+3 <= len(b) && string(b[i:i+3]) == "\ufe0f" {
			i += 3 // the emoji presentation selector belongs to the marker
		}
		start = i
	}
	last := ast.NewTextSegment(text.NewSegment(seg.Start+start, seg.Stop))
	last.SetSoftLineBreak(t.SoftLineBreak())
	last.SetHardLineBreak(t.HardLineBreak())
	pieces = append(pieces, last)
	for _, p := range pieces {
		parent.InsertBefore(parent, t, p)
	}
	parent.RemoveChild(parent, t)
}
