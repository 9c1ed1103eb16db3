package idcard

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzScan: Scan never panics, never uses more than it was given, returns only frames that
// pass their own checks, and keeps scanning to a fixed point.
func FuzzScan(f *testing.F) {
	found := []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x08, 0x00, 0x00, 0x9F, 0x00, 0x00, 0x00, 0x00, 0x97}
	f.Add(found, false)
	f.Add(append([]byte{0xAA, 0xAA, 0x13}, found...), false)
	f.Add(found[:9], true)
	f.Add(append(CmdReadBasic.Encode(), 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF), false)
	f.Add(Response{SW3: StatusOK, Data: EncodeReadData(make([]byte, 256), make([]byte, 1024))}.Encode(), true)
	f.Fuzz(func(t *testing.T, buf []byte, atEOF bool) {
		for rounds := 0; len(buf) > 0; rounds++ {
			fr, n, _ := Scan(buf, atEOF)
			if n < 0 || n > len(buf) {
				t.Fatalf("n = %d for %d bytes", n, len(buf))
			}
			if fr != nil {
				if _, err := check(fr, MinCommandLen); err != nil {
					t.Fatalf("returned a bad frame % X: %v", fr, err)
				}
				if !bytes.Equal(buf[n-len(fr):n], fr) {
					t.Fatal("frame is not the end of what was used")
				}
			}
			if n == 0 {
				if atEOF {
					t.Fatal("nothing used at EOF")
				}
				return
			}
			buf = buf[n:]
			if rounds > 1<<16 {
				t.Fatal("no progress")
			}
		}
	})
}

// FuzzDecodeResponse: decoding never panics and re-encodes to the same frame.
func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x80, 0x84})
	f.Add(Response{SW3: StatusOK, Data: EncodeReadFPData(make([]byte, 256), make([]byte, 1024), make([]byte, 512))}.Encode())
	f.Fuzz(func(t *testing.T, fr []byte) {
		r, err := DecodeResponse(fr)
		if err != nil {
			return
		}
		if !bytes.Equal(r.Encode(), fr) {
			t.Fatalf("re-encoded % X differs", r.Encode())
		}
		_ = r.statusErr()
		_, _ = decodeRead(r.Data, 2)
		_, _ = decodeRead(r.Data, 3)
	})
}

// FuzzDecodeText: any 256 bytes decode without panic; what decodes re-encodes and decodes to
// the same card.
func FuzzDecodeText(f *testing.F) {
	for _, c := range []*Card{
		{Type: Resident, Name: NewSecret("张三"), Sex: SexMale, Nation: "01", Address: NewSecret("北京市"), IDNumber: NewSecret("11010519491231002X"), ValidTo: Expiry{LongTerm: true}},
		{Type: HMTResidencePermit, Name: NewSecret("陈小明"), PassNumber: NewSecret("H12345678"), IssueCount: "01"},
		{Type: ForeignPermanentResident, TypeFlag: 'I', EnglishName: NewSecret("SAMPLE JOHN"), Nationality: "USA"},
		{Type: ForeignPermanentResident, EnglishName: NewSecret("SAMPLEWORTH-EXAMPLE MARY ELIZABETH ANNE"), Nationality: "GBR"},
	} {
		b, err := EncodeText(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, block []byte) {
		if len(block) != 256 {
			block = append(block, make([]byte, 256)...)[:256]
		}
		c, err := DecodeText(block)
		if err != nil {
			return
		}
		enc, err := EncodeText(c)
		if err != nil {
			t.Fatalf("decoded card does not encode: %v", err)
		}
		c2, err := DecodeText(enc)
		if err != nil || !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip changed the card: %v", err)
		}
	})
}
