package escpos

import (
	"fmt"
	"strings"
)

// Status is what the printer reports about itself, from the four DLE EOT
// replies or one Automatic Status Back frame (device-protocols.md 2.4).
type Status struct {
	Online          bool // DLE EOT 1 bit3 clear / ASB byte1 bit3 clear: ready to print
	PaperNearEnd    bool // roll paper near-end sensor (DLE EOT 4 bits 2-3, ASB byte3 bits 0-1)
	PaperOut        bool // paper end (DLE EOT 4 bits 5-6, ASB byte3 bits 2-3)
	CoverOpen       bool // DLE EOT 2 bit2 / ASB byte1 bit5
	CutterError     bool // autocutter error (DLE EOT 3 bit3 / ASB byte2 bit3)
	Unrecoverable   bool // DLE EOT 3 bit5 / ASB byte2 bit5: needs a power cycle or service
	AutoRecoverable bool // e.g. head overheat, clears by itself (DLE EOT 3 bit6 / ASB byte2 bit6)
	Recoverable     bool // recoverable (some models: mechanical) error (DLE EOT 3 bit2 / ASB byte2 bit2)

	ErrorOccurred   bool // DLE EOT 2 bit6
	PaperStopped    bool // printing stopped by paper end (DLE EOT 2 bit5)
	WaitingRecovery bool // waiting for online recovery (DLE EOT 1 bit5)
	FeedButton      bool // FEED button pressed (DLE EOT 1 bit6 / ASB byte1 bit6)
	FeedingByButton bool // paper being fed by the FEED button (DLE EOT 2 bit3)
	DrawerPinHigh   bool // cash drawer connector pin 3 high (DLE EOT 1 bit2 / ASB byte1 bit2)
}

// PaperState is the paper as a kiosk reports it.
type PaperState byte

const (
	PaperOK PaperState = iota
	PaperLow
	PaperEmpty
)

var paperNames = [...]string{"ok", "near_end", "out"}

// String gives "ok", "near_end" or "out", the words of the kiosk status message.
func (p PaperState) String() string {
	if int(p) < len(paperNames) {
		return paperNames[p]
	}
	return fmt.Sprintf("PaperState(%d)", byte(p))
}

// Paper sums up the paper sensors; out wins over near end, since an empty
// roll also trips the near-end sensor.
func (s Status) Paper() PaperState {
	switch {
	case s.PaperOut:
		return PaperEmpty
	case s.PaperNearEnd:
		return PaperLow
	}
	return PaperOK
}

// Ready reports whether a receipt would print now.
func (s Status) Ready() bool {
	return s.Online && !s.PaperOut && !s.CoverOpen && !s.CutterError && !s.Unrecoverable
}

// String lists the state for logs: "online, paper ok" or
// "offline, paper out, cover open, cutter error".
func (s Status) String() string {
	parts := []string{"offline"}
	if s.Online {
		parts[0] = "online"
	}
	parts = append(parts, "paper "+s.Paper().String())
	for _, f := range []struct {
		on   bool
		name string
	}{
		{s.CoverOpen, "cover open"}, {s.CutterError, "cutter error"},
		{s.Unrecoverable, "unrecoverable error"}, {s.AutoRecoverable, "auto-recoverable error"},
		{s.Recoverable, "recoverable error"}, {s.WaitingRecovery, "waiting for recovery"},
		{s.FeedButton, "feed button"}, {s.FeedingByButton, "feeding"}, {s.DrawerPinHigh, "drawer pin high"},
	} {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	return strings.Join(parts, ", ")
}

// Bit patterns that tell the sources apart on one line (2.4, Citizen appendix).
const (
	replyMask  = 0x93 // bits 7, 4, 1, 0
	replyBits  = 0x12 // DLE EOT reply: 0xx1xx10
	asbMask    = 0x93
	asbBits    = 0x10 // ASB byte 1: 0xx1xx00
	asbRestMsk = 0x90 // ASB bytes 2-4: 0xx0xxxx
)

// IsReply reports whether b can be a DLE EOT reply byte.
func IsReply(b byte) bool { return b&replyMask == replyBits }

// Apply merges the reply b to DLE EOT n (1..4) into s, setting only the
// fields that reply covers.
func (s *Status) Apply(n, b byte) error {
	if n < 1 || n > 4 {
		return fmt.Errorf("escpos: status: DLE EOT %d: want 1..4", n)
	}
	if !IsReply(b) {
		return fmt.Errorf("escpos: status: reply 0x%02X to DLE EOT %d is not a status byte (want 0xx1xx10)", b, n)
	}
	bit := func(i uint) bool { return b&(1<<i) != 0 }
	switch n {
	case 1: // printer
		s.DrawerPinHigh, s.Online, s.WaitingRecovery, s.FeedButton = bit(2), !bit(3), bit(5), bit(6)
	case 2: // offline cause
		s.CoverOpen, s.FeedingByButton, s.PaperStopped, s.ErrorOccurred = bit(2), bit(3), bit(5), bit(6)
	case 3: // error cause
		s.Recoverable, s.CutterError, s.Unrecoverable, s.AutoRecoverable = bit(2), bit(3), bit(5), bit(6)
	case 4: // roll paper sensor; either bit of a pair counts, as sensors differ
		s.PaperNearEnd, s.PaperOut = b&0x0C != 0, b&0x60 != 0
	}
	return nil
}

// ParseReplies reads the replies to DLE EOT 1, 2, 3 and 4, in that order.
func ParseReplies(r [4]byte) (Status, error) {
	var s Status
	for i, b := range r {
		if err := s.Apply(byte(i+1), b); err != nil {
			return Status{}, err
		}
	}
	return s, nil
}

// IsASBStart reports whether b can be the first byte of an ASB frame.
func IsASBStart(b byte) bool { return b&asbMask == asbBits }

// isASBRest reports whether b can be byte 2, 3 or 4 of an ASB frame.
func isASBRest(b byte) bool { return b&asbRestMsk == 0 }

// ParseASB reads one 4-byte Automatic Status Back frame.
func ParseASB(f []byte) (Status, error) {
	if len(f) != 4 || !IsASBStart(f[0]) || !isASBRest(f[1]) || !isASBRest(f[2]) || !isASBRest(f[3]) {
		return Status{}, fmt.Errorf("escpos: status: % X is not an ASB frame (want 0xx1xx00 then 3 × 0xx0xxxx)", f)
	}
	bit := func(b byte, i uint) bool { return b&(1<<i) != 0 }
	return Status{
		DrawerPinHigh: bit(f[0], 2), Online: !bit(f[0], 3), CoverOpen: bit(f[0], 5), FeedButton: bit(f[0], 6),
		Recoverable: bit(f[1], 2), CutterError: bit(f[1], 3), Unrecoverable: bit(f[1], 5), AutoRecoverable: bit(f[1], 6),
		PaperNearEnd: f[2]&0x03 != 0, PaperOut: f[2]&0x0C != 0,
	}, nil
}

// ASBMask selects what Automatic Status Back reports (GS a n).
type ASBMask byte

const (
	ASBDrawer ASBMask = 1 << iota // drawer kick-out connector pin 3
	ASBOnline                     // online / offline (cover, feed button)
	ASBError                      // error status
	ASBPaper                      // roll paper sensors
	ASBAll    = ASBDrawer | ASBOnline | ASBError | ASBPaper
)
