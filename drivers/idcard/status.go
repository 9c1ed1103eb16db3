package idcard

import (
	"errors"
	"fmt"
)

// Status is SW3, the SAM's operation status (reference table 1.4).
type Status byte

// SW3 values that mean success.
const (
	StatusOK        Status = 0x90 // success
	StatusEmpty     Status = 0x91 // the item is empty on the card (no appended address)
	StatusCardFound Status = 0x9F // find card succeeded
)

// Sentinel errors for each failing SW3, for errors.Is. A reply carrying one comes back as a
// *StatusError wrapping it.
var (
	ErrRecvChecksum    = errors.New("SAM received a bad checksum")         // 0x10
	ErrRecvLength      = errors.New("SAM received a bad length")           // 0x11
	ErrRecvCommand     = errors.New("SAM received an unknown command")     // 0x21
	ErrUnauthorised    = errors.New("operation not permitted")             // 0x23
	ErrUnrecognised    = errors.New("unrecognised error")                  // 0x24
	ErrCardAuthSAM     = errors.New("card failed to authenticate the SAM") // 0x31
	ErrSAMAuthCard     = errors.New("SAM failed to authenticate the card") // 0x32
	ErrVerify          = errors.New("information verification failed")     // 0x33
	ErrCardType        = errors.New("unrecognised card type")              // 0x40
	ErrReadFailed      = errors.New("card read failed")                    // 0x41
	ErrRandom          = errors.New("get random number failed")            // 0x47
	ErrSAMSelfTest     = errors.New("SAM self-test failed")                // 0x60
	ErrSAMUnauthorised = errors.New("SAM not authorised")                  // 0x66
	ErrNoCard          = errors.New("no card")                             // 0x80
	ErrSelectFailed    = errors.New("select card failed")                  // 0x81
	ErrEmpty           = errors.New("item empty on the card")              // 0x91 where data was required
	ErrUnknownStatus   = errors.New("unknown status")                      // any other SW3
	// ErrCardStatus: SW3 said success but SW1 SW2 were not 00 00.
	ErrCardStatus = errors.New("card status not 00 00")
)

var statusErrs = map[Status]error{
	0x10: ErrRecvChecksum, 0x11: ErrRecvLength, 0x21: ErrRecvCommand, 0x23: ErrUnauthorised,
	0x24: ErrUnrecognised, 0x31: ErrCardAuthSAM, 0x32: ErrSAMAuthCard, 0x33: ErrVerify,
	0x40: ErrCardType, 0x41: ErrReadFailed, 0x47: ErrRandom, 0x60: ErrSAMSelfTest,
	0x66: ErrSAMUnauthorised, 0x80: ErrNoCard, 0x81: ErrSelectFailed, StatusEmpty: ErrEmpty,
}

// Statuses lists every SW3 of the reference table, success codes first.
func Statuses() []Status {
	return []Status{StatusOK, StatusEmpty, StatusCardFound, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31,
		0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81}
}

// Err returns the sentinel error for s: nil for 0x90 and 0x9F, ErrUnknownStatus for codes
// outside the table.
func (s Status) Err() error {
	if s == StatusOK || s == StatusCardFound {
		return nil
	}
	if err, ok := statusErrs[s]; ok {
		return err
	}
	return ErrUnknownStatus
}

// String names the status: "success", "no card", …
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "success"
	case StatusCardFound:
		return "card found"
	}
	return s.Err().Error()
}

// SAMFault reports whether s blames the SAM module itself rather than the card or the host:
// those need a technician, the others a person at the reader.
func (s Status) SAMFault() bool { return s == 0x60 || s == 0x66 || s == 0x47 }

// StatusError is a reply whose SW3 (or SW1 SW2) reports a failure. It wraps the sentinel of
// its status, so errors.Is(err, ErrNoCard) works, and prints "no card (SW3 0x80)".
type StatusError struct {
	SW1, SW2 byte
	SW3      Status
}

func (e *StatusError) Error() string {
	if err := e.SW3.Err(); err != nil {
		return fmt.Sprintf("%v (SW3 0x%02X)", err, byte(e.SW3))
	}
	return fmt.Sprintf("%v (SW1 0x%02X SW2 0x%02X)", ErrCardStatus, e.SW1, e.SW2)
}

func (e *StatusError) Unwrap() error {
	if err := e.SW3.Err(); err != nil {
		return err
	}
	return ErrCardStatus
}

// statusErr returns nil for a success SW3 with SW1 SW2 00 00, a *StatusError otherwise.
func (r Response) statusErr() error {
	if r.SW3.Err() == nil && r.SW1 == 0 && r.SW2 == 0 {
		return nil
	}
	return &StatusError{SW1: r.SW1, SW2: r.SW2, SW3: r.SW3}
}
