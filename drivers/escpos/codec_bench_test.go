package escpos_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/onestop-station/onestop/drivers/escpos"
)

// The codec work of the kiosk's printer on both sides of the line: encoding an application
// receipt shaped like kiosk/receipt's (GB18030 text in two sizes, a native QR code, a partial
// cut), and taking apart what the printer sends back (testdata/status-near-end.txt: four
// DLE EOT replies, then ASB frames). Compare runs with benchstat (bench/gobench.sh).

const benchProgressURL = "https://zwfw.example.gov.cn/progress?no=SD2026113000012345&t=7f3a9c"

var benchMaterials = []string{
	"居民身份证（电子证照已调取，免提交）",
	"户口簿（电子证照已调取，免提交）",
	"不动产权证书 原件及复印件一份",
	"申请表 Application form, signed",
	"近期一寸免冠彩色照片 两张",
}

func benchReceipt() *escpos.Receipt {
	r := escpos.NewReceipt().Init().Chinese(true).
		Align(escpos.AlignCenter).Bold(true).Line("滕州市政务服务中心").Bold(false).
		Size(2, 2).Bold(true).Line("受理回执").Size(1, 1).Bold(false).Line("Application receipt").
		Align(escpos.AlignLeft).Line(strings.Repeat("-", 48)).
		Line("事项: 不动产登记（首次登记）").Line("申请人: 张*").Line("证件号码: 110***********0011").
		Line("受理编号: SD2026113000012345").Line("提交时间: 2026-11-30 15:20").Line("承诺办结: 2026-12-07").
		Line(strings.Repeat("-", 48)).Line("材料清单 Materials:")
	for i, m := range benchMaterials {
		r.Line(fmt.Sprintf("%d. %s", i+1, m))
	}
	return r.Line(strings.Repeat("-", 48)).Line("请到 3 号窗口等候叫号。").
		Align(escpos.AlignCenter).QR(benchProgressURL, escpos.DefaultQROpts).Line("扫码查询办理进度").
		Feed(3).Cut(escpos.CutPartial)
}

// checkBenchReceipt looks at the encoded receipt where a broken encoder would show: the reset and
// Chinese mode at the start, GB18030 text, the QR commands with their data, the cut.
func checkBenchReceipt(b *testing.B, got []byte) {
	b.Helper()
	title, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("受理回执\n"))
	if err != nil {
		b.Fatal(err)
	}
	n := len(benchProgressURL) + 3
	store := append([]byte{0x1D, '(', 'k', byte(n), byte(n >> 8), '1', 'P', '0'}, benchProgressURL...)
	store = append(store, 0x1D, '(', 'k', 3, 0, '1', 'Q', '0') // and print it
	switch {
	case !bytes.HasPrefix(got, []byte{0x1B, '@', 0x1C, '&'}):
		b.Fatalf("starts % X, want ESC @ FS &", got[:min(4, len(got))])
	case !bytes.Contains(got, title):
		b.Fatal("no GB18030 title line")
	case !bytes.Contains(got, store):
		b.Fatal("no QR store and print commands with the URL")
	case !bytes.HasSuffix(got, []byte{'\n', 0x1B, 'd', 3, 0x1D, 'V', 1}):
		b.Fatalf("ends % X, want a line, feed 3, partial cut", got[max(0, len(got)-8):])
	}
}

func BenchmarkEncodeReceipt(b *testing.B) {
	out, err := benchReceipt().Bytes()
	if err != nil {
		b.Fatal(err)
	}
	checkBenchReceipt(b, out)
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := benchReceipt().Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}

// statusStream is what the printer of testdata/status-near-end.txt sends: the replies to
// DLE EOT 1..4, the ASB frame GS a answers with, and the one it sends when the roll is taken.
var statusStream = []byte{0x12, 0x12, 0x12, 0x1E, 0x10, 0x00, 0x03, 0x00, 0x18, 0x00, 0x0F, 0x00}

// parseStatusStream demuxes the stream and parses each part, as the printer's reader does.
func parseStatusStream(p []byte) (queried escpos.Status, asb []escpos.Status, err error) {
	var d escpos.Demux
	var replies [4]byte
	n := 0
	for _, f := range d.Feed(p) {
		switch f.Kind {
		case escpos.FrameReply:
			if n < len(replies) {
				replies[n] = f.Bytes[0]
			}
			n++
		case escpos.FrameASB:
			st, err := escpos.ParseASB(f.Bytes)
			if err != nil {
				return queried, nil, err
			}
			asb = append(asb, st)
		}
	}
	if n != len(replies) {
		return queried, nil, fmt.Errorf("%d replies, want 4", n)
	}
	queried, err = escpos.ParseReplies(replies)
	return queried, asb, err
}

func BenchmarkParseStatusStream(b *testing.B) {
	queried, asb, err := parseStatusStream(statusStream)
	switch {
	case err != nil:
		b.Fatal(err)
	case queried.Paper() != escpos.PaperLow || !queried.Online:
		b.Fatalf("queried status %v, want online with paper near end", queried)
	case len(asb) != 2 || asb[0].Paper() != escpos.PaperLow || asb[1].Paper() != escpos.PaperEmpty || asb[1].Online:
		b.Fatalf("ASB statuses %v, want near end, then offline with paper out", asb)
	}
	b.SetBytes(int64(len(statusStream)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parseStatusStream(statusStream); err != nil {
			b.Fatal(err)
		}
	}
}
