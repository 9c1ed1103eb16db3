package report

import (
	"math"

	"github.com/go-pdf/fpdf"
)

const (
	chartW, chartH = 87.0, 46.0
	chartGap       = 6.0
)

// charts draws each chart two to a row.
func charts(pdf *fpdf.Fpdf, r Report) {
	if len(r.Charts) == 0 {
		return
	}
	pdf.SetFont(fontName, "", 11)
	newPageIfShort(pdf, 7+chartH)
	pdf.CellFormat(bodyW, 7, "曲线 Charts", "", 1, "L", false, 0, "")
	for i := 0; i < len(r.Charts); i += 2 {
		newPageIfShort(pdf, chartH+2)
		y := pdf.GetY()
		chart(pdf, r.Charts[i], margin, y)
		if i+1 < len(r.Charts) {
			chart(pdf, r.Charts[i+1], margin+chartW+chartGap, y)
		}
		pdf.SetXY(margin, y+chartH+3)
	}
}

// chart draws one series in a chartW × chartH box at x, y: title, y range, time span, and the
// limit as a dashed red line.
func chart(pdf *fpdf.Fpdf, c Chart, x, y float64) {
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.2)
	pdf.Rect(x, y, chartW, chartH, "D")
	pdf.SetFont(fontName, "", 7.5)
	pdf.SetXY(x+1, y+0.5)
	pdf.CellFormat(chartW-2, 4, fit(pdf, c.Title.Zh+" "+c.Title.En+" ("+c.Unit+")", chartW-2), "", 0, "L", false, 0, "")
	// plot area
	px, py, pw, ph := x+14, y+6, chartW-17, chartH-13
	pdf.SetDrawColor(120, 120, 120)
	pdf.Line(px, py, px, py+ph)
	pdf.Line(px, py+ph, px+pw, py+ph)
	if len(c.Vals) == 0 {
		pdf.SetXY(px, py+ph/2-2)
		pdf.CellFormat(pw, 4, "无数据 / no data", "", 0, "C", false, 0, "")
		pdf.SetDrawColor(0, 0, 0)
		return
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range c.Vals {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if c.Limit != nil {
		lo, hi = math.Min(lo, *c.Limit), math.Max(hi, *c.Limit)
	}
	if hi-lo < 1e-9 {
		lo, hi = lo-1, hi+1
	}
	pad := (hi - lo) * 0.05
	lo, hi = lo-pad, hi+pad
	t0, t1 := c.Times[0], c.Times[len(c.Times)-1]
	span := t1.Sub(t0).Seconds()
	if span <= 0 {
		span = 1
	}
	X := func(i int) float64 { return px + pw*c.Times[i].Sub(t0).Seconds()/span }
	Y := func(v float64) float64 { return py + ph - ph*(v-lo)/(hi-lo) }

	pdf.SetFont(fontName, "", 6)
	for _, v := range []float64{lo + pad, hi - pad} {
		pdf.SetXY(x+0.5, Y(v)-1.5)
		pdf.CellFormat(13, 3, num(v), "", 0, "R", false, 0, "")
		pdf.Line(px-1, Y(v), px, Y(v))
	}
	pdf.SetXY(px, py+ph+0.5)
	pdf.CellFormat(pw/2, 3, t0.Format("15:04:05"), "", 0, "L", false, 0, "")
	pdf.CellFormat(pw/2, 3, t1.Format("15:04:05"), "", 0, "R", false, 0, "")
	pdf.SetXY(px, py+ph+3.5)
	pdf.CellFormat(pw, 3, "时间 Time", "", 0, "C", false, 0, "")

	if c.Limit != nil {
		pdf.SetDrawColor(200, 0, 0)
		pdf.SetDashPattern([]float64{1.2, 0.8}, 0)
		pdf.Line(px, Y(*c.Limit), px+pw, Y(*c.Limit))
		pdf.SetDashPattern(nil, 0)
	}
	pdf.SetDrawColor(0, 60, 160)
	pdf.SetLineWidth(0.35)
	for i := 1; i < len(c.Vals); i++ {
		pdf.Line(X(i-1), Y(c.Vals[i-1]), X(i), Y(c.Vals[i]))
	}
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.2)
}
