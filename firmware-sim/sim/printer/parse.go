package printer

import (
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Control bytes.
const (
	nul = 0x00
	eot = 0x04
	enq = 0x05
	ht  = 0x09
	lf  = 0x0A
	cr  = 0x0D
	dle = 0x10
	dc4 = 0x14
	esc = 0x1B
	fs  = 0x1C
	gs  = 0x1D
)

// Bounds that keep a hostile or broken stream from eating memory: a raster
// image above maxRaster bytes is skipped rather than buffered; NUL-ended
// arguments longer than maxNulArg are taken to end there.
const (
	maxRaster = 1 << 20
	maxNulArg = 255
)

// feed takes bytes from the line and carries out every whole command among
// them; an incomplete one waits for the next bytes. Nothing here may panic:
// unknown commands are skipped by their known lengths, or as two bytes.
func (in *interp) feed(p []byte) {
	in.t.count(func(c *Counters) { c.BytesIn += uint64(len(p)) })
	if in.skip > 0 {
		n := min(in.skip, len(p))
		in.skip -= n
		p = p[n:]
	}
	in.buf = append(in.buf, p...)
	for len(in.buf) > 0 && in.skip == 0 {
		n := in.step(in.buf)
		if n == 0 {
			break // wait for the rest of the command
		}
		if n > len(in.buf) { // a skip that reaches past what has arrived
			in.skip = n - len(in.buf)
			n = len(in.buf)
		}
		in.buf = in.buf[n:]
	}
	if len(in.buf) == 0 {
		in.buf = nil // let a big raster's array go
	}
}

// step carries out the command at the start of b and returns its length,
// or 0 when more bytes are needed.
func (in *interp) step(b []byte) int {
	switch c := b[0]; {
	case c == lf:
		in.printLine()
		return 1
	case c == ht:
		in.addRune(' ')
		return 1
	case c == dle:
		return in.dle(b)
	case c == esc:
		return in.command(b, in.esc)
	case c == gs:
		return in.command(b, in.gs)
	case c == fs:
		return in.command(b, in.fs)
	case c < 0x20: // CR, NUL padding and the like: printers in standard mode ignore them
		return 1
	}
	return in.text(b)
}

// command counts a command and runs its parser.
func (in *interp) command(b []byte, parse func([]byte) int) int {
	if len(b) < 2 {
		return 0
	}
	n := parse(b)
	if n > 0 {
		in.t.count(func(c *Counters) { c.Commands++ })
	}
	return n
}

func (in *interp) unknown(n int) int {
	in.t.count(func(c *Counters) { c.UnknownCommands++ })
	return n
}

// text prints characters up to the next control byte. In Chinese mode a
// byte 0x81..0xFE starts a GB18030 character of 2 or 4 bytes; otherwise
// bytes above 0x7F are code page 437, the power-on table.
func (in *interp) text(b []byte) int {
	i := 0
	for i < len(b) && b[i] >= 0x20 {
		c := b[i]
		if c < 0x80 || !in.chinese {
			in.addRune(cp437(c))
			i++
			continue
		}
		n := gbLen(b[i:])
		if n == 0 {
			break // the rest of the character has not arrived
		}
		in.addRune(gbRune(b[i : i+n]))
		i += n
	}
	return i
}

// gbLen returns how long the GB18030 character at the start of b is: 2 or
// 4, 1 for a byte that cannot start one, 0 if more bytes are needed.
func gbLen(b []byte) int {
	switch {
	case b[0] < 0x81 || b[0] > 0xFE:
		return 1
	case len(b) < 2:
		return 0
	case b[1] >= 0x30 && b[1] <= 0x39:
		if len(b) < 4 {
			return 0
		}
		return 4
	case b[1] >= 0x40 && b[1] != 0x7F && b[1] <= 0xFE:
		return 2
	}
	return 1 // a lead byte without its trail (e.g. before a command): one "?"
}

func gbRune(b []byte) rune {
	if len(b) == 1 {
		return '?'
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil {
		return '?'
	}
	r := []rune(string(out))
	if len(r) != 1 || r[0] == 0xFFFD {
		return '?'
	}
	return r[0]
}

func cp437(c byte) rune {
	if c < 0x80 {
		return rune(c)
	}
	return charmap.CodePage437.DecodeByte(c)
}

// dle handles the real-time commands DLE EOT, DLE ENQ and DLE DC4.
func (in *interp) dle(b []byte) int {
	if len(b) < 3 {
		return 0
	}
	switch b[1] {
	case eot:
		if b[2] == 7 || b[2] == 8 { // ink / peeler status on some models: one more byte, no answer here
			return need(b, 4)
		}
		in.t.statusReply(b[2])
		return 3
	case enq:
		in.t.recoverError(b[2])
		return 3
	case dc4:
		if b[2] == 8 { // clear buffers: DLE DC4 8 d1..d7
			return need(b, 10)
		}
		return need(b, 5)
	}
	return 1 // a lone DLE is just a control byte
}

// need returns n if b holds n bytes, else 0 (wait).
func need(b []byte, n int) int {
	if len(b) < n {
		return 0
	}
	return n
}

// u16 reads a little-endian pL pH pair.
func u16(b []byte, i int) int { return int(b[i]) | int(b[i+1])<<8 }

// nulEnded returns the length of a command whose argument from offset runs
// to a NUL (included), bounded by maxNulArg.
func nulEnded(b []byte, offset int) int {
	for i := offset; i < len(b) && i <= offset+maxNulArg; i++ {
		if b[i] == nul {
			return i + 1
		}
	}
	if len(b) > offset+maxNulArg {
		return offset + maxNulArg + 1
	}
	return 0
}

// paren is the GS ( x / FS ( x / ESC ( x form: 2 prefix bytes, function,
// pL pH, then pL+256·pH bytes.
func paren(b []byte) int {
	if len(b) < 5 {
		return 0
	}
	return 5 + u16(b, 3)
}
