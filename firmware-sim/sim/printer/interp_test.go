package printer

import (
	"bytes"
	"image/color"
	"strings"
	"testing"
)

// Commands the twin does not act on are skipped whole: none of their
// argument bytes turn up as text.
func TestSkipsKnownAndUnknownCommands(t *testing.T) {
	tw, _ := newTestTwin(t)
	stream := bytes.Join([][]byte{
		hx(t, "1B 40"),
		hx(t, "1B 70 00 19 FA"),                   // ESC p: drawer kick, arguments look like nothing
		hx(t, "1D 68 50 1D 77 03"),                // barcode height and width
		hx(t, "1D 6B 49 05 41 42 43 44 45"),       // GS k function B, 5 bytes "ABCDE"
		hx(t, "1D 6B 04 58 59 5A 00"),             // GS k function A, NUL-ended "XYZ"
		hx(t, "1B 2A 21 02 00 41 41 41 41 41 41"), // ESC * 24-dot, 2 columns × 3 bytes
		hx(t, "1D 28 4C 04 00 30 45 41 41"),       // GS ( L: graphics, skipped by its length
		hx(t, "1D 38 4C 03 00 00 00 41 41 41"),    // GS 8 L: 32-bit length
		hx(t, "1B 7F 1D 7F 1C 7F"),                // unknown ESC, GS, FS: two bytes each
		hx(t, "10 05 01 10 14 01 00 01"),          // DLE ENQ, DLE DC4
		[]byte("OK\n"),
		hx(t, "1D 56 00"),
	}, nil)
	tw.in.feed(stream)
	rs := tw.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts", len(rs))
	}
	if got := transcript(t, rs[0]); got != "OK\n[cut full]\n" {
		t.Errorf("transcript %q", got)
	}
	if c := tw.Counters(); c.UnknownCommands != 3 || c.TextLines != 1 || c.BytesIn != uint64(len(stream)) {
		t.Errorf("counters %+v", c)
	}
}

// A stream fed one byte at a time prints exactly what it prints in one go.
func TestSplitFeedingSameReceipt(t *testing.T) {
	stream := sampleStream(t)
	whole, _ := newTestTwin(t)
	whole.in.feed(stream)
	split, _ := newTestTwin(t)
	for i := range stream {
		split.in.feed(stream[i : i+1])
	}
	a, b := whole.Receipts(), split.Receipts()
	if len(a) != 1 || len(b) != 1 {
		t.Fatalf("%d and %d receipts", len(a), len(b))
	}
	if transcript(t, a[0]) != transcript(t, b[0]) || !samePixels(readPNG(t, a[0].PNG), readPNG(t, b[0].PNG)) {
		t.Error("split feeding printed something else")
	}
}

// GS v 0 dots land where the header says, scaled by m; sizes and alignment
// move text as on paper.
func TestRasterAndLayout(t *testing.T) {
	tw, _ := newTestTwin(t)
	// 16×2 dots: row 0 has the leftmost dot, row 1 the rightmost; quad size.
	tw.in.feed(hx(t, "1D 76 30 03 02 00 02 00 80 00 00 01"))
	tw.in.feed(hx(t, "1B 61 02 1D 21 11 41 0A 1D 56 01")) // right-aligned "A" at 2×2
	rs := tw.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts", len(rs))
	}
	img := readPNG(t, rs[0].PNG)
	black := func(x, y int) bool { return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 128 }
	if !black(0, 0) || !black(1, 1) || black(2, 0) || black(0, 2) || !black(30, 2) || !black(31, 3) || black(29, 2) {
		t.Error("raster dots misplaced")
	}
	inkX := -1
	for x := 0; x < Width; x++ {
		for y := 4; y < 4+48; y++ {
			if black(x, y) && x > inkX {
				inkX = x
			}
		}
	}
	if inkX < Width-24 {
		t.Errorf("right-aligned text ends at x=%d", inkX)
	}
	if got := transcript(t, rs[0]); got != "[image 32×4 dots]\nA\n[cut partial]\n" {
		t.Errorf("transcript %q", got)
	}
}

// Offline, nothing prints: the data is counted and dropped.
func TestOfflinePrintsNothing(t *testing.T) {
	tw, _ := newTestTwin(t)
	if err := tw.SetPaper(PaperOut); err != nil {
		t.Fatal(err)
	}
	tw.in.feed(sampleStream(t))
	if n := len(tw.Receipts()); n != 0 {
		t.Fatalf("%d receipts with paper out", n)
	}
	if c := tw.Counters(); c.DroppedOffline == 0 || c.Cuts != 1 {
		t.Errorf("counters %+v", c)
	}
}

// GB18030 in Chinese mode; code page 437 after FS .; broken characters as "?".
func TestTextDecoding(t *testing.T) {
	tw, _ := newTestTwin(t)
	tw.in.feed(hx(t, "1C 26 B0 EC B3 C9 95 32 82 36 0A"))    // 办成 + U+20000 (not in the font)
	tw.in.feed(hx(t, "1C 2E 9B 41 0A 1C 26 B0 0A 1D 56 00")) // ¢A; a lead byte cut short by LF
	rs := tw.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts", len(rs))
	}
	if got := transcript(t, rs[0]); got != "办成\U00020000\n¢A\n?\n[cut full]\n" {
		t.Errorf("transcript %q", got)
	}
}

// FuzzInterpret: no byte stream panics the twin.
func FuzzInterpret(f *testing.F) {
	f.Add(sampleStream(f))
	f.Add(hx(f, "1D 76 30 00 FF FF FF FF"))
	f.Add(hx(f, "1D 28 6B 03 00 31 51 30 1D 28 6B 05 00 31 50 30 41 42 1D 28 6B 03 00 31 51 30"))
	f.Add(hx(f, "1B 26 02 41 42 03 00 00 00 00 00 00 1C 26 81 30 81"))
	f.Add(hx(f, "10 04 01 10 04 07 01 1D 61 0F 1D 72 01 1D 56 42 03"))
	tw, _ := newTestTwin(f)
	tw.opts.OutDir = "" // count receipts, do not write them
	f.Fuzz(func(t *testing.T, stream []byte) {
		tw.in = newInterp(tw, tw.in.font)
		tw.in.feed(stream)
		tw.in.feed(hx(t, "1B 40 1D 56 00"))
	})
}

func TestSampleReceiptDecodes(t *testing.T) {
	tw, _ := newTestTwin(t)
	tw.in.feed(sampleStream(t))
	rs := tw.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts", len(rs))
	}
	if got := decodeQR(t, readPNG(t, rs[0].PNG)); got != sampleURL {
		t.Errorf("QR reads %q, want %q", got, sampleURL)
	}
	if tr := transcript(t, rs[0]); !strings.Contains(tr, "办成一件事") || !strings.Contains(tr, "[qr module 6 level M: "+sampleURL+"]") {
		t.Errorf("transcript %q", tr)
	}
}
