package rig

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// ErrMalformed reports registers that do not fit the register map.
var ErrMalformed = errors.New("malformed registers")

// DecodeSnapshot turns the SnapshotQty registers of the snapshot block into
// typed readings. It never panics; a wrong length or an unknown step state
// is an error wrapping ErrMalformed.
func DecodeSnapshot(regs []uint16, at time.Time) (Snapshot, error) {
	if len(regs) != SnapshotQty {
		return Snapshot{}, fmt.Errorf("snapshot: %d registers, want %d: %w", len(regs), SnapshotQty, ErrMalformed)
	}
	state := StepState(regs[RegStepState])
	if state > StepAborted {
		return Snapshot{}, fmt.Errorf("snapshot: step state %d: %w", regs[RegStepState], ErrMalformed)
	}
	s := Snapshot{
		Time:      at,
		Status:    Status(regs[RegStatus]),
		Alarms:    Alarm(regs[RegAlarms]),
		Step:      int(regs[RegStep]),
		StepState: state,
		Elapsed:   time.Duration(regs[RegStepElapsed]) * time.Second,
		Readings:  make([]Reading, NumChannels),
	}
	faults := regs[RegChannelFaults]
	calOverdue := s.Status.Has(StatusCalOverdue)
	for i, ch := range channelTable {
		s.Readings[i] = decodeChannel(ch, int16(regs[RegChannel0+i]), faults&(1<<i) != 0, calOverdue)
	}
	return s, nil
}

// decodeChannel applies scale and quality rules. A bad reading carries 0,
// not NaN, because NaN cannot travel in the JSON wire format.
func decodeChannel(ch Channel, raw int16, fault, calOverdue bool) Reading {
	r := Reading{Channel: ch.Name, Unit: ch.Unit, Quality: QualityGood}
	switch {
	case fault || raw == RawInvalid:
		r.Quality = QualityBad
		return r
	case raw == RawClipHigh || raw == RawClipLow || calOverdue:
		r.Quality = QualityUncertain
	}
	// Round to the register's resolution so 0.1 × 3 prints as 0.3.
	r.Value = roundTo(float64(raw)*ch.Scale, ch.Scale)
	return r
}

func roundTo(v, step float64) float64 {
	n := v / step
	if n < 0 {
		n -= 0.5
	} else {
		n += 0.5
	}
	// Divide by the inverse (10, 100): 368 / 10 is the double nearest 36.8, 368 × 0.1 is not.
	return float64(int64(n)) / math.Round(1/step)
}

// DecodeIdentity decodes the IdentityQty registers of the identity block.
func DecodeIdentity(regs []uint16) (Identity, error) {
	if len(regs) != IdentityQty {
		return Identity{}, fmt.Errorf("identity: %d registers, want %d: %w", len(regs), IdentityQty, ErrMalformed)
	}
	at := func(reg int) []uint16 { return regs[reg-IdentityAddr:] }
	id := Identity{
		Model:      decodeASCII(at(RegModel)[:modelRegs]),
		Serial:     decodeASCII(at(RegSerial)[:serialRegs]),
		Firmware:   decodeASCII(at(RegFirmware)[:firmwareRegs]),
		MapVersion: int(at(RegMapVersion)[0]),
		Steps:      int(at(RegStepCount)[0]),
	}
	due, err := decodeDate(at(RegCalYear)[0], at(RegCalMonth)[0], at(RegCalDay)[0])
	if err != nil {
		return id, fmt.Errorf("identity: calibration due date: %w", err)
	}
	id.CalibrationDue = due
	return id, nil
}

// decodeASCII reads two characters per register, high byte first, and trims
// the NUL or space padding. Bytes outside printable ASCII become '?' so a
// garbled register cannot smuggle control characters into logs or reports.
func decodeASCII(regs []uint16) string {
	b := make([]byte, 0, 2*len(regs))
	for _, r := range regs {
		b = append(b, byte(r>>8), byte(r))
	}
	for i, c := range b {
		if c != 0 && (c < 0x20 || c > 0x7e) {
			b[i] = '?'
		}
	}
	return strings.Trim(string(b), "\x00 ")
}

func decodeDate(y, m, d uint16) (time.Time, error) {
	if y == 0 && m == 0 && d == 0 {
		return time.Time{}, nil
	}
	t := time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != int(d) {
		return time.Time{}, fmt.Errorf("%04d-%02d-%02d: %w", y, m, d, ErrMalformed)
	}
	return t, nil
}

// encodeASCII is the inverse of the identity text decoding, for twins and
// tests: n registers, two characters each, NUL padded, truncated to fit.
func encodeASCII(s string, n int) []uint16 {
	b := make([]byte, 2*n)
	copy(b, s)
	regs := make([]uint16, n)
	for i := range regs {
		regs[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return regs
}
