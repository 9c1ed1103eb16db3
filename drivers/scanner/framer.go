package scanner

import (
	"fmt"
	"strings"
)

// Suffix is the terminator the scanner appends to every code. The zero value,
// SuffixLine, accepts CR, LF or CR LF, so a kiosk works whichever of the
// three a scanner was set to.
type Suffix uint8

const (
	SuffixLine Suffix = iota // CR, LF or CR LF (empty codes between them are ignored)
	SuffixCR                 // 0D, Newland's usual setting
	SuffixCRLF               // 0D 0A, Honeywell's RS-232 default
	SuffixLF                 // 0A
	SuffixTab                // 09, keyboard-wedge habits carried over to serial
	SuffixNone               // no terminator: codes end by the idle timeout alone
)

var suffixNames = [...]string{"line", "cr", "crlf", "lf", "tab", "none"}

func (s Suffix) String() string {
	if int(s) < len(suffixNames) {
		return suffixNames[s]
	}
	return fmt.Sprintf("Suffix(%d)", s)
}

// Bytes returns the terminator a scanner set to s sends (CR LF for SuffixLine,
// which is what a twin should emit for it).
func (s Suffix) Bytes() []byte {
	switch s {
	case SuffixCR:
		return []byte{'\r'}
	case SuffixCRLF, SuffixLine:
		return []byte{'\r', '\n'}
	case SuffixLF:
		return []byte{'\n'}
	case SuffixTab:
		return []byte{'\t'}
	}
	return nil
}

// ParseSuffix accepts the names String gives ("cr", "crlf", …), in any case.
func ParseSuffix(name string) (Suffix, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for i, s := range suffixNames {
		if n == s {
			return Suffix(i), nil
		}
	}
	return 0, fmt.Errorf("scanner: unknown suffix %q (want %s)", name, strings.Join(suffixNames[:], ", "))
}

// End says why a frame ended.
type End uint8

const (
	EndSuffix End = iota + 1 // the configured suffix arrived
	EndIdle                  // the line went quiet with bytes pending
)

func (e End) String() string {
	switch e {
	case EndSuffix:
		return "suffix"
	case EndIdle:
		return "idle"
	}
	return fmt.Sprintf("End(%d)", e)
}

// Frame is one code as it came off the wire, suffix removed.
type Frame struct {
	Data    []byte
	End     End
	Refused int // bytes past the length limit that were not kept; > 0: the code was too long
}

// Framer cuts a byte stream into codes. It is a pure state machine: the
// caller feeds bytes and says when the line has gone quiet (Idle), so the
// rules can be tested and fuzzed without clocks. Not safe for concurrent use.
//
// A code ends at the suffix, or at Idle. Bytes past MaxLen are refused (and
// counted) until the code ends, so one over-long code yields one frame and
// its tail never masquerades as the next code. Empty codes are dropped.
type Framer struct {
	suffix  Suffix
	term    []byte // exact terminator; nil for SuffixLine and SuffixNone
	maxLen  int
	data    []byte
	match   int // bytes of term matched and held back from data
	skip    int // after an Idle that cut term short: how much of term was seen
	refused int
}

// NewFramer returns a Framer for suffix s keeping at most maxLen bytes of a
// code (maxLen < 1 means DefaultOpts.MaxLen).
func NewFramer(s Suffix, maxLen int) *Framer {
	if maxLen < 1 {
		maxLen = DefaultOpts.MaxLen
	}
	f := &Framer{suffix: s, maxLen: maxLen}
	if s != SuffixLine && s != SuffixNone {
		f.term = s.Bytes()
	}
	return f
}

// Pending returns how many bytes of an unfinished code are held.
func (f *Framer) Pending() int { return len(f.data) + f.match }

// Feed consumes p and returns the codes it completed, in order.
func (f *Framer) Feed(p []byte) []Frame {
	var out []Frame
	for _, b := range p {
		if fr, ok := f.feedByte(b); ok {
			out = append(out, fr)
		}
	}
	return out
}

func (f *Framer) feedByte(b byte) (Frame, bool) {
	if f.skip > 0 {
		// The rest of a terminator a pause cut in two belongs to the code
		// before the pause, not to the next one.
		if b == f.term[f.skip] {
			f.skip = (f.skip + 1) % len(f.term)
			return Frame{}, false
		}
		f.skip = 0
	}
	switch {
	case f.suffix == SuffixLine && (b == '\r' || b == '\n'):
		return f.end(EndSuffix)
	case f.term == nil:
		f.keep(b)
		return Frame{}, false
	case b == f.term[f.match]:
		f.match++
		if f.match == len(f.term) {
			f.match = 0
			return f.end(EndSuffix)
		}
		return Frame{}, false
	}
	// A partial terminator turned out to be data (CR not followed by LF).
	// With at most two distinct terminator bytes, b can only restart it.
	for _, h := range f.term[:f.match] {
		f.keep(h)
	}
	f.match = 0
	if b == f.term[0] {
		f.match = 1
		return Frame{}, false
	}
	f.keep(b)
	return Frame{}, false
}

func (f *Framer) keep(b byte) {
	if len(f.data) < f.maxLen {
		f.data = append(f.data, b)
		return
	}
	f.refused++
}

// Idle ends the pending code because the line went quiet. A terminator cut
// short (the CR of a CR LF) is dropped, and its rest is skipped if it comes.
func (f *Framer) Idle() (Frame, bool) {
	f.skip = f.match
	f.match = 0
	return f.end(EndIdle)
}

func (f *Framer) end(e End) (Frame, bool) {
	if len(f.data) == 0 {
		return Frame{}, false
	}
	fr := Frame{Data: f.data, End: e, Refused: f.refused}
	f.data, f.refused = nil, 0
	return fr, true
}
