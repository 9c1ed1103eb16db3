package printer

// Lengths of the fixed-length ESC, GS and FS commands this twin knows but
// does not act on (Epson ESC/POS command reference), so that their
// argument bytes are never printed as text.
var (
	escLen = map[byte]int{'!': 3, 'E': 3, '-': 3, 'a': 3, 'd': 3, 'J': 3, '2': 2, '3': 3, 'p': 5, 't': 3, 'R': 3, 'M': 3, ' ': 3, 'V': 3,
		'{': 3, '$': 4, '\\': 4, '=': 3, '%': 3, 'r': 3, 'L': 2, 'S': 2, 0x0C: 2, 'T': 3,
		'U': 3, 'e': 3, '?': 3, 'c': 4, 'W': 10, 'u': 3, 'v': 2, '<': 2, 'G': 3}
	gsLen = map[byte]int{'h': 3, 'w': 3, 'H': 3, 'f': 3, 'B': 3, '/': 3, 'b': 3, 'E': 3,
		'T': 3, 'I': 3, 'P': 4, 'L': 4, 'W': 4, '$': 4, '\\': 4, '^': 5, ':': 2, 'g': 5, 'z': 5, 'r': 3}
	fsLen = map[byte]int{'!': 3, '-': 3, 'S': 4, 'W': 3, 'C': 3, '2': 76, 'p': 4, '&': 2, '.': 2}
)

// esc handles ESC x; b holds at least 2 bytes.
func (in *interp) esc(b []byte) int {
	switch b[1] {
	case '@':
		in.reset()
		return 2
	case '(':
		return paren(b)
	case '*': // bit image: m nL nH, then k or 3k bytes
		if len(b) < 5 {
			return 0
		}
		k := u16(b, 3)
		if b[2] == 32 || b[2] == 33 {
			k *= 3
		}
		return 5 + k
	case 'D': // tab positions, NUL-ended
		return nulEnded(b, 2)
	case '&':
		return userChars(b)
	case 'i', 'm': // partial cut (older commands)
		in.cut(true)
		return 2
	}
	if n, ok := escLen[b[1]]; ok {
		if len(b) < n {
			return 0
		}
		if n == 3 {
			in.escArg(b[1], b[2])
		}
		return n
	}
	return in.unknown(2)
}

// escArg carries out the ESC commands with one argument byte that matter.
func (in *interp) escArg(c, n byte) {
	switch c {
	case '!': // print mode: bit3 bold, bit4 double height, bit5 double width, bit7 underline
		in.st = style{w: 1 + int(n>>5&1), h: 1 + int(n>>4&1), bold: n&0x08 != 0, underline: int(n >> 7)}
	case 'E', 'G':
		in.st.bold = n&1 != 0
	case '-':
		in.st.underline = int(n&3) % 3 // 0/48 off, 1/49 thin, 2/50 thick
	case 'a':
		if n&3 <= 2 { // '0'..'2' work as well as 0..2
			in.align = n & 3
		}
	case 'd':
		in.feedDots(int(n) * in.spacing)
	case 'J':
		in.feedDots(int(n))
	case '3':
		in.spacing = int(n)
	}
}

// userChars is ESC & y c1 c2, then for each character c1..c2 a width x and
// y·x bytes of dots.
func userChars(b []byte) int {
	if len(b) < 5 {
		return 0
	}
	y, c1, c2 := int(b[2]), int(b[3]), int(b[4])
	i := 5
	for c := c1; c <= c2; c++ {
		if len(b) <= i {
			return 0
		}
		i += 1 + y*int(b[i])
	}
	return i
}

// gs handles GS x; b holds at least 2 bytes.
func (in *interp) gs(b []byte) int {
	switch b[1] {
	case '!':
		if len(b) < 3 {
			return 0
		}
		in.st.w, in.st.h = 1+int(b[2]>>4&7), 1+int(b[2]&7)
		return 3
	case 'V':
		return in.gsCut(b)
	case '(':
		n := paren(b)
		if n == 0 || b[2] != 'k' {
			return n // other GS ( functions are skipped, even before they have all arrived
		}
		if len(b) < n {
			return 0 // a 2D code is acted on, so wait for all of it
		}
		in.qrCommand(b[5:n])
		return n
	case 'v':
		return in.gsRaster(b)
	case '8': // GS 8 L p1..p4: large graphics data, 32-bit length
		if len(b) < 7 {
			return 0
		}
		return 7 + (int(b[3]) | int(b[4])<<8 | int(b[5])<<16 | int(b[6])<<24)
	case 'a':
		if len(b) < 3 {
			return 0
		}
		in.t.setASB(b[2])
		return 3
	case 'k': // barcode: function A NUL-ended, function B with a length
		if len(b) < 4 {
			return 0
		}
		if b[2] <= 6 {
			return nulEnded(b, 3)
		}
		return 4 + int(b[3])
	case '*':
		if len(b) < 4 {
			return 0
		}
		return 4 + int(b[2])*int(b[3])*8
	}
	if n, ok := gsLen[b[1]]; ok {
		if n == 3 && b[1] == 'r' && len(b) >= 3 {
			in.t.paperSensorReply(b[2])
		}
		return need(b, n)
	}
	return in.unknown(2)
}

// gsCut is GS V m (function A) or GS V m n (functions B, C, D).
func (in *interp) gsCut(b []byte) int {
	if len(b) < 3 {
		return 0
	}
	m := b[2]
	n := 3
	if m >= 65 {
		n = 4
		if len(b) < 4 {
			return 0
		}
	}
	// Partial: function A 1 / '1', B 66, C 98, D 104; the rest cut fully.
	in.cut(m == 1 || m == 49 || m == 66 || m == 98 || m == 104)
	return n
}

// gsRaster is GS v 0 m xL xH yL yH d1..dk with k = x·y.
func (in *interp) gsRaster(b []byte) int {
	if len(b) < 3 {
		return 0
	}
	if b[2] != '0' {
		return in.unknown(2)
	}
	if len(b) < 8 {
		return 0
	}
	x, y := u16(b, 4), u16(b, 6)
	k := x * y
	if k > maxRaster {
		in.t.count(func(c *Counters) { c.UnknownCommands++ })
		return 8 + k // skipped, not buffered
	}
	if len(b) < 8+k {
		return 0
	}
	if k > 0 {
		in.raster(b[3]&3, x, y, b[8:8+k])
	}
	return 8 + k
}

// qrCommand is one GS ( k function for cn = '1' (QR): p is cn fn args.
func (in *interp) qrCommand(p []byte) {
	if len(p) < 3 || p[0] != '1' {
		return // other symbologies (PDF417 '0', ...) are not drawn
	}
	arg := p[2]
	switch p[1] {
	case 'A':
		in.qr.model = arg
	case 'C':
		if arg >= 1 && arg <= maxQRModule {
			in.qr.size = arg
		}
	case 'E':
		if arg <= 3 {
			arg += '0'
		}
		if arg >= '0' && arg <= '3' {
			in.qr.level = arg
		}
	case 'P':
		in.qr.data = append([]byte(nil), p[3:]...)
	case 'Q':
		in.printQR()
	}
}

// fs handles FS x; b holds at least 2 bytes.
func (in *interp) fs(b []byte) int {
	switch b[1] {
	case '&':
		in.chinese = true
	case '.':
		in.chinese = false
	case '(':
		return paren(b)
	}
	if n, ok := fsLen[b[1]]; ok {
		return need(b, n)
	}
	return in.unknown(2)
}
