package printer

import (
	"fmt"
	"time"
)

// Paper is what the paper sensors see.
type Paper string

const (
	PaperOK      Paper = "ok"
	PaperNearEnd Paper = "near_end" // the roll is nearly used up; printing goes on
	PaperOut     Paper = "out"      // printing stops
)

func (p Paper) valid() bool { return p == PaperOK || p == PaperNearEnd || p == PaperOut }

// panel is the printer's physical condition: paper, cover, errors, and the
// faults a test injected.
type panel struct {
	Paper         Paper `json:"paper"`
	CoverOpen     bool  `json:"cover_open"`
	CutterError   bool  `json:"cutter_error"`
	Unrecoverable bool  `json:"unrecoverable_error"`
	ASBMask       byte  `json:"asb_mask"`
	NoReply       int   `json:"fault_no_reply"` // status queries still to ignore; -1: all until cleared
	Garbage       int   `json:"fault_garbage"`  // replies still to precede with noise
}

// offline: the printer takes no print data (device-protocols.md 2.4, DLE
// EOT 1 bit 3).
func (p panel) offline() bool {
	return p.Paper == PaperOut || p.CoverOpen || p.CutterError || p.Unrecoverable
}

func bit(on bool, b byte) byte {
	if on {
		return b
	}
	return 0
}

// reply is the answer to DLE EOT n, from the table in device-protocols.md
// 2.4: fixed bits 0x12, then the flags of that n. An empty roll also trips
// the near-end sensor, hence 0x7E for paper out (docs.rs example: EOT4 =
// 0x7E with EOT1 = 0x1A and EOT2 = 0x32). ok is false for n the printer
// does not answer.
func (p panel) reply(n byte) (b byte, ok bool) {
	const fixed = 0x12
	out := p.Paper == PaperOut
	low := p.Paper == PaperNearEnd || out
	errs := p.CutterError || p.Unrecoverable
	switch n {
	case 1: // printer: bit3 offline
		return fixed | bit(p.offline(), 0x08), true
	case 2: // offline cause: bit2 cover, bit5 paper end stop, bit6 error
		return fixed | bit(p.CoverOpen, 0x04) | bit(out, 0x20) | bit(errs, 0x40), true
	case 3: // error cause: bit3 autocutter, bit5 unrecoverable
		return fixed | bit(p.CutterError, 0x08) | bit(p.Unrecoverable, 0x20), true
	case 4: // roll paper: 0x0C near end, 0x60 end
		return fixed | bit(low, 0x0C) | bit(out, 0x60), true
	}
	return 0, false
}

// asb is the 4-byte Automatic Status Back frame (2.4): byte1 0x10 fixed,
// bit3 offline, bit5 cover open; byte2 bit3 autocutter, bit5
// unrecoverable; byte3 0x03 near end, 0x0C paper end; byte4 reserved.
func (p panel) asb() [4]byte {
	out := p.Paper == PaperOut
	low := p.Paper == PaperNearEnd || out
	return [4]byte{
		0x10 | bit(p.offline(), 0x08) | bit(p.CoverOpen, 0x20),
		bit(p.CutterError, 0x08) | bit(p.Unrecoverable, 0x20),
		bit(low, 0x03) | bit(out, 0x0C),
		0,
	}
}

// asbDue reports whether going from old to p changes a status class the
// host enabled with GS a (bit1 online/offline, bit2 errors, bit3 paper).
func (p panel) asbDue(old panel) bool {
	a, b := old.asb(), p.asb()
	m := p.ASBMask
	return m&0x02 != 0 && a[0] != b[0] || m&0x04 != 0 && a[1] != b[1] || m&0x08 != 0 && a[2] != b[2]
}

// paperSensor is the GS r 1 answer (2.4): bits 0-1 near end, bits 2-3 end.
func (p panel) paperSensor() byte {
	out := p.Paper == PaperOut
	return bit(p.Paper == PaperNearEnd || out, 0x03) | bit(out, 0x0C)
}

// garbage is what the "garbage" fault sends before a reply: XOFF, XON, a
// byte that could start an ASB frame and one that could continue it, and
// two bytes no rule accepts, so a driver must resync to find its reply.
var garbage = []byte{0x13, 0x11, 0x10, 0x05, 0xFF, 0x80}

// Fault is one fault to inject.
type Fault struct {
	Kind  string // no_reply, garbage, cutter, unrecoverable, clear
	Count int    // for no_reply and garbage: how many replies (0: 1; -1: until clear)
}

func (f Fault) apply(p *panel) error {
	n := f.Count
	if n == 0 {
		n = 1
	}
	switch f.Kind {
	case "no_reply":
		p.NoReply = n
	case "garbage":
		p.Garbage = n
	case "cutter":
		p.CutterError = true
	case "unrecoverable":
		p.Unrecoverable = true
	case "clear":
		p.NoReply, p.Garbage, p.CutterError, p.Unrecoverable = 0, 0, false, false
	default:
		return fmt.Errorf("fault %q: want no_reply, garbage, cutter, unrecoverable or clear", f.Kind)
	}
	return nil
}

// Counters are the twin's tallies, for tests and the control API.
type Counters struct {
	BytesIn           uint64 `json:"bytes_in"`
	Commands          uint64 `json:"commands"`
	UnknownCommands   uint64 `json:"unknown_commands"`
	TextLines         uint64 `json:"text_lines"`
	QRPrinted         uint64 `json:"qr_printed"`
	QRFailed          uint64 `json:"qr_failed"`
	Rasters           uint64 `json:"rasters"`
	Cuts              uint64 `json:"cuts"`
	Receipts          uint64 `json:"receipts"`
	ReceiptsDiscarded uint64 `json:"receipts_discarded"` // cut while offline
	DroppedOffline    uint64 `json:"dropped_offline"`    // print operations while offline
	StatusQueries     uint64 `json:"status_queries"`
	StatusReplies     uint64 `json:"status_replies"`
	RepliesSuppressed uint64 `json:"replies_suppressed"` // by the no_reply fault
	GarbageBytes      uint64 `json:"garbage_bytes"`
	ASBFrames         uint64 `json:"asb_frames"`
	WriteErrors       uint64 `json:"write_errors"`
}

// wireTime is how long n bytes take at baud (8N1: 10 bits a byte).
func wireTime(n, baud int) time.Duration {
	return time.Duration(n*10) * time.Second / time.Duration(baud)
}
