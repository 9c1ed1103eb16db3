package modbus

import (
	"errors"
	"io"
	"os"
	"syscall"
	"time"
)

// pollInterval bounds how long a read blocks on a port with read timeouts,
// so the reader notices it should stop.
const pollInterval = 50 * time.Millisecond

// chunk is what one Read returned, stamped with when it returned: the slave
// finds frame gaps from these stamps, not from when it gets round to them.
type chunk struct {
	data []byte
	at   time.Time
}

// reader moves bytes from an io.Reader to a channel so Serve can wait for
// bytes, a frame gap and ctx at once. Serve owns it and stops it.
type reader struct {
	r     io.Reader
	c     chan chunk // closed when the goroutine ends; err says why
	err   error
	quit  chan struct{}
	done  chan struct{}
	stopf func() // makes a blocked Read return, if rw allows it
	wait  bool   // stop can wait for the goroutine: its Read will return
}

// readTimeouter is a serial port (go.bug.st/serial, drivers/serialport):
// Read returns (0, nil) when the timeout passes.
type readTimeouter interface {
	SetReadTimeout(time.Duration) error
}

type readDeadliner interface {
	SetReadDeadline(time.Time) error
}

func startReader(r io.Reader) *reader {
	rd := &reader{r: r, c: make(chan chunk, 16), quit: make(chan struct{}), done: make(chan struct{})}
	rd.setupInterrupt()
	go rd.run()
	return rd
}

// setupInterrupt picks how stop will unblock a Read. Ports with read
// timeouts poll; files and conns get a deadline. A PTY master *os.File from
// github.com/creack/pty has been put in blocking mode by File.Fd, where
// SetReadDeadline succeeds but does nothing; putting the descriptor back in
// non-blocking mode lets the runtime poller honour the deadline again.
// Anything else (io.Pipe, plain readers) cannot be interrupted: the goroutine
// then ends when its pending Read returns, for example when the caller closes rw.
func (rd *reader) setupInterrupt() {
	switch p := rd.r.(type) {
	case readTimeouter:
		if p.SetReadTimeout(pollInterval) == nil {
			rd.wait = true
		}
	case readDeadliner:
		if p.SetReadDeadline(time.Time{}) != nil {
			return
		}
		if sc, ok := rd.r.(syscall.Conn); ok && setNonblock(sc) != nil {
			return
		}
		rd.wait = true
		rd.stopf = func() { _ = p.SetReadDeadline(time.Now()) }
	}
}

func (rd *reader) run() {
	defer close(rd.done)
	defer close(rd.c)
	buf := make([]byte, MaxADU)
	for {
		n, err := rd.r.Read(buf)
		at := time.Now()
		if n > 0 {
			select {
			case rd.c <- chunk{data: append([]byte(nil), buf[:n]...), at: at}:
			case <-rd.quit:
				return
			}
		}
		select {
		case <-rd.quit:
			return
		default:
		}
		if err != nil && !isTimeout(err) {
			rd.err = err
			return
		}
	}
}

// stopGrace bounds the wait for an interrupted Read, in case a
// SetReadDeadline claims success but does not wake the Read: Serve must
// still return when its ctx is done.
const stopGrace = time.Second

// stop ends the goroutine, waiting for it when its Read can be interrupted,
// and leaves rw without a pending deadline.
func (rd *reader) stop() {
	close(rd.quit)
	if rd.stopf != nil {
		rd.stopf()
	}
	if !rd.wait {
		return
	}
	select {
	case <-rd.done:
	case <-time.After(stopGrace):
		return // the goroutine ends when its Read returns
	}
	if d, ok := rd.r.(readDeadliner); ok && rd.stopf != nil {
		_ = d.SetReadDeadline(time.Time{})
	}
}

// isTimeout reports a read that simply found no data in time.
func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
