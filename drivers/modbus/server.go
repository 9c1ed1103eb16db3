package modbus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Handler holds a slave's registers. Returning an *Exception makes Serve
// reply with that code; any other error becomes ServerDeviceFailure.
// Serve calls it from one goroutine.
type Handler interface {
	// ReadRegisters returns qty registers from addr for FC03 or FC04 (fn).
	ReadRegisters(fn byte, addr, qty uint16) ([]uint16, error)
	// WriteRegisters stores values from addr (FC06 and FC16, also broadcast).
	WriteRegisters(addr uint16, values []uint16) error
}

// ReplyFilter sees every reply before it is sent and returns the bytes to
// send instead (nil drops the reply) and an extra delay. Twins use it to
// inject faults: a flipped CRC byte, a late or missing answer.
type ReplyFilter func(req Request, adu []byte) (out []byte, delay time.Duration)

// ServerOpts configures Serve. Zero fields take the DefaultServerOpts value.
type ServerOpts struct {
	Unit        byte // the slave's address, 1..247
	Baud        int  // line speed, for t3.5 and reply pacing
	BitsPerChar int  // 10 for 8N1, 11 with parity or 2 stop bits
	Filter      ReplyFilter
	OnReply     func(req Request) // after a reply is written
}

// DefaultServerOpts is unit 1 at 19200 baud 8N1.
var DefaultServerOpts = ServerOpts{Unit: 1, Baud: 19200, BitsPerChar: DefaultBitsPerChar}

func (o ServerOpts) withDefaults() ServerOpts {
	if o.Unit == 0 {
		o.Unit = DefaultServerOpts.Unit
	}
	if o.Baud <= 0 {
		o.Baud = DefaultServerOpts.Baud
	}
	if o.BitsPerChar <= 0 {
		o.BitsPerChar = DefaultServerOpts.BitsPerChar
	}
	return o
}

// Serve answers Modbus RTU requests arriving on rw until ctx is done (it
// then returns nil) or rw fails (it returns the error).
//
// A goroutine reads rw on Serve's behalf. When ctx is done Serve stops it and
// waits for it if rw can interrupt a Read: a serial port with SetReadTimeout,
// or anything with a working SetReadDeadline (net.Conn, a PTY master
// *os.File). Otherwise (io.Pipe, say) the goroutine ends when its pending
// Read returns, so close rw after Serve returns before reusing it.
//
// On a PTY master, keep a descriptor of the slave side open for as long as
// Serve runs: when no process holds the slave open, Linux fails master reads
// with EIO and Serve returns that error.
func Serve(ctx context.Context, rw io.ReadWriter, h Handler, opts ServerOpts) error {
	opts = opts.withDefaults()
	s := &server{rw: rw, h: h, opts: opts, gap: FrameGap(opts.Baud, opts.BitsPerChar)}
	rd := startReader(rw)
	defer rd.stop()
	err := s.loop(ctx, rd)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

type server struct {
	rw   io.ReadWriter
	h    Handler
	opts ServerOpts
	gap  time.Duration
	buf  []byte    // bytes received and not yet framed
	last time.Time // when the newest of them arrived
}

func (s *server) loop(ctx context.Context, rd *reader) error {
	gapTimer := time.NewTimer(time.Hour)
	gapTimer.Stop()
	defer gapTimer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case c, ok := <-rd.c:
			if !ok {
				return s.errorf("read", rd.err)
			}
			if err := s.receive(ctx, c); err != nil {
				return err
			}
		case <-gapTimer.C:
			if err := s.silence(ctx, rd); err != nil {
				return err
			}
		}
		if len(s.buf) > 0 {
			gapTimer.Reset(time.Until(s.last.Add(s.gap)))
		}
	}
}

// receive adds a chunk, first closing the pending frame if the chunk came
// after a gap.
func (s *server) receive(ctx context.Context, c chunk) error {
	if len(s.buf) > 0 && c.at.Sub(s.last) > s.gap {
		if err := s.frames(ctx, true); err != nil {
			return err
		}
	}
	s.buf = append(s.buf, c.data...)
	s.last = c.at
	return s.frames(ctx, false)
}

// silence runs when the gap timer fires. Bytes already read but not yet
// handed over decide whether there really was a gap.
func (s *server) silence(ctx context.Context, rd *reader) error {
	select {
	case c, ok := <-rd.c:
		if !ok {
			return s.errorf("read", rd.err)
		}
		return s.receive(ctx, c)
	default:
	}
	if len(s.buf) == 0 || time.Since(s.last) <= s.gap {
		return nil
	}
	return s.frames(ctx, true)
}

// frames handles every complete request in s.buf. atGap says the line went
// silent after s.buf, so whatever cannot be a complete frame is noise.
// Resync works one byte at a time: a frame that fails its CRC loses its
// first byte and framing starts over at the next.
func (s *server) frames(ctx context.Context, atGap bool) error {
	for len(s.buf) > 0 {
		n, ok := RequestLength(s.buf)
		switch {
		case ok && n <= MaxADU && n <= len(s.buf): // whole: handled below if the CRC holds
			if !crcOK(s.buf[:n]) {
				s.buf = s.buf[1:]
				continue
			}
		case ok && n <= MaxADU, !ok && n > 0:
			if !atGap {
				return nil // wait for the rest
			}
			s.buf = s.buf[1:]
			continue
		case !ok: // length unknown: the frame is what came before the gap
			if !atGap && len(s.buf) <= MaxADU {
				return nil
			}
			if !atGap || len(s.buf) < 4 || !crcOK(s.buf) {
				s.buf = s.buf[1:]
				continue
			}
			n = len(s.buf)
		default: // longer than any ADU: noise
			s.buf = s.buf[1:]
			continue
		}
		frame := s.buf[:n]
		s.buf = s.buf[n:]
		if err := s.handle(ctx, frame); err != nil {
			return err
		}
	}
	return nil
}

func (s *server) errorf(op string, err error) error {
	return fmt.Errorf("modbus: serve (unit %d): %s: %w", s.opts.Unit, op, err)
}

// handle answers one CRC-checked frame.
func (s *server) handle(ctx context.Context, frame []byte) error {
	unit, fn := frame[0], frame[1]
	if unit != s.opts.Unit && unit != 0 {
		return nil // another slave's business
	}
	req := Request{Unit: unit, Function: fn}
	var reply []byte
	switch {
	case !supported(fn):
		reply = EncodeException(req, IllegalFunction)
	default:
		var err error
		if req, err = DecodeRequest(frame); err != nil {
			reply = EncodeException(req, IllegalDataValue)
		} else {
			reply = s.apply(req)
		}
	}
	if unit == 0 {
		return nil // broadcast: applied, never answered
	}
	return s.send(ctx, req, reply)
}

// apply runs req against the handler and returns the reply.
func (s *server) apply(req Request) []byte {
	if req.Unit == 0 && isRead(req.Function) {
		return nil
	}
	if int(req.Addr)+int(req.Qty) > 0x10000 {
		return EncodeException(req, IllegalDataAddress)
	}
	var values []uint16
	var err error
	if isRead(req.Function) {
		values, err = s.h.ReadRegisters(req.Function, req.Addr, req.Qty)
		if err == nil && len(values) != int(req.Qty) {
			err = fmt.Errorf("handler returned %d registers for %d", len(values), req.Qty)
		}
	} else {
		err = s.h.WriteRegisters(req.Addr, req.Values)
	}
	var ex *Exception
	switch {
	case errors.As(err, &ex):
		return EncodeException(req, ex.Code)
	case err != nil:
		return EncodeException(req, ServerDeviceFailure)
	}
	return EncodeReply(req, values)
}

// send paces the reply as a UART would: t3.5 after the request, plus the
// reply's own wire time, then one write. One write rather than byte-sized
// ones because a loaded machine cannot hold sub-millisecond sleeps, and the
// gaps that left between chunks would look like frame ends to a strict master.
func (s *server) send(ctx context.Context, req Request, adu []byte) error {
	var delay time.Duration
	if s.opts.Filter != nil {
		adu, delay = s.opts.Filter(req, adu)
	}
	if adu == nil {
		return nil
	}
	at := s.last.Add(s.gap + delay + wireTime(len(adu), s.opts.Baud, s.opts.BitsPerChar))
	if !sleepUntil(ctx, at) {
		return nil
	}
	if _, err := s.rw.Write(adu); err != nil {
		return s.errorf(req.op()+": write reply", err)
	}
	if s.opts.OnReply != nil {
		s.opts.OnReply(req)
	}
	return nil
}
