package ui

import (
	"context"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/i18n"
)

// adminState is the PIN gate of the admin mode: after MaxTries wrong PINs it locks for a time
// that doubles with each lockout (vxsuite's card lockout, on a kiosk PIN).
type adminState struct {
	now       func() time.Time
	open      bool // the admin card is showing (PIN or admin screen)
	unlocked  bool
	fails     int
	lockouts  int
	lockUntil time.Time
	msg       string // i18n key
	msgArg    int
	lastCheck string // doctor results
	check     func(pin string) bool
}

// MaxTries wrong PINs before a lockout; the first lockout lasts LockFor.
const (
	MaxTries = 3
	LockFor  = 30 * time.Second
)

func newAdmin(now func() time.Time) *adminState { return &adminState{now: now} }

func (a *adminState) close() { a.open, a.unlocked, a.msg = false, false, "" }

func (a *adminState) locked() (bool, int) {
	left := a.lockUntil.Sub(a.now())
	if left <= 0 {
		return false, 0
	}
	return true, int(left.Seconds() + 0.999)
}

func (k *Kiosk) openAdmin() {
	if k.o.AdminPIN == nil {
		return
	}
	k.admin.open = true
	k.admin.unlocked = false
	k.admin.check = k.o.AdminPIN
	if locked, left := k.admin.locked(); locked {
		k.admin.msg, k.admin.msgArg = "admin.locked", left
		k.render()
		return
	}
	k.openKeypad("", "pin", padPIN, "")
}

func (a *adminState) try(pin string) {
	if locked, left := a.locked(); locked {
		a.msg, a.msgArg = "admin.locked", left
		return
	}
	if a.check != nil && a.check(pin) {
		a.unlocked, a.fails, a.lockouts, a.msg = true, 0, 0, ""
		return
	}
	a.fails++
	if a.fails >= MaxTries {
		a.fails = 0
		d := LockFor << a.lockouts
		a.lockouts++
		a.lockUntil = a.now().Add(d)
		a.msg, a.msgArg = "admin.locked", int(d.Seconds())
		return
	}
	a.msg, a.msgArg = "admin.wrong", MaxTries-a.fails
}

// adminView: the PIN result, or the admin screen (device check, test print, log, exit).
func (k *Kiosk) adminView(v *flow.Visit) fyne.CanvasObject {
	l, a := v.Lang, k.admin
	closeBtn := k.btn("admin:close", i18n.T(l, "admin.close"), widget.MediumImportance, func() {
		a.close()
		k.render()
	})
	if !a.unlocked {
		rows := []fyne.CanvasObject{sub(i18n.T(l, "admin.title"))}
		if a.msg != "" {
			rows = append(rows, text(i18n.T(l, a.msg, a.msgArg)))
		}
		if locked, _ := a.locked(); !locked {
			rows = append(rows, k.btn("admin:retry", i18n.T(l, "admin.pin"), widget.HighImportance, func() {
				k.openKeypad("", "pin", padPIN, "")
			}))
		}
		return container.NewVBox(append(rows, closeBtn)...)
	}
	rows := []fyne.CanvasObject{sub(i18n.T(l, "admin.title") + " · " + k.o.Terminal + " · " + k.o.Version)}
	rows = append(rows, k.btn("admin:doctor", i18n.T(l, "admin.doctor"), widget.MediumImportance, func() {
		k.act("doctor", func(ctx context.Context) error {
			res := k.doctor(ctx)
			fyne.Do(func() { a.lastCheck = res })
			return nil
		})
	}))
	if a.lastCheck != "" {
		rows = append(rows, text(a.lastCheck))
	}
	rows = append(rows, k.btn("admin:testprint", i18n.T(l, "admin.testprint"), widget.MediumImportance, func() {
		k.act("test print", func(ctx context.Context) error {
			err := k.testPrint(ctx)
			res := "OK"
			if err != nil {
				res = err.Error()
			}
			fyne.Do(func() { a.lastCheck = i18n.T(l, "admin.testprint") + ": " + res })
			return err
		})
	}))
	if k.o.RecentLog != nil {
		lines := k.o.RecentLog()
		if len(lines) > 5 {
			lines = lines[len(lines)-5:]
		}
		logText := widget.NewLabel("")
		logText.SizeName = "helperText"
		logText.Wrapping = fyne.TextWrapBreak
		for _, s := range lines {
			if r := []rune(s); len(r) > 110 {
				s = string(r[:110]) + "…"
			}
			logText.Text += s + "\n"
		}
		rows = append(rows, text(i18n.T(l, "admin.logs")), logText)
	}
	rows = append(rows, k.btn("admin:exit", i18n.T(l, "admin.exit"), widget.DangerImportance, func() {
		if k.o.Quit != nil {
			k.o.Quit()
			return
		}
		k.o.App.Quit()
	}), closeBtn)
	return container.NewVBox(rows...)
}

// doctor runs the device health checks, one line per device.
func (k *Kiosk) doctor(ctx context.Context) string {
	if k.o.Devices == nil {
		return "no devices configured"
	}
	h := k.o.Devices.Health(ctx)
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	out := k.now().Format("15:04:05")
	for _, n := range names {
		out += "\n" + n + ": " + h[n].State.String()
		if h[n].Detail != "" {
			out += " (" + h[n].Detail + ")"
		}
	}
	return out
}
