package idcard

import (
	"errors"
	"fmt"
	"testing"
)

// Every SW3 of the reference table maps to its sentinel, and the message names the code.
func TestEverySW3MapsToItsError(t *testing.T) {
	want := map[Status]error{
		0x90: nil, 0x9F: nil, 0x91: ErrEmpty, 0x10: ErrRecvChecksum, 0x11: ErrRecvLength,
		0x21: ErrRecvCommand, 0x23: ErrUnauthorised, 0x24: ErrUnrecognised, 0x31: ErrCardAuthSAM,
		0x32: ErrSAMAuthCard, 0x33: ErrVerify, 0x40: ErrCardType, 0x41: ErrReadFailed,
		0x47: ErrRandom, 0x60: ErrSAMSelfTest, 0x66: ErrSAMUnauthorised, 0x80: ErrNoCard,
		0x81: ErrSelectFailed, 0x55: ErrUnknownStatus,
	}
	if len(Statuses()) != len(want)-1 {
		t.Errorf("Statuses() has %d codes, the table %d", len(Statuses()), len(want)-1)
	}
	for s, w := range want {
		if s.Err() != w {
			t.Errorf("SW3 0x%02X: %v, want %v", byte(s), s.Err(), w)
		}
		err := Response{SW3: s}.statusErr()
		if w == nil {
			if err != nil {
				t.Errorf("SW3 0x%02X: %v, want success", byte(s), err)
			}
			continue
		}
		if !errors.Is(err, w) {
			t.Errorf("SW3 0x%02X: %v does not wrap %v", byte(s), err, w)
		}
		if got, want := err.Error(), fmt.Sprintf("%v (SW3 0x%02X)", w, byte(s)); got != want {
			t.Errorf("message %q, want %q", got, want)
		}
	}
	if got := wrapOp("read basic", Response{SW3: 0x80}.statusErr()).Error(); got != "idcard: read basic: no card (SW3 0x80)" {
		t.Errorf("wrapped: %q", got)
	}
	var se *StatusError
	if err := wrapOp("x", Response{SW3: 0x41}.statusErr()); !errors.As(err, &se) || se.SW3 != 0x41 {
		t.Errorf("errors.As: %v", err)
	}
	if !Status(0x60).SAMFault() || Status(0x80).SAMFault() {
		t.Error("SAMFault")
	}
}

func TestCardStatusBytes(t *testing.T) {
	err := Response{SW1: 0x01, SW2: 0x02, SW3: StatusOK}.statusErr()
	if !errors.Is(err, ErrCardStatus) || err.Error() != "card status not 00 00 (SW1 0x01 SW2 0x02)" {
		t.Errorf("%v", err)
	}
}
