package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/serialport"
)

// Reader timing. With nothing pending the reader wakes every idlePoll only to
// notice Close; with a code pending it wakes when the code would go idle.
const (
	idlePoll    = 200 * time.Millisecond
	minWait     = 5 * time.Millisecond
	retryOnFail = 100 * time.Millisecond
)

// reader is the state of the read loop, owned by its goroutine.
type reader struct {
	s       *Scanner
	framer  *Framer
	filter  replyFilter
	last    time.Time // when the last byte arrived
	timeout time.Duration
}

func (s *Scanner) readLoop() {
	defer s.wg.Done()
	r := &reader{s: s, framer: NewFramer(s.opts.Suffix, s.opts.MaxLen), filter: replyFilter{on: s.opts.Dialect.Acks()}}
	buf := make([]byte, 1024)
	for {
		select {
		case <-s.stop:
			return
		default:
		}
		r.setTimeout()
		n, err := s.port.Read(buf)
		now := time.Now()
		if n > 0 {
			r.last = now
			r.consume(buf[:n])
		}
		if err != nil {
			if !r.failed(err) {
				return
			}
			continue
		}
		s.setState(device.Idle, nil)
		// Only a read that waited and came back empty proves the line is
		// quiet; the clock alone would split a code whenever this goroutine
		// was descheduled between two reads.
		if n == 0 && r.pending() && now.Sub(r.last) >= s.opts.IdleTimeout {
			r.idle()
		}
	}
}

func (r *reader) pending() bool { return r.framer.Pending() > 0 || len(r.filter.buf) > 0 }

// setTimeout waits until the pending code goes idle, or idlePoll.
func (r *reader) setTimeout() {
	want := idlePoll
	if r.pending() {
		want = max(time.Until(r.last.Add(r.s.opts.IdleTimeout)), minWait)
	}
	if want == r.timeout {
		return
	}
	if err := r.s.port.SetReadTimeout(want); err == nil {
		r.timeout = want
	}
}

func (r *reader) consume(p []byte) {
	data, replies := r.filter.feed(p)
	for _, rp := range replies {
		select {
		case r.s.replies <- rp:
		default: // nobody waits for it: an answer after its command timed out
		}
	}
	for _, fr := range r.framer.Feed(data) {
		r.deliver(fr)
	}
}

func (r *reader) idle() {
	for _, fr := range r.framer.Feed(r.filter.flush()) {
		r.deliver(fr)
	}
	if fr, ok := r.framer.Idle(); ok {
		r.deliver(fr)
	}
}

// failed handles a read error; false ends the loop (the port is closed).
func (r *reader) failed(err error) bool {
	s := r.s
	if r.pending() {
		r.idle() // the device went quiet for good: keep what it sent
	}
	r.timeout = 0 // a reopened port starts with its own timeout
	switch {
	case errors.Is(err, serialport.ErrClosed), errors.Is(err, io.EOF), errors.Is(err, os.ErrClosed):
		s.mu.Lock()
		s.setStateLocked(device.Closed, err)
		s.closed = true
		s.mu.Unlock()
		return false
	case errors.Is(err, serialport.ErrGone), errors.Is(err, serialport.ErrOffline):
		s.setState(device.Offline, err)
	default:
		s.setState(device.Error, err)
	}
	select {
	case <-s.stop:
		return false
	case <-time.After(retryOnFail):
		return true
	}
}

// deliver turns a frame into a Code (or a CodeError) for Scan and Events.
func (r *reader) deliver(fr Frame) {
	c, err := r.s.decode(fr, r.last)
	ev := device.Event{Kind: device.Data, State: device.Idle, Time: c.At, Detail: c.Symbology.String(), Data: []byte(c.Data)}
	if err != nil {
		ev.Err, ev.Data, ev.Detail = err, bytes.Clone(c.Raw), "damaged code"
	}
	r.s.events.Emit(ev)
	r.s.push(result{code: c, err: err})
}

func (s *Scanner) decode(fr Frame, at time.Time) (Code, error) {
	c := Code{Raw: bytes.Clone(fr.Data), End: fr.End, At: at}
	if fr.Refused > 0 {
		return c, &CodeError{Raw: c.Raw, Err: fmt.Errorf("%w: %d bytes, limit %d (is the suffix set to %s?)",
			ErrTooLong, len(fr.Data)+fr.Refused, s.opts.MaxLen, s.opts.Suffix)}
	}
	payload := c.Raw
	if s.opts.AIM {
		sym, id, rest, ok := ParseAIM(c.Raw)
		if !ok {
			return c, &CodeError{Raw: c.Raw, Err: fmt.Errorf("%w at the start of a %d-byte code", ErrNoAIM, len(c.Raw))}
		}
		c.Symbology, c.AIM, payload = sym, id, rest
	}
	text, cs, err := Decode(payload, s.opts.Charset)
	if err != nil {
		return c, &CodeError{Raw: c.Raw, Err: err}
	}
	c.Data, c.Charset = text, cs
	return c, nil
}
