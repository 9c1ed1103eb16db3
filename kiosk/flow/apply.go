package flow

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/kiosk/backend"
	"github.com/onestop-station/onestop/kiosk/catalogue"
)

// ChooseItem picks the "one thing" to apply for. Items that may be applied for on someone
// else's behalf go to the "who for" screen; the others straight to consent.
func (f *Flow) ChooseItem(id string) error {
	it, ok := f.cfg.Catalogue.Item(id)
	if !ok {
		return fmt.Errorf("flow: choose item: no item %q", id)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.v
	if v.Screen != Choose || v.Applicant == nil {
		return ErrNotNow
	}
	v.Item, v.Subject = it, nil
	v.forgetLicences()
	v.Role = catalogue.RoleSelf
	if len(it.Roles) > 0 {
		v.Role = it.Roles[0]
	}
	f.cfg.Audit("item.choose", "visit", v.ID, "item", it.ID)
	if len(it.Roles) > 1 || needsSubject(v.Role) {
		v.go_(Who)
		return nil
	}
	v.go_(Consent)
	return nil
}

// needsSubject: the role acts for a person who has an ID number of their own.
func needsSubject(r catalogue.Role) bool {
	return r == catalogue.RoleProxy || r == catalogue.RoleDeceased
}

// SetRole chooses who the application is for, among the item's roles. For a role that acts
// for another adult, SetSubject must follow.
func (f *Flow) SetRole(r catalogue.Role) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.v
	if v.Screen != Who || !slices.Contains(v.Item.Roles, r) {
		return ErrNotNow
	}
	v.Role, v.Subject = r, nil
	if !needsSubject(r) {
		v.go_(Consent)
	}
	return nil
}

// SetSubject records the ID number (typed on the keypad) of the person the applicant acts for.
func (f *Flow) SetSubject(idNumber, relation string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.v
	if v.Screen != Who || !needsSubject(v.Role) {
		return ErrNotNow
	}
	idNumber = strings.ToUpper(strings.TrimSpace(idNumber))
	if err := idcard.ValidateIDNumber(idNumber); err != nil {
		v.notice("role.badid")
		return fmt.Errorf("flow: subject: %w", err)
	}
	if v.Applicant != nil && idNumber == v.Applicant.IDNumber {
		v.notice("role.badid")
		return errors.New("flow: subject: the applicant's own number")
	}
	v.Subject = &backend.Person{IDNumber: idNumber, Relation: relation}
	v.go_(Consent)
	return nil
}

// ConsentLicences is what the consent screen lists: the licence types the checklist will ask
// the store for.
func ConsentLicences(it *catalogue.Item) []string {
	var out []string
	for _, m := range it.Materials {
		for _, l := range m.Licences {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	for _, fl := range it.Fields {
		if t, _, ok := licencePrefill(fl.Prefill); ok && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// Agree records consent, then — only then — asks the e-licence store for the applicant's
// (and the subject's) licences, builds the checklist and prefills the form.
func (f *Flow) Agree(ctx context.Context) error {
	f.mu.Lock()
	v := f.v
	if v.Screen != Consent {
		f.mu.Unlock()
		return ErrNotNow
	}
	v.ConsentAt = f.cfg.Now()
	types := ConsentLicences(v.Item)
	visit, applicant, subject := v.ID, v.Applicant.IDNumber, v.Subject
	f.cfg.Audit("consent.given", "visit", visit, "item", v.Item.ID, "licences", strings.Join(types, ","),
		"retention_days", f.cfg.RetentionDays)
	f.mu.Unlock()

	mine, err := f.cfg.Backend.Licences(ctx, applicant, types)
	var theirs []backend.Licence
	if err == nil && subject != nil {
		theirs, err = f.cfg.Backend.Licences(ctx, subject.IDNumber, types)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.v.ID != visit || f.v.Screen != Consent {
		return ErrNotNow // wiped, or the citizen went back meanwhile
	}
	if err != nil {
		// The checklist still works without the store: every material then says how to bring it.
		f.v.notice("err.backend")
		mine, theirs = nil, nil
	}
	f.v.lics = mine
	f.v.Materials = checklist(f.v.Item, mine, theirs)
	f.v.Fields, f.v.Prefilled = prefill(f.v.Item, f.v.Applicant, mine)
	f.v.FieldErr = nil
	c, n := f.v.Covered()
	f.cfg.Audit("checklist", "visit", visit, "covered", c, "materials", n)
	f.v.go_(Checklist)
	if err != nil {
		f.v.notice("err.backend")
		return fmt.Errorf("flow: e-licences: %w", err)
	}
	return nil
}

// Decline records a refusal and offers the window instead: no licence is asked for.
func (f *Flow) Decline() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.v.Screen != Consent {
		return ErrNotNow
	}
	f.cfg.Audit("consent.declined", "visit", f.v.ID, "item", f.v.Item.ID)
	f.v.forgetLicences() // a refusal after going back also drops what consent had fetched
	f.v.go_(Ticket)
	return nil
}

func checklist(it *catalogue.Item, mine, theirs []backend.Licence) []Material {
	out := make([]Material, 0, len(it.Materials))
	for _, m := range it.Materials {
		line := Material{Material: m}
		held := mine
		if m.Whose == "subject" && theirs != nil {
			held = theirs
		}
		for _, l := range held {
			if slices.Contains(m.Licences, l.Type) {
				line.Covered, line.Licence, line.Source = true, l.Type, l.Source
				break
			}
		}
		out = append(out, line)
	}
	return out
}

func licencePrefill(p string) (typ, field string, ok bool) {
	parts := strings.Split(p, ":")
	if len(parts) != 3 || parts[0] != "licence" {
		return "", "", false
	}
	return parts[1], parts[2], true
}

func prefill(it *catalogue.Item, id *Identity, lics []backend.Licence) (map[string]string, map[string]bool) {
	vals, from := map[string]string{}, map[string]bool{}
	for _, fl := range it.Fields {
		var val string
		switch fl.Prefill {
		case "card:name":
			val = id.Name
		case "card:id_number":
			val = id.IDNumber
		case "card:address":
			val = id.Address
		default:
			if typ, field, ok := licencePrefill(fl.Prefill); ok {
				for _, l := range lics {
					if l.Type == typ && l.Fields[field] != "" {
						val = l.Fields[field]
						break
					}
				}
			}
		}
		if val != "" {
			vals[fl.ID], from[fl.ID] = val, true
		}
	}
	return vals, from
}

// ChecklistNext moves from the checklist to the form (or to review when the item has none).
func (f *Flow) ChecklistNext() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.v.Screen != Checklist {
		return ErrNotNow
	}
	if len(f.v.Item.Fields) == 0 {
		f.v.go_(Review)
	} else {
		f.v.go_(Form)
	}
	return nil
}

var (
	phoneRE  = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	digitsRE = regexp.MustCompile(`^[0-9]{1,32}$`)
)

// Validate checks one form value against its field; "" for a good one, else an i18n key.
func Validate(fl catalogue.Field, val string) string {
	if val == "" {
		if fl.Required {
			return "form.required"
		}
		return ""
	}
	ok := true
	switch fl.Kind {
	case catalogue.FieldPhone:
		ok = phoneRE.MatchString(val)
	case catalogue.FieldDigits:
		ok = digitsRE.MatchString(val)
	case catalogue.FieldIDNumber:
		ok = idcard.ValidateIDNumber(val) == nil
	case catalogue.FieldDate:
		_, err := time.Parse("2006-01-02", val)
		ok = err == nil
	case catalogue.FieldChoice:
		ok = slices.ContainsFunc(fl.Choices, func(c catalogue.Text) bool { return c.Hans == val })
	}
	if fl.MaxLen > 0 && len([]rune(val)) > fl.MaxLen {
		ok = false
	}
	if !ok {
		return "form.bad"
	}
	return ""
}

// SetField changes one form value (from a keypad or a choice); a bad value is kept with its
// error shown beside it, so the citizen sees what they typed.
func (f *Flow) SetField(id, val string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.v
	if v.Screen != Form {
		return ErrNotNow
	}
	i := slices.IndexFunc(v.Item.Fields, func(fl catalogue.Field) bool { return fl.ID == id })
	if i < 0 {
		return fmt.Errorf("flow: no field %q", id)
	}
	val = strings.TrimSpace(val)
	if fl := v.Item.Fields[i]; fl.Kind == catalogue.FieldDate && len(val) == 8 && digitsRE.MatchString(val) {
		val = val[:4] + "-" + val[4:6] + "-" + val[6:] // typed on the digit keypad as YYYYMMDD
	}
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	v.Fields[id] = val
	delete(v.Prefilled, id)
	if v.FieldErr == nil {
		v.FieldErr = map[string]string{}
	}
	if e := Validate(v.Item.Fields[i], val); e != "" {
		v.FieldErr[id] = e
		return nil
	}
	delete(v.FieldErr, id)
	return nil
}

// FormNext validates every field and moves to review when all are good.
func (f *Flow) FormNext() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.v
	if v.Screen != Form {
		return ErrNotNow
	}
	v.FieldErr = map[string]string{}
	for _, fl := range v.Item.Fields {
		e := Validate(fl, v.Fields[fl.ID])
		if e == "form.required" && fl.Kind == catalogue.FieldText && !v.Item.AtTerminal {
			continue // no Chinese keyboard here: the window completes it (the item ends there anyway)
		}
		if e != "" {
			v.FieldErr[fl.ID] = e
		}
	}
	if len(v.FieldErr) > 0 {
		return fmt.Errorf("flow: form: %d fields to correct", len(v.FieldErr))
	}
	v.go_(Review)
	return nil
}

// forgetLicences drops everything fetched under consent, and the consent itself.
func (v *Visit) forgetLicences() {
	v.lics, v.Materials, v.Fields, v.Prefilled, v.FieldErr = nil, nil, nil, nil, nil
	v.ConsentAt = time.Time{}
}
