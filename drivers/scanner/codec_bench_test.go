package scanner_test

import (
	"testing"

	"github.com/onestop-station/onestop/drivers/scanner"
)

// The parsing of one scanned line as the reader does it: the framer cuts the code at its
// CR LF, the AIM identifier is split off, the payload is decoded (UTF-8, or GBK as a scanner
// set to GBK output sends Chinese). Compare runs with benchstat (bench/gobench.sh).

// benchLine returns the bytes a scanner with AIM prefixes on sends for a QR code of text.
func benchLine(b *testing.B, text string, cs scanner.Charset) []byte {
	b.Helper()
	payload := []byte(text)
	if cs == scanner.GBK {
		var err error
		if payload, err = scanner.EncodeGBK(text); err != nil {
			b.Fatal(err)
		}
	}
	line := append([]byte(scanner.QR.AIM()), payload...)
	return append(line, scanner.SuffixCRLF.Bytes()...)
}

// parseLine is the reader's work for one line: frame, AIM, charset.
func parseLine(f *scanner.Framer, line []byte) (sym scanner.Symbology, text string, cs scanner.Charset, ok bool) {
	frames := f.Feed(line)
	if len(frames) != 1 || frames[0].End != scanner.EndSuffix || frames[0].Refused > 0 {
		return 0, "", 0, false
	}
	sym, _, payload, ok := scanner.ParseAIM(frames[0].Data)
	if !ok {
		return 0, "", 0, false
	}
	text, cs, err := scanner.Decode(payload, scanner.CharsetAuto)
	return sym, text, cs, err == nil
}

func BenchmarkParseQRLine(b *testing.B) {
	for _, tt := range []struct {
		name, text string
		cs         scanner.Charset
	}{
		{"charset=utf8", "https://zwfw.example.gov.cn/appt?no=SD2026113000012345&win=3&t=7f3a9c", scanner.UTF8},
		{"charset=gbk", "滕州市政务服务中心|预约号A012|不动产登记|2026-11-30 15:20", scanner.GBK},
	} {
		b.Run(tt.name, func(b *testing.B) {
			line := benchLine(b, tt.text, tt.cs)
			f := scanner.NewFramer(scanner.SuffixLine, 0)
			sym, text, cs, ok := parseLine(f, line)
			if !ok || sym != scanner.QR || text != tt.text || cs != tt.cs || f.Pending() != 0 {
				b.Fatalf("parsed %v %q as %v (ok %v, %d bytes pending), want qr %q as %v",
					sym, text, cs, ok, f.Pending(), tt.text, tt.cs)
			}
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, ok := parseLine(f, line); !ok {
					b.Fatal("line not parsed")
				}
			}
		})
	}
}
