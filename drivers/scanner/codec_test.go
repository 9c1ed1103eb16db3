package scanner

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseAIM(t *testing.T) {
	tests := []struct {
		in   string
		sym  Symbology
		id   string
		rest string
	}{
		{"]Q1https://x.cn", QR, "]Q1", "https://x.cn"},
		{"]E06901234567892", EAN13, "]E0", "6901234567892"},
		{"]E496385074", EAN8, "]E4", "96385074"},
		{"]C0ABC-123", Code128, "]C0", "ABC-123"},
		{"]C1\x1d0104912345123459", GS1128, "]C1", "\x1d0104912345123459"},
		{"]d1DM", DataMatrix, "]d1", "DM"},
		{"]L0pdf", PDF417, "]L0", "pdf"},
		{"]A0CODE39", Code39, "]A0", "CODE39"},
		{"]h0汉信", HanXin, "]h0", "汉信"},
		{"]Y9odd", Other, "]Y9", "odd"}, // a code character we do not name
	}
	for _, tt := range tests {
		sym, id, rest, ok := ParseAIM([]byte(tt.in))
		if !ok || sym != tt.sym || id != tt.id || string(rest) != tt.rest {
			t.Errorf("ParseAIM(%q) = %v %q %q %v", tt.in, sym, id, rest, ok)
		}
	}
	for _, in := range []string{"", "]Q", "Q1abc", "]1Qabc", "]Q\x01abc", "https://x.cn"} {
		if sym, _, rest, ok := ParseAIM([]byte(in)); ok || sym != Unknown || string(rest) != in {
			t.Errorf("ParseAIM(%q) accepted: %v %q", in, sym, rest)
		}
	}
}

// Every named symbology round-trips through its name and its AIM identifier.
func TestSymbologyNames(t *testing.T) {
	for i := range symInfo {
		s := Symbology(i)
		if got, err := ParseSymbology(strings.ToUpper(s.String())); err != nil || got != s {
			t.Errorf("ParseSymbology(%q) = %v, %v", s, got, err)
		}
		if s == Unknown {
			continue
		}
		if got, _, _, ok := ParseAIM([]byte(s.AIM() + "x")); !ok || got != s {
			t.Errorf("%v: AIM %q parses as %v", s, s.AIM(), got)
		}
	}
	if _, err := ParseSymbology("morse"); err == nil {
		t.Error("ParseSymbology(morse) accepted")
	}
	if Symbology(99).String() != "Symbology(99)" || Symbology(99).AIM() != "" {
		t.Error("out-of-range symbology")
	}
}

const chinese = "办成一件事 https://x.cn/q?id=1"

func TestDecode(t *testing.T) {
	gbk, err := EncodeGBK(chinese)
	if err != nil {
		t.Fatal(err)
	}
	// 办 is B0 EC in GBK (GB 2312 row 16).
	if !bytes.HasPrefix(gbk, []byte{0xB0, 0xEC}) || bytes.Equal(gbk, []byte(chinese)) {
		t.Fatalf("GBK bytes % X", gbk)
	}
	tests := []struct {
		raw  []byte
		want Charset
		cs   Charset
		err  bool
	}{
		{[]byte(chinese), CharsetAuto, UTF8, false},
		{gbk, CharsetAuto, GBK, false},
		{[]byte("6901234567892"), CharsetAuto, UTF8, false},
		{gbk, GBK, GBK, false},
		{[]byte(chinese), UTF8, UTF8, false},
		{gbk, UTF8, UTF8, true},
		{[]byte{0xFF, 0xFE, 0x80}, CharsetAuto, CharsetAuto, true},
		{[]byte{0xB0}, GBK, GBK, true}, // a lead byte cut short
	}
	for _, tt := range tests {
		s, cs, err := Decode(tt.raw, tt.want)
		if (err != nil) != tt.err || cs != tt.cs {
			t.Errorf("Decode(% X, %v) = %q, %v, %v", tt.raw, tt.want, s, cs, err)
			continue
		}
		if err == nil && s != chinese && s != string(tt.raw) {
			t.Errorf("Decode(% X) = %q", tt.raw, s)
		}
		if err != nil && !errors.Is(err, ErrCharset) {
			t.Errorf("error %v does not wrap ErrCharset", err)
		}
	}
	if _, err := EncodeGBK("emoji 😀"); err == nil || !strings.Contains(err.Error(), "GBK cannot encode") {
		t.Errorf("EncodeGBK(emoji): %v", err)
	}
	for _, n := range []string{"AUTO", "utf-8", "gbk"} {
		if _, err := ParseCharset(n); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseCharset("big5"); err == nil || Charset(7).String() != "Charset(7)" {
		t.Error("ParseCharset(big5) accepted")
	}
}

// The trigger commands, byte for byte as in the notes (section 3).
func TestDialectVectors(t *testing.T) {
	tests := []struct {
		d       Dialect
		on, off []byte
		acks    bool
	}{
		{Honeywell, []byte{0x16, 0x54, 0x0D}, []byte{0x16, 0x55, 0x0D}, false},
		{Newland,
			[]byte{0x7E, 0x01, 0x30, 0x30, 0x30, 0x30, 0x23, 0x53, 0x43, 0x4E, 0x54, 0x52, 0x47, 0x31, 0x3B, 0x03},
			[]byte{0x7E, 0x01, 0x30, 0x30, 0x30, 0x30, 0x23, 0x53, 0x43, 0x4E, 0x54, 0x52, 0x47, 0x30, 0x3B, 0x03}, true},
		{DialectNone, nil, nil, false},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.d.TriggerOn(), tt.on) || !bytes.Equal(tt.d.TriggerOff(), tt.off) || tt.d.Acks() != tt.acks {
			t.Errorf("%v: on % X off % X acks %v", tt.d, tt.d.TriggerOn(), tt.d.TriggerOff(), tt.d.Acks())
		}
		if got, err := ParseDialect(strings.ToUpper(tt.d.String())); err != nil || got != tt.d {
			t.Errorf("ParseDialect(%v) = %v, %v", tt.d, got, err)
		}
	}
	// The answer: STX SOH 0000, the command echoed, ACK, ";" ETX.
	ack := []byte{0x02, 0x01, 0x30, 0x30, 0x30, 0x30, 0x23, 0x53, 0x43, 0x4E, 0x54, 0x52, 0x47, 0x31, 0x06, 0x3B, 0x03}
	if got := NewlandReply("#SCNTRG1", ACK); !bytes.Equal(got, ack) {
		t.Errorf("NewlandReply = % X", got)
	}
	if body, ok := ParseNewlandCommand(Newland.TriggerOn()); !ok || body != "#SCNTRG1" {
		t.Errorf("ParseNewlandCommand = %q %v", body, ok)
	}
	if _, ok := ParseNewlandCommand([]byte("~\x010000")); ok {
		t.Error("short command accepted")
	}
	if _, err := ParseDialect("zebra"); err == nil || Dialect(9).String() != "Dialect(9)" || Dialect(9).TriggerOn() != nil {
		t.Error("unknown dialect")
	}
	if ACK.String() != "ACK" || NAK.String() != "NAK" || ENQ.String() != "ENQ" || Status(1).String() != "status 0x01" {
		t.Error("status names")
	}
}

// Replies are taken out of the stream wherever they fall; look-alikes stay data.
func TestReplyFilter(t *testing.T) {
	ack := NewlandReply("#SCNTRG1", ACK)
	stream := append(append([]byte("\x02x]Q1ab"), ack...), "\x02\x01z\r\n"...)
	stream = append(stream, NewlandReply("#SCNTRG0", NAK)...)
	for chunk := 1; chunk <= len(stream); chunk++ {
		r := replyFilter{on: true}
		var data []byte
		var replies []Reply
		for i := 0; i < len(stream); i += chunk {
			d, rs := r.feed(stream[i:min(i+chunk, len(stream))])
			data, replies = append(data, d...), append(replies, rs...)
		}
		data = append(data, r.flush()...)
		if string(data) != "\x02x]Q1ab\x02\x01z\r\n" || len(replies) != 2 ||
			replies[0] != (Reply{"#SCNTRG1", ACK}) || replies[1] != (Reply{"#SCNTRG0", NAK}) {
			t.Fatalf("chunk %d: data %q replies %+v", chunk, data, replies)
		}
	}
	// A reply that never ends gives its bytes back after maxReply.
	r := replyFilter{on: true}
	long := append([]byte{0x02, 0x01, '0', '0', '0', '0'}, bytes.Repeat([]byte{'a'}, 80)...)
	d, rs := r.feed(long)
	d = append(d, r.flush()...)
	if !bytes.Equal(d, long) || len(rs) != 0 {
		t.Errorf("runaway reply: %d bytes back, %d replies", len(d), len(rs))
	}
}

func TestTextForms(t *testing.T) {
	var s Suffix
	var d Dialect
	var c Charset
	var y Symbology
	if s.UnmarshalText([]byte("crlf")) != nil || d.UnmarshalText([]byte("newland")) != nil ||
		c.UnmarshalText([]byte("gbk")) != nil || y.UnmarshalText([]byte("ean13")) != nil ||
		s != SuffixCRLF || d != Newland || c != GBK || y != EAN13 {
		t.Errorf("UnmarshalText: %v %v %v %v", s, d, c, y)
	}
	if d.UnmarshalText([]byte("zebra")) == nil {
		t.Error("UnmarshalText(zebra) accepted")
	}
	b, _ := json.Marshal(Code{Data: "x", Symbology: QR, Charset: UTF8, End: EndSuffix})
	if !strings.Contains(string(b), `"Symbology":"qr","AIM":"","Charset":"utf8","End":"suffix"`) {
		t.Errorf("JSON %s", b)
	}
}
