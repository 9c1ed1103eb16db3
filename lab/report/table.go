package report

import (
	"github.com/go-pdf/fpdf"
	"github.com/onestop-station/onestop/lab/verdict"
)

// result table columns: title, clause, result, limit, U, outcome (mm, summing to bodyW).
var (
	colW    = [...]float64{52, 30, 24, 34, 16, 24}
	colHead = [...]string{"检测项目\nItem", "条款\nClause", "结果\nResult", "限值\nLimit", "U (k=2)", "判定\nVerdict"}
)

func outcomeText(o verdict.Outcome) string {
	if !o.Valid() {
		return "— / not evaluated"
	}
	return o.Text("zh") + " / " + o.Text("en")
}

// results prints the results table (§7.8.2.1 m), repeating its head on each new page.
func results(pdf *fpdf.Fpdf, r Report) {
	pdf.SetFont(fontName, "", 11)
	newPageIfShort(pdf, 30)
	pdf.CellFormat(bodyW, 7, "检测结果 Results", "", 1, "L", false, 0, "")
	tableRow(pdf, colHead[:], true)
	for _, l := range r.Lines {
		u := "—"
		if l.U > 0 {
			u = num(l.U) + " " + l.Unit
		}
		cells := []string{
			l.Item + "\n" + l.Title.Zh + "\n" + l.Title.En,
			l.Clause,
			num(l.Value) + " " + l.Unit,
			l.LimitText,
			u,
			l.Outcome.Text("zh") + "\n" + l.Outcome.Text("en"),
		}
		if !l.Outcome.Valid() {
			cells[5] = "—"
		}
		if l.Problem != "" {
			cells[2], cells[4], cells[5] = "—", "—", "未评定\nnot evaluated"
		}
		tableRow(pdf, cells, false)
	}
	pdf.SetFont(fontName, "", 8)
	pdf.MultiCell(bodyW, 4, "U：扩展不确定度，包含因子 k = 2，包含概率约 95 %。 U: expanded uncertainty, coverage factor k = 2, coverage probability about 95 %.", "", "L", false)
	pdf.Ln(3)
}

func tableRow(pdf *fpdf.Fpdf, cells []string, head bool) {
	pdf.SetFont(fontName, "", 8)
	const lh = 3.8
	var ls [len(colW)][]string
	n := 1
	for i, c := range cells {
		ls[i] = wrap(pdf, c, colW[i]-2)
		n = max(n, len(ls[i]))
	}
	h := float64(n)*lh + 1.2
	if newPageIfShort(pdf, h) && !head {
		tableRow(pdf, colHead[:], true)
		pdf.SetFont(fontName, "", 8)
	}
	x, y := pdf.GetX(), pdf.GetY()
	if head {
		pdf.SetFillColor(230, 230, 230)
	}
	for i := range cells {
		style := "D"
		if head {
			style = "FD"
		}
		pdf.Rect(x, y, colW[i], h, style)
		for j, l := range ls[i] {
			pdf.SetXY(x+1, y+0.6+float64(j)*lh)
			pdf.CellFormat(colW[i]-2, lh, l, "", 0, "L", false, 0, "")
		}
		x += colW[i]
	}
	pdf.SetXY(margin, y+h)
}

// closing prints the statements, the authorisation and the end mark.
func closing(pdf *fpdf.Fpdf, r Report) {
	newPageIfShort(pdf, 50)
	pdf.SetFont(fontName, "", 9)
	for _, s := range []string{
		"声明：检测结果仅对所检样品有效。未经本实验室书面批准，不得部分复制本报告。",
		"Statement: the results relate only to the items tested. This report shall not be reproduced except in full without the written approval of the laboratory.",
	} {
		pdf.MultiCell(bodyW, lineH, s, "", "L", false)
	}
	pdf.Ln(3)
	released := "—"
	if !r.Auth.Released.IsZero() {
		released = r.Auth.Released.Format("2006-01-02 15:04:05 -07:00")
	}
	labelRow(pdf, "检测\nTested by", r.Auth.Operator)
	labelRow(pdf, "审核批准\nReviewed and authorised by", r.Auth.Reviewer)
	labelRow(pdf, "签发时间\nReleased at", released)
	pdf.Ln(2)
	pdf.SetFont(fontName, "", 8)
	pdf.MultiCell(bodyW, 4, "本报告由实验室以 Ed25519 电子签名；扫描二维码或访问验证地址核验真伪。 This report is signed by the laboratory with Ed25519; scan the QR code or open the verification URL to check it.", "", "L", false)
	pdf.Ln(3)
	pdf.SetFont(fontName, "", 10)
	pdf.CellFormat(bodyW, 6, "—— 报告结束 / End of report ——", "", 1, "C", false, 0, "")
}
