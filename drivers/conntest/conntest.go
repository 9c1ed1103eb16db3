// Package conntest records and replays byte exchanges with a serial device, so a driver is
// tested against what the wire carried, without hardware: a capture from a real device becomes
// a test. After periph.io's conntest.
//
// Playback stands in for a port: each IO is what the driver must write (W) and what the device
// answered (R). A write that differs from the recording fails the test with both byte strings;
// reads return the answer once its request was written, and time out like a real port otherwise.
// Record wraps a real port and keeps the exchanges it sees, to be saved with Format.
//
// Capture files (testdata/*.txt) hold one exchange per pair of lines:
//
//	# find card
//	> AA AA AA 96 69 00 03 20 01 22
//	< AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97
package conntest

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// IO is one exchange: bytes the host writes, then bytes the device answers (may be empty).
type IO struct {
	W, R []byte
}

// ErrMismatch is wrapped by every error of a write that differs from the recording.
var ErrMismatch = errors.New("conntest: write differs from the recording")

// Playback replays recorded exchanges. It implements the methods drivers use of a serial port:
// io.ReadWriter, SetReadTimeout, ResetInputBuffer and Close. Safe for one reader and one writer.
type Playback struct {
	Ops []IO

	mu      sync.Mutex
	op      int           // exchange being written
	written int           // bytes of Ops[op].W received so far
	pending []byte        // answer bytes not yet read
	timeout time.Duration // read timeout; < 0 blocks (here: fails at once, nothing more will come)
	err     error         // first mismatch, reported by every later call and by Close
}

// Write checks p against the recording; a completed request releases its answer to Read.
func (pb *Playback) Write(p []byte) (int, error) {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	if pb.err != nil {
		return 0, pb.err
	}
	for i, b := range p {
		if pb.op >= len(pb.Ops) {
			pb.err = fmt.Errorf("%w: unexpected write % X after the last exchange", ErrMismatch, p[i:])
			return i, pb.err
		}
		want := pb.Ops[pb.op].W
		if want[pb.written] != b {
			pb.err = fmt.Errorf("%w: exchange %d: wrote % X…, recording has % X", ErrMismatch, pb.op, append(want[:pb.written:pb.written], p[i:]...), want)
			return i, pb.err
		}
		pb.written++
		if pb.written == len(want) {
			pb.pending = append(pb.pending, pb.Ops[pb.op].R...)
			pb.op++
			pb.written = 0
		}
	}
	return len(p), nil
}

// Read returns answer bytes released by completed writes. With none, it waits the read timeout
// and returns (0, nil), like go.bug.st/serial; no more bytes can arrive while it waits.
func (pb *Playback) Read(p []byte) (int, error) {
	pb.mu.Lock()
	if pb.err != nil {
		defer pb.mu.Unlock()
		return 0, pb.err
	}
	if len(pb.pending) > 0 {
		defer pb.mu.Unlock()
		n := copy(p, pb.pending)
		pb.pending = pb.pending[n:]
		return n, nil
	}
	d := pb.timeout
	pb.mu.Unlock()
	if d < 0 {
		return 0, io.EOF // a blocking read with nothing recorded would block for ever
	}
	time.Sleep(d)
	return 0, nil
}

// SetReadTimeout sets how long Read waits when no answer is pending.
func (pb *Playback) SetReadTimeout(d time.Duration) error {
	pb.mu.Lock()
	pb.timeout = d
	pb.mu.Unlock()
	return nil
}

// ResetInputBuffer drops answer bytes not yet read, as a real port drops its input queue.
func (pb *Playback) ResetInputBuffer() error {
	pb.mu.Lock()
	pb.pending = nil
	pb.mu.Unlock()
	return nil
}

// Close reports a mismatch, or exchanges the driver never made.
func (pb *Playback) Close() error {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	if pb.err != nil {
		return pb.err
	}
	if pb.op < len(pb.Ops) || pb.written > 0 {
		return fmt.Errorf("conntest: %d of %d exchanges not made", len(pb.Ops)-pb.op, len(pb.Ops))
	}
	return nil
}

// Port is what Record wraps: a real port.
type Port interface {
	io.ReadWriter
	SetReadTimeout(time.Duration) error
	ResetInputBuffer() error
}

// Record passes everything to Port and keeps the exchanges: a write after a read starts a new one.
type Record struct {
	Port
	mu  sync.Mutex
	Ops []IO
}

func (r *Record) Write(p []byte) (int, error) {
	n, err := r.Port.Write(p)
	r.mu.Lock()
	if len(r.Ops) == 0 || len(r.Ops[len(r.Ops)-1].R) > 0 {
		r.Ops = append(r.Ops, IO{})
	}
	last := &r.Ops[len(r.Ops)-1]
	last.W = append(last.W, p[:n]...)
	r.mu.Unlock()
	return n, err
}

func (r *Record) Read(p []byte) (int, error) {
	n, err := r.Port.Read(p)
	if n > 0 {
		r.mu.Lock()
		if len(r.Ops) == 0 {
			r.Ops = append(r.Ops, IO{}) // the device spoke first
		}
		last := &r.Ops[len(r.Ops)-1]
		last.R = append(last.R, p[:n]...)
		r.mu.Unlock()
	}
	return n, err
}

// Format writes exchanges in the capture file format.
func Format(ops []IO) string {
	var b strings.Builder
	for _, op := range ops {
		fmt.Fprintf(&b, "> % X\n", op.W)
		fmt.Fprintf(&b, "< % X\n", op.R)
	}
	return b.String()
}

// Parse reads a capture file: lines "> hex" (host writes) and "< hex" (device answers), blank
// lines and "#" comments ignored. Hex may be spaced or not.
func Parse(text string) ([]IO, error) {
	var ops []IO
	s := bufio.NewScanner(strings.NewReader(text))
	s.Buffer(make([]byte, 64<<10), 4<<20)
	for line := 1; s.Scan(); line++ {
		l := strings.TrimSpace(s.Text())
		if l == "" || l[0] == '#' {
			continue
		}
		if len(l) < 1 || (l[0] != '>' && l[0] != '<') {
			return nil, fmt.Errorf("conntest: line %d: want \"> hex\" or \"< hex\"", line)
		}
		raw, err := hex.DecodeString(strings.Join(strings.Fields(l[1:]), ""))
		if err != nil {
			return nil, fmt.Errorf("conntest: line %d: %w", line, err)
		}
		switch {
		case l[0] == '>':
			ops = append(ops, IO{W: raw})
		case len(ops) == 0:
			return nil, fmt.Errorf("conntest: line %d: an answer before any request", line)
		default:
			last := &ops[len(ops)-1]
			last.R = append(last.R, raw...)
		}
	}
	return ops, s.Err()
}

// Equal reports whether two recordings hold the same bytes.
func Equal(a, b []IO) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].W, b[i].W) || !bytes.Equal(a[i].R, b[i].R) {
			return false
		}
	}
	return true
}
