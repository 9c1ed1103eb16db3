package printer

import (
	"flag"
	"image"
	"image/color"
	"os"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/onestop-station/onestop/drivers/escpos"
)

var update = flag.Bool("update", false, "rewrite testdata/sample-receipt.png")

const sampleURL = "https://onestop.example.cn/v?事项=办成一件事&编号=A001"

// sampleStream is a kiosk receipt as drivers/escpos encodes it: every
// kind of element the twin draws.
func sampleStream(t testing.TB) []byte {
	t.Helper()
	logo := image.NewGray(image.Rect(0, 0, 96, 24))
	for y := range 24 {
		for x := range 96 {
			logo.SetGray(x, y, color.Gray{Y: uint8(x * 255 / 95)}) // a grey ramp, dithered
		}
	}
	b, err := escpos.NewReceipt().Init().Chinese(true).
		Align(escpos.AlignCenter).Image(logo, escpos.ImageOpts{}).
		Size(2, 2).Bold(true).Line("办成一件事").
		Size(1, 1).Bold(false).Line("OneStop 一站式政务服务").
		Align(escpos.AlignLeft).Line("事项: 个体工商户设立登记").
		Underline(1).Line("编号: A001").Underline(0).
		Align(escpos.AlignRight).Line("2026-03-02 09:00").
		Align(escpos.AlignCenter).QR(sampleURL, escpos.QROpts{ModuleSize: 6}).
		Line("扫码查看办理进度").Feed(2).Cut(escpos.CutPartial).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeQR(t testing.TB, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("gozxing: %v", err)
	}
	return res.GetText()
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if color.GrayModel.Convert(a.At(x, y)) != color.GrayModel.Convert(b.At(x, y)) {
				return false
			}
		}
	}
	return true
}

// The sample receipt renders dot for dot as the one kept in testdata (look
// at it: it is what a receipt from this twin looks like). After a deliberate
// rendering change: go test ./firmware-sim/sim/printer -run Golden -update
func TestSampleReceiptGolden(t *testing.T) {
	tw, _ := newTestTwin(t)
	tw.in.feed(sampleStream(t))
	rs := tw.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts", len(rs))
	}
	const golden = "testdata/sample-receipt.png"
	if *update {
		b, err := os.ReadFile(rs[0].PNG)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !samePixels(readPNG(t, rs[0].PNG), readPNG(t, golden)) {
		t.Errorf("%s differs from %s", rs[0].PNG, golden)
	}
}
