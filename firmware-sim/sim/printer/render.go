package printer

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
)

// Width is the printable width of an 80 mm head at 203 dpi, in dots.
const Width = 576

// sheet is one receipt being printed: dots (0 paper, 1 black), Width a
// row, growing downwards as the paper feeds, and a text transcript.
type sheet struct {
	pix        []uint8
	transcript []string
	printed    bool // something other than blank feed: worth a file at the cut
}

func (s *sheet) height() int { return len(s.pix) / Width }

// maxRows bounds one receipt to about a metre of paper (203 dots an inch),
// so a runaway stream of feeds cannot eat the twin's memory; what goes
// beyond is not drawn.
const maxRows = 8000

// grow feeds h more rows of paper and returns the first new row.
func (s *sheet) grow(h int) int {
	y := s.height()
	h = min(h, maxRows-y)
	if h > 0 {
		s.pix = append(s.pix, make([]uint8, h*Width)...)
	}
	return y
}

func (s *sheet) dot(x, y int) {
	if x >= 0 && x < Width && y >= 0 && y < s.height() {
		s.pix[y*Width+x] = 1
	}
}

func (s *sheet) block(x, y, w, h int) {
	for dy := range h {
		for dx := range w {
			s.dot(x+dx, y+dy)
		}
	}
}

func (s *sheet) note(format string, args ...any) {
	s.transcript = append(s.transcript, fmt.Sprintf(format, args...))
}

// alignX places something w dots wide by the justification; wider than the
// paper starts at the left edge and is clipped, as a printer does.
func alignX(align byte, w int) int {
	switch {
	case w >= Width:
		return 0
	case align == 1:
		return (Width - w) / 2
	case align == 2:
		return Width - w
	}
	return 0
}

// cutMark draws where the knife went: long dashes for a full cut, short
// ones for a partial cut.
func (s *sheet) cutMark(partial bool) {
	const h = 24
	y := s.grow(h) + h/2 - 1
	on, off := 16, 8
	if partial {
		on, off = 4, 8
	}
	for x := 0; x < Width; x += on + off {
		s.block(x, y, min(on, Width-x), 2)
	}
}

// image returns the receipt as a two-colour picture: PNG stores it with one
// bit a dot, so a receipt stays a few kilobytes.
func (s *sheet) image() *image.Paletted {
	h := max(s.height(), 1)
	img := image.NewPaletted(image.Rect(0, 0, Width, h), color.Palette{color.White, color.Black})
	copy(img.Pix, s.pix)
	return img
}

// write saves receipt-NNN.png and receipt-NNN.txt in dir.
func (s *sheet) write(dir string, n int) (Receipt, error) {
	base := filepath.Join(dir, fmt.Sprintf("receipt-%03d", n))
	r := Receipt{N: n, PNG: base + ".png", Text: base + ".txt", Height: s.height(), Lines: len(s.transcript)}
	f, err := os.Create(r.PNG)
	if err != nil {
		return r, err
	}
	if err := png.Encode(f, s.image()); err != nil {
		f.Close()
		return r, err
	}
	if err := f.Close(); err != nil {
		return r, err
	}
	text := strings.Join(s.transcript, "\n") + "\n"
	return r, os.WriteFile(r.Text, []byte(text), 0o644)
}

// Receipt is one receipt written to the output directory.
type Receipt struct {
	N      int    `json:"n"`
	PNG    string `json:"png"`
	Text   string `json:"txt"`
	Height int    `json:"height_dots"`
	Lines  int    `json:"transcript_lines"`
}
