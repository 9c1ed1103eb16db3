package printer

import (
	"fmt"
	"image"
	"image/draw"
	"os"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// DefaultFont is Debian's fonts-arphic-gbsn00lp: one plain TTF with Latin
// and GB2312 glyphs. Image output must not depend on whichever system fonts
// happen to be installed, so the font is pinned rather than looked up.
const DefaultFont = "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"

// Font A of an 80 mm printer: 12×24 dots for a single-byte character,
// 24×24 for a double-byte (Chinese) one.
const (
	cellH     = 24
	halfW     = 12
	fullW     = 24
	baseline  = 21   // gbsn00lp at 24 px: ascent 22, descent 3; CJK glyphs reach 2 below
	alphaDark = 0x50 // ink level of a dot: at half ink, strokes thinner than a dot vanish
)

// glyphs renders characters once each as 1-bit cells.
type glyphs struct {
	face  font.Face
	mu    sync.Mutex
	cache map[rune]*cell
}

// cell is one character at normal size: w×cellH, true = black.
type cell struct {
	w   int
	ink []bool
}

func loadFont(path string) (*glyphs, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w (install fonts-arphic-gbsn00lp or pass --font a .ttf with Latin and Chinese glyphs)", path, err)
	}
	f, err := opentype.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w (want a single-face .ttf or .otf, not a .ttc collection)", path, err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: cellH, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	if _, ok := face.GlyphAdvance('办'); !ok {
		return nil, fmt.Errorf("font %s: has no Chinese glyphs", path)
	}
	return &glyphs{face: face, cache: map[rune]*cell{}}, nil
}

// get returns r's cell; single-byte characters are half width, as on the
// printer, whatever the font's own advance. A rune the font lacks prints as
// "?" in the same width, as printers do with unknown codes.
func (g *glyphs) get(r rune) *cell {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.cache[r]; ok {
		return c
	}
	w := fullW
	if r < 0x80 {
		w = halfW
	}
	draw := r
	if _, ok := g.face.GlyphAdvance(r); !ok {
		draw = '?'
	}
	c := g.render(draw, w)
	g.cache[r] = c
	return c
}

func (g *glyphs) render(r rune, w int) *cell {
	img := image.NewGray(image.Rect(0, 0, w, cellH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	adv, _ := g.face.GlyphAdvance(r)
	x := (fixed.I(w) - adv) / 2 // centre a narrower glyph in its cell
	d := font.Drawer{Dst: img, Src: image.Black, Face: g.face, Dot: fixed.Point26_6{X: x, Y: fixed.I(baseline)}}
	d.DrawString(string(r))
	c := &cell{w: w, ink: make([]bool, w*cellH)}
	for i, v := range img.Pix {
		c.ink[i] = 0xFF-v >= alphaDark // thermal dots are on or off
	}
	return c
}
