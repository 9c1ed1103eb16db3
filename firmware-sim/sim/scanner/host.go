package scanner

import (
	"bytes"
	"strings"

	drv "github.com/onestop-station/onestop/drivers/scanner"
)

type cmdKind uint8

const (
	cmdJunk  cmdKind = iota // bytes that are no command of the dialect
	cmdOn                   // start a scan
	cmdOff                  // stop a scan
	cmdOther                // a setting, answered but otherwise ignored
)

// hostCmd is one thing the host sent, with the scanner's answer (nil for
// none).
type hostCmd struct {
	kind    cmdKind
	n       int // bytes, for junk
	reply   []byte
	refused bool
}

// maxHostCmd bounds a command, so junk cannot pile up.
const maxHostCmd = 128

// hostParser cuts the host's bytes into the dialect's commands.
type hostParser struct{ buf []byte }

func (h *hostParser) feed(b []byte, d drv.Dialect) []hostCmd {
	h.buf = append(h.buf, b...)
	var out []hostCmd
	for len(h.buf) > 0 {
		c, used := parseOne(h.buf, d)
		if used == 0 { // incomplete: wait for more, within bounds
			if len(h.buf) <= maxHostCmd {
				break
			}
			c, used = hostCmd{kind: cmdJunk, n: 1}, 1
		}
		h.buf = h.buf[used:]
		if c.kind == cmdJunk && len(out) > 0 && out[len(out)-1].kind == cmdJunk {
			out[len(out)-1].n += c.n
			continue
		}
		out = append(out, c)
	}
	return out
}

// parseOne reads one command from the front of b: used 0 means incomplete.
func parseOne(b []byte, d drv.Dialect) (hostCmd, int) {
	switch d {
	case drv.Honeywell:
		return parseHoneywell(b)
	case drv.Newland:
		return parseNewland(b)
	}
	return hostCmd{kind: cmdJunk, n: len(b)}, len(b)
}

// Honeywell: SYN T CR, SYN U CR, and menu commands SYN M CR body "!" or ".",
// answered with the body and ACK (or ENQ for a tag it does not know) before
// the terminator [?: the echo layout is from the menu syntax page, not a capture].
func parseHoneywell(b []byte) (hostCmd, int) {
	if b[0] != 0x16 {
		return junkUpTo(b, 0x16)
	}
	if len(b) < 3 {
		return hostCmd{}, 0
	}
	switch {
	case b[1] == 'T' && b[2] == '\r':
		return hostCmd{kind: cmdOn}, 3
	case b[1] == 'U' && b[2] == '\r':
		return hostCmd{kind: cmdOff}, 3
	case b[1] != 'M' || b[2] != '\r':
		return hostCmd{kind: cmdJunk, n: 1}, 1
	}
	end := bytes.IndexAny(b[3:], "!.")
	if end < 0 {
		return hostCmd{}, 0
	}
	body, term := b[3:3+end], b[3+end]
	st := drv.ACK
	if !bytes.HasPrefix(body, []byte("TRGMOD")) {
		st = drv.ENQ
	}
	reply := append(append(bytes.Clone(body), byte(st)), term)
	return hostCmd{kind: cmdOther, reply: reply, refused: st != drv.ACK}, 3 + end + 1
}

// Newland: "~" SOH "0000" body ";" ETX, answered STX SOH "0000" body status
// ";" ETX. SCNTRG1/0 start and stop; SCNMOD is acknowledged; anything else
// gets ENQ (no such setting).
func parseNewland(b []byte) (hostCmd, int) {
	if b[0] != '~' {
		return junkUpTo(b, '~')
	}
	end := bytes.Index(b, []byte{';', 0x03})
	if end < 0 {
		return hostCmd{}, 0
	}
	body, ok := drv.ParseNewlandCommand(b[:end+2])
	if !ok {
		return hostCmd{kind: cmdJunk, n: 1}, 1
	}
	c := hostCmd{kind: cmdOther, reply: drv.NewlandReply(body, drv.ACK)}
	tag := strings.TrimLeft(body, "#@")
	switch {
	case tag == "SCNTRG1":
		c.kind = cmdOn
	case tag == "SCNTRG0":
		c.kind = cmdOff
	case strings.HasPrefix(tag, "SCNMOD"):
	default:
		c.reply, c.refused = drv.NewlandReply(body, drv.ENQ), true
	}
	return c, end + 2
}

func junkUpTo(b []byte, start byte) (hostCmd, int) {
	i := bytes.IndexByte(b, start)
	if i < 0 {
		i = len(b)
	}
	return hostCmd{kind: cmdJunk, n: i}, i
}
