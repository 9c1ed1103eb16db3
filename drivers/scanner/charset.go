package scanner

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Charset is the text encoding of a code's payload. Scanners send bytes as
// printed in the barcode; Chinese QR codes carry UTF-8 or GBK depending on
// who generated them and how the scanner is set up.
type Charset uint8

const (
	CharsetAuto Charset = iota // UTF-8 when valid, otherwise GBK (for Opts)
	UTF8                       // includes plain ASCII
	GBK
)

var charsetNames = [...]string{"auto", "utf8", "gbk"}

func (c Charset) String() string {
	if int(c) < len(charsetNames) {
		return charsetNames[c]
	}
	return fmt.Sprintf("Charset(%d)", c)
}

// ParseCharset accepts "auto", "utf8" (or "utf-8") and "gbk", in any case.
func ParseCharset(name string) (Charset, error) {
	n := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "")
	for i, s := range charsetNames {
		if n == s {
			return Charset(i), nil
		}
	}
	return 0, fmt.Errorf("scanner: unknown charset %q (want auto, utf8 or gbk)", name)
}

// Decode turns a payload into text. With CharsetAuto, valid UTF-8 is taken as
// is (a GBK text that happens to be valid UTF-8 is rare beyond a few
// characters), anything else is tried as GBK. The Charset returned says which
// was used. Bytes valid in neither give an error wrapping ErrCharset; the
// caller keeps the raw bytes.
func Decode(raw []byte, want Charset) (string, Charset, error) {
	if want != GBK && utf8.Valid(raw) {
		return string(raw), UTF8, nil
	}
	if want == UTF8 {
		return "", UTF8, fmt.Errorf("%w: not valid UTF-8", ErrCharset)
	}
	s, err := decodeGBK(raw)
	if err != nil {
		if want == GBK {
			return "", GBK, fmt.Errorf("%w: not valid GBK", ErrCharset)
		}
		return "", CharsetAuto, fmt.Errorf("%w: neither UTF-8 nor GBK", ErrCharset)
	}
	return s, GBK, nil
}

// decodeGBK fails where x/text would silently put U+FFFD: GBK maps no byte
// sequence to U+FFFD, so one in the output means the input was not GBK.
func decodeGBK(raw []byte) (string, error) {
	out, err := simplifiedchinese.GBK.NewDecoder().Bytes(raw)
	if err != nil {
		return "", err
	}
	if strings.ContainsRune(string(out), utf8.RuneError) {
		return "", fmt.Errorf("invalid GBK sequence")
	}
	return string(out), nil
}

// EncodeGBK encodes text as GBK, as a scanner set to GBK output sends it
// (for twins and tests).
func EncodeGBK(s string) ([]byte, error) {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("scanner: %q has characters GBK cannot encode: %w", s, err)
	}
	return b, nil
}
