package ui

import (
	"errors"
	"fmt"
	"image/color"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font/sfnt"
)

// FontCandidates are the plain single-face TTFs the kiosk looks for, in order, when the
// configuration names none. The first is Droid Sans Fallback (Debian fonts-droid-fallback): a
// sans-serif face (the MIIT elder guideline asks for sans-serif) with Simplified and Traditional
// glyphs in 3 MB; Latin comes from Fyne's own Noto Sans. Parsed, it costs about 12 MB per text
// style, where LXGW WenKai (the second) costs 36 MB, and Fyne parses one copy per style.
// A .ttc collection does not work: Fyne refuses collections.
var FontCandidates = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf",
}

// ErrNoFont is returned when no usable CJK font is found: Fyne's own font has no Chinese, and a
// kiosk that shows boxes must not start.
var ErrNoFont = errors.New("ui: no CJK font (apt-get install fonts-droid-fallback, or set font = \"/path/to/a.ttf\" in the kiosk configuration)")

// mustHave are characters the kiosk shows that a font must have: Simplified and Traditional.
const mustHave = "办事证书辦證書體臺"

// LoadFont reads the font at path, or the first FontCandidates entry that exists when path is
// "". It checks that the file is a single-face TrueType/OpenType font, not a collection, and
// that it has Simplified and Traditional glyphs.
func LoadFont(path string) (fyne.Resource, error) {
	paths := FontCandidates
	if path != "" {
		paths = []string{path}
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			if path != "" {
				return nil, fmt.Errorf("%w: %v", ErrNoFont, err)
			}
			continue
		}
		if len(b) >= 4 && string(b[:4]) == "ttcf" {
			return nil, fmt.Errorf("%w: %s is a font collection (.ttc); give one face as .ttf/.otf", ErrNoFont, p)
		}
		if err := hasGlyphs(b, mustHave); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrNoFont, p, err)
		}
		return fyne.NewStaticResource(p, b), nil
	}
	return nil, ErrNoFont
}

// hasGlyphs checks the font's character map (sfnt reads it lazily, without parsing outlines).
func hasGlyphs(b []byte, chars string) error {
	f, err := sfnt.Parse(b)
	if err != nil {
		return fmt.Errorf("not a TrueType/OpenType font: %v", err)
	}
	var buf sfnt.Buffer
	var missing []rune
	for _, r := range chars {
		if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no glyphs for %q", string(missing))
	}
	return nil
}

// Palette: dark text on white and white on a dark blue, both far above the 4.5:1 the MIIT
// elder guidelines and WCAG 1.4.3 ask for (theme_test.go computes them).
var (
	colBackground = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colText       = color.NRGBA{0x1A, 0x1A, 0x1A, 0xFF}
	colMuted      = color.NRGBA{0x4A, 0x4A, 0x4A, 0xFF} // secondary text, still ≥ 4.5:1 on white
	colPrimary    = color.NRGBA{0x0B, 0x4F, 0x9C, 0xFF} // 政务蓝; white text on it
	colButton     = color.NRGBA{0xE4, 0xEC, 0xF7, 0xFF}
	colSuccess    = color.NRGBA{0x1B, 0x6E, 0x20, 0xFF} // 免提交 ticks
	colWarning    = color.NRGBA{0x9A, 0x4D, 0x00, 0xFF}
	colError      = color.NRGBA{0xB0, 0x00, 0x20, 0xFF}
	colBanner     = color.NRGBA{0xFF, 0xF1, 0xD6, 0xFF}
	colDim        = color.NRGBA{0x00, 0x00, 0x00, 0x99}
)

// Sizes of the two text modes. Elder: main text ≥ 30, and a button's height (text + 2 ×
// inner padding) ≥ 60; standard: ≥ 44 (WCAG 2.5.5).
type sizes struct{ text, heading, sub, caption, padding, inner, icon float32 }

var (
	standardSizes = sizes{text: 24, heading: 40, sub: 30, caption: 20, padding: 6, inner: 12, icon: 28}
	elderSizes    = sizes{text: 34, heading: 52, sub: 40, caption: 30, padding: 10, inner: 16, icon: 40}
)

// kioskTheme is light, high-contrast and large, with the pinned CJK font for every style.
type kioskTheme struct {
	font  fyne.Resource
	elder bool
}

func (t *kioskTheme) sz() sizes {
	if t.elder {
		return elderSizes
	}
	return standardSizes
}

func (t *kioskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameBackground, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground:
		return colBackground
	case theme.ColorNameForeground:
		return colText
	case theme.ColorNamePlaceHolder, theme.ColorNameDisabled:
		return colMuted
	case theme.ColorNamePrimary, theme.ColorNameHyperlink, theme.ColorNameFocus:
		return colPrimary
	case theme.ColorNameForegroundOnPrimary:
		return colBackground
	case theme.ColorNameButton, theme.ColorNameInputBackground:
		return colButton
	case theme.ColorNameSuccess:
		return colSuccess
	case theme.ColorNameWarning:
		return colWarning
	case theme.ColorNameError:
		return colError
	case theme.ColorNameSeparator, theme.ColorNameInputBorder:
		return colMuted
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (t *kioskTheme) Font(fyne.TextStyle) fyne.Resource { return t.font }

func (t *kioskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	s := t.sz()
	switch n {
	case theme.SizeNameText:
		return s.text
	case theme.SizeNameHeadingText:
		return s.heading
	case theme.SizeNameSubHeadingText:
		return s.sub
	case theme.SizeNameCaptionText:
		return s.caption
	case theme.SizeNamePadding:
		return s.padding
	case theme.SizeNameInnerPadding:
		return s.inner
	case theme.SizeNameInlineIcon:
		return s.icon
	case theme.SizeNameLineSpacing:
		return s.text * 0.35 // line height ≥ 1.3× the text (MIIT elder guideline)
	}
	return theme.DefaultTheme().Size(n)
}
