package idcard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTimeout: no whole reply came within the command's timeout.
var ErrTimeout = errors.New("no reply")

// ErrStrayReply: only replies that do not fit the command came (a late answer to an earlier
// command, or a reply of the wrong shape).
var ErrStrayReply = errors.New("reply does not fit the command")

// readPoll bounds each port read, so ctx is noticed while waiting.
const readPoll = 50 * time.Millisecond

// shape says which success replies belong to a command, and how long the longest is.
type shape struct {
	max  int
	fits func(data []byte) bool
}

func exact(n int) shape { return shape{n, func(d []byte) bool { return len(d) == n }} }

func readShape(nLens int) shape {
	return shape{2*nLens + textBlockLen + PhotoLen + 2*FingerprintLen, func(d []byte) bool {
		_, err := splitRead(d, nLens)
		return err == nil
	}}
}

// addressShape: 70 bytes by the reference; shorter even lengths are accepted, as the LEN of
// this reply is derived, not seen.
var addressShape = shape{AddressLen, func(d []byte) bool { return len(d) > 0 && len(d) <= AddressLen && len(d)%2 == 0 }}

// do runs one exchange and names the operation in any error.
func (r *Reader) do(ctx context.Context, op string, cmd Command, ok Status, timeout time.Duration, sh shape) (Response, error) {
	resp, err := r.exchange(ctx, cmd, ok, timeout, sh)
	if err == nil {
		err = resp.statusErr()
	}
	if err != nil {
		return resp, wrapOp(op, err)
	}
	return resp, nil
}

func wrapOp(op string, err error) error { return fmt.Errorf("idcard: %s: %w", op, err) }

func (r *Reader) exchange(ctx context.Context, cmd Command, ok Status, timeout time.Duration, sh shape) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// A late reply to an earlier command would otherwise be read as this one's.
	if err := r.port.ResetInputBuffer(); err != nil {
		return Response{}, fmt.Errorf("flush input: %w", err)
	}
	req := cmd.Encode()
	if _, err := r.port.Write(req); err != nil {
		return Response{}, fmt.Errorf("write: %w", err)
	}
	wire := r.wireTime(len(req) + HeaderLen + MinResponseLen + sh.max)
	return r.receive(ctx, ok, sh, timeout+wire)
}

// wireTime is how long n bytes take at 10 bits each (8N1).
func (r *Reader) wireTime(n int) time.Duration {
	return time.Duration(n*10) * time.Second / time.Duration(r.opts.Baud)
}

// receiver is the state of one reply being read.
type receiver struct {
	bad      error     // why the last candidate frame was rejected
	stray    *Response // the last reply that did not fit
	lastByte time.Time
}

// receive reads until a reply that fits arrives, the timeout passes, a started frame stalls
// for ByteGap, or a whole frame fails its checksum with nothing behind it.
func (r *Reader) receive(ctx context.Context, ok Status, sh shape, timeout time.Duration) (Response, error) {
	rc := receiver{}
	deadline := time.Now().Add(timeout)
	chunk := make([]byte, 1024)
	r.buf = r.buf[:0]
	for {
		if err := ctx.Err(); err != nil {
			return Response{}, err
		}
		if resp, done := r.frames(&rc, ok, sh); done {
			return resp, nil
		}
		if errors.Is(rc.bad, ErrChecksum) && !bytes.HasPrefix(r.buf, Preamble[:]) {
			return Response{}, fmt.Errorf("reply: %w", ErrChecksum)
		}
		wait := time.Until(deadline)
		if bytes.HasPrefix(r.buf, Preamble[:]) {
			wait = min(wait, time.Until(rc.lastByte.Add(r.opts.ByteGap)))
		}
		if wait <= 0 {
			return Response{}, r.timedOut(&rc, timeout)
		}
		if err := r.port.SetReadTimeout(min(wait, readPoll)); err != nil {
			return Response{}, fmt.Errorf("set read timeout: %w", err)
		}
		n, err := r.port.Read(chunk)
		if n > 0 {
			r.buf = append(r.buf, chunk[:n]...)
			rc.lastByte = time.Now()
		}
		if err != nil {
			return Response{}, fmt.Errorf("read: %w", err)
		}
	}
}

// frames takes every whole frame out of r.buf and returns the first that fits.
func (r *Reader) frames(rc *receiver, ok Status, sh shape) (Response, bool) {
	for {
		f, n, bad := Scan(r.buf, false)
		if bad != nil {
			rc.bad = bad
		}
		if f == nil {
			r.buf = r.buf[n:]
			return Response{}, false
		}
		resp, err := DecodeResponse(f)
		r.buf = r.buf[n:]
		switch {
		case err != nil:
			rc.bad = err
		case fits(resp, ok, sh):
			resp.Data = append([]byte(nil), resp.Data...) // r.buf is reused
			return resp, true
		default:
			rc.stray = &resp
		}
	}
}

// fits reports whether resp answers the command: a failure status always does; a success
// status must be the command's own, with data of its shape.
func fits(resp Response, ok Status, sh shape) bool {
	if resp.SW3 != StatusOK && resp.SW3 != StatusCardFound {
		return true
	}
	return resp.SW3 == ok && sh.fits(resp.Data)
}

// timedOut explains why no reply came: a frame cut short, frames that were rejected, replies
// that did not fit, noise, or silence.
func (r *Reader) timedOut(rc *receiver, timeout time.Duration) error {
	if bytes.HasPrefix(r.buf, Preamble[:]) && len(r.buf) >= HeaderLen {
		want := HeaderLen + (int(r.buf[5])<<8 | int(r.buf[6]))
		return fmt.Errorf("reply: %w: got %d of %d bytes", ErrTruncated, len(r.buf), want)
	}
	if _, _, bad := Scan(r.buf, true); bad != nil {
		rc.bad = bad
	}
	switch {
	case rc.stray != nil:
		return fmt.Errorf("%w: SW3 0x%02X with %d data bytes", ErrStrayReply, byte(rc.stray.SW3), len(rc.stray.Data))
	case rc.bad != nil:
		return fmt.Errorf("reply: %w", rc.bad)
	case len(r.buf) > 0:
		return fmt.Errorf("%w within %v: %d bytes of noise", ErrTimeout, timeout.Round(time.Millisecond), len(r.buf))
	}
	return fmt.Errorf("%w within %v", ErrTimeout, timeout.Round(time.Millisecond))
}
