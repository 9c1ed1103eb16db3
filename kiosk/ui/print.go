package ui

import (
	"bytes"
	"context"
	"errors"
	"image/png"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/kiosk/backend"
	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/i18n"
	"github.com/onestop-station/onestop/kiosk/receipt"
)

// errNoPrinter: the kiosk runs without a printer; the receipt stays on screen.
var errNoPrinter = errors.New("no printer")

// print builds the visit's receipt (names and numbers masked by kiosk/receipt) and prints it.
func (k *Kiosk) print(ctx context.Context, v *flow.Visit, r backend.Receipt) error {
	if k.o.Devices == nil || !k.o.Devices.Present("printer") {
		return errNoPrinter
	}
	in := receipt.Input{
		Lang: string(v.Lang), Center: k.o.Center, Terminal: k.o.Terminal,
		ItemName: v.Item.Name.In(string(v.Lang)), ItemNameZh: v.Item.Name.Hans,
		ApplicantName: v.Applicant.Name, ApplicantID: v.Applicant.IDNumber,
		Tracking: r.Tracking, SubmittedAt: r.SubmittedAt, PromisedBy: r.PromisedBy, ProgressURL: r.ProgressURL,
		Pending: r.Pending, SendBy: r.SendBy, AppRef: shortRef(r.ApplicationID),
	}
	for _, m := range v.Materials {
		line := receipt.Line{Name: m.Name.In(string(v.Lang)), Covered: m.Covered, Source: m.Source}
		if !m.Covered {
			line.Bring = m.Provide.In(string(v.Lang))
		}
		in.Materials = append(in.Materials, line)
	}
	if v.Ticket != nil {
		in.Ticket = v.Ticket.Number
		in.NextSteps = append(in.NextSteps, i18n.T(v.Lang, "receipt.window", v.Ticket.Window))
	}
	rc, err := receipt.Build(in)
	if err != nil {
		return err
	}
	return k.o.Devices.Print(ctx, rc)
}

// testPrint prints a short page for the admin screen.
func (k *Kiosk) testPrint(ctx context.Context) error {
	if k.o.Devices == nil {
		return errNoPrinter
	}
	r := escpos.NewReceipt().Init().Chinese(true).Align(escpos.AlignCenter).
		Line(k.o.Center).Line("自助终端测试页 Test page").Line(k.o.Terminal+" "+k.o.Version).
		Line(k.now().Format("2006-01-02 15:04:05")).CutAfterFeed(escpos.CutPartial, 3)
	return k.o.Devices.Print(ctx, r)
}

// qrImage draws content as a QR code of side size (dp); nil if it cannot be encoded.
func qrImage(content string, size float32) fyne.CanvasObject {
	b, err := qrcode.Encode(content, qrcode.Medium, 512)
	if err != nil {
		return nil
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		return nil
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource("progress-qr.png", b))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	img.SetMinSize(fyne.NewSize(size, size))
	return img
}
