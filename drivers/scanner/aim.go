package scanner

import (
	"fmt"
	"strings"
)

// Symbology is the kind of barcode a code was read from, as told by its AIM
// identifier (ISO/IEC 15424). Unknown when the scanner sends no identifier.
type Symbology uint8

const (
	Unknown Symbology = iota
	QR
	DataMatrix
	PDF417
	Aztec
	HanXin // Chinese-Sensible code, GB/T 21049
	Code128
	GS1128 // Code 128 with FNC1 first (]C1)
	EAN13  // EAN-13, UPC-A and UPC-E (]E0)
	EAN8
	Code39
	Code93
	Codabar
	ITF // Interleaved 2 of 5
	DataBar
	Other
)

// symInfo ties a Symbology to its name and to the AIM identifier a twin
// sends for it. Only ]E0 is confirmed by a cited source; the others follow
// ISO/IEC 15424 and ZXing's table and are marked [?] in the team notes.
var symInfo = [...]struct{ name, aim string }{
	Unknown:    {"unknown", ""},
	QR:         {"qr", "]Q1"},
	DataMatrix: {"datamatrix", "]d1"},
	PDF417:     {"pdf417", "]L0"},
	Aztec:      {"aztec", "]z0"},
	HanXin:     {"hanxin", "]h0"},
	Code128:    {"code128", "]C0"},
	GS1128:     {"gs1-128", "]C1"},
	EAN13:      {"ean13", "]E0"},
	EAN8:       {"ean8", "]E4"},
	Code39:     {"code39", "]A0"},
	Code93:     {"code93", "]G0"},
	Codabar:    {"codabar", "]F0"},
	ITF:        {"itf", "]I0"},
	DataBar:    {"databar", "]e0"},
	Other:      {"other", "]X0"},
}

func (s Symbology) String() string {
	if int(s) < len(symInfo) {
		return symInfo[s].name
	}
	return fmt.Sprintf("Symbology(%d)", s)
}

// AIM returns the identifier a scanner prefixes codes of this symbology with
// ("]Q1" for QR), "" for Unknown.
func (s Symbology) AIM() string {
	if int(s) < len(symInfo) {
		return symInfo[s].aim
	}
	return ""
}

// ParseSymbology accepts the names String gives ("qr", "ean13", …), in any case.
func ParseSymbology(name string) (Symbology, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for i, info := range symInfo {
		if n == info.name {
			return Symbology(i), nil
		}
	}
	return Unknown, fmt.Errorf("scanner: unknown symbology %q", name)
}

// aimCodeChars maps the code character of an AIM identifier to a symbology;
// the modifier refines a few of them (see symbologyOf).
var aimCodeChars = map[byte]Symbology{
	'Q': QR, 'd': DataMatrix, 'L': PDF417, 'z': Aztec, 'h': HanXin,
	'C': Code128, 'E': EAN13, 'A': Code39, 'G': Code93, 'F': Codabar,
	'I': ITF, 'e': DataBar, 'X': Other,
}

// ParseAIM splits an AIM identifier ("]" + code character + modifier) off the
// front of b. ok is false when b does not start with a well-formed one; then
// rest is b.
func ParseAIM(b []byte) (sym Symbology, id string, rest []byte, ok bool) {
	if len(b) < 3 || b[0] != ']' || !isModifier(b[2]) {
		return Unknown, "", b, false
	}
	s, known := aimCodeChars[b[1]]
	if !known {
		// Still an identifier (ISO/IEC 15424 has more code characters than
		// we name); keep it so a caller can tell what it was.
		if !isAlpha(b[1]) {
			return Unknown, "", b, false
		}
		s = Other
	}
	return refine(s, b[2]), string(b[:3]), b[3:], true
}

// refine applies the modifiers that change what the code is, not just how.
func refine(s Symbology, mod byte) Symbology {
	switch {
	case s == Code128 && mod == '1':
		return GS1128
	case s == EAN13 && mod == '4':
		return EAN8
	}
	return s
}

func isModifier(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}
func isAlpha(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
