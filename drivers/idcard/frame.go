package idcard

import (
	"bytes"
	"errors"
	"fmt"
)

// Preamble starts every frame in both directions.
var Preamble = [5]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}

// Frame sizes. LEN counts the bytes after the LEN field, checksum included.
const (
	HeaderLen = 7 // preamble + LEN
	// MinCommandLen is the LEN of a command without data: CMD, PARA, CHK.
	MinCommandLen = 3
	// MinResponseLen is the LEN of a response without data: SW1, SW2, SW3, CHK.
	MinResponseLen = 4
	// MaxLen bounds LEN. The longest real reply (read with two fingerprints) has LEN 2314;
	// a bigger value is noise, and refusing it lets resync move on at once instead of waiting
	// for kilobytes that will never come.
	MaxLen = 4096
)

// Link-level errors: the bytes on the line were not a usable frame.
var (
	ErrChecksum  = errors.New("bad checksum")
	ErrLength    = errors.New("bad length")
	ErrPreamble  = errors.New("no preamble")
	ErrTruncated = errors.New("truncated frame")
)

// Checksum is the XOR of b; pass the bytes from LEN_H through the last data byte.
func Checksum(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}

// frame builds preamble, LEN, body and CHK.
func frame(body []byte) []byte {
	n := len(body) + 1
	f := make([]byte, 0, HeaderLen+n)
	f = append(f, Preamble[:]...)
	f = append(f, byte(n>>8), byte(n))
	f = append(f, body...)
	return append(f, Checksum(f[5:]))
}

// Command is a host request.
type Command struct {
	Cmd, Para byte
	Data      []byte
}

// Commands of the reference, table 1.3.
var (
	CmdResetSAM    = Command{Cmd: 0x10, Para: 0xFF}
	CmdSAMStatus   = Command{Cmd: 0x11, Para: 0xFF}
	CmdSAMID       = Command{Cmd: 0x12, Para: 0xFF}
	CmdFindCard    = Command{Cmd: 0x20, Para: 0x01}
	CmdSelectCard  = Command{Cmd: 0x20, Para: 0x02}
	CmdReadBasic   = Command{Cmd: 0x30, Para: 0x01}
	CmdReadFP      = Command{Cmd: 0x30, Para: 0x10}
	CmdReadAddress = Command{Cmd: 0x30, Para: 0x03}
)

// Is reports whether c has the same CMD and PARA as o.
func (c Command) Is(o Command) bool { return c.Cmd == o.Cmd && c.Para == o.Para }

// Encode returns the whole frame, e.g. AA AA AA 96 69 00 03 20 01 22 for find card.
func (c Command) Encode() []byte {
	return frame(append([]byte{c.Cmd, c.Para}, c.Data...))
}

func (c Command) String() string { return fmt.Sprintf("%02X %02X", c.Cmd, c.Para) }

// Response is a reader reply.
type Response struct {
	SW1, SW2 byte
	SW3      Status
	Data     []byte
}

// Encode returns the whole frame, e.g. AA AA AA 96 69 00 04 00 00 80 84 for "no card".
func (r Response) Encode() []byte {
	return frame(append([]byte{r.SW1, r.SW2, byte(r.SW3)}, r.Data...))
}

// check verifies preamble, LEN and CHK of one whole frame and returns its body (between LEN
// and CHK).
func check(f []byte, minLen int) ([]byte, error) {
	if len(f) < HeaderLen || !bytes.Equal(f[:5], Preamble[:]) {
		return nil, ErrPreamble
	}
	n := int(f[5])<<8 | int(f[6])
	if n < minLen || n > MaxLen || len(f) != HeaderLen+n {
		return nil, fmt.Errorf("%w: LEN %d for a %d-byte frame", ErrLength, n, len(f))
	}
	if sum := Checksum(f[5 : len(f)-1]); sum != f[len(f)-1] {
		return nil, fmt.Errorf("%w: got %02X, want %02X", ErrChecksum, f[len(f)-1], sum)
	}
	return f[HeaderLen : len(f)-1], nil
}

// DecodeCommand parses one whole host frame.
func DecodeCommand(f []byte) (Command, error) {
	body, err := check(f, MinCommandLen)
	if err != nil {
		return Command{}, err
	}
	return Command{Cmd: body[0], Para: body[1], Data: body[2:]}, nil
}

// DecodeResponse parses one whole reader frame. Data aliases f.
func DecodeResponse(f []byte) (Response, error) {
	body, err := check(f, MinResponseLen)
	if err != nil {
		return Response{}, err
	}
	return Response{SW1: body[0], SW2: body[1], SW3: Status(body[2]), Data: body[3:]}, nil
}

// Scan finds the first whole frame with a valid LEN and checksum in buf, resynchronising on
// the preamble: anything before a preamble is noise, and a candidate whose LEN is out of range
// or whose checksum fails loses its first byte so the search goes on behind it.
//
// It returns the frame (a slice of buf, nil if none is complete yet) and n, how many leading
// bytes of buf are used up — noise, rejected candidates and the frame itself; the caller drops
// them and calls again when more bytes arrive. bad is the reason of the last rejected
// candidate (ErrLength, ErrChecksum, or with atEOF ErrTruncated), nil when only noise was
// skipped. atEOF says no more bytes will come, so an incomplete candidate is rejected too.
// A partial preamble at the end of buf is kept.
func Scan(buf []byte, atEOF bool) (f []byte, n int, bad error) {
	i := 0
	for {
		j := bytes.Index(buf[i:], Preamble[:])
		if j < 0 {
			if atEOF {
				return nil, len(buf), bad
			}
			return nil, len(buf) - partialPreamble(buf[i:]), bad
		}
		i += j
		if len(buf)-i < HeaderLen {
			if atEOF {
				return nil, len(buf), ErrTruncated
			}
			return nil, i, bad
		}
		size := HeaderLen + (int(buf[i+5])<<8 | int(buf[i+6]))
		switch {
		case size-HeaderLen < MinCommandLen || size-HeaderLen > MaxLen:
			bad = ErrLength
		case len(buf)-i < size && !atEOF:
			return nil, i, bad
		case len(buf)-i < size:
			bad = ErrTruncated
		case Checksum(buf[i+5:i+size-1]) != buf[i+size-1]:
			bad = ErrChecksum
		default:
			return buf[i : i+size], i + size, bad
		}
		i++
	}
}

// partialPreamble returns how many bytes at the end of b are a proper prefix of the preamble.
func partialPreamble(b []byte) int {
	for k := min(len(b), len(Preamble)-1); k > 0; k-- {
		if bytes.Equal(b[len(b)-k:], Preamble[:k]) {
			return k
		}
	}
	return 0
}
