package escpos

import "strconv"

// FrameKind says what a Frame is.
type FrameKind byte

const (
	FrameReply FrameKind = iota + 1 // one DLE EOT reply byte, 0xx1xx10
	FrameASB                        // one 4-byte Automatic Status Back frame
	FrameOther                      // a byte that is neither: XON/XOFF, GS r replies, noise
)

func (k FrameKind) String() string {
	switch k {
	case FrameReply:
		return "reply"
	case FrameASB:
		return "asb"
	case FrameOther:
		return "other"
	}
	return "FrameKind(" + strconv.Itoa(int(k)) + ")"
}

// Frame is one unit of what the printer sent.
type Frame struct {
	Kind  FrameKind
	Bytes []byte // 1 byte, or 4 for FrameASB; owned by the receiver
}

// Demux splits the printer's reply stream into DLE EOT replies, ASB frames
// and other bytes by the bit patterns of device-protocols.md 2.4, because a
// printer with ASB on may send a frame at any moment, also between a query
// and its answer.
//
// Every byte fed comes out exactly once, in one Frame. An ASB frame is held
// until its fourth byte; a byte that cannot continue it shows the frame was
// noise, and its bytes come out as FrameOther before the stream is read
// afresh from that byte (resync). A reply byte cannot be part of an ASB
// frame (bit 4 differs), so one arriving in the middle of a frame comes out
// at once and the frame goes on. The zero value is ready to use.
type Demux struct {
	pend []byte // the bytes of an ASB frame so far, 0..3
}

// Feed takes the next bytes of the stream and returns the frames they
// complete.
func (d *Demux) Feed(p []byte) []Frame {
	var out []Frame
	for _, b := range p {
		out = d.feed(b, out)
	}
	return out
}

// Pending reports how many bytes are held waiting for the rest of an ASB frame.
func (d *Demux) Pending() int { return len(d.pend) }

// Flush gives up on a partial ASB frame, e.g. after the line went quiet:
// its bytes come out as FrameOther.
func (d *Demux) Flush() []Frame { return d.dropPending(nil) }

func (d *Demux) feed(b byte, out []Frame) []Frame {
	if len(d.pend) > 0 {
		switch {
		case isASBRest(b):
			d.pend = append(d.pend, b)
			if len(d.pend) == 4 {
				out = append(out, Frame{Kind: FrameASB, Bytes: d.pend})
				d.pend = nil
			}
			return out
		case IsReply(b):
			return append(out, Frame{Kind: FrameReply, Bytes: []byte{b}})
		}
		// b has bit 4 or bit 7 set: the held bytes were not a frame. The
		// held bytes after the first all have bit 4 clear, so none of them
		// can start a frame either; b is looked at afresh below.
		out = d.dropPending(out)
	}
	switch {
	case IsReply(b):
		return append(out, Frame{Kind: FrameReply, Bytes: []byte{b}})
	case IsASBStart(b):
		d.pend = append(make([]byte, 0, 4), b)
		return out
	}
	return append(out, Frame{Kind: FrameOther, Bytes: []byte{b}})
}

func (d *Demux) dropPending(out []Frame) []Frame {
	for _, b := range d.pend {
		out = append(out, Frame{Kind: FrameOther, Bytes: []byte{b}})
	}
	d.pend = nil
	return out
}
