package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/i18n"
)

// btn makes a button that counts as activity, is registered under id for tests and the tour,
// and does nothing while an action is running (a double tap must not submit twice).
func (k *Kiosk) btn(id, text string, imp widget.Importance, fn func()) *widget.Button {
	b := widget.NewButton(text, func() {
		k.touch()
		if k.busy > 0 {
			return
		}
		fn()
	})
	b.Importance = imp
	k.tap[id] = b
	return b
}

// text is a wrapping label in the theme's text size.
func text(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// heading is a screen's title.
func heading(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.SizeName = theme.SizeNameHeadingText
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.Wrapping = fyne.TextWrapWord
	return l
}

// sub is a second-level title.
func sub(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.SizeName = theme.SizeNameSubHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// colored is text in one of the palette's colours (never the only signal: the words say it).
func colored(s string, c fyne.ThemeColorName, size fyne.ThemeSizeName) *widget.RichText {
	seg := &widget.TextSegment{Text: s, Style: widget.RichTextStyle{ColorName: c, SizeName: size, TextStyle: fyne.TextStyle{Bold: true}}}
	r := widget.NewRichText(seg)
	r.Wrapping = fyne.TextWrapWord
	return r
}

// topBar: the center's name (five quick taps open admin) and "call a helper" on the first row,
// language and text size on the second, so the bar fits a portrait screen even in elder mode.
func (k *Kiosk) topBar(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	titleTap := k.btn("admin:title", "", widget.LowImportance, func() {
		now := time.Now()
		if now.Sub(k.lastTapT) > 2*time.Second {
			k.titleTaps = 0
		}
		k.lastTapT = now
		k.titleTaps++
		if k.titleTaps >= 5 {
			k.titleTaps = 0
			k.openAdmin()
		}
	})
	title := container.NewStack(titleTap, text(i18n.T(l, "app.title")))
	help := k.btn("help", i18n.T(l, "help.call"), widget.WarningImportance, func() {
		k.act("help", func(ctx context.Context) error { _, err := k.o.Flow.CallHelper(ctx); return err })
	})
	help.Icon = theme.AccountIcon()
	cols := len(i18n.Langs) + 1
	if v.Elder {
		cols = 2 // large text: two rows of two, so "Standard text" fits a portrait screen
	}
	controls := container.NewGridWithColumns(cols)
	for _, lang := range i18n.Langs {
		lang := lang
		imp := widget.MediumImportance
		if lang == l {
			imp = widget.HighImportance
		}
		controls.Add(k.btn("lang:"+string(lang), lang.Name(), imp, func() {
			k.o.Flow.SetLang(lang)
			k.render()
		}))
	}
	elderKey := "attract.elder"
	if v.Elder {
		elderKey = "attract.normal"
	}
	controls.Add(k.btn("elder", i18n.T(l, elderKey), widget.MediumImportance, func() {
		k.o.Flow.SetElder(!v.Elder)
		k.render()
	}))
	bar := container.NewVBox(container.NewBorder(nil, nil, nil, help, title), controls)
	items := []fyne.CanvasObject{container.NewStack(canvas.NewRectangle(colButton), container.NewPadded(bar))}
	items = append(items, k.bannerRows(v)...)
	return container.NewVBox(items...)
}

// bannerRows: device problems and the flow's notice, in words (not colour alone).
func (k *Kiosk) bannerRows(v *flow.Visit) []fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for _, dev := range []string{"printer", "reader", "scanner", "network"} {
		if key, ok := k.banners[dev]; ok {
			rows = append(rows, banner(i18n.T(v.Lang, key), theme.ColorNameWarning))
		}
	}
	if v.Notice != "" {
		args := v.NoticeArg
		if v.Notice == "identify.ok" {
			name, _ := v.ApplicantMasked()
			args = []any{name}
		}
		c := theme.ColorNamePrimary
		if v.Notice == "err.backend" || v.Notice == "identify.again" || v.Notice == "identify.badcode" ||
			v.Notice == "progress.notfound" || v.Notice == "role.badid" {
			c = theme.ColorNameError
		}
		rows = append(rows, banner(i18n.T(v.Lang, v.Notice, args...), c))
	}
	return rows
}

func banner(s string, c fyne.ThemeColorName) fyne.CanvasObject {
	bg := canvas.NewRectangle(colBanner)
	return container.NewStack(bg, container.NewPadded(colored(s, c, theme.SizeNameText)))
}

// bottomBar: back and next/finish, low on the screen where a seated or short person reaches.
func (k *Kiosk) bottomBar(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	var left, right []fyne.CanvasObject
	switch v.Screen {
	case flow.Attract:
		return layout.NewSpacer()
	case flow.Receipt, flow.Rating, flow.Done, flow.Progress, flow.Ticket:
		right = append(right, k.btn("nav:home", i18n.T(l, "nav.home"), widget.MediumImportance, func() { k.Wipe("finish") }))
	default:
		left = append(left, k.btn("nav:back", i18n.T(l, "nav.back"), widget.MediumImportance, func() {
			k.o.Flow.Back()
			k.render()
		}))
		right = append(right, k.btn("nav:home", i18n.T(l, "nav.cancel"), widget.MediumImportance, func() { k.Wipe("cancel") }))
	}
	return container.NewPadded(container.NewBorder(nil, nil, container.NewHBox(left...), container.NewHBox(right...)))
}

// overlay: the idle warning, the keypad or the admin screen, over everything else.
func (k *Kiosk) overlay(v *flow.Visit) fyne.CanvasObject {
	switch {
	case k.warning > 0:
		l := v.Lang
		box := container.NewVBox(heading(i18n.T(l, "idle.title")), sub(i18n.T(l, "idle.body", k.warning)),
			k.btn("idle:extend", i18n.T(l, "idle.extend"), widget.HighImportance, func() {
				k.warning = 0
				k.render()
			}))
		return k.modal(box)
	case k.pad != nil:
		return k.modal(k.keypadView(v))
	case k.admin.open:
		return k.modal(k.adminView(v))
	}
	return nil
}

// modal dims the page and centres content on a white card.
func (k *Kiosk) modal(content fyne.CanvasObject) fyne.CanvasObject {
	dim := newBlocker()
	card := container.NewStack(canvas.NewRectangle(colBackground), container.NewPadded(container.NewPadded(content)))
	return container.NewStack(dim, container.NewCenter(container.NewGridWrap(fyne.NewSize(k.o.Size.Width*0.85, card.MinSize().Height), card)))
}

func minutes(d time.Duration) int { return int(d.Minutes() + 0.5) }

func dateText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02")
}

// blocker dims the page under a modal card and takes the taps meant for it, so nothing under
// the keypad, the PIN pad or the idle warning can be pressed through them.
type blocker struct{ widget.BaseWidget }

func newBlocker() *blocker {
	b := &blocker{}
	b.ExtendBaseWidget(b)
	return b
}

func (b *blocker) Tapped(*fyne.PointEvent) {}

func (b *blocker) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(colDim))
}
