package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"github.com/cwreport/cwreport/report/render/internal/fonts"
)

// PNGScale is the pixel density of chart pictures: two pixels per unit, so
// a 720-unit chart is 1440 pixels wide and stays sharp on high-density
// screens and when an email client scales it.
const PNGScale = 2

// PNG rasterizes d at scale pixels per unit. Text uses the embedded Nanum
// Gothic, so Korean labels draw as they do in the PDF.
func PNG(d *Drawing, scale float64) ([]byte, error) {
	w, h := int(math.Ceil(d.W*scale)), int(math.Ceil(d.H*scale))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	r := &raster{img: img, s: scale, faces: map[faceKey]font.Face{}}
	defer r.close()
	for _, it := range d.Items {
		switch v := it.(type) {
		case *Rect:
			r.fill([]Point{{v.X, v.Y}, {v.X + v.W, v.Y}, {v.X + v.W, v.Y + v.H}, {v.X, v.Y + v.H}}, v.Fill)
		case *Polygon:
			r.fill(v.Points, v.Fill)
		case *Line:
			r.stroke(v)
		case *Text:
			if err := r.text(v); err != nil {
				return nil, fmt.Errorf("draw chart %s: %w", d.ID, err)
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, paletted(img, d)); err != nil {
		return nil, fmt.Errorf("encode chart %s as PNG: %w", d.ID, err)
	}
	return buf.Bytes(), nil
}

type faceKey struct {
	size float64
	bold bool
}

type raster struct {
	img   *image.RGBA
	s     float64
	z     vector.Rasterizer
	faces map[faceKey]font.Face
}

func (r *raster) close() {
	for _, f := range r.faces {
		f.Close()
	}
}

func rgba(c Color) *image.Uniform { return image.NewUniform(color.RGBA{c.R, c.G, c.B, 255}) }

// fill paints one closed polygon, rasterizing only its bounding box.
func (r *raster) fill(pts []Point, c Color) {
	r.fillMany([][]Point{pts}, c)
}

// fillMany paints polygons of one colour in one pass over their joint
// bounding box.
func (r *raster) fillMany(polys [][]Point, c Color) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, pts := range polys {
		for _, p := range pts {
			minX, minY = math.Min(minX, p.X*r.s), math.Min(minY, p.Y*r.s)
			maxX, maxY = math.Max(maxX, p.X*r.s), math.Max(maxY, p.Y*r.s)
		}
	}
	b := r.img.Bounds()
	x0, y0 := max(int(math.Floor(minX)), b.Min.X), max(int(math.Floor(minY)), b.Min.Y)
	x1, y1 := min(int(math.Ceil(maxX))+1, b.Max.X), min(int(math.Ceil(maxY))+1, b.Max.Y)
	if x1 <= x0 || y1 <= y0 {
		return
	}
	r.z.Reset(x1-x0, y1-y0)
	for _, pts := range polys {
		if len(pts) < 3 {
			continue
		}
		r.z.MoveTo(float32(pts[0].X*r.s-float64(x0)), float32(pts[0].Y*r.s-float64(y0)))
		for _, p := range pts[1:] {
			r.z.LineTo(float32(p.X*r.s-float64(x0)), float32(p.Y*r.s-float64(y0)))
		}
		r.z.ClosePath()
	}
	r.z.Draw(r.img, image.Rect(x0, y0, x1, y1), rgba(c), image.Point{})
}

// stroke paints a polyline as one quadrilateral per (dashed) segment. All
// quads turn the same way, so where they overlap at joints coverage adds up
// instead of cancelling.
func (r *raster) stroke(l *Line) {
	half := l.Width / 2
	var quads [][]Point
	seg := func(a, b Point) {
		dx, dy := b.X-a.X, b.Y-a.Y
		n := math.Hypot(dx, dy)
		if n == 0 {
			return
		}
		// Extend each end by half the width: square caps close the joints.
		ex, ey := dx/n*half, dy/n*half
		nx, ny := -dy/n*half, dx/n*half
		a = Point{a.X - ex, a.Y - ey}
		b = Point{b.X + ex, b.Y + ey}
		if len(l.Dash) > 0 {
			a = Point{a.X + ex, a.Y + ey} // dashes keep their exact length
			b = Point{b.X - ex, b.Y - ey}
		}
		quads = append(quads, []Point{{a.X + nx, a.Y + ny}, {b.X + nx, b.Y + ny}, {b.X - nx, b.Y - ny}, {a.X - nx, a.Y - ny}})
	}
	if len(l.Dash) == 0 {
		for i := 1; i < len(l.Points); i++ {
			seg(l.Points[i-1], l.Points[i])
		}
	} else {
		dashes(l.Points, l.Dash, seg)
	}
	if len(quads) > 0 {
		r.fillMany(quads, l.Color)
	}
}

// dashes calls seg for each drawn piece of a dashed polyline.
func dashes(pts []Point, pattern []float64, seg func(a, b Point)) {
	total := 0.0
	for _, d := range pattern {
		total += d
	}
	if total <= 0 {
		for i := 1; i < len(pts); i++ {
			seg(pts[i-1], pts[i])
		}
		return
	}
	idx, left, on := 0, pattern[0], true
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		length := math.Hypot(b.X-a.X, b.Y-a.Y)
		pos := 0.0
		for pos < length {
			step := math.Min(left, length-pos)
			if on {
				t0, t1 := pos/length, (pos+step)/length
				seg(Point{a.X + (b.X-a.X)*t0, a.Y + (b.Y-a.Y)*t0}, Point{a.X + (b.X-a.X)*t1, a.Y + (b.Y-a.Y)*t1})
			}
			pos += step
			left -= step
			if left <= 1e-9 {
				idx = (idx + 1) % len(pattern)
				left = pattern[idx]
				on = !on
			}
		}
	}
}

func (r *raster) text(t *Text) error {
	key := faceKey{t.Size * r.s, t.Bold}
	face, ok := r.faces[key]
	if !ok {
		style := fonts.Regular
		if t.Bold {
			style = fonts.Bold
		}
		f, err := fonts.Get(style)
		if err != nil {
			return err
		}
		face, err = opentype.NewFace(f.Font, &opentype.FaceOptions{Size: key.size, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return fmt.Errorf("make font face: %w", err)
		}
		r.faces[key] = face
	}
	dr := &font.Drawer{Dst: r.img, Src: rgba(t.Color), Face: face}
	x := t.X * r.s
	switch t.Anchor {
	case AnchorMiddle:
		x -= float64(dr.MeasureString(t.S)) / 64 / 2
	case AnchorEnd:
		x -= float64(dr.MeasureString(t.S)) / 64
	}
	dr.Dot = fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(t.Y * r.s * 64)}
	dr.DrawString(t.S)
	return nil
}

// blendLevels is how many shades between white and each drawing colour the
// palette holds: enough for smooth anti-aliased edges and text.
const blendLevels = 14

// paletted converts the rendered chart to at most 256 colours: white, and
// each colour the drawing uses blended towards white in blendLevels steps.
// Charts are flat colours on white, so nothing visible is lost, the file is
// a third of the size, and PNG encoding (which skips row filters for
// paletted images) is several times faster.
func paletted(img *image.RGBA, d *Drawing) *image.Paletted {
	var base []Color
	seen := map[Color]bool{White: true}
	addColor := func(c Color) {
		if !seen[c] {
			seen[c] = true
			base = append(base, c)
		}
	}
	for _, c := range []Color{Ink, Muted, Grid, Axis} {
		addColor(c)
	}
	for _, it := range d.Items {
		switch v := it.(type) {
		case *Rect:
			addColor(v.Fill)
		case *Polygon:
			addColor(v.Fill)
		case *Line:
			addColor(v.Color)
		case *Text:
			addColor(v.Color)
		}
	}
	levels := blendLevels
	for len(base)*levels+1 > 256 && levels > 2 {
		levels--
	}
	if len(base) > 255/levels {
		base = base[:255/levels]
	}
	pal := color.Palette{color.RGBA{255, 255, 255, 255}}
	for _, c := range base {
		for k := 1; k <= levels; k++ {
			t := float64(k) / float64(levels)
			mix := func(v uint8) uint8 { return uint8(math.Round(255 + (float64(v)-255)*t)) }
			pal = append(pal, color.RGBA{mix(c.R), mix(c.G), mix(c.B), 255})
		}
	}
	out := image.NewPaletted(img.Bounds(), pal)
	cache := map[uint32]uint8{0xffffff: 0}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[(y-b.Min.Y)*img.Stride:]
		orow := out.Pix[(y-b.Min.Y)*out.Stride:]
		for x := 0; x < b.Dx(); x++ {
			r, g, bl := row[4*x], row[4*x+1], row[4*x+2]
			if r&g&bl == 255 {
				orow[x] = 0 // white, most of the picture
				continue
			}
			key := uint32(r)<<16 | uint32(g)<<8 | uint32(bl)
			idx, ok := cache[key]
			if !ok {
				idx = uint8(pal.Index(color.RGBA{r, g, bl, 255}))
				cache[key] = idx
			}
			orow[x] = idx
		}
	}
	return out
}
