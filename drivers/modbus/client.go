package modbus

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Port is the serial line a Client talks over. A go.bug.st/serial Port and
// a drivers/serialport Port satisfy it. Read must return (0, nil) or a
// timeout error when the read timeout passes with no data.
type Port interface {
	io.ReadWriter
	SetReadTimeout(time.Duration) error
	ResetInputBuffer() error
}

// ClientOpts configures a Client. Zero fields take the DefaultClientOpts value.
type ClientOpts struct {
	Baud        int           // line speed, for t3.5 and the request's wire time
	Timeout     time.Duration // from the end of the request to the end of the reply
	BitsPerChar int           // 10 for 8N1, 11 with parity or 2 stop bits
}

// DefaultClientOpts is 19200 baud 8N1 with a one-second reply timeout.
var DefaultClientOpts = ClientOpts{Baud: 19200, Timeout: time.Second, BitsPerChar: DefaultBitsPerChar}

func (o ClientOpts) withDefaults() ClientOpts {
	if o.Baud <= 0 {
		o.Baud = DefaultClientOpts.Baud
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultClientOpts.Timeout
	}
	if o.BitsPerChar <= 0 {
		o.BitsPerChar = DefaultClientOpts.BitsPerChar
	}
	return o
}

// Client is a Modbus RTU master. A serial line carries one exchange at a
// time, so a Client is meant for one goroutine at a time; concurrent calls
// are safe but take turns.
type Client struct {
	p    Port
	opts ClientOpts
	gap  time.Duration
	turn chan struct{} // holds a token while an exchange runs
	last time.Time     // end of the last frame on the line
}

// NewClient returns a master that talks over p. It does not own p.
func NewClient(p Port, opts ClientOpts) *Client {
	opts = opts.withDefaults()
	return &Client{p: p, opts: opts, gap: FrameGap(opts.Baud, opts.BitsPerChar), turn: make(chan struct{}, 1)}
}

// ReadHoldingRegisters reads qty (1..125) holding registers from addr (FC03).
func (c *Client) ReadHoldingRegisters(ctx context.Context, unit byte, addr, qty uint16) ([]uint16, error) {
	return c.do(ctx, Request{Unit: unit, Function: FuncReadHoldingRegisters, Addr: addr, Qty: qty})
}

// ReadInputRegisters reads qty (1..125) input registers from addr (FC04).
func (c *Client) ReadInputRegisters(ctx context.Context, unit byte, addr, qty uint16) ([]uint16, error) {
	return c.do(ctx, Request{Unit: unit, Function: FuncReadInputRegisters, Addr: addr, Qty: qty})
}

// WriteSingleRegister writes one register (FC06). Unit 0 broadcasts and
// returns once the request is sent.
func (c *Client) WriteSingleRegister(ctx context.Context, unit byte, addr, value uint16) error {
	_, err := c.do(ctx, Request{Unit: unit, Function: FuncWriteSingleRegister, Addr: addr, Values: []uint16{value}})
	return err
}

// WriteMultipleRegisters writes 1..123 registers from addr (FC16). Unit 0
// broadcasts and returns once the request is sent.
func (c *Client) WriteMultipleRegisters(ctx context.Context, unit byte, addr uint16, values []uint16) error {
	_, err := c.do(ctx, Request{Unit: unit, Function: FuncWriteMultipleRegisters, Addr: addr, Values: values})
	return err
}

// do runs one exchange and names the request in any error.
func (c *Client) do(ctx context.Context, req Request) ([]uint16, error) {
	values, err := c.exchange(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("modbus: %s (unit %d): %w", req.op(), req.Unit, err)
	}
	return values, nil
}

func (c *Client) exchange(ctx context.Context, req Request) ([]uint16, error) {
	if req.Unit == 0 && isRead(req.Function) {
		return nil, fmt.Errorf("%w: broadcast read", ErrInvalid)
	}
	adu, err := EncodeRequest(req)
	if err != nil {
		return nil, err
	}
	select {
	case c.turn <- struct{}{}:
		defer func() { <-c.turn }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := c.send(ctx, adu); err != nil {
		return nil, err
	}
	if req.Unit == 0 {
		return nil, nil
	}
	reply, err := c.receive(ctx, req)
	if err != nil {
		return nil, err
	}
	return DecodeReply(req, reply)
}

// send waits for t3.5 of silence, drops stale input (a late reply to an
// earlier request would otherwise be read as this one's), and writes.
func (c *Client) send(ctx context.Context, adu []byte) error {
	if err := c.listenUntil(ctx, c.last.Add(c.gap)); err != nil {
		return err
	}
	if err := c.p.ResetInputBuffer(); err != nil {
		return fmt.Errorf("flush input: %w", err)
	}
	if _, err := c.p.Write(adu); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	// Write returns once the bytes are queued; they leave the UART later.
	c.last = time.Now().Add(wireTime(len(adu), c.opts.Baud, c.opts.BitsPerChar))
	return nil
}

// receive reads the reply to req: its full length, or 5 bytes once the
// function code shows an exception. Reads are short so ctx is honoured.
func (c *Client) receive(ctx context.Context, req Request) ([]byte, error) {
	want := replyLength(req)
	buf := make([]byte, want)
	got := 0
	deadline := c.last.Add(c.opts.Timeout)
	defer func() { c.last = time.Now() }()
	for got < want {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			if got == 0 {
				return nil, ErrTimeout
			}
			return nil, fmt.Errorf("%w after %d of %d bytes", ErrTimeout, got, want)
		}
		if err := c.p.SetReadTimeout(min(remaining, pollInterval)); err != nil {
			return nil, fmt.Errorf("set read timeout: %w", err)
		}
		n, err := c.p.Read(buf[got:want])
		got += n
		if err != nil && !isTimeout(err) {
			return nil, fmt.Errorf("read: %w", err)
		}
		if got >= 2 && buf[1] == req.Function|exceptionFlag {
			want = 5 // an exception reply; read no further
		}
	}
	return buf[:want], nil
}

// listenUntil waits for t by reading the port with a timeout rather than on a
// timer: a serial read times out to the microsecond, while a Go timer can
// overshoot by most of a millisecond (the runtime's poller sleeps in whole
// milliseconds), an eighth of a snapshot poll at 115200 baud. Bytes that
// arrive meanwhile are noise or a late reply, which send flushes anyway. A
// port whose Read returns early with nothing falls back to the timer.
func (c *Client) listenUntil(ctx context.Context, t time.Time) error {
	var scratch [MaxADU]byte
	for {
		d := time.Until(t)
		if d <= 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.p.SetReadTimeout(min(d, pollInterval)); err != nil {
			return fmt.Errorf("set read timeout: %w", err)
		}
		start := time.Now()
		n, err := c.p.Read(scratch[:])
		if err != nil && !isTimeout(err) {
			return fmt.Errorf("read: %w", err)
		}
		if n == 0 && time.Since(start) < min(d, pollInterval)/2 {
			if !sleepUntil(ctx, t) {
				return ctx.Err()
			}
			return nil
		}
	}
}
