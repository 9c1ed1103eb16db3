package scanner

import "errors"

// Sentinel errors callers act on; test with errors.Is.
var (
	// ErrTooLong: a code ran past Opts.MaxLen; usually a wrong suffix setting
	// (the scanner ends codes with something the driver does not expect).
	ErrTooLong = errors.New("code too long")
	// ErrCharset: the payload is not valid text in the expected charset.
	ErrCharset = errors.New("bad charset")
	// ErrNoAIM: Opts.AIM is set but a code came without an AIM identifier.
	ErrNoAIM = errors.New("no AIM identifier")
	// ErrNoTrigger: the dialect has no serial trigger (DialectNone).
	ErrNoTrigger = errors.New("dialect has no serial trigger")
	// ErrNoAck: a command the scanner answers got no answer in time.
	ErrNoAck = errors.New("no ack")
	// ErrRefused: the scanner answered a command with NAK or ENQ.
	ErrRefused = errors.New("refused")
	// ErrClosed: the Scanner was closed, or its port can no longer be read.
	ErrClosed = errors.New("scanner closed")
)

// CodeError is a code that arrived but could not be delivered as text. Raw
// holds its bytes as received (suffix removed), so nothing is lost: a caller
// may log their length, show them in hex, or decode them another way.
type CodeError struct {
	Raw []byte
	Err error
}

func (e *CodeError) Error() string { return "scanner: scan: " + e.Err.Error() }

func (e *CodeError) Unwrap() error { return e.Err }
