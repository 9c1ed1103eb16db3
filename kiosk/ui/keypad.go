package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/i18n"
	"github.com/onestop-station/onestop/kiosk/privacy"
)

// Desktop Fyne has no on-screen keyboard, and a kiosk needs none for Chinese: names come from
// the card and the licences. These keypads cover what a citizen may type: digits (phone, bank
// card, PIN), ID numbers (digits and X) and letters (search by pinyin initials or English).
type padMode int

const (
	padDigits padMode = iota
	padID
	padLetters
	padPIN
)

type keypad struct {
	title  string
	target string // "field:ID", "subject", "search" or "pin"
	mode   padMode
	buf    string
}

func (k *Kiosk) openKeypad(title, target string, mode padMode, start string) {
	k.pad = &keypad{title: title, target: target, mode: mode, buf: start}
	k.render()
}

func (p *keypad) keys() []string {
	switch p.mode {
	case padID:
		return strings.Split("1 2 3 4 5 6 7 8 9 X 0", " ")
	case padLetters:
		return strings.Split("A B C D E F G H I J K L M N O P Q R S T U V W X Y Z", " ")
	}
	return strings.Split("1 2 3 4 5 6 7 8 9 0", " ")
}

// shown is the typed value as the screen may show it: a PIN as dots, numbers masked but the
// last four, so a person behind the citizen reads nothing useful.
func (p *keypad) shown() string {
	switch p.mode {
	case padPIN:
		return strings.Repeat("●", len(p.buf))
	case padLetters:
		return p.buf
	}
	if len(p.buf) > 4 {
		return strings.Repeat(string(privacy.Mask), len(p.buf)-4) + p.buf[len(p.buf)-4:]
	}
	return p.buf
}

func (k *Kiosk) keypadView(v *flow.Visit) fyne.CanvasObject {
	l, p := v.Lang, k.pad
	display := sub("")
	show := func() { // a key press redraws the display only, not the window
		if p.buf == "" {
			display.SetText("_")
		} else {
			display.SetText(p.shown())
		}
	}
	show()
	cols := 3
	if p.mode == padLetters {
		cols = 7
	}
	grid := container.NewGridWithColumns(cols)
	for _, key := range p.keys() {
		key := key
		grid.Add(k.btn("key:"+key, key, widget.MediumImportance, func() {
			if len(p.buf) < 32 {
				p.buf += key
			}
			show()
		}))
	}
	grid.Add(k.btn("key:del", i18n.T(l, "keypad.del"), widget.MediumImportance, func() {
		if p.buf != "" {
			p.buf = p.buf[:len(p.buf)-1]
		}
		show()
	}))
	ok := k.btn("key:ok", i18n.T(l, "keypad.ok"), widget.HighImportance, func() { k.keypadDone(v) })
	cancel := k.btn("key:cancel", i18n.T(l, "nav.cancel"), widget.MediumImportance, func() {
		k.pad = nil
		if p.target == "pin" || p.target == "staffpin" {
			k.admin.close()
		}
		k.render()
	})
	title := p.title
	if p.target == "pin" || p.target == "staffpin" {
		title = i18n.T(l, "admin.pin")
	}
	return container.NewVBox(sub(title), display, grid, container.NewGridWithColumns(2, cancel, ok))
}

// keypadDone hands the typed value to its target and closes the pad.
func (k *Kiosk) keypadDone(v *flow.Visit) {
	p := k.pad
	k.pad = nil
	switch {
	case p.target == "search":
		k.query, k.category = p.buf, ""
	case p.target == "subject":
		_ = k.o.Flow.SetSubject(p.buf, "")
	case p.target == "staffpin":
		k.admin.try(p.buf) // the same PIN and lockout as the admin mode
		if k.admin.unlocked {
			k.admin.close()
			p.buf = ""
			k.openKeypad(i18n.T(v.Lang, "identify.staffid"), "staffid", padID, "")
			return
		}
		k.admin.open = true // shows why (wrong PIN, locked)
	case p.target == "staffid":
		id := p.buf
		p.buf = ""
		// act redraws now and when the lookup is done; no redraw of our own after it, which
		// would run beside the lookup's redraw.
		k.act("staff identify", func(ctx context.Context) error { return k.o.Flow.StaffIdentifyByNumber(ctx, id) })
		return
	case p.target == "pin":
		k.admin.try(p.buf)
		if !k.admin.open && !k.admin.unlocked {
			// locked or cancelled: the message is on the admin card; keep it open
			k.admin.open = true
		}
	case strings.HasPrefix(p.target, "field:"):
		_ = k.o.Flow.SetField(strings.TrimPrefix(p.target, "field:"), p.buf)
	}
	p.buf = ""
	k.render()
}
