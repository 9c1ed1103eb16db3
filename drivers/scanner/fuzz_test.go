package scanner

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// FuzzFramer feeds an arbitrary byte stream in random chunks, with the line
// going quiet between some of them, and checks that the framer never panics,
// keeps within its limit, delivers complete frames in order, and loses no
// byte that is not part of a suffix.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("abc\r\ndef\r\n"), uint64(1), uint8(2), false)
	f.Add([]byte("]Q1\xb0\xec\xb3\xc9\r\n\r\n"), uint64(7), uint8(1), true)
	f.Add([]byte("\r\r\n\n\t\t\x00\xff"), uint64(3), uint8(0), true)
	f.Add(bytes.Repeat([]byte("x"), 300), uint64(9), uint8(4), false)
	f.Fuzz(func(t *testing.T, in []byte, seed uint64, sfx uint8, quiet bool) {
		suffix := Suffix(sfx % uint8(len(suffixNames)))
		const maxLen = 64
		rng := rand.New(rand.NewPCG(seed, 1))
		chunked, idles := feedChunks(NewFramer(suffix, maxLen), in, rng, quiet)
		// The same stream a byte at a time, quiet at the same places.
		f2 := NewFramer(suffix, maxLen)
		var single []Frame
		for i, b := range in {
			single = append(single, f2.Feed([]byte{b})...)
			if idles[i+1] {
				if fr, ok := f2.Idle(); ok {
					single = append(single, fr)
				}
			}
		}
		if !sameFrames(chunked.frames, single) {
			t.Fatalf("chunking changed the frames:\n%+v\n%+v", chunked.frames, single)
		}
		checkBounds(t, chunked, maxLen)
		if !quiet {
			checkSplit(t, in, suffix, maxLen, chunked)
		}
		// The line goes quiet at the end: everything held comes out.
		if fr, ok := f2.Idle(); ok {
			chunked.frames = append(chunked.frames, fr)
		}
		chunked.pending = f2.Pending()
		checkBounds(t, chunked, maxLen)
		checkInOrder(t, in, chunked.frames)
		checkNothingLost(t, in, suffix, chunked)
	})
}

type fed struct {
	frames  []Frame
	pending int
}

// feedChunks feeds in random chunks; with quiet, the line goes idle after
// some of them. idles[i] says whether it went idle after byte i-1.
func feedChunks(f *Framer, in []byte, rng *rand.Rand, quiet bool) (fed, map[int]bool) {
	var out fed
	idles := map[int]bool{}
	for pos := 0; pos < len(in); {
		n := min(1+rng.IntN(8), len(in)-pos)
		out.frames = append(out.frames, f.Feed(in[pos:pos+n])...)
		pos += n
		if quiet && rng.IntN(3) == 0 {
			idles[pos] = true
			if fr, ok := f.Idle(); ok {
				out.frames = append(out.frames, fr)
			}
		}
	}
	out.pending = f.Pending()
	return out, idles
}

func sameFrames(a, b []Frame) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Data, b[i].Data) || a[i].End != b[i].End || a[i].Refused != b[i].Refused {
			return false
		}
	}
	return true
}

func checkBounds(t *testing.T, r fed, maxLen int) {
	for _, fr := range r.frames {
		if len(fr.Data) == 0 || len(fr.Data) > maxLen || (fr.Refused > 0 && len(fr.Data) != maxLen) {
			t.Fatalf("frame out of bounds: %d bytes, %d refused", len(fr.Data), fr.Refused)
		}
	}
	if r.pending > maxLen+2 {
		t.Fatalf("pending %d > limit %d", r.pending, maxLen)
	}
}

// Every frame is a piece of the input, after the one before it.
func checkInOrder(t *testing.T, in []byte, frames []Frame) {
	pos := 0
	for i, fr := range frames {
		j := bytes.Index(in[pos:], fr.Data)
		if j < 0 {
			t.Fatalf("frame %d %q is not in the input after offset %d", i, fr.Data, pos)
		}
		pos += j + len(fr.Data) + fr.Refused
	}
}

// Bytes that are not suffix bytes are all delivered, refused or pending.
func checkNothingLost(t *testing.T, in []byte, s Suffix, r fed) {
	accounted := r.pending
	for _, fr := range r.frames {
		accounted += len(fr.Data) + fr.Refused
	}
	term := s.Bytes()
	if s == SuffixNone {
		term = nil
	}
	others := 0
	for _, b := range in {
		if bytes.IndexByte(term, b) < 0 {
			others++
		}
	}
	if accounted < others || accounted > len(in) {
		t.Fatalf("%d bytes accounted for, %d non-suffix bytes in %d", accounted, others, len(in))
	}
}

// Without pauses the frames are exactly the input split at the suffix.
func checkSplit(t *testing.T, in []byte, s Suffix, maxLen int, r fed) {
	var parts [][]byte
	switch s {
	case SuffixNone:
		parts = [][]byte{in}
	case SuffixLine:
		parts = bytes.FieldsFunc(in, func(c rune) bool { return c == '\r' || c == '\n' })
		if len(in) > 0 && in[len(in)-1] != '\r' && in[len(in)-1] != '\n' && len(parts) > 0 {
			parts = parts[:len(parts)-1] // the unfinished last code
		}
		parts = append(parts, nil)
	default:
		parts = bytes.Split(in, s.Bytes())
	}
	var want []Frame
	for _, p := range parts[:len(parts)-1] {
		if len(p) > 0 {
			fr := Frame{Data: p, End: EndSuffix}
			if len(p) > maxLen {
				fr = Frame{Data: p[:maxLen], End: EndSuffix, Refused: len(p) - maxLen}
			}
			want = append(want, fr)
		}
	}
	if !sameFrames(r.frames, want) {
		t.Fatalf("frames differ from a split at %s:\ngot  %+v\nwant %+v", s, r.frames, want)
	}
}
