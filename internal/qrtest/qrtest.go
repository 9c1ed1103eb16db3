// Package qrtest reads QR codes back from images for tests: a receipt the printer twin rendered,
// a screenshot. It uses gozxing, a decoder none of the code under test shares.
package qrtest

import (
	"fmt"
	"image"
	"image/png"
	"os"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Decode returns the text of the QR code in img.
func Decode(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("qrtest: %w", err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", fmt.Errorf("qrtest: decode: %w", err)
	}
	return res.GetText(), nil
}

// DecodePNG returns the text of the QR code in the PNG file at path.
func DecodePNG(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("qrtest: %w", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return "", fmt.Errorf("qrtest: %s: %w", path, err)
	}
	return Decode(img)
}
