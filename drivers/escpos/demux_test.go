package escpos

import (
	"bytes"
	"testing"
)

func kinds(fs []Frame) string {
	var b bytes.Buffer
	for _, f := range fs {
		b.WriteByte("?RAO"[f.Kind])
	}
	return b.String()
}

// ASB frames, replies, XON/XOFF and noise interleaved on one line.
func TestDemuxInterleaved(t *testing.T) {
	stream := []byte{
		0x12,                   // reply
		0x10, 0x00, 0x03, 0x00, // ASB: paper near end
		0x13, 0x11, // XOFF, XON
		0x7E,                   // reply
		0x30, 0x00, 0x00, 0x00, // ASB: cover open
		0x10, 0x05, // noise that looks like the start of an ASB frame
		0x1A,                   // reply: cuts the false start short
		0x18, 0x00, 0x0F, 0x00, // ASB: paper out
		0xFF, 0x80, // noise
		0x32, // reply
	}
	var d Demux
	var got []Frame
	for i := range stream { // one byte at a time, as a slow line delivers them
		got = append(got, d.Feed(stream[i:i+1])...)
	}
	got = append(got, d.Flush()...)
	// 0x10 0x05 wait as a possible frame; the reply 0x1A comes out at once;
	// the ASB start 0x18 shows 0x10 0x05 were noise, and they come out then.
	if k := kinds(got); k != "RAOORAROOAOOR" {
		t.Errorf("frames %s", k)
	}
	var asb [][]byte
	for _, f := range got {
		if f.Kind == FrameASB {
			asb = append(asb, f.Bytes)
		}
	}
	if len(asb) != 3 || !bytes.Equal(asb[2], []byte{0x18, 0, 0x0F, 0}) {
		t.Errorf("ASB frames % X", asb)
	}
	if n := countBytes(got); n != len(stream) {
		t.Errorf("%d bytes out, %d in", n, len(stream))
	}
}

// A partial frame at the end of a burst stays pending until Flush.
func TestDemuxPendingAndFlush(t *testing.T) {
	var d Demux
	if fs := d.Feed([]byte{0x10, 0x00}); len(fs) != 0 || d.Pending() != 2 {
		t.Fatalf("%v pending %d", fs, d.Pending())
	}
	if fs := d.Feed([]byte{0x00, 0x00}); kinds(fs) != "A" || d.Pending() != 0 {
		t.Fatalf("completed frame: %s", kinds(fs))
	}
	d.Feed([]byte{0x10})
	if fs := d.Flush(); kinds(fs) != "O" || d.Pending() != 0 {
		t.Fatalf("flush: %s", kinds(fs))
	}
}

func countBytes(fs []Frame) int {
	n := 0
	for _, f := range fs {
		n += len(f.Bytes)
	}
	return n
}

// validFrames turns fuzz bytes into well-formed frames: each seed byte
// picks a reply or an ASB frame and supplies its flag bits.
func validFrames(seed []byte) [][]byte {
	var out [][]byte
	for _, s := range seed {
		if s&1 == 0 {
			out = append(out, []byte{0x12 | s&0x6C})
		} else {
			out = append(out, []byte{0x10 | s&0x6C, s & 0x6C, s >> 4 & 0x0F, 0})
		}
	}
	return out
}

// FuzzDemux: any garbage, then valid frames, fed in any chunking: no panic,
// every byte comes out exactly once, and the valid frames come out intact
// and in order after whatever the garbage made.
func FuzzDemux(f *testing.F) {
	f.Add([]byte{}, []byte{0, 1, 2, 3}, uint8(1))
	f.Add([]byte{0x10, 0x00, 0x00}, []byte{0, 1}, uint8(3))
	f.Add([]byte{0x13, 0x11, 0x10, 0x05, 0xFF, 0x80}, []byte{1, 0x60, 0x0C}, uint8(2))
	f.Add([]byte{0x30, 0x12, 0x00, 0x1E, 0x00}, []byte{0xFE, 0xFF}, uint8(5))
	f.Fuzz(func(t *testing.T, garbage, seed []byte, chunk uint8) {
		valid := validFrames(seed)
		stream := append([]byte(nil), garbage...)
		for _, v := range valid {
			stream = append(stream, v...)
		}
		var d Demux
		var got []Frame
		step := int(chunk%16) + 1
		for i := 0; i < len(stream); i += step {
			got = append(got, d.Feed(stream[i:min(i+step, len(stream))])...)
		}
		got = append(got, d.Flush()...)
		if n := countBytes(got); n != len(stream) {
			t.Fatalf("%d bytes out, %d in", n, len(stream))
		}
		var in, out [256]int
		for _, b := range stream {
			in[b]++
		}
		var frames [][]byte
		for _, fr := range got {
			for _, b := range fr.Bytes {
				out[b]++
			}
			if fr.Kind == FrameReply && (len(fr.Bytes) != 1 || !IsReply(fr.Bytes[0])) ||
				fr.Kind == FrameASB && len(fr.Bytes) != 4 || fr.Kind == FrameOther && len(fr.Bytes) != 1 {
				t.Fatalf("malformed %v frame % X", fr.Kind, fr.Bytes)
			}
			if fr.Kind != FrameOther {
				frames = append(frames, fr.Bytes)
			}
		}
		if in != out {
			t.Fatal("bytes out differ from bytes in")
		}
		if len(frames) < len(valid) {
			t.Fatalf("%d frames out, %d valid frames in", len(frames), len(valid))
		}
		tail := frames[len(frames)-len(valid):]
		for i := range valid {
			if !bytes.Equal(tail[i], valid[i]) {
				t.Fatalf("valid frame %d: got % X, want % X (garbage % X)", i, tail[i], valid[i], garbage)
			}
		}
	})
}
