package escpos

import (
	"image"
	"image/color"
)

// bitmap is a 1-bit image in GS v 0 layout: rows top to bottom, stride bytes
// a row, the most significant bit leftmost, 1 = black.
type bitmap struct {
	w, h, stride int
	bits         []byte
}

func newBitmap(w, h int) *bitmap {
	stride := (w + 7) / 8
	return &bitmap{w: w, h: h, stride: stride, bits: make([]byte, stride*h)}
}

func (b *bitmap) set(x, y int) { b.bits[y*b.stride+x/8] |= 0x80 >> (x % 8) }

func (b *bitmap) fillRect(x0, y0, w, h int) {
	for y := y0; y < y0+h; y++ {
		for x := x0; x < x0+w; x++ {
			b.set(x, y)
		}
	}
}

// rasterBand is the most rows sent in one GS v 0 command: some firmwares
// drop raster commands bigger than their receive buffer, and bands print
// seamlessly one below the other.
const rasterBand = 256

// raster appends bm as GS v 0 commands, normal density, in bands.
func (r *Receipt) raster(bm *bitmap) *Receipt {
	if bm.w == 0 || bm.h == 0 {
		return r.fail("raster: empty image")
	}
	for y := 0; y < bm.h; y += rasterBand {
		rows := min(rasterBand, bm.h-y)
		r.add(gs, 'v', '0', 0, byte(bm.stride), byte(bm.stride>>8), byte(rows), byte(rows>>8))
		r.add(bm.bits[y*bm.stride : (y+rows)*bm.stride]...)
	}
	return r
}

// Halftone is how a grey image becomes black dots.
type Halftone byte

const (
	// Dither spreads each pixel's rounding error to its neighbours
	// (Floyd–Steinberg), which keeps photos and logos with shading legible.
	Dither Halftone = iota
	// Threshold makes a pixel black when darker than the level: crisp for
	// line art, text and codes.
	Threshold
)

// ImageOpts says how Image turns a picture into dots. The zero value dithers
// and fits the image to the paper width.
type ImageOpts struct {
	Halftone Halftone
	Level    uint8 // Threshold's grey level, 0 = 128
	MaxWidth int   // dots; wider images are scaled down; 0 = PaperWidth
}

// Image prints img as a raster image (GS v 0). Transparent pixels count as
// white paper.
func (r *Receipt) Image(img image.Image, o ImageOpts) *Receipt {
	if img == nil || img.Bounds().Empty() {
		return r.fail("image: empty")
	}
	if o.MaxWidth <= 0 || o.MaxWidth > PaperWidth {
		o.MaxWidth = PaperWidth
	}
	if o.Level == 0 {
		o.Level = 128
	}
	grey := greyscale(img, o.MaxWidth)
	if o.Halftone == Threshold {
		return r.raster(threshold(grey, o.Level))
	}
	return r.raster(dither(grey))
}

// grey is a picture as luminance 0 (black) .. 255 (white), scaled to fit.
type grey struct {
	w, h int
	pix  []float32
}

// greyscale samples img (nearest neighbour) at most maxW pixels wide.
func greyscale(img image.Image, maxW int) *grey {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > maxW {
		h = max(1, h*maxW/w)
		w = maxW
	}
	g := &grey{w: w, h: h, pix: make([]float32, w*h)}
	for y := range h {
		for x := range w {
			sx := b.Min.X + x*b.Dx()/w
			sy := b.Min.Y + y*b.Dy()/h
			g.pix[y*w+x] = luminance(img.At(sx, sy))
		}
	}
	return g
}

// luminance composites c over white paper and returns its grey level.
func luminance(c color.Color) float32 {
	r, gr, b, a := c.RGBA() // premultiplied, 0..0xffff
	white := float32(0xffff - a)
	y := 0.299*(float32(r)+white) + 0.587*(float32(gr)+white) + 0.114*(float32(b)+white)
	return y / 0xffff * 255
}

func threshold(g *grey, level uint8) *bitmap {
	bm := newBitmap(g.w, g.h)
	for y := range g.h {
		for x := range g.w {
			if g.pix[y*g.w+x] < float32(level) {
				bm.set(x, y)
			}
		}
	}
	return bm
}

// dither is Floyd–Steinberg error diffusion; it works on g in place.
func dither(g *grey) *bitmap {
	bm := newBitmap(g.w, g.h)
	spread := func(x, y int, e float32) {
		if x >= 0 && x < g.w && y < g.h {
			g.pix[y*g.w+x] += e
		}
	}
	for y := range g.h {
		for x := range g.w {
			old := g.pix[y*g.w+x]
			var v float32 = 255
			if old < 128 {
				v = 0
				bm.set(x, y)
			}
			e := old - v
			spread(x+1, y, e*7/16)
			spread(x-1, y+1, e*3/16)
			spread(x, y+1, e*5/16)
			spread(x+1, y+1, e*1/16)
		}
	}
	return bm
}
