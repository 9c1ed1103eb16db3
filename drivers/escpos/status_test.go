package escpos

import (
	"strings"
	"testing"
)

// Every flag bit of device-protocols.md 2.4, one at a time on the fixed 0x12.
func TestApplyEveryBit(t *testing.T) {
	tests := []struct {
		n, b byte
		want Status
	}{
		{1, 0x12, Status{Online: true}},
		{1, 0x12 | 0x04, Status{Online: true, DrawerPinHigh: true}},
		{1, 0x12 | 0x08, Status{}},
		{1, 0x12 | 0x20, Status{Online: true, WaitingRecovery: true}},
		{1, 0x12 | 0x40, Status{Online: true, FeedButton: true}},
		{2, 0x12, Status{}},
		{2, 0x12 | 0x04, Status{CoverOpen: true}},
		{2, 0x12 | 0x08, Status{FeedingByButton: true}},
		{2, 0x12 | 0x20, Status{PaperStopped: true}},
		{2, 0x12 | 0x40, Status{ErrorOccurred: true}},
		{3, 0x12 | 0x04, Status{Recoverable: true}},
		{3, 0x12 | 0x08, Status{CutterError: true}},
		{3, 0x12 | 0x20, Status{Unrecoverable: true}},
		{3, 0x12 | 0x40, Status{AutoRecoverable: true}},
		{4, 0x12, Status{}},
		{4, 0x1E, Status{PaperNearEnd: true}},
		{4, 0x12 | 0x04, Status{PaperNearEnd: true}},
		{4, 0x12 | 0x08, Status{PaperNearEnd: true}},
		{4, 0x72, Status{PaperOut: true}},
		{4, 0x12 | 0x20, Status{PaperOut: true}},
		{4, 0x12 | 0x40, Status{PaperOut: true}},
		{4, 0x7E, Status{PaperNearEnd: true, PaperOut: true}},
	}
	for _, tt := range tests {
		var s Status
		if err := s.Apply(tt.n, tt.b); err != nil || s != tt.want {
			t.Errorf("DLE EOT %d reply 0x%02X: %+v, %v; want %+v", tt.n, tt.b, s, err, tt.want)
		}
	}
}

// The reference's paper-out example: EOT1 = 0x1A, EOT2 = 0x32, EOT4 = 0x7E.
func TestParseRepliesPaperOut(t *testing.T) {
	s, err := ParseReplies([4]byte{0x1A, 0x32, 0x12, 0x7E})
	if err != nil {
		t.Fatal(err)
	}
	if s.Online || !s.PaperOut || !s.PaperStopped || s.Paper() != PaperEmpty || s.Ready() {
		t.Errorf("%+v", s)
	}
	if got := s.String(); got != "offline, paper out" {
		t.Errorf("String() = %q", got)
	}
	if s, _ := ParseReplies([4]byte{0x12, 0x12, 0x12, 0x1E}); s.Paper() != PaperLow || !s.Ready() || s.String() != "online, paper near_end" {
		t.Errorf("near end: %v ready %v", s, s.Ready())
	}
}

func TestApplyRejects(t *testing.T) {
	var s Status
	for _, b := range []byte{0x00, 0x10, 0x13, 0x11, 0x92, 0x16 | 0x01, 0x02} {
		if err := s.Apply(1, b); err == nil || !strings.Contains(err.Error(), "not a status byte") {
			t.Errorf("reply 0x%02X: %v", b, err)
		}
	}
	for _, n := range []byte{0, 5} {
		if err := s.Apply(n, 0x12); err == nil {
			t.Errorf("DLE EOT %d accepted", n)
		}
	}
	if s != (Status{}) {
		t.Errorf("rejected replies changed the status: %+v", s)
	}
}

// ASB frame bits of 2.4, one at a time.
func TestParseASBEveryBit(t *testing.T) {
	tests := []struct {
		f    [4]byte
		want Status
	}{
		{[4]byte{0x10, 0, 0, 0}, Status{Online: true}},
		{[4]byte{0x14, 0, 0, 0}, Status{Online: true, DrawerPinHigh: true}},
		{[4]byte{0x18, 0, 0, 0}, Status{}},
		{[4]byte{0x30, 0, 0, 0}, Status{Online: true, CoverOpen: true}},
		{[4]byte{0x50, 0, 0, 0}, Status{Online: true, FeedButton: true}},
		{[4]byte{0x10, 0x04, 0, 0}, Status{Online: true, Recoverable: true}},
		{[4]byte{0x10, 0x08, 0, 0}, Status{Online: true, CutterError: true}},
		{[4]byte{0x10, 0x20, 0, 0}, Status{Online: true, Unrecoverable: true}},
		{[4]byte{0x10, 0x40, 0, 0}, Status{Online: true, AutoRecoverable: true}},
		{[4]byte{0x10, 0, 0x03, 0}, Status{Online: true, PaperNearEnd: true}},
		{[4]byte{0x10, 0, 0x01, 0}, Status{Online: true, PaperNearEnd: true}},
		{[4]byte{0x10, 0, 0x0C, 0}, Status{Online: true, PaperOut: true}},
		{[4]byte{0x18, 0, 0x0F, 0}, Status{PaperNearEnd: true, PaperOut: true}},
		{[4]byte{0x38, 0, 0, 0x0F}, Status{CoverOpen: true}},
	}
	for _, tt := range tests {
		if s, err := ParseASB(tt.f[:]); err != nil || s != tt.want {
			t.Errorf("ASB % X: %+v, %v; want %+v", tt.f, s, err, tt.want)
		}
	}
	for _, bad := range [][]byte{{0x10, 0, 0}, {0x12, 0, 0, 0}, {0x10, 0x10, 0, 0}, {0x10, 0, 0x80, 0}, {0x10, 0, 0, 0, 0}} {
		if _, err := ParseASB(bad); err == nil {
			t.Errorf("ASB % X accepted", bad)
		}
	}
}

func TestStatusStrings(t *testing.T) {
	s := Status{CoverOpen: true, CutterError: true, Unrecoverable: true, AutoRecoverable: true, PaperOut: true}
	if got, want := s.String(), "offline, paper out, cover open, cutter error, unrecoverable error, auto-recoverable error"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if PaperOK.String() != "ok" || PaperLow.String() != "near_end" || PaperEmpty.String() != "out" || PaperState(7).String() != "PaperState(7)" {
		t.Error("PaperState names")
	}
	if QRLevelQ.String() != "Q" || QRModel2.String() != "model 2" || AlignCenter.String() != "center" || CutPartial.String() != "partial" || FrameASB.String() != "asb" {
		t.Error("value names")
	}
}
