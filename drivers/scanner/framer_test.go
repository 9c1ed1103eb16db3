package scanner

import (
	"strings"
	"testing"
)

// step is one thing that happens on the line: bytes arrive, or it goes quiet.
type step struct {
	in   string // bytes; "" with idle
	idle bool
}

func run(f *Framer, steps []step) []string {
	var got []string
	add := func(fr Frame) {
		s := fr.End.String() + ":" + string(fr.Data)
		if fr.Refused > 0 {
			s += "+refused"
		}
		got = append(got, s)
	}
	for _, st := range steps {
		if st.idle {
			if fr, ok := f.Idle(); ok {
				add(fr)
			}
			continue
		}
		for _, fr := range f.Feed([]byte(st.in)) {
			add(fr)
		}
	}
	return got
}

func TestFramer(t *testing.T) {
	idle := step{idle: true}
	tests := []struct {
		name   string
		suffix Suffix
		steps  []step
		want   string
	}{
		{"cr", SuffixCR, []step{{in: "abc\rdef\r"}}, "suffix:abc|suffix:def"},
		{"crlf", SuffixCRLF, []step{{in: "abc\r\ndef\r\n"}}, "suffix:abc|suffix:def"},
		{"crlf split in the suffix", SuffixCRLF, []step{{in: "abc\r"}, {in: "\ndef"}, {in: "\r\n"}}, "suffix:abc|suffix:def"},
		{"crlf keeps a lone CR", SuffixCRLF, []step{{in: "a\rb\r\r\n"}}, "suffix:a\rb\r"},
		{"lf", SuffixLF, []step{{in: "ab"}, {in: "c\n"}, {in: "\n"}}, "suffix:abc"},
		{"tab", SuffixTab, []step{{in: "96385074\t"}}, "suffix:96385074"},
		{"line takes all three", SuffixLine, []step{{in: "a\rb\nc\r\nd\r\n"}}, "suffix:a|suffix:b|suffix:c|suffix:d"},
		{"none ends at idle", SuffixNone, []step{{in: "abc"}, {in: "def"}, idle, {in: "x\r\n"}, idle}, "idle:abcdef|idle:x\r\n"},
		{"idle ends a code without suffix", SuffixCR, []step{{in: "abc"}, idle, {in: "def\r"}}, "idle:abc|suffix:def"},
		{"idle with nothing pending", SuffixCR, []step{idle, {in: "a\r"}, idle}, "suffix:a"},
		{"crlf cut by a pause", SuffixCRLF, []step{{in: "abc\r"}, idle, {in: "\ndef\r\n"}}, "idle:abc|suffix:def"},
		{"cut CR then data", SuffixCRLF, []step{{in: "abc\r"}, idle, {in: "def\r\n"}}, "idle:abc|suffix:def"},
		{"empty codes dropped", SuffixCR, []step{{in: "\r\r\ra\r"}}, "suffix:a"},
		{"too long, tail refused", SuffixCR, []step{{in: "0123456789ABC\rok\r"}}, "suffix:0123456789+refused|suffix:ok"},
		{"too long without suffix", SuffixNone, []step{{in: "0123456789ABC"}, idle, {in: "ok"}, idle}, "idle:0123456789+refused|idle:ok"},
		{"exactly the limit", SuffixCRLF, []step{{in: "0123456789\r\n"}}, "suffix:0123456789"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(run(NewFramer(tt.suffix, 10), tt.steps), "|")
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A code arriving one byte at a time frames like one arriving at once.
func TestFramerByteAtATime(t *testing.T) {
	for _, s := range []Suffix{SuffixLine, SuffixCR, SuffixCRLF, SuffixLF, SuffixTab} {
		in := "]Q1办成一件事 https://x.cn/q?id=1" + string(s.Bytes())
		f := NewFramer(s, 0)
		var got []Frame
		for i := range len(in) {
			got = append(got, f.Feed([]byte{in[i]})...)
		}
		if len(got) != 1 || string(got[0].Data) != strings.TrimRight(in, "\r\n\t") || f.Pending() != 0 {
			t.Errorf("%s: got %+v, pending %d", s, got, f.Pending())
		}
	}
}

func TestParseSuffix(t *testing.T) {
	for i, name := range suffixNames {
		if s, err := ParseSuffix(strings.ToUpper(name)); err != nil || s != Suffix(i) || s.String() != name {
			t.Errorf("ParseSuffix(%q) = %v, %v", name, s, err)
		}
	}
	if _, err := ParseSuffix("semicolon"); err == nil || !strings.Contains(err.Error(), "scanner: unknown suffix") {
		t.Errorf("ParseSuffix(semicolon): %v", err)
	}
	if Suffix(9).String() != "Suffix(9)" || Suffix(9).Bytes() != nil || End(9).String() != "End(9)" {
		t.Error("out-of-range names")
	}
}
