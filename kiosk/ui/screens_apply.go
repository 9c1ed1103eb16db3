package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onestop-station/onestop/kiosk/catalogue"
	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/i18n"
)

func (k *Kiosk) checklistScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	covered, total := v.Covered()
	rows := []fyne.CanvasObject{heading(i18n.T(l, "check.title")), sub(i18n.T(l, "check.summary", total, covered))}
	for _, m := range v.Materials {
		name := m.Name.In(string(l))
		if m.Optional {
			name += i18n.T(l, "check.optional")
		}
		var status fyne.CanvasObject
		if m.Covered {
			status = colored("✓ "+i18n.T(l, "check.covered")+"  "+i18n.T(l, "check.source", m.Source), theme.ColorNameSuccess, theme.SizeNameText)
		} else {
			status = colored("● "+i18n.T(l, "check.provide")+"：", theme.ColorNameWarning, theme.SizeNameText)
		}
		row := container.NewVBox(sub(name), status)
		if !m.Covered && m.Provide.Hans != "" {
			row.Add(text(m.Provide.In(string(l))))
		}
		rows = append(rows, row, widget.NewSeparator())
	}
	rows = append(rows, k.btn("nav:next", i18n.T(l, "nav.next"), widget.HighImportance, func() {
		_ = k.o.Flow.ChecklistNext()
		k.render()
	}))
	return container.NewVScroll(container.NewVBox(rows...))
}

func (k *Kiosk) formScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	rows := []fyne.CanvasObject{heading(i18n.T(l, "form.title"))}
	for _, f := range v.Item.Fields {
		f := f
		val := v.Fields[f.ID]
		label := f.Label.In(string(l))
		if f.Required {
			label += " *"
		}
		shown := flow.Display(f, val)
		if f.Kind == catalogue.FieldChoice {
			shown = choiceText(f, val, l)
		}
		if shown == "" {
			shown = "—"
		}
		line := container.NewVBox(text(label), sub(shown))
		if v.Prefilled[f.ID] {
			line.Add(colored("✓ "+i18n.T(l, "form.prefill"), theme.ColorNameSuccess, theme.SizeNameCaptionText))
		}
		if e := v.FieldErr[f.ID]; e != "" {
			line.Add(colored("✗ "+i18n.T(l, e), theme.ColorNameError, theme.SizeNameText))
		}
		var edit fyne.CanvasObject
		switch f.Kind {
		case catalogue.FieldChoice:
			choices := container.NewHBox()
			for _, c := range f.Choices {
				c := c
				imp := widget.MediumImportance
				if c.Hans == val {
					imp = widget.HighImportance
				}
				choices.Add(k.btn("field:"+f.ID+":"+c.Hans, c.In(string(l)), imp, func() {
					_ = k.o.Flow.SetField(f.ID, c.Hans)
					k.render()
				}))
			}
			edit = choices
		case catalogue.FieldText:
			edit = widget.NewLabel(i18n.T(l, "form.staff")) // no Chinese keyboard on a kiosk
		default:
			mode := padDigits
			if f.Kind == catalogue.FieldIDNumber {
				mode = padID
			}
			edit = k.btn("field:"+f.ID, i18n.T(l, "form.edit")+" ⌨", widget.MediumImportance, func() {
				k.openKeypad(f.Label.In(string(l)), "field:"+f.ID, mode, "")
			})
		}
		rows = append(rows, container.NewBorder(nil, nil, nil, edit, line), widget.NewSeparator())
	}
	rows = append(rows, k.btn("nav:next", i18n.T(l, "nav.next"), widget.HighImportance, func() {
		_ = k.o.Flow.FormNext()
		k.render()
	}))
	return container.NewVScroll(container.NewVBox(rows...))
}

func choiceText(f catalogue.Field, val string, l i18n.Lang) string {
	for _, c := range f.Choices {
		if c.Hans == val {
			return c.In(string(l))
		}
	}
	return val
}

func (k *Kiosk) reviewScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	name, id := v.ApplicantMasked()
	covered, total := v.Covered()
	rows := []fyne.CanvasObject{
		heading(i18n.T(l, "review.title")),
		text(i18n.T(l, "review.item")), sub(v.Item.Name.In(string(l))),
		text(i18n.T(l, "review.applicant")), sub(name + "  " + id),
	}
	if v.Subject != nil {
		rows = append(rows, text(i18n.T(l, "review.subject")), sub(flow.Display(catalogue.Field{Kind: catalogue.FieldIDNumber, Personal: true}, v.Subject.IDNumber)))
	}
	rows = append(rows, text(i18n.T(l, "review.materials")), sub(i18n.T(l, "check.summary", total, covered)))
	for _, f := range v.Item.Fields {
		val := flow.Display(f, v.Fields[f.ID])
		if f.Kind == catalogue.FieldChoice {
			val = choiceText(f, v.Fields[f.ID], l)
		}
		if val != "" {
			rows = append(rows, text(f.Label.In(string(l))+colon(l)+val))
		}
	}
	if !v.Item.AtTerminal {
		rows = append(rows, colored(i18n.T(l, "cat.window"), theme.ColorNameWarning, theme.SizeNameText))
	}
	label := i18n.T(l, "review.submit")
	if k.busy > 0 {
		label = i18n.T(l, "review.sending")
	}
	rows = append(rows, k.btn("review:submit", label, widget.HighImportance, func() {
		k.act("submit", k.submit)
	}))
	return container.NewVScroll(container.NewVBox(rows...))
}

// submit sends the application and prints its receipt (status checked before and after by
// kiosk/devices); a printer that cannot print leaves the receipt on screen as a QR code.
func (k *Kiosk) submit(ctx context.Context) error {
	r, err := k.o.Flow.Submit(ctx)
	if err != nil {
		return err
	}
	v := k.o.Flow.View()
	if v.Receipt == nil || v.Receipt.ApplicationID != r.ApplicationID {
		return nil // the visit was wiped while sending: its receipt has nobody to take it
	}
	perr := k.print(ctx, &v, r)
	k.o.Flow.ReceiptPrinted(r.ApplicationID, perr)
	if perr != nil {
		return fmt.Errorf("print receipt: %w", perr)
	}
	return nil
}

func (k *Kiosk) receiptScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	r := v.Receipt
	rows := []fyne.CanvasObject{heading(i18n.T(l, "receipt.title")), sub(v.Item.Name.In(string(l)))}
	if r.Pending {
		rows = append(rows, colored(i18n.T(l, "receipt.pending", r.SendBy.Local().Format("2006-01-02 15:04"), shortRef(r.ApplicationID)),
			theme.ColorNameWarning, theme.SizeNameText))
	} else {
		rows = append(rows, sub(i18n.T(l, "receipt.tracking", r.Tracking)), text(i18n.T(l, "receipt.promised", dateText(r.PromisedBy))))
	}
	if v.Ticket != nil {
		rows = append(rows, sub(i18n.T(l, "receipt.window", v.Ticket.Window)), sub(i18n.T(l, "ticket.number", v.Ticket.Number)),
			text(i18n.T(l, "ticket.ahead", v.Ticket.Ahead, minutes(v.Ticket.Wait))))
	}
	switch {
	case v.Printed:
		rows = append(rows, colored("✓ "+i18n.T(l, "receipt.printed"), theme.ColorNameSuccess, theme.SizeNameSubHeadingText))
	case v.PrintErr != nil || k.o.Devices == nil:
		rows = append(rows, colored(i18n.T(l, "receipt.noprint"), theme.ColorNameWarning, theme.SizeNameText))
	}
	if r.ProgressURL != "" && !r.Pending {
		size := float32(240)
		if !v.Printed {
			size = 420 // the receipt lives on the citizen's phone now: make it easy to scan
		}
		if img := qrImage(r.ProgressURL, size); img != nil {
			rows = append(rows, container.NewCenter(img), container.NewCenter(widget.NewLabel(i18n.T(l, "receipt.qr"))))
		}
	}
	rows = append(rows, k.btn("receipt:next", i18n.T(l, "receipt.next"), widget.HighImportance, func() {
		_ = k.o.Flow.ToRating()
		k.render()
	}))
	return container.NewVScroll(container.NewVBox(rows...))
}

func shortRef(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func (k *Kiosk) ratingScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	rows := []fyne.CanvasObject{heading(i18n.T(l, "rate.title"))}
	for level := 5; level >= 1; level-- {
		level := level
		imp := widget.MediumImportance
		if level >= 4 {
			imp = widget.HighImportance
		}
		stars := ""
		for i := 0; i < level; i++ {
			stars += "★"
		}
		rows = append(rows, k.btn(fmt.Sprintf("rate:%d", level), stars+"  "+i18n.Level(l, level), imp, func() {
			k.act("rate", func(ctx context.Context) error {
				err := k.o.Flow.Rate(ctx, level)
				if err == nil && k.o.OnService != nil {
					k.o.OnService(k.now())
				}
				return err
			})
		}))
	}
	return container.NewVBox(rows...)
}

func (k *Kiosk) doneScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	return container.NewVBox(heading(i18n.T(l, "rate.thanks")),
		k.btn("done:home", i18n.T(l, "nav.home"), widget.HighImportance, func() { k.Wipe("finish") }))
}

func (k *Kiosk) progressScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	p := v.Progress
	rows := []fyne.CanvasObject{heading(i18n.T(l, "progress.title"))}
	name := p.ItemID
	if it, ok := k.o.Catalogue.Item(p.ItemID); ok {
		name = it.Name.In(string(l))
	}
	rows = append(rows, sub(name), text(i18n.T(l, "receipt.tracking", p.Tracking)),
		text(i18n.T(l, "progress.applicant", p.ApplicantMask)),
		colored(i18n.T(l, "progress.state."+string(p.State)), theme.ColorNamePrimary, theme.SizeNameSubHeadingText),
		text(i18n.T(l, "receipt.promised", dateText(p.PromisedBy))))
	for _, s := range p.Steps {
		// The back office's notes are free text and may name people: a public screen shows
		// the states only.
		line := s.At.Local().Format("2006-01-02 15:04") + "  " + i18n.T(l, "progress.state."+string(s.State))
		rows = append(rows, text("• "+line))
	}
	return container.NewVScroll(container.NewVBox(rows...))
}

func (k *Kiosk) ticketScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	rows := []fyne.CanvasObject{heading(i18n.T(l, "ticket.title"))}
	if t := v.Ticket; t != nil {
		number := widget.NewLabel(t.Number)
		number.SizeName = theme.SizeNameHeadingText
		number.TextStyle = fyne.TextStyle{Bold: true}
		number.Alignment = fyne.TextAlignCenter
		rows = append(rows, sub(i18n.T(l, "ticket.number", t.Number)), number,
			sub(i18n.T(l, "ticket.ahead", t.Ahead, minutes(t.Wait))))
		return container.NewVBox(rows...)
	}
	take := func(priority bool) func() {
		return func() {
			k.act("ticket", func(ctx context.Context) error {
				_, err := k.o.Flow.TakeTicket(ctx, priority)
				return err
			})
		}
	}
	rows = append(rows, k.btn("ticket:take", i18n.T(l, "ticket.take"), widget.HighImportance, take(false)),
		k.btn("ticket:priority", i18n.T(l, "ticket.priority"), widget.MediumImportance, take(true)))
	return container.NewVBox(rows...)
}

// colon separates a label from its value: full width in Chinese, ": " in English.
func colon(l i18n.Lang) string {
	if l == i18n.En {
		return ": "
	}
	return "："
}
