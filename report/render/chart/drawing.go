// Package chart lays out the charts of the report model once, as a list of
// drawing primitives in an abstract unit (one unit = one CSS pixel), and
// draws that list as SVG (for HTML) and PNG (for email and Slack); the PDF
// renderer draws the same list as vectors. Because every format draws the
// same primitives at the same coordinates, the three pictures agree.
package chart

import "fmt"

// Color is an opaque RGB colour.
type Color struct{ R, G, B uint8 }

// Hex is the colour as #rrggbb.
func (c Color) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// Point is a position in drawing units, y growing downwards.
type Point struct{ X, Y float64 }

// Anchor says where a text's X lies: at its start, middle or end.
type Anchor int

// Text anchors.
const (
	AnchorStart Anchor = iota
	AnchorMiddle
	AnchorEnd
)

// Item is one primitive: *Line, *Rect, *Polygon or *Text.
type Item interface{ item() }

// Line is an open polyline stroked with Color at Width; Dash, when set,
// alternates drawn and skipped lengths.
type Line struct {
	Points []Point
	Color  Color
	Width  float64
	Dash   []float64
}

// Rect is a filled axis-aligned rectangle.
type Rect struct {
	X, Y, W, H float64
	Fill       Color
}

// Polygon is a filled closed shape (gauge arcs, dots).
type Polygon struct {
	Points []Point
	Fill   Color
}

// Text is one line of text; (X, Y) is on its baseline. Text has already
// been cleaned and reduced to runes the embedded font has.
type Text struct {
	X, Y   float64
	S      string
	Size   float64
	Bold   bool
	Anchor Anchor
	Color  Color
}

func (*Line) item()    {}
func (*Rect) item()    {}
func (*Polygon) item() {}
func (*Text) item()    {}

// Drawing is a laid-out chart: W x H units of primitives, painted in order
// on a white background.
type Drawing struct {
	ID    string
	Title string
	W, H  float64
	Items []Item
}

func (d *Drawing) add(it Item) { d.Items = append(d.Items, it) }

func (d *Drawing) line(c Color, w float64, dash []float64, pts ...Point) {
	d.add(&Line{Points: pts, Color: c, Width: w, Dash: dash})
}

func (d *Drawing) rect(x, y, w, h float64, c Color) {
	if w <= 0 || h <= 0 {
		return
	}
	d.add(&Rect{X: x, Y: y, W: w, H: h, Fill: c})
}

func (d *Drawing) text(x, y float64, s string, size float64, bold bool, a Anchor, c Color) {
	if s == "" {
		return
	}
	d.add(&Text{X: x, Y: y, S: s, Size: size, Bold: bold, Anchor: a, Color: c})
}

// The palette: dark text on white, muted grid, and series colours that
// stay apart in greyscale print.
var (
	White  = Color{255, 255, 255}
	Ink    = Color{0x21, 0x25, 0x29}
	Muted  = Color{0x5f, 0x67, 0x70}
	Grid   = Color{0xe3, 0xe6, 0xea}
	Axis   = Color{0x9a, 0xa1, 0xa9}
	Track  = Color{0xec, 0xee, 0xf1}
	Red    = Color{0xc6, 0x28, 0x28}
	Orange = Color{0xe6, 0x5c, 0x00}
	Amber  = Color{0xf2, 0xa9, 0x00}
	Green  = Color{0x2e, 0x7d, 0x32}
	Blue   = Color{0x15, 0x65, 0xc0}
	Grey   = Color{0x9e, 0x9e, 0x9e}
	Purple = Color{0x6a, 0x1b, 0x9a}

	// Series colours, in order of the series in a chart.
	Series = []Color{
		{0x15, 0x65, 0xc0}, {0xe6, 0x5c, 0x00}, {0x2e, 0x7d, 0x32}, {0x6a, 0x1b, 0x9a},
		{0x00, 0x83, 0x8f}, {0xad, 0x14, 0x57}, {0x5d, 0x40, 0x37}, {0x54, 0x6e, 0x7a},
	}
)
