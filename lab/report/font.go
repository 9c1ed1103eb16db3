package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"golang.org/x/image/font/sfnt"
)

// DefaultFont is the font Render uses when Opts.Font is "": Debian's fonts-arphic-gbsn00lp, a
// single-face Song TTF with Latin and GB 2312 glyphs (setup-facts.md).
const DefaultFont = "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"

// ErrNoFont is wrapped by Render when no single-face TTF with Latin and CJK glyphs is found.
var ErrNoFont = errors.New("report: no single-face TrueType font with Latin and CJK glyphs")

// glyph probes: Latin, digits, and the Chinese the report prints most.
const fontProbe = "AZaz09报告编号页共检测"

// loadFont reads and checks the font at path ("" for DefaultFont).
func loadFont(path string) ([]byte, error) {
	if path == "" {
		path = DefaultFont
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoFont, err)
	}
	if bytes.HasPrefix(b, []byte("ttcf")) {
		return nil, fmt.Errorf("%w: %s is a collection (.ttc); give one face as a .ttf", ErrNoFont, path)
	}
	f, err := sfnt.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNoFont, path, err)
	}
	var buf sfnt.Buffer
	for _, r := range fontProbe {
		if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
			return nil, fmt.Errorf("%w: %s has no glyph for %q", ErrNoFont, path, r)
		}
	}
	return b, nil
}
