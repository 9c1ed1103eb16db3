package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onestop-station/onestop/kiosk/catalogue"
	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/i18n"
)

// screen draws the body of the visit's current screen.
func (k *Kiosk) screen(v *flow.Visit) fyne.CanvasObject {
	switch v.Screen {
	case flow.Identify:
		return k.identifyScreen(v)
	case flow.Choose:
		return k.catalogueScreen(v)
	case flow.Who:
		return k.roleScreen(v)
	case flow.Consent:
		return k.consentScreen(v)
	case flow.Checklist:
		return k.checklistScreen(v)
	case flow.Form:
		return k.formScreen(v)
	case flow.Review:
		return k.reviewScreen(v)
	case flow.Receipt:
		return k.receiptScreen(v)
	case flow.Rating:
		return k.ratingScreen(v)
	case flow.Done:
		return k.doneScreen(v)
	case flow.Progress:
		return k.progressScreen(v)
	case flow.Ticket:
		return k.ticketScreen(v)
	}
	return k.attractScreen(v)
}

func (k *Kiosk) attractScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	start := k.btn("attract:start", i18n.T(l, "attract.start"), widget.HighImportance, func() {
		_ = k.o.Flow.Begin()
		k.render()
	})
	query := k.btn("attract:query", i18n.T(l, "attract.query"), widget.MediumImportance, func() {
		_ = k.o.Flow.Begin()
		k.render()
	})
	ticket := k.btn("attract:ticket", i18n.T(l, "attract.ticket"), widget.MediumImportance, func() {
		_ = k.o.Flow.ShowTicket()
		k.render()
	})
	return container.NewVBox(
		layout.NewSpacer(),
		heading(i18n.T(l, "attract.headline")),
		sub(i18n.T(l, "attract.card")),
		text(i18n.T(l, "attract.scan")),
		layout.NewSpacer(),
		start,
		container.NewGridWithColumns(2, query, ticket),
	)
}

func (k *Kiosk) identifyScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	rows := []fyne.CanvasObject{heading(i18n.T(l, "identify.title"))}
	if k.o.Devices == nil || k.o.Devices.Present("reader") {
		rows = append(rows, sub("① "+i18n.T(l, "identify.card")))
	}
	rows = append(rows, sub("② "+i18n.T(l, "identify.code")),
		k.btn("identify:staff", "③ "+i18n.T(l, "identify.staff"), widget.MediumImportance, func() {
			k.act("help", func(ctx context.Context) error { _, err := k.o.Flow.CallHelper(ctx); return err })
		}))
	if k.o.AdminPIN != nil { // the helper who came identifies the person: PIN, then the number
		rows = append(rows, k.btn("identify:staffpin", i18n.T(l, "identify.staffdo"), widget.LowImportance, func() {
			k.admin.check = k.o.AdminPIN
			if locked, left := k.admin.locked(); locked {
				k.admin.open, k.admin.msg, k.admin.msgArg = true, "admin.locked", left
				k.render()
				return
			}
			k.openKeypad("", "staffpin", padPIN, "")
		}))
	}
	return container.NewVBox(rows...)
}

// itemButton is a large card for one item: its name, and whether it finishes here.
func (k *Kiosk) itemButton(l i18n.Lang, it *catalogue.Item) fyne.CanvasObject {
	b := k.btn("item:"+it.ID, "", widget.MediumImportance, func() {
		_ = k.o.Flow.ChooseItem(it.ID)
		k.render()
	})
	where := i18n.T(l, "cat.terminal")
	if !it.AtTerminal {
		where = i18n.T(l, "cat.window")
	}
	name := sub(it.Name.In(string(l)))
	name.TextStyle = fyne.TextStyle{Bold: true}
	info := widget.NewLabel(where + " · " + i18n.T(l, "cat.days", it.PromisedDays, it.StatutoryDays))
	info.SizeName = theme.SizeNameCaptionText
	info.Wrapping = fyne.TextWrapWord
	return container.NewStack(b, container.NewPadded(container.NewVBox(name, info)))
}

func (k *Kiosk) popularItems(n int) []*catalogue.Item {
	var out []*catalogue.Item
	for _, id := range k.popular {
		if it, ok := k.o.Catalogue.Item(id); ok {
			out = append(out, it)
		}
	}
	for _, it := range k.o.Catalogue.National() {
		if len(out) >= n {
			break
		}
		dup := false
		for _, o := range out {
			dup = dup || o.ID == it.ID
		}
		if !dup && it.Audience == catalogue.Person {
			out = append(out, it)
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func (k *Kiosk) catalogueScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	var items []*catalogue.Item
	title := i18n.T(l, "cat.popular")
	switch {
	case k.query != "":
		items = k.o.Catalogue.Search(k.query)
		title = i18n.T(l, "cat.search") + colon(l) + k.query
	case k.category != "":
		items = k.o.Catalogue.InCategory(k.category)
		if c, ok := k.o.Catalogue.Category(k.category); ok {
			title = c.Name.In(string(l))
		}
	default:
		n := 6
		if v.Elder {
			n = 4 // fewer choices per screen in elder mode
		}
		items = k.popularItems(n)
	}
	cols := 2
	if v.Elder {
		cols = 1
	}
	grid := container.NewGridWithColumns(cols)
	for _, it := range items {
		grid.Add(k.itemButton(l, it))
	}
	var body []fyne.CanvasObject
	body = append(body, heading(i18n.T(l, "cat.title")), sub(title))
	if len(items) == 0 {
		body = append(body, text(i18n.T(l, "cat.none")))
	}
	body = append(body, grid)

	// Categories (and search by letters) below the items: popular first, as most people come
	// for one of a few things.
	if !v.Elder || k.category != "" || k.query != "" {
		cats := container.NewGridWithColumns(2)
		cats.Add(k.btn("cat:popular", i18n.T(l, "cat.popular"), widget.HighImportance, func() {
			k.category, k.query = "", ""
			k.render()
		}))
		for _, aud := range []catalogue.Audience{catalogue.Person, catalogue.Enterprise} {
			for _, c := range k.o.Catalogue.CategoriesFor(aud) {
				if len(k.o.Catalogue.InCategory(c.ID)) == 0 {
					continue
				}
				c := c
				cats.Add(k.btn("cat:"+c.ID, c.Name.In(string(l)), widget.MediumImportance, func() {
					k.category, k.query = c.ID, ""
					k.render()
				}))
			}
		}
		cats.Add(k.btn("cat:search", i18n.T(l, "cat.search"), widget.MediumImportance, func() {
			k.openKeypad("", "search", padLetters, k.query)
		}))
		body = append(body, widget.NewSeparator(), sub(i18n.T(l, "cat.all")), cats)
	} else {
		body = append(body, k.btn("cat:all", i18n.T(l, "cat.all"), widget.MediumImportance, func() {
			k.category = "all"
			k.render()
		}))
	}
	return container.NewVScroll(container.NewVBox(body...))
}

func (k *Kiosk) roleScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	rows := []fyne.CanvasObject{heading(v.Item.Name.In(string(l))), sub(i18n.T(l, "role.title"))}
	for _, r := range v.Item.Roles {
		r := r
		imp := widget.MediumImportance
		if r == v.Role {
			imp = widget.HighImportance
		}
		rows = append(rows, k.btn("role:"+string(r), i18n.T(l, "role."+string(r)), imp, func() {
			_ = k.o.Flow.SetRole(r)
			k.render()
		}))
	}
	if v.Role == catalogue.RoleProxy || v.Role == catalogue.RoleDeceased {
		rows = append(rows, widget.NewSeparator(), text(i18n.T(l, "role.subject")),
			k.btn("role:subject", i18n.T(l, "form.edit")+" ⌨", widget.HighImportance, func() {
				k.openKeypad("", "subject", padID, "")
			}))
	}
	return container.NewVBox(rows...)
}

func (k *Kiosk) consentScreen(v *flow.Visit) fyne.CanvasObject {
	l := v.Lang
	var names []string
	for _, id := range flow.ConsentLicences(v.Item) {
		if lic, ok := k.o.Catalogue.Licence(id); ok {
			names = append(names, lic.Name.In(string(l)))
		}
	}
	var depts []string
	for _, p := range v.Item.Procedures {
		d := p.Department.In(string(l))
		if !contains(depts, d) {
			depts = append(depts, d)
		}
	}
	sep := "、"
	if l == i18n.En {
		sep = ", "
	}
	return container.NewVScroll(container.NewVBox(
		heading(i18n.T(l, "consent.title")),
		sub(i18n.T(l, "consent.purpose", v.Item.Name.In(string(l)))),
		text(i18n.T(l, "consent.items", strings.Join(names, sep))),
		text(i18n.T(l, "consent.who", strings.Join(depts, sep))),
		text(i18n.T(l, "consent.retention", k.o.Flow.RetentionDays())),
		k.btn("consent:agree", i18n.T(l, "consent.agree"), widget.HighImportance, func() {
			k.act("consent", k.o.Flow.Agree)
		}),
		k.btn("consent:decline", i18n.T(l, "consent.decline"), widget.MediumImportance, func() {
			_ = k.o.Flow.Decline()
			k.render()
		}),
	))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
