package escpos

import (
	"fmt"
	"strconv"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Control bytes of the command set.
const (
	esc = 0x1B
	gs  = 0x1D
	fs  = 0x1C
	dle = 0x10
	eot = 0x04
	lf  = 0x0A
)

// PaperWidth is the printable width of an 80 mm head at 203 dpi, in dots.
const PaperWidth = 576

// textEncoding is how Text encodes. GB18030 encodes every rune a Go string holds, so its error
// path cannot be reached with it; a test swaps in an encoding that fails.
var textEncoding encoding.Encoding = simplifiedchinese.GB18030

// Receipt builds the bytes of one receipt. Methods chain; the first error
// (a size out of range, a QR code that cannot fit) is kept and returned by
// Bytes, so a caller checks once at the end.
type Receipt struct {
	buf     []byte
	err     error
	chinese bool // FS & sent and not undone, so GB18030 text prints as Chinese
}

// NewReceipt returns an empty receipt. Start it with Init.
func NewReceipt() *Receipt { return &Receipt{} }

// Bytes returns the encoded receipt, or the first error met while building it.
func (r *Receipt) Bytes() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	return append([]byte(nil), r.buf...), nil
}

// Err returns the first error met while building, if any.
func (r *Receipt) Err() error { return r.err }

func (r *Receipt) add(b ...byte) *Receipt {
	if r.err == nil {
		r.buf = append(r.buf, b...)
	}
	return r
}

// fail keeps the first error. Its arguments describe the command, never the content: receipt
// text and QR data carry names and ID numbers, and errors end up in logs.
func (r *Receipt) fail(format string, args ...any) *Receipt {
	if r.err == nil {
		r.err = fmt.Errorf("escpos: "+format, args...)
	}
	return r
}

// Raw appends bytes as they are, for commands this package does not wrap.
func (r *Receipt) Raw(b []byte) *Receipt { return r.add(b...) }

// Init resets the printer's modes (ESC @). It also forgets Chinese mode, as
// far as this builder knows, so the next Chinese text switches it on again.
func (r *Receipt) Init() *Receipt {
	r.chinese = false
	return r.add(esc, '@')
}

// Chinese switches double-byte Chinese mode on (FS &) or off (FS .).
func (r *Receipt) Chinese(on bool) *Receipt {
	r.chinese = on
	if on {
		return r.add(fs, '&')
	}
	return r.add(fs, '.')
}

// Text appends s encoded in GB18030. Text that is not plain ASCII switches
// Chinese mode on first if it is off, since without it the printer reads
// each byte as a code-page character. Control characters other than "\n"
// become spaces, so text can never smuggle in a command.
func (r *Receipt) Text(s string) *Receipt {
	clean := []rune(s)
	ascii := true
	for i, c := range clean {
		if (c < 0x20 && c != '\n') || c == 0x7F {
			clean[i] = ' '
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	if !ascii && !r.chinese {
		r.Chinese(true)
	}
	b, err := textEncoding.NewEncoder().Bytes([]byte(string(clean)))
	if err != nil {
		return r.fail("text of %d characters: GB18030: %w", len(clean), err)
	}
	return r.add(b...)
}

// Line appends s and a line feed, which prints the line.
func (r *Receipt) Line(s string) *Receipt { return r.Text(s).add(lf) }

// Size sets the character size as multiples of the normal width and height,
// each 1..8 (GS !).
func (r *Receipt) Size(w, h int) *Receipt {
	if w < 1 || w > 8 || h < 1 || h > 8 {
		return r.fail("size %dx%d: want 1..8 each", w, h)
	}
	return r.add(gs, '!', byte((w-1)<<4|(h-1)))
}

// Bold switches emphasis on or off (ESC E).
func (r *Receipt) Bold(on bool) *Receipt { return r.add(esc, 'E', b2b(on)) }

// Underline sets the underline: 0 off, 1 thin, 2 thick (ESC -).
func (r *Receipt) Underline(n int) *Receipt {
	if n < 0 || n > 2 {
		return r.fail("underline %d: want 0..2", n)
	}
	return r.add(esc, '-', byte(n))
}

// Align is the justification of the following lines, codes, and images.
type Align byte

const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

func (a Align) String() string {
	switch a {
	case AlignLeft:
		return "left"
	case AlignCenter:
		return "center"
	case AlignRight:
		return "right"
	}
	return "Align(" + strconv.Itoa(int(a)) + ")"
}

// Align sets the justification (ESC a). Printers apply it at the start of a
// line, so set it before the text of the line.
func (r *Receipt) Align(a Align) *Receipt {
	if a > AlignRight {
		return r.fail("align %v: want left, center or right", a)
	}
	return r.add(esc, 'a', byte(a))
}

// Feed prints what is buffered and feeds n lines, 0..255 (ESC d).
func (r *Receipt) Feed(n int) *Receipt {
	if n < 0 || n > 255 {
		return r.fail("feed %d lines: want 0..255", n)
	}
	return r.add(esc, 'd', byte(n))
}

// Cut is how the paper is cut.
type Cut byte

const (
	CutFull    Cut = 0 // GS V 0
	CutPartial Cut = 1 // GS V 1: leaves a tab so the receipt hangs until taken
)

func (c Cut) String() string {
	switch c {
	case CutFull:
		return "full"
	case CutPartial:
		return "partial"
	}
	return "Cut(" + strconv.Itoa(int(c)) + ")"
}

// Cut cuts the paper where it stands (GS V function A). Printers cut some
// millimetres above the head, so feed a few lines first, or use CutAfterFeed.
func (r *Receipt) Cut(c Cut) *Receipt {
	if c > CutPartial {
		return r.fail("cut %v: want full or partial", c)
	}
	return r.add(gs, 'V', byte(c))
}

// CutAfterFeed feeds the paper to the cutter plus n motion units, then cuts
// (GS V function B: 0x41 full, 0x42 partial).
func (r *Receipt) CutAfterFeed(c Cut, n byte) *Receipt {
	if c > CutPartial {
		return r.fail("cut %v: want full or partial", c)
	}
	return r.add(gs, 'V', 0x41+byte(c), n)
}

func b2b(on bool) byte {
	if on {
		return 1
	}
	return 0
}
