package scanner

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/onestop-station/onestop/firmware-sim/sim/simpty"
)

// writeTimeout bounds a write nobody reads, so the twin never hangs on a
// full PTY buffer.
const writeTimeout = 2 * time.Second

// serve runs one PTY until ctx is done (0, nil), a hang-up is ordered (its
// down time, nil) or the port fails.
func (t *Twin) serve(ctx context.Context, p *simpty.Port) (time.Duration, error) {
	m := p.Master
	in := make(chan []byte, 16)
	readDone := make(chan error, 1)
	go readHost(m, in, readDone)
	defer func() {
		_ = m.SetReadDeadline(time.Now()) // stops readHost
		for range in {
		}
	}()

	var tick <-chan time.Time
	if t.opts.Every > 0 {
		tk := time.NewTicker(t.opts.Every)
		defer tk.Stop()
		tick = tk.C
	}
	decode := time.NewTimer(time.Hour)
	decode.Stop()
	defer decode.Stop()
	var parser hostParser
	for {
		select {
		case <-ctx.Done():
			return 0, nil
		case down := <-t.hangup:
			return down, nil
		case b, ok := <-in:
			if !ok {
				return 0, fmt.Errorf("scanner twin: read %s: %w", p.Path, <-readDone)
			}
			t.host(m, parser.feed(b, t.opts.Dialect), decode)
		case <-decode.C:
			t.emit(ctx, m)
		case <-t.fire:
			t.emit(ctx, m)
		case <-tick:
			t.emit(ctx, m)
		}
	}
}

// host acts on the host's commands: a trigger arms the decode timer (the
// imager takes a moment), a stop disarms it, and replies go out at once.
func (t *Twin) host(m *os.File, cmds []hostCmd, decode *time.Timer) {
	for _, c := range cmds {
		switch c.kind {
		case cmdJunk:
			t.count(func(k *Counters) { k.UnknownBytes += c.n })
			continue
		case cmdOn:
			t.count(func(k *Counters) { k.Triggers++ })
			decode.Reset(t.opts.DecodeDelay)
		case cmdOff:
			t.count(func(k *Counters) { k.Stops++ })
			decode.Stop()
		}
		if c.reply != nil {
			t.count(func(k *Counters) {
				k.Replies++
				if c.refused {
					k.Refused++
				}
			})
			t.write(m, c.reply)
		}
	}
}

// readHost copies what the host writes to in until the master fails or its
// read deadline passes; it closes in and reports why on done.
func readHost(m *os.File, in chan<- []byte, done chan<- error) {
	defer close(in)
	buf := make([]byte, 256)
	for {
		n, err := m.Read(buf)
		if n > 0 {
			in <- append([]byte(nil), buf[:n]...)
		}
		if err != nil {
			done <- err
			return
		}
	}
}

// write sends b paced at the baud rate (10 bits a byte) and never blocks
// longer than writeTimeout.
func (t *Twin) write(m *os.File, b []byte) {
	time.Sleep(time.Duration(len(b)) * 10 * time.Second / time.Duration(t.opts.Baud))
	_ = m.SetWriteDeadline(time.Now().Add(writeTimeout))
	n, err := m.Write(b)
	t.count(func(k *Counters) { k.Bytes += n })
	if err != nil {
		t.count(func(k *Counters) { k.WriteErrors++ })
		t.opts.Logger.Warn("scanner twin: write", "err", err, "written", n, "of", len(b))
	}
}
