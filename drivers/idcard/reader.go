package idcard

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/serialport"
)

// Port is the serial line a Reader talks over; a drivers/serialport Port, a go.bug.st/serial
// Port and a conntest.Playback satisfy it. A Read whose timeout passes returns (0, nil).
type Port interface {
	io.ReadWriter
	SetReadTimeout(time.Duration) error
	ResetInputBuffer() error
}

// Opts configures a Reader. Zero fields take the DefaultOpts value.
//
// Each timeout is the time the module may take to start answering; the wire time of the
// request and of the longest reply at Baud is added, so a slow line needs no other setting.
type Opts struct {
	Baud               int           // line speed, for wire times
	StatusTimeout      time.Duration // 11 FF SAM status, 10 FF reset
	SAMIDTimeout       time.Duration // 12 FF
	FindTimeout        time.Duration // 20 01
	SelectTimeout      time.Duration // 20 02
	ReadTimeout        time.Duration // 30 01
	FingerprintTimeout time.Duration // 30 10
	AddressTimeout     time.Duration // 30 03
	// ByteGap is the silence after which a started reply counts as truncated: a module sends
	// a frame in one go, so waiting out the whole timeout would only delay the error.
	ByteGap time.Duration
	// PollInterval paces find-card in WaitCard.
	PollInterval time.Duration
	// Fingerprint makes WaitCard read with 30 10 instead of 30 01.
	Fingerprint bool
}

// DefaultOpts holds the timeouts YinanSoft SerialReader.java uses (reference 1.3) at 115200
// baud; the SAM status timeout, not given there, is that of SAM ID.
var DefaultOpts = Opts{
	Baud:               115200,
	StatusTimeout:      300 * time.Millisecond,
	SAMIDTimeout:       300 * time.Millisecond,
	FindTimeout:        100 * time.Millisecond,
	SelectTimeout:      100 * time.Millisecond,
	ReadTimeout:        2000 * time.Millisecond,
	FingerprintTimeout: 3000 * time.Millisecond,
	AddressTimeout:     1500 * time.Millisecond,
	ByteGap:            200 * time.Millisecond,
	PollInterval:       250 * time.Millisecond,
}

func (o Opts) withDefaults() Opts {
	d := DefaultOpts
	for _, p := range []struct{ v, def *time.Duration }{
		{&o.StatusTimeout, &d.StatusTimeout}, {&o.SAMIDTimeout, &d.SAMIDTimeout},
		{&o.FindTimeout, &d.FindTimeout}, {&o.SelectTimeout, &d.SelectTimeout},
		{&o.ReadTimeout, &d.ReadTimeout}, {&o.FingerprintTimeout, &d.FingerprintTimeout},
		{&o.AddressTimeout, &d.AddressTimeout}, {&o.ByteGap, &d.ByteGap}, {&o.PollInterval, &d.PollInterval},
	} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	if o.Baud <= 0 {
		o.Baud = d.Baud
	}
	return o
}

// Reader drives a SAM module. It is safe for concurrent use; exchanges take turns, as the line
// carries one at a time. It does not own the port.
type Reader struct {
	port Port
	opts Opts

	mu      sync.Mutex // one exchange at a time; guards buf
	buf     []byte
	latchMu sync.Mutex
	latched bool // a card was read and has not been seen gone since
}

// New returns a Reader talking over port.
func New(port Port, opts Opts) *Reader {
	return &Reader{port: port, opts: opts.withDefaults(), buf: make([]byte, 0, 4096)}
}

// SAMStatus asks the SAM for its self-test result (11 FF); nil when it is fine, an error
// wrapping ErrSAMSelfTest when it is not.
func (r *Reader) SAMStatus(ctx context.Context) error {
	_, err := r.do(ctx, "SAM status", CmdSAMStatus, StatusOK, r.opts.StatusTimeout, exact(0))
	return err
}

// ResetSAM resets the SAM module (10 FF).
func (r *Reader) ResetSAM(ctx context.Context) error {
	_, err := r.do(ctx, "reset SAM", CmdResetSAM, StatusOK, r.opts.StatusTimeout, exact(0))
	return err
}

// SAMID reads the SAM's identity (12 FF).
func (r *Reader) SAMID(ctx context.Context) (SAMID, error) {
	var id SAMID
	resp, err := r.do(ctx, "SAM ID", CmdSAMID, StatusOK, r.opts.SAMIDTimeout, exact(samIDLen))
	copy(id[:], resp.Data)
	return id, err
}

// FindCard looks for a card (20 01): nil when one is found, an error wrapping ErrNoCard when
// there is none or the module latched it after a read.
func (r *Reader) FindCard(ctx context.Context) error {
	_, err := r.do(ctx, "find card", CmdFindCard, StatusCardFound, r.opts.FindTimeout, exact(findDataLen))
	if errors.Is(err, ErrNoCard) {
		r.setLatched(false) // lifted, or latched by the module: either way a later find is a new placement
	}
	return err
}

// SelectCard selects the card just found (20 02); ErrSelectFailed when it went away.
func (r *Reader) SelectCard(ctx context.Context) error {
	_, err := r.do(ctx, "select card", CmdSelectCard, StatusOK, r.opts.SelectTimeout, exact(selectDataLen))
	return err
}

// ReadBasic reads text and photo (30 01) of the selected card.
func (r *Reader) ReadBasic(ctx context.Context) (*Card, error) {
	return r.readCard(ctx, "read basic", CmdReadBasic, r.opts.ReadTimeout, 2)
}

// ReadFingerprint reads text, photo and fingerprints (30 10); Card.Fingerprint holds 0, 512
// or 1024 bytes.
func (r *Reader) ReadFingerprint(ctx context.Context) (*Card, error) {
	return r.readCard(ctx, "read fingerprint", CmdReadFP, r.opts.FingerprintTimeout, 3)
}

func (r *Reader) readCard(ctx context.Context, op string, cmd Command, timeout time.Duration, nLens int) (*Card, error) {
	resp, err := r.do(ctx, op, cmd, StatusOK, timeout, readShape(nLens))
	if err != nil {
		return nil, err
	}
	c, err := decodeRead(resp.Data, nLens)
	if err != nil {
		return nil, wrapOp(op, err)
	}
	r.setLatched(true)
	return c, nil
}

// ReadAddress reads the appended address (30 03) a police station adds after a move. It
// returns "" and nil when the card has none (SW3 0x91).
func (r *Reader) ReadAddress(ctx context.Context) (string, error) {
	resp, err := r.do(ctx, "read address", CmdReadAddress, StatusOK, r.opts.AddressTimeout, addressShape)
	if errors.Is(err, ErrEmpty) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return trimPad(ucs2(resp.Data)), nil
}

// Read finds, selects and reads the card on the reader (with fingerprints if Opts.Fingerprint).
func (r *Reader) Read(ctx context.Context) (*Card, error) {
	if err := r.FindCard(ctx); err != nil {
		return nil, err
	}
	if err := r.SelectCard(ctx); err != nil {
		return nil, err
	}
	if r.opts.Fingerprint {
		return r.ReadFingerprint(ctx)
	}
	return r.ReadBasic(ctx)
}

// WaitCard polls until a card is placed, reads it and returns it. After a read the card must
// be lifted: the module stops finding a card it has read, and WaitCard itself also waits until
// find card has failed once, for modules that do not latch. It returns ctx's error when ctx is
// done, and any error other than "no card" at once (SAM fault, read failure, no reply), so a
// caller can tell a person to place the card again or a technician to look.
func (r *Reader) WaitCard(ctx context.Context) (*Card, error) {
	for {
		err := r.FindCard(ctx)
		switch {
		case err == nil && !r.isLatched():
			if err := r.SelectCard(ctx); err != nil {
				return nil, err
			}
			if r.opts.Fingerprint {
				return r.ReadFingerprint(ctx)
			}
			return r.ReadBasic(ctx)
		case err == nil: // still found after a read: not lifted yet
		case errors.Is(err, ErrNoCard):
		default:
			return nil, err
		}
		if !device.Sleep(ctx, r.opts.PollInterval) {
			return nil, wrapOp("wait card", ctx.Err())
		}
	}
}

func (r *Reader) setLatched(v bool) {
	r.latchMu.Lock()
	r.latched = v
	r.latchMu.Unlock()
}

func (r *Reader) isLatched() bool {
	r.latchMu.Lock()
	defer r.latchMu.Unlock()
	return r.latched
}

// Capabilities: a card reader that answers a health check.
func (r *Reader) Capabilities() device.Capabilities { return device.CapInput | device.CapHealthCheck }

// Health asks the SAM for its status: Idle when it answers 0x90, Error when it reports a
// fault (a technician's job), Offline when nothing answers or the port is away.
func (r *Reader) Health(ctx context.Context) device.Health {
	err := r.SAMStatus(ctx)
	h := device.Health{State: device.Idle, Detail: "SAM ok", CheckedAt: time.Now()}
	switch {
	case err == nil:
	case errors.Is(err, ErrTimeout), errors.Is(err, serialport.ErrGone),
		errors.Is(err, serialport.ErrOffline), errors.Is(err, serialport.ErrClosed):
		h.State, h.Detail = device.Offline, err.Error()
	default:
		h.State, h.Detail = device.Error, err.Error()
	}
	return h
}
