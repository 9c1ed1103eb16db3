package idcard

import (
	"errors"
	"image"
)

// Photo facts (reference 1.5): WLT is a proprietary compressed format that decodes to a
// 102×126 24-bit bitmap; no open-source decoder is known.
const (
	PhotoLen    = 1024
	PhotoWidth  = 102
	PhotoHeight = 126
)

// PhotoDecoder turns the 1024-byte WLT blob into an image. None ships: decoding needs the
// reader vendor's library (WltRS.dll, libwlt2bmp.so …), through cgo or a sidecar process, and
// its licence. Implement it beside that library and pass it to Card.DecodePhoto.
type PhotoDecoder interface {
	Decode(wlt []byte) (image.Image, error)
}

// Photo errors.
var (
	ErrNoPhotoDecoder = errors.New("idcard: no photo decoder (WLT needs the vendor library)")
	ErrNoPhoto        = errors.New("idcard: the card has no photo")
)

// DecodePhoto decodes the card's WLT photo with d.
func (c *Card) DecodePhoto(d PhotoDecoder) (image.Image, error) {
	if d == nil {
		return nil, ErrNoPhotoDecoder
	}
	if c.Photo.Len() == 0 {
		return nil, ErrNoPhoto
	}
	return d.Decode(c.Photo.Reveal())
}
