package scanner

import (
	"bytes"
	"fmt"
	"strings"
)

// Dialect is how a host starts and stops a scan over the serial line.
// Commands are data (see dialects), so a new vendor is one table entry.
type Dialect uint8

const (
	// DialectNone: no host trigger. The scanner runs in auto-sense
	// (presentation) or continuous mode, or is triggered by its button.
	DialectNone Dialect = iota
	// Honeywell: SYN T CR / SYN U CR; the scanner answers nothing. It must
	// be in serial (manual) trigger mode, menu setting TRGMOD.
	Honeywell
	// Newland: unified command set "~ SOH 0000 #SCNTRG1 ; ETX"; the scanner
	// answers STX SOH 0000 + the command echoed + ACK/NAK/ENQ + ";" ETX. It
	// must be in trigger mode first (@SCNMOD0).
	Newland
)

type dialect struct {
	name    string
	on, off []byte
	acks    bool // each command is answered with a Reply
}

var dialects = [...]dialect{
	DialectNone: {name: "none"},
	Honeywell:   {name: "honeywell", on: []byte{0x16, 'T', '\r'}, off: []byte{0x16, 'U', '\r'}},
	Newland:     {name: "newland", on: NewlandCommand("#SCNTRG1"), off: NewlandCommand("#SCNTRG0"), acks: true},
}

func (d Dialect) String() string {
	if int(d) < len(dialects) {
		return dialects[d].name
	}
	return fmt.Sprintf("Dialect(%d)", d)
}

// ParseDialect accepts "none", "honeywell" and "newland", in any case.
func ParseDialect(name string) (Dialect, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for i, d := range dialects {
		if n == d.name {
			return Dialect(i), nil
		}
	}
	return 0, fmt.Errorf("scanner: unknown dialect %q (want none, honeywell or newland)", name)
}

func (d Dialect) spec() dialect {
	if int(d) < len(dialects) {
		return dialects[d]
	}
	return dialect{name: d.String()}
}

// TriggerOn returns the bytes that start a scan; nil for DialectNone.
func (d Dialect) TriggerOn() []byte { return bytes.Clone(d.spec().on) }

// TriggerOff returns the bytes that stop a scan; nil for DialectNone.
func (d Dialect) TriggerOff() []byte { return bytes.Clone(d.spec().off) }

// Acks reports whether the scanner answers each command with a Reply.
func (d Dialect) Acks() bool { return d.spec().acks }

// Newland unified command set framing: "~" SOH "0000" body ";" ETX for
// commands, STX SOH "0000" body status ";" ETX for replies.
var (
	newlandCmdHead   = []byte{'~', 0x01, '0', '0', '0', '0'}
	newlandReplyHead = []byte{0x02, 0x01, '0', '0', '0', '0'}
	newlandTail      = []byte{';', 0x03}
)

// maxReply bounds a Newland reply, so a stray STX SOH cannot swallow codes.
const maxReply = 64

// NewlandCommand frames body ("#SCNTRG1", "@SCNMOD0": storage '#'
// temporary or '@' permanent, then tag, subtag and data).
func NewlandCommand(body string) []byte {
	b := append(bytes.Clone(newlandCmdHead), body...)
	return append(b, newlandTail...)
}

// NewlandReply is what a Newland scanner answers to body with status st.
func NewlandReply(body string, st Status) []byte {
	b := append(bytes.Clone(newlandReplyHead), body...)
	b = append(b, byte(st))
	return append(b, newlandTail...)
}

// ParseNewlandCommand returns the body of a framed command.
func ParseNewlandCommand(b []byte) (string, bool) {
	if len(b) < len(newlandCmdHead)+len(newlandTail) || !bytes.HasPrefix(b, newlandCmdHead) || !bytes.HasSuffix(b, newlandTail) {
		return "", false
	}
	return string(b[len(newlandCmdHead) : len(b)-len(newlandTail)]), true
}

// Status is the answer byte of a Newland reply (and of Honeywell menu
// commands): ACK done, NAK value out of range, ENQ no such setting.
type Status byte

const (
	ACK Status = 0x06
	NAK Status = 0x15
	ENQ Status = 0x05
)

func (s Status) String() string {
	switch s {
	case ACK:
		return "ACK"
	case NAK:
		return "NAK"
	case ENQ:
		return "ENQ"
	}
	return fmt.Sprintf("status 0x%02X", byte(s))
}

// Reply is one answer to a command.
type Reply struct {
	Body   string // the command echoed, e.g. "#SCNTRG1"
	Status Status
}

// replyFilter takes Newland replies out of the byte stream so they never
// reach the framer as codes. Bytes that only looked like the start of a
// reply are given back as data, in order.
type replyFilter struct {
	on  bool
	buf []byte
}

// feed returns the data bytes of p and the replies it completed.
func (r *replyFilter) feed(p []byte) (data []byte, replies []Reply) {
	if !r.on {
		return p, nil
	}
	for _, b := range p {
		if len(r.buf) == 0 && b != newlandReplyHead[0] {
			data = append(data, b)
			continue
		}
		r.buf = append(r.buf, b)
		switch {
		case len(r.buf) <= len(newlandReplyHead) && r.buf[len(r.buf)-1] != newlandReplyHead[len(r.buf)-1]:
			data = append(data, r.release()...)
		case len(r.buf) > maxReply:
			data = append(data, r.release()...)
		case len(r.buf) >= len(newlandReplyHead)+3 && bytes.HasSuffix(r.buf, newlandTail):
			n := len(r.buf)
			replies = append(replies, Reply{Body: string(r.buf[len(newlandReplyHead) : n-3]), Status: Status(r.buf[n-3])})
			r.buf = r.buf[:0]
		}
	}
	return data, replies
}

// release gives back held bytes; a mismatching byte that could itself start
// a reply stays held.
func (r *replyFilter) release() []byte {
	held := r.buf
	r.buf = nil
	last := held[len(held)-1]
	if last == newlandReplyHead[0] {
		r.buf = []byte{last}
		return held[:len(held)-1]
	}
	return held
}

// flush gives back whatever is held (the line went quiet mid-"reply").
func (r *replyFilter) flush() []byte {
	held := r.buf
	r.buf = nil
	return held
}
