package chart

import (
	"bytes"
	"strconv"

	"github.com/cwreport/cwreport/report/internal/escape"
)

// FontFamily is the font stack charts and pages ask for: the embedded font's
// name first, then the Korean system fonts of common platforms.
const FontFamily = `NanumGothic, "Nanum Gothic", "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", "Noto Sans CJK KR", sans-serif`

// SVG writes d as a standalone SVG element sized W x H that scales down to
// its container. It references nothing outside itself.
func SVG(d *Drawing) []byte {
	var b bytes.Buffer
	b.Grow(4096 + 64*len(d.Items))
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `)
	num(&b, d.W)
	b.WriteByte(' ')
	num(&b, d.H)
	b.WriteString(`" width="`)
	num(&b, d.W)
	b.WriteString(`" height="`)
	num(&b, d.H)
	b.WriteString(`" role="img" aria-label="`)
	b.WriteString(escape.HTML(d.Title, maxTitle))
	b.WriteString(`" font-family="`)
	b.WriteString(escape.HTML(FontFamily, 200))
	b.WriteString(`">`)
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>`)
	for _, it := range d.Items {
		switch v := it.(type) {
		case *Rect:
			b.WriteString(`<rect x="`)
			num(&b, v.X)
			b.WriteString(`" y="`)
			num(&b, v.Y)
			b.WriteString(`" width="`)
			num(&b, v.W)
			b.WriteString(`" height="`)
			num(&b, v.H)
			b.WriteString(`" fill="` + v.Fill.Hex() + `"/>`)
		case *Line:
			if len(v.Points) < 2 {
				continue
			}
			b.WriteString(`<polyline fill="none" stroke="` + v.Color.Hex() + `" stroke-width="`)
			num(&b, v.Width)
			b.WriteString(`" stroke-linejoin="round"`)
			if len(v.Dash) > 0 {
				b.WriteString(` stroke-dasharray="`)
				for i, x := range v.Dash {
					if i > 0 {
						b.WriteByte(' ')
					}
					num(&b, x)
				}
				b.WriteByte('"')
			}
			b.WriteString(` points="`)
			points(&b, v.Points)
			b.WriteString(`"/>`)
		case *Polygon:
			b.WriteString(`<polygon fill="` + v.Fill.Hex() + `" points="`)
			points(&b, v.Points)
			b.WriteString(`"/>`)
		case *Text:
			b.WriteString(`<text x="`)
			num(&b, v.X)
			b.WriteString(`" y="`)
			num(&b, v.Y)
			b.WriteString(`" font-size="`)
			num(&b, v.Size)
			b.WriteString(`" fill="` + v.Color.Hex() + `"`)
			if v.Bold {
				b.WriteString(` font-weight="bold"`)
			}
			switch v.Anchor {
			case AnchorMiddle:
				b.WriteString(` text-anchor="middle"`)
			case AnchorEnd:
				b.WriteString(` text-anchor="end"`)
			}
			b.WriteByte('>')
			b.WriteString(escape.HTML(v.S, len(v.S)+1))
			b.WriteString(`</text>`)
		}
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

func points(b *bytes.Buffer, pts []Point) {
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		num(b, p.X)
		b.WriteByte(',')
		num(b, p.Y)
	}
}

// num writes v with at most two decimals: enough for screen and print,
// and stable across platforms.
func num(b *bytes.Buffer, v float64) {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	b.WriteString(trim(s))
}
