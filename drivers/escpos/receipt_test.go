package escpos

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustBytes(t *testing.T, r *Receipt) []byte {
	t.Helper()
	b, err := r.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Byte vectors from device-protocols.md 2.1-2.3.
func TestEncoderVectors(t *testing.T) {
	tests := []struct {
		name string
		r    *Receipt
		want string
	}{
		{"init", NewReceipt().Init(), "1B 40"},
		{"chinese on off", NewReceipt().Chinese(true).Chinese(false), "1C 26 1C 2E"},
		{"size 2x2", NewReceipt().Size(2, 2), "1D 21 11"},
		{"size 1x1 and 8x3", NewReceipt().Size(1, 1).Size(8, 3), "1D 21 00 1D 21 72"},
		{"bold", NewReceipt().Bold(true).Bold(false), "1B 45 01 1B 45 00"},
		{"underline", NewReceipt().Underline(2), "1B 2D 02"},
		{"align", NewReceipt().Align(AlignLeft).Align(AlignCenter).Align(AlignRight), "1B 61 00 1B 61 01 1B 61 02"},
		{"feed", NewReceipt().Feed(3), "1B 64 03"},
		{"cut full", NewReceipt().Cut(CutFull), "1D 56 00"},
		{"cut partial", NewReceipt().Cut(CutPartial), "1D 56 01"},
		{"cut after feed", NewReceipt().CutAfterFeed(CutFull, 0).CutAfterFeed(CutPartial, 5), "1D 56 41 00 1D 56 42 05"},
		{"ascii line, no chinese mode", NewReceipt().Line("OK 1"), "4F 4B 20 31 0A"},
		// 办 B0EC 成 B3C9 一 D2BB 件 BCFE 事 CAC2; Chinese mode switched on first.
		{"chinese text", NewReceipt().Text("办成一件事"), "1C 26 B0 EC B3 C9 D2 BB BC FE CA C2"},
		{"chinese mode kept", NewReceipt().Chinese(true).Text("办").Text("事"), "1C 26 B0 EC CA C2"},
		{"init forgets chinese mode", NewReceipt().Chinese(true).Init().Text("办"), "1C 26 1B 40 1C 26 B0 EC"},
		{"4-byte GB18030", NewReceipt().Chinese(true).Text("\U00020000"), "1C 26 95 32 82 36"},
		{"controls cannot inject commands", NewReceipt().Text("a\x1b@\x1d\x56\x00\nb"), "61 20 40 20 56 20 0A 62"},
		{"qr native", NewReceipt().QR("ABC", QROpts{Model: QRModel2, ModuleSize: 6, ErrorLevel: QRLevelM}),
			"1D 28 6B 04 00 31 41 32 00" + "1D 28 6B 03 00 31 43 06" + "1D 28 6B 03 00 31 45 31" +
				"1D 28 6B 06 00 31 50 30 41 42 43" + "1D 28 6B 03 00 31 51 30"},
		{"qr defaults", NewReceipt().QR("1", QROpts{}),
			"1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 06 1D 28 6B 03 00 31 45 31 1D 28 6B 04 00 31 50 30 31 1D 28 6B 03 00 31 51 30"},
		{"qr level H model 1", NewReceipt().QR("1", QROpts{Model: QRModel1, ModuleSize: 3, ErrorLevel: QRLevelH}),
			"1D 28 6B 04 00 31 41 31 00 1D 28 6B 03 00 31 43 03 1D 28 6B 03 00 31 45 33 1D 28 6B 04 00 31 50 30 31 1D 28 6B 03 00 31 51 30"},
	}
	for _, tt := range tests {
		if got, want := mustBytes(t, tt.r), hx(t, tt.want); !bytes.Equal(got, want) {
			t.Errorf("%s: % X\nwant % X", tt.name, got, want)
		}
	}
}

// The store command's length counts data + 3 (pL + 256·pH = k + 3).
func TestQRStoreLength(t *testing.T) {
	data := strings.Repeat("x", 300)
	b := mustBytes(t, NewReceipt().QR(data, QROpts{ModuleSize: 2, ErrorLevel: QRLevelL}))
	i := bytes.Index(b, []byte{0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30})
	if i < 0 || !bytes.Equal(b[i+8:i+8+300], []byte(data)) {
		t.Fatalf("no store command with pL=0x2F pH=0x01 and the data in % X", b[:60])
	}
}

func TestEncoderErrors(t *testing.T) {
	for name, r := range map[string]*Receipt{
		"size 0":        NewReceipt().Size(0, 1),
		"size 9":        NewReceipt().Size(1, 9),
		"underline 3":   NewReceipt().Underline(3),
		"align 3":       NewReceipt().Align(3),
		"feed 256":      NewReceipt().Feed(256),
		"cut 2":         NewReceipt().Cut(2),
		"qr empty":      NewReceipt().QR("", QROpts{}),
		"qr module 17":  NewReceipt().QR("x", QROpts{ModuleSize: 17}),
		"qr level":      NewReceipt().QR("x", QROpts{ErrorLevel: 0x34}),
		"qr model":      NewReceipt().QR("x", QROpts{Model: 0x34}),
		"qr too wide":   NewReceipt().QR(strings.Repeat("长", 200), QROpts{ModuleSize: 8}),
		"qr too long":   NewReceipt().QR(strings.Repeat("x", 4000), QROpts{ModuleSize: 1}),
		"raster too wd": NewReceipt().QRRaster(strings.Repeat("长", 200), QROpts{ModuleSize: 8}),
		"image empty":   NewReceipt().Image(image.NewGray(image.Rect(0, 0, 0, 0)), ImageOpts{}),
	} {
		b, err := r.Line("after").Bytes()
		if err == nil || b != nil || !strings.HasPrefix(err.Error(), "escpos: ") {
			t.Errorf("%s: got % X, %v; want an escpos error", name, b, err)
		}
	}
}

// GS v 0: 1D 76 30 m xL xH yL yH, x in bytes, MSB leftmost, 1 = black.
func TestImageRasterHeader(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 10, 2))
	for x := range 10 {
		img.SetGray(x, 0, color.Gray{Y: 255})
		img.SetGray(x, 1, color.Gray{Y: 255})
	}
	img.SetGray(0, 0, color.Gray{})
	img.SetGray(9, 1, color.Gray{})
	got := mustBytes(t, NewReceipt().Image(img, ImageOpts{Halftone: Threshold}))
	want := hx(t, "1D 76 30 00 02 00 02 00  80 00  00 40")
	if !bytes.Equal(got, want) {
		t.Errorf("% X\nwant % X", got, want)
	}
}

// Tall images go out in bands of rasterBand rows, wide ones are scaled to
// the paper, and dithering a mid grey gives about half the dots.
func TestImageBandsScaleDither(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 1152, 1200))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	b := mustBytes(t, NewReceipt().Image(img, ImageOpts{}))
	headers, black, rows := 0, 0, 0
	for len(b) > 0 {
		if !bytes.Equal(b[:4], []byte{0x1D, 0x76, 0x30, 0}) || int(b[4])|int(b[5])<<8 != 72 {
			t.Fatalf("bad header % X", b[:8])
		}
		n := int(b[6]) | int(b[7])<<8
		rows += n
		for _, d := range b[8 : 8+72*n] {
			for ; d != 0; d &= d - 1 {
				black++
			}
		}
		b = b[8+72*n:]
		headers++
	}
	if rows != 600 || headers != 3 {
		t.Errorf("%d rows in %d bands, want 600 in 3", rows, headers)
	}
	if total := 576 * 600; black < total*4/10 || black > total*6/10 {
		t.Errorf("%d of %d dots black; want about half", black, total)
	}
}

func TestQRRasterIsAnImage(t *testing.T) {
	b := mustBytes(t, NewReceipt().QRRaster("https://example.cn", QROpts{ModuleSize: 4}))
	if !bytes.HasPrefix(b, []byte{0x1D, 0x76, 0x30, 0}) || bytes.Contains(b, []byte{0x1D, 0x28, 0x6B}) {
		t.Errorf("QRRaster gave % X…", b[:8])
	}
}

// failPort fails every write, like a printer unplugged mid-receipt.
type failPort struct{}

func (failPort) Read([]byte) (int, error)           { return 0, nil }
func (failPort) Write([]byte) (int, error)          { return 0, errors.New("input/output error") }
func (failPort) SetReadTimeout(time.Duration) error { return nil }

// Errors say which command failed, never what the receipt says: receipts carry names and ID
// numbers, and errors end up in logs and on staff screens.
func TestErrorsCarryNoReceiptContent(t *testing.T) {
	const name, id = "张三丰", "11010519491231002X"
	personal := "姓名 " + name + " 身份证号 " + id
	old := textEncoding
	t.Cleanup(func() { textEncoding = old })
	textEncoding = charmap.ISO8859_1 // cannot encode Chinese: stands in for any encoding failure

	receipts := map[string]*Receipt{
		"text":          NewReceipt().Init().Line(personal),
		"qr too wide":   NewReceipt().QR(strings.Repeat(personal, 10), QROpts{ModuleSize: 8}),
		"qr too long":   NewReceipt().QR(strings.Repeat(id, 300), QROpts{ModuleSize: 1}),
		"raster too wd": NewReceipt().QRRaster(strings.Repeat(personal, 10), QROpts{ModuleSize: 8}),
	}
	var errs []error
	for what, r := range receipts {
		_, err := r.Bytes()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		errs = append(errs, err)
		p := New(failPort{}, Opts{Timeout: time.Second})
		errs = append(errs, p.Print(context.Background(), r))
		p.Close()
	}
	textEncoding = old
	p := New(failPort{}, Opts{Timeout: time.Second})
	defer p.Close()
	errs = append(errs, p.Print(context.Background(), NewReceipt().Line(personal).QR(id, QROpts{})))

	for _, err := range errs {
		if err == nil {
			t.Fatal("a failing print returned no error")
		}
		for _, s := range []string{name, id, id[:6], id[len(id)-4:]} {
			if strings.Contains(err.Error(), s) || strings.Contains(fmt.Sprintf("%+v", err), s) {
				t.Errorf("error %q contains %q", err, s)
			}
		}
	}
}
