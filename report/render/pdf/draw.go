package pdf

import (
	"github.com/go-pdf/fpdf"

	"github.com/cwreport/cwreport/report/render/chart"
	"github.com/cwreport/cwreport/report/render/internal/fonts"
)

type fpdfPoint = fpdf.PointType

// drawChart draws a laid-out chart with its top-left corner at (x, y),
// s millimetres per chart unit: the same primitives the SVG and PNG draw.
func (w *writer) drawChart(d *chart.Drawing, x, y, s float64) {
	p := w.pdf
	w.fill(chart.White)
	p.SetLineJoinStyle("round")
	for _, it := range d.Items {
		switch v := it.(type) {
		case *chart.Rect:
			w.fill(v.Fill)
			p.Rect(x+v.X*s, y+v.Y*s, v.W*s, v.H*s, "F")
		case *chart.Polygon:
			if len(v.Points) < 3 {
				continue
			}
			w.fill(v.Fill)
			pts := make([]fpdf.PointType, len(v.Points))
			for i, q := range v.Points {
				pts[i] = fpdf.PointType{X: x + q.X*s, Y: y + q.Y*s}
			}
			p.Polygon(pts, "F")
		case *chart.Line:
			if len(v.Points) < 2 {
				continue
			}
			w.draw(v.Color)
			p.SetLineWidth(v.Width * s)
			if len(v.Dash) > 0 {
				dash := make([]float64, len(v.Dash))
				for i, d := range v.Dash {
					dash[i] = d * s
				}
				p.SetDashPattern(dash, 0)
			}
			p.MoveTo(x+v.Points[0].X*s, y+v.Points[0].Y*s)
			for _, q := range v.Points[1:] {
				p.LineTo(x+q.X*s, y+q.Y*s)
			}
			p.DrawPath("D")
			if len(v.Dash) > 0 {
				p.SetDashPattern(nil, 0)
			}
		case *chart.Text:
			size := v.Size * s / ptmm // points
			face, style := fonts.Must(fonts.Regular), ""
			if v.Bold {
				face, style = fonts.Must(fonts.Bold), "B"
			}
			w.font("nanum", style, size, v.Color)
			tx := x + v.X*s
			switch v.Anchor {
			case chart.AnchorMiddle:
				tx -= face.Width(v.S, size*ptmm) / 2
			case chart.AnchorEnd:
				tx -= face.Width(v.S, size*ptmm)
			}
			p.Text(tx, y+v.Y*s, v.S)
		}
	}
}
