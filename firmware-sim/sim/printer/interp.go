package printer

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// style is how the next characters print.
type style struct {
	w, h      int // size multiples, 1..8
	bold      bool
	underline int // 0 off, 1 thin, 2 thick
}

// char is one character waiting in the line buffer.
type char struct {
	r  rune
	st style
}

// qrState is what GS ( k functions 165..180 set and 181 prints.
type qrState struct {
	model, size, level byte
	data               []byte
}

// Defaults after power-on or ESC @. Chinese models boot in Chinese mode
// (device-protocols.md 2.1), so this twin does too. The QR defaults are
// Epson's: module size 3, level L.
const (
	defaultSpacing = 30 // dots a line
	maxQRModule    = 16
)

// interp is the printer's mind: the modes commands set, the line buffer,
// and the receipt on the paper. It belongs to the goroutine that feeds it.
type interp struct {
	t    *Twin
	font *glyphs

	buf  []byte // received, not yet a whole command
	skip int    // bytes still to throw away (an oversized image)

	chinese bool
	st      style
	align   byte
	spacing int
	line    []char
	lineW   int
	qr      qrState
	sheet   *sheet
}

func newInterp(t *Twin, font *glyphs) *interp {
	in := &interp{t: t, font: font, sheet: &sheet{}}
	in.reset()
	return in
}

// reset is ESC @: modes back to their defaults, unprinted text dropped.
// The paper and what is already printed on it stay.
func (in *interp) reset() {
	in.chinese = true
	in.st = style{w: 1, h: 1}
	in.align = 0
	in.spacing = defaultSpacing
	in.line, in.lineW = nil, 0
	in.qr = qrState{model: '2', size: 3, level: '0'}
}

// printable reports whether the mechanism can print now; if not, the
// operation is counted as dropped, like data a real printer discards.
func (in *interp) printable() bool {
	if in.t.online() {
		return true
	}
	in.t.count(func(c *Counters) { c.DroppedOffline++ })
	return false
}

// addRune puts a character in the line buffer, printing the line first
// when the character would not fit.
func (in *interp) addRune(r rune) {
	if !in.printable() {
		return
	}
	w := halfW
	if r >= 0x80 {
		w = fullW
	}
	w *= in.st.w
	if in.lineW+w > Width && len(in.line) > 0 {
		in.printLine()
	}
	in.line = append(in.line, char{r: r, st: in.st})
	in.lineW += w
}

// printLine prints the buffered line, or feeds one empty line.
func (in *interp) printLine() {
	if !in.printable() {
		in.line, in.lineW = nil, 0
		return
	}
	if len(in.line) == 0 {
		in.sheet.grow(in.spacing)
		return
	}
	tall := 1
	var text strings.Builder
	for _, c := range in.line {
		tall = max(tall, c.st.h)
		text.WriteRune(c.r)
	}
	top := in.sheet.grow(max(in.spacing, cellH*tall))
	bottom := top + cellH*tall
	x := alignX(in.align, in.lineW)
	for _, c := range in.line {
		x += in.drawChar(c, x, bottom)
	}
	in.sheet.note("%s", text.String())
	in.sheet.printed = true
	in.line, in.lineW = nil, 0
	in.t.count(func(c *Counters) { c.TextLines++ })
}

// drawChar draws c scaled with its bottom at row bottom and returns its width.
func (in *interp) drawChar(c char, x, bottom int) int {
	g := in.font.get(c.r)
	w, h := c.st.w, c.st.h
	y0 := bottom - cellH*h
	for gy := range cellH {
		for gx := range g.w {
			if !g.ink[gy*g.w+gx] {
				continue
			}
			in.sheet.block(x+gx*w, y0+gy*h, w, h)
			if c.st.bold { // double strike, one dot to the right
				in.sheet.block(x+gx*w+1, y0+gy*h, w, h)
			}
		}
	}
	if c.st.underline > 0 {
		in.sheet.block(x, bottom-c.st.underline, g.w*w, c.st.underline)
	}
	return g.w * w
}

// feedDots prints the line buffer, if any, then feeds n dots.
func (in *interp) feedDots(n int) {
	if len(in.line) > 0 {
		in.printLine()
	}
	if n > 0 && in.printable() {
		in.sheet.grow(n)
	}
}

// printQR draws the stored symbol with go-qrcode at the module size set,
// quiet zone included. go-qrcode draws model 2 only; model 1 and micro
// requests are drawn as model 2 and the transcript says so.
func (in *interp) printQR() {
	if len(in.line) > 0 {
		in.printLine()
	}
	if !in.printable() {
		return
	}
	level := qrcode.RecoveryLevel(in.qr.level - '0')
	q, err := qrcode.New(string(in.qr.data), level)
	if len(in.qr.data) == 0 || err != nil {
		in.sheet.note("[qr not printed: %d bytes stored: %v]", len(in.qr.data), err)
		in.t.count(func(c *Counters) { c.QRFailed++ })
		return
	}
	mods, size := q.Bitmap(), int(in.qr.size)
	w := len(mods) * size
	if w > Width {
		in.sheet.note("[qr not printed: %d dots wide, paper %d]", w, Width)
		in.t.count(func(c *Counters) { c.QRFailed++ })
		return
	}
	x0, y0 := alignX(in.align, w), in.sheet.grow(w)
	for y, row := range mods {
		for x, black := range row {
			if black {
				in.sheet.block(x0+x*size, y0+y*size, size, size)
			}
		}
	}
	note := ""
	if in.qr.model != '2' {
		note = fmt.Sprintf(" (model byte 0x%02X drawn as model 2)", in.qr.model)
	}
	in.sheet.note("[qr module %d level %c%s: %s]", size, "LMQH"[in.qr.level-'0'], note, in.qr.data)
	in.sheet.printed = true
	in.t.count(func(c *Counters) { c.QRPrinted++ })
}

// raster draws a GS v 0 image: xBytes×8 dots by rows, MSB leftmost, 1
// black, scaled by m (bit 0 double width, bit 1 double height).
func (in *interp) raster(m byte, xBytes, rows int, data []byte) {
	in.t.count(func(c *Counters) { c.Rasters++ })
	if len(in.line) > 0 {
		in.printLine()
	}
	if !in.printable() {
		return
	}
	sx, sy := 1+int(m&1), 1+int(m>>1&1)
	w := xBytes * 8 * sx
	x0, y0 := alignX(in.align, w), in.sheet.grow(rows*sy)
	for y := range rows {
		for x := range xBytes * 8 {
			if data[y*xBytes+x/8]&(0x80>>(x%8)) != 0 {
				in.sheet.block(x0+x*sx, y0+y*sy, sx, sy)
			}
		}
	}
	in.sheet.note("[image %d×%d dots]", w, rows*sy)
	in.sheet.printed = true
}

// cut ends the receipt: the line buffer is printed, the cut mark drawn and
// the receipt written out. With the printer offline nothing comes out.
func (in *interp) cut(partial bool) {
	in.t.count(func(c *Counters) { c.Cuts++ })
	if len(in.line) > 0 {
		in.printLine()
	}
	if !in.t.online() {
		if in.sheet.printed {
			in.t.count(func(c *Counters) { c.ReceiptsDiscarded++ })
		}
		in.sheet = &sheet{}
		return
	}
	kind := "full"
	if partial {
		kind = "partial"
	}
	in.sheet.cutMark(partial)
	in.sheet.note("[cut %s]", kind)
	if in.sheet.printed {
		in.t.finish(in.sheet)
	}
	in.sheet = &sheet{}
}
