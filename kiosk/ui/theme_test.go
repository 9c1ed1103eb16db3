package ui

import (
	"errors"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/theme"
)

func TestLoadFontRefusesWhatCannotShowChinese(t *testing.T) {
	if _, err := LoadFont(""); err != nil {
		t.Fatalf("the pinned font: %v", err)
	}
	dir := t.TempDir()
	latin := filepath.Join(dir, "latin.ttf")
	if err := os.WriteFile(latin, theme.DefaultTextFont().Content(), 0o600); err != nil {
		t.Fatal(err)
	}
	ttc := filepath.Join(dir, "x.ttc")
	if err := os.WriteFile(ttc, []byte("ttcf\x00\x01\x00\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{latin, ttc, filepath.Join(dir, "missing.ttf")} {
		if _, err := LoadFont(p); !errors.Is(err, ErrNoFont) {
			t.Errorf("LoadFont(%s) = %v, want ErrNoFont", filepath.Base(p), err)
		}
	}
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, bl, _ := c.RGBA()
		ch := func(v uint32) float64 {
			s := float64(v) / 0xFFFF
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	l1, l2 := lum(a), lum(b)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

// TestElderSizesAndContrast: the MIIT elder guideline's numbers, from the theme itself.
func TestElderSizesAndContrast(t *testing.T) {
	th := &kioskTheme{elder: true}
	if s := th.Size(theme.SizeNameText); s < 30 {
		t.Errorf("elder text %v dp, want ≥ 30", s)
	}
	if h := th.Size(theme.SizeNameText) + 2*th.Size(theme.SizeNameInnerPadding); h < 60 {
		t.Errorf("elder button height %v dp, want ≥ 60", h)
	}
	std := &kioskTheme{}
	if h := std.Size(theme.SizeNameText) + 2*std.Size(theme.SizeNameInnerPadding); h < 44 {
		t.Errorf("standard button height %v dp, want ≥ 44", h)
	}
	for _, c := range []struct {
		name   string
		fg, bg color.Color
	}{
		{"text on background", colText, colBackground},
		{"muted text on background", colMuted, colBackground},
		{"text on button", colText, colButton},
		{"white on primary", colBackground, colPrimary},
		{"success on background", colSuccess, colBackground},
		{"warning on banner", colWarning, colBanner},
		{"error on banner", colError, colBanner},
		{"primary on banner", colPrimary, colBanner},
	} {
		if r := contrast(c.fg, c.bg); r < 4.5 {
			t.Errorf("%s: contrast %.2f, want ≥ 4.5", c.name, r)
		}
	}
}
