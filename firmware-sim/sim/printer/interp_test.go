package printer

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash/crc32"
	"image/color"
	"maps"
	"slices"
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

// FuzzInterpret: no byte stream panics the twin, and every stream keeps the interpreter's
// promises. What a stream leaves behind (each receipt's transcript and dots, the paper still in
// the printer, modes and buffers, bytes sent to the host, counters) is the same fed one byte at
// a time, in one write per receipt, split once more anywhere, in one write, and again; a line
// printed before the stream stays on the paper or leaves it as a receipt, whatever the stream
// holds; every byte is counted; no receipt is lost; paper stays within maxRows.
func FuzzInterpret(f *testing.F) {
	f.Add(sampleStream(f))
	f.Add(hx(f, "1D 76 30 00 FF FF FF FF"))
	f.Add(hx(f, "1D 28 6B 03 00 31 51 30 1D 28 6B 05 00 31 50 30 41 42 1D 28 6B 03 00 31 51 30"))
	f.Add(hx(f, "1B 26 02 41 42 03 00 00 00 00 00 00 1C 26 81 30 81"))
	f.Add(hx(f, "10 04 01 10 04 07 01 1D 61 0F 1D 72 01 1D 56 42 03"))
	f.Add(hx(f, "1C 26 B0 EC B3 1D 56 00 1B 21 30 41 0A 1D 56 01 1D 61 01"))
	rig := newFuzzRig(f)
	const marker = "before the stream"
	f.Fuzz(func(t *testing.T, stream []byte) {
		every := make([]int, 0, len(stream))
		for i := 1; i < len(stream); i++ {
			every = append(every, i)
		}
		want := rig.run(stream, every) // every receipt seen: at most one cut completes per byte
		if n := uint64(len(want.receipts)); n != want.counters.Receipts {
			t.Fatalf("%d receipts counted, %d came out", want.counters.Receipts, n)
		}
		if want.counters.BytesIn != uint64(len(stream)) {
			t.Errorf("%d bytes counted of %d", want.counters.BytesIn, len(stream))
		}
		for _, s := range append(slices.Collect(maps.Values(want.receipts)), want.paper) {
			if s.height() > maxRows {
				t.Errorf("paper %d dots long, bound %d", s.height(), maxRows)
			}
		}
		k := int(crc32.ChecksumIEEE(stream)) % (len(stream) + 1) // the fuzzer moves it by changing bytes
		for how, ends := range map[string][]int{
			"one write per receipt":                            want.cutEnds,
			fmt.Sprintf("a split at %d of %d", k, len(stream)): append(slices.Clone(want.cutEnds), k),
			"one write": nil,
		} {
			if d := rig.run(stream, ends).diff(want); d != "" {
				t.Fatalf("fed one byte at a time and in %s, the stream leaves different %s", how, d)
			}
		}
		if d := rig.run(stream, want.cutEnds).diff(rig.run(stream, want.cutEnds)); d != "" {
			t.Fatalf("fed twice the same way, the stream leaves different %s", d)
		}
		if err := rig.keepsLine([]byte("\x1b@"+marker+"\n"), marker, stream); err != nil {
			t.Errorf("the line printed before the stream: %v", err)
		}
	})
}

// fuzzRig runs streams on one twin, as good as new for each run, so a fuzz iteration can
// compare runs without loading the font again. Receipts are not written: a run keeps the
// sheets that were cut, which is cheaper than encoding PNGs by far.
type fuzzRig struct {
	tw   *Twin
	host *hostBuf
	font *glyphs
}

func newFuzzRig(tb testing.TB) *fuzzRig {
	tw, host := newTestTwin(tb)
	return &fuzzRig{tw: tw, host: host, font: tw.in.font}
}

// reset makes the twin as good as new: panel, counters, receipts (counted, not written),
// interpreter.
func (r *fuzzRig) reset() {
	tw := r.tw
	tw.mu.Lock()
	tw.panel, tw.cnt, tw.receipts, tw.next, tw.opts.OutDir = panel{Paper: PaperOK}, Counters{}, nil, 1, ""
	tw.mu.Unlock()
	tw.in = newInterp(tw, r.font)
	r.host.take()
}

// outcome is what a stream left behind.
type outcome struct {
	receipts map[int]*sheet // by number from 0; a run sees the first receipt cut in each write
	cutEnds  []int          // where the writes that cut paper ended
	paper    *sheet         // still in the printer
	state    string         // modes, line buffer, pending bytes
	host     string         // bytes sent to the host
	counters Counters
}

// run feeds stream to the twin as good as new, in writes ending at ends (in any order; 0, len
// and repeats are ignored), and returns what it left behind.
func (r *fuzzRig) run(stream []byte, ends []int) outcome {
	r.reset()
	ends = slices.Sorted(slices.Values(append(slices.Clone(ends), len(stream))))
	in := r.tw.in
	o := outcome{receipts: map[int]*sheet{}}
	from := 0
	for _, end := range ends {
		if end <= from || end > len(stream) {
			continue
		}
		paper, before := in.sheet, r.tw.Counters().Receipts
		in.feed(stream[from:end])
		if in.sheet != paper {
			o.cutEnds = append(o.cutEnds, end)
			if paper.printed {
				o.receipts[int(before)] = paper
			}
		}
		from = end
	}
	o.paper = in.sheet
	o.state = fmt.Sprintf("buf=% X skip=%d chinese=%v style=%+v align=%d spacing=%d line=%v width=%d qr=%+v",
		in.buf, in.skip, in.chinese, in.st, in.align, in.spacing, in.line, in.lineW, in.qr)
	o.host = fmt.Sprintf("% X", r.host.take())
	o.counters = r.tw.Counters()
	return o
}

// diff says what differs from want, "" if nothing; receipts o did not see are not compared.
func (o outcome) diff(want outcome) string {
	same := func(a, b *sheet) bool {
		return a != nil && b != nil && slices.Equal(a.transcript, b.transcript) && bytes.Equal(a.pix, b.pix) && a.printed == b.printed
	}
	for n, s := range o.receipts {
		if w := want.receipts[n]; !same(s, w) {
			return fmt.Sprintf("receipt %d: %s\nwant %s", n, describe(s), describe(w))
		}
	}
	switch {
	case !same(o.paper, want.paper):
		return fmt.Sprintf("paper: %s\nwant %s", describe(o.paper), describe(want.paper))
	case o.state != want.state:
		return fmt.Sprintf("state: %.300s\nwant %.300s", o.state, want.state)
	case o.host != want.host:
		return fmt.Sprintf("bytes to the host: %.300s\nwant %.300s", o.host, want.host)
	case o.counters != want.counters:
		return fmt.Sprintf("counters: %+v\nwant %+v", o.counters, want.counters)
	}
	return ""
}

func describe(s *sheet) string {
	if s == nil {
		return "none"
	}
	return fmt.Sprintf("%.300q, %d dots high, %x", s.transcript, s.height(), sha256.Sum256(s.pix))
}

// keepsLine feeds first, which prints line, then rest one byte at a time, and checks that the
// paper line went on stays in the printer or leaves it as a receipt, with line still on top.
func (r *fuzzRig) keepsLine(first []byte, line string, rest []byte) error {
	r.reset()
	in := r.tw.in
	in.feed(first)
	paper := in.sheet
	for i := range rest {
		before := r.tw.Counters().Receipts
		in.feed(rest[i : i+1])
		if in.sheet != paper {
			if r.tw.Counters().Receipts != before+1 {
				return fmt.Errorf("the paper was dropped at byte %d, not cut into a receipt", i)
			}
			break
		}
	}
	if lines := paper.transcript; len(lines) == 0 || lines[0] != line {
		return fmt.Errorf("first lines %q, want %q", lines[:min(len(lines), 3)], line)
	}
	return nil
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
