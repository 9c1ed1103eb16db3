package receipt

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/onestop-station/onestop/drivers/escpos"
)

// cols is the width of an 80 mm receipt in half-width characters: 576 dots, 12 per Latin
// character and 24 per Chinese one (the printer twin's font, and the usual 12×24 / 24×24
// printer fonts).
const cols = escpos.PaperWidth / 12

// width is how many columns s takes: 1 for ASCII, 2 for anything else (Chinese, full-width).
func width(s string) int {
	n := 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			n++
		} else {
			n += 2
		}
	}
	return n
}

// wrap breaks s into lines of at most w columns: between words for Latin text, between any
// two characters for Chinese, inside a word only when the word alone is too long. A printer
// would wrap too, but in the middle of a word, and it cannot indent the following lines.
func wrap(s string, w int) []string {
	var lines []string
	var cur strings.Builder
	curW := 0
	flush := func() {
		lines = append(lines, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		curW = 0
	}
	for _, tok := range tokens(s) {
		tw := width(tok)
		if tok == " " && curW == 0 {
			continue // no line starts with a space
		}
		if curW+tw > w && curW > 0 {
			flush()
			if tok == " " {
				continue
			}
		}
		for tw > w { // a word longer than a line: cut it
			head, rest := cut(tok, w)
			lines = append(lines, head)
			tok, tw = rest, width(rest)
		}
		cur.WriteString(tok)
		curW += tw
	}
	if curW > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// tokens splits s into Latin words, single spaces, and single wide characters.
func tokens(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		latin := r < utf8.RuneSelf && r != ' '
		if latin {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
		if r == '\n' || r == '\t' {
			r = ' '
		}
		out = append(out, string(r))
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// cut splits s after at most w columns (at least one character).
func cut(s string, w int) (string, string) {
	n := 0
	for i, r := range s {
		rw := 1
		if r >= utf8.RuneSelf {
			rw = 2
		}
		if n+rw > w && i > 0 {
			return s[:i], s[i:]
		}
		n += rw
	}
	return s, ""
}

// page adds text to a receipt with wrapping and hanging indents.
type page struct{ r *escpos.Receipt }

func newPage() page { return page{escpos.NewReceipt().Init().Chinese(true)} }

// text prints s wrapped to the paper, its first line indented by first columns and the
// others by rest.
func (p page) text(s string, first, rest int) {
	lines := wrap(s, cols-max(first, rest))
	for i, l := range lines {
		indent := rest
		if i == 0 {
			indent = first
		}
		p.r.Line(strings.Repeat(" ", indent) + l)
	}
}

// field prints "caption: value", continuing lines under the value when they fit that way.
func (p page) field(caption, value string) {
	head := caption + ": "
	indent := width(head)
	if indent > cols/2 {
		indent = 2
	}
	first := true
	for _, l := range wrap(value, cols-indent) {
		if first {
			p.r.Line(head + l)
		} else {
			p.r.Line(strings.Repeat(" ", indent) + l)
		}
		first = false
	}
}

func (p page) rule() { p.r.Line(strings.Repeat("-", cols)) }

// title prints a caption large and centred; with an English visit the English follows small.
func (p page) title(l label, lang string) {
	p.r.Align(escpos.AlignCenter).Size(2, 2).Bold(true).Line(l.zh).Size(1, 1).Bold(false)
	if lang == En {
		p.r.Line(l.en)
	}
	p.r.Align(escpos.AlignLeft)
}

// centred prints each line of s centred at normal size.
func (p page) centred(lines ...string) {
	p.r.Align(escpos.AlignCenter)
	for _, s := range lines {
		for _, l := range wrap(s, cols) {
			p.r.Line(l)
		}
	}
	p.r.Align(escpos.AlignLeft)
}

func (p page) end() { p.r.Feed(3).Cut(escpos.CutPartial) }

// stamp formats t in loc (local time on paper, as on screens), to the minute.
func stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02 15:04") }

// day formats t's date in loc.
func day(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02") }

// lang normalises a visit language: anything unknown prints as Simplified Chinese.
func lang(l string) string {
	if l == En || l == Hant {
		return l
	}
	return Hans
}
