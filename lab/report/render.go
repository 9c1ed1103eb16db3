package report

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
)

// Opts are the choices of Render that are not part of the report's content.
type Opts struct {
	Font       string // single-face TTF with Latin and CJK glyphs; "" for DefaultFont
	VerifyBase string // e.g. "https://lab.example.cn"; the QR code carries VerifyBase/verify/<no>?h=<hash>
}

// keywordPrefix marks the report number in the PDF Info dictionary, where Sign finds it.
const keywordPrefix = "onestop-report-no "

// A4 page geometry, mm.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	topY         = 20.0 // below the running header
	bottomM      = 18.0 // above the running footer
	bodyW        = pageW - 2*margin
	lineH        = 4.6
	fontName     = "body"
)

// Render lays the report out as a PDF.
func Render(r Report, opts Opts) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	font, err := loadFont(opts.Font)
	if err != nil {
		return nil, err
	}
	url, err := r.VerifyURL(opts.VerifyBase)
	if err != nil {
		return nil, err
	}
	qr, err := qrcode.Encode(url, qrcode.Medium, 256)
	if err != nil {
		return nil, fmt.Errorf("report %s: QR code: %w", r.Number, err)
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(fontName, "", font)
	pdf.SetMargins(margin, topY, margin)
	pdf.SetAutoPageBreak(true, bottomM)
	pdf.AliasNbPages("{nb}")
	// The same report gives the same bytes: dates from the report, not the clock.
	pdf.SetCreationDate(r.Issued)
	pdf.SetModificationDate(r.Issued)
	pdf.SetCatalogSort(true)
	pdf.SetTitle("检测报告 Test Report "+r.Number, true)
	pdf.SetAuthor(r.Lab.Name.Zh+" "+r.Lab.Name.En, true)
	pdf.SetCreator("onestop lab/report", false)
	pdf.SetKeywords(keywordPrefix+r.Number, false)
	pdf.SetHeaderFunc(func() { header(pdf, r) })
	pdf.SetFooterFunc(func() { footer(pdf, r) })
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qr))

	pdf.AddPage()
	pdf.ImageOptions("qr", pageW-margin-28, topY+1, 28, 28, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetFont(fontName, "", 18)
	pdf.CellFormat(bodyW-30, 10, "检测报告", "", 1, "C", false, 0, "")
	pdf.SetFont(fontName, "", 12)
	pdf.CellFormat(bodyW-30, 7, "Test Report", "", 1, "C", false, 0, "")
	pdf.SetFont(fontName, "", 8)
	pdf.CellFormat(bodyW-30, 5, "扫码验证 Scan to verify: "+url, "", 1, "C", false, 0, "")
	pdf.Ln(6)

	info(pdf, r)
	results(pdf, r)
	charts(pdf, r)
	closing(pdf, r)

	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("report %s: pdf: %w", r.Number, err)
	}
	return out.Bytes(), nil
}

func header(pdf *fpdf.Fpdf, r Report) {
	pdf.SetFont(fontName, "", 8)
	pdf.SetXY(margin, 8)
	pdf.CellFormat(bodyW/2, 4, r.Lab.Name.Zh, "", 2, "L", false, 0, "")
	pdf.CellFormat(bodyW/2, 4, r.Lab.Name.En, "", 0, "L", false, 0, "")
	pdf.SetXY(margin+bodyW/2, 8)
	pdf.CellFormat(bodyW/2, 8, "报告编号 Report No.: "+r.Number, "", 0, "R", false, 0, "")
	pdf.SetLineWidth(0.3)
	pdf.Line(margin, 16.5, pageW-margin, 16.5)
	pdf.SetXY(margin, topY)
}

func footer(pdf *fpdf.Fpdf, r Report) {
	pdf.SetFont(fontName, "", 8)
	pdf.SetLineWidth(0.2)
	pdf.Line(margin, pageH-14, pageW-margin, pageH-14)
	pdf.SetXY(margin, pageH-13)
	n := pdf.PageNo()
	pdf.CellFormat(bodyW/2, 5, "报告编号 Report No.: "+r.Number, "", 0, "L", false, 0, "")
	pdf.CellFormat(bodyW/2, 5, fmt.Sprintf("第 %d 页 共 {nb} 页 / Page %d of {nb}", n, n), "", 0, "R", false, 0, "")
}

func date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02")
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "无 / None"
	}
	return strings.Join(s, "\n")
}

func both(b Bilingual) string {
	switch {
	case b.Zh == "":
		return b.En
	case b.En == "":
		return b.Zh
	}
	return b.Zh + " / " + b.En
}

// info prints the §7.8.2.1 items other than results as label/value rows.
func info(pdf *fpdf.Fpdf, r Report) {
	var methods []string
	for _, m := range r.Methods {
		s := m.Code
		if m.Edition != "" {
			s += "-" + m.Edition
		}
		if t := both(m.Title); t != "" {
			s += " " + t
		}
		methods = append(methods, s)
	}
	tested := date(r.Tested[0])
	if !r.Tested[1].IsZero() && !r.Tested[1].Equal(r.Tested[0]) {
		tested += " – " + date(r.Tested[1])
	}
	cust := r.Customer.Name + "\n统一社会信用代码 USCC: " + r.Customer.USCC
	if r.Customer.Contact != "" {
		cust += "\n联系方式 Contact: " + r.Customer.Contact
	}
	sample := "样品编号 Sample ID: " + r.Sample.ID + "\n" + r.Sample.Description
	if r.Sample.Condition != "" {
		sample += "\n状态 Condition: " + r.Sample.Condition
	}
	sampling := both(r.Sampling)
	if sampling == "" {
		sampling = "样品由委托方提供，实验室未抽样 / Sample supplied by the customer; not sampled by the laboratory"
	}
	rows := [][2]string{
		{"报告编号\nReport No.", r.Number},
		{"检测实验室\nLaboratory", both(r.Lab.Name) + "\n" + r.Lab.Address},
		{"检测地点\nLocation of testing", r.Location},
		{"委托方\nCustomer", cust},
		{"检测类别\nType of test", both(r.Mode)},
		{"检测方法\nMethod", strings.Join(methods, "\n")},
		{"样品\nTest item", sample},
		{"抽样\nSampling", sampling},
		{"收样日期\nDate of receipt", date(r.Sample.Received)},
		{"检测日期\nDate(s) of testing", tested},
		{"签发日期\nDate of issue", date(r.Issued)},
		{"判定规则\nDecision rule", r.Rule.Statement("zh") + "\n" + r.Rule.Statement("en")},
		{"偏离\nDeviations", orNone(r.Deviations)},
		{"外部提供的结果\nExternal results", orNone(r.External)},
		{"总体结论\nOverall verdict", outcomeText(r.Overall)},
	}
	pdf.SetLineWidth(0.2)
	for _, row := range rows {
		labelRow(pdf, row[0], row[1])
	}
	pdf.Ln(4)
}

// labelRow prints a bordered row: a label cell and a wrapped value cell of the same height.
func labelRow(pdf *fpdf.Fpdf, label, value string) {
	const lw = 38.0
	pdf.SetFont(fontName, "", 9)
	ll := wrap(pdf, label, lw-2)
	vl := wrap(pdf, value, bodyW-lw-2)
	h := float64(max(len(ll), len(vl)))*lineH + 1
	newPageIfShort(pdf, h)
	x, y := pdf.GetX(), pdf.GetY()
	pdf.Rect(x, y, lw, h, "D")
	pdf.Rect(x+lw, y, bodyW-lw, h, "D")
	lines(pdf, x+1, y+0.5, ll)
	lines(pdf, x+lw+1, y+0.5, vl)
	pdf.SetXY(x, y+h)
}

func lines(pdf *fpdf.Fpdf, x, y float64, ls []string) {
	for i, l := range ls {
		pdf.SetXY(x, y+float64(i)*lineH)
		pdf.CellFormat(0, lineH, l, "", 0, "L", false, 0, "")
	}
}

// newPageIfShort starts a page when fewer than h mm are left above the footer.
func newPageIfShort(pdf *fpdf.Fpdf, h float64) bool {
	if pdf.GetY()+h > pageH-bottomM {
		pdf.AddPage()
		return true
	}
	return false
}

// wrap splits s at newlines and then to lines no wider than w mm, preferring a space for a break.
func wrap(pdf *fpdf.Fpdf, s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		rs := []rune(para)
		for len(rs) > 0 {
			n := len(rs)
			for n > 1 && pdf.GetStringWidth(string(rs[:n])) > w {
				n--
			}
			if n < len(rs) {
				if sp := strings.LastIndex(string(rs[:n]), " "); sp > 0 {
					if k := len([]rune(string(rs[:n])[:sp])); k > n/2 {
						n = k + 1
					}
				}
			}
			out = append(out, strings.TrimRight(string(rs[:n]), " "))
			rs = rs[n:]
		}
		if len(para) == 0 {
			out = append(out, "")
		}
	}
	return out
}

// fit cuts s to w mm, ending it with "…" when cut.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && pdf.GetStringWidth(string(rs)+"…") > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64)
}
