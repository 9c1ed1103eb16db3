package catalogue

import (
	"fmt"
	"slices"
	"strings"
)

// knownRoles and knownKinds are the values the catalogue accepts.
var (
	knownRoles = []Role{RoleSelf, RoleNewborn, RoleDeceased, RoleCompany, RoleProxy}
	knownKinds = []FieldKind{FieldText, FieldDigits, FieldPhone, FieldIDNumber, FieldDate, FieldChoice}
	knownWhose = []string{"applicant", "subject", "company"}
)

// checkID reports a missing, malformed or repeated ID and records it in seen.
func (l *loader) checkID(file, entry, id string, seen map[string]bool) {
	switch {
	case id == "":
		l.add(file, entry, "missing id")
	case !isSnake(id):
		l.add(file, entry, "id must be lowercase snake_case")
	case seen[id]:
		l.add(file, entry, "duplicate id")
	}
	seen[id] = true
}

// checkText reports a Text without its required Simplified Chinese.
func (l *loader) checkText(file, entry, key string, t Text) {
	if strings.TrimSpace(t.Hans) == "" {
		l.add(file, entry, "missing %s.zh_hans", key)
	}
}

// validateItems checks every item against the categories and licences already read.
func (l *loader) validateItems(c *Catalogue) {
	cats := map[string]Category{}
	for _, cat := range c.Categories {
		if _, dup := cats[cat.ID]; !dup {
			cats[cat.ID] = cat
		}
	}
	seen := map[string]string{} // item ID -> file
	for _, it := range c.Items {
		entry := itemEntry(it)
		if first, dup := seen[it.ID]; dup && it.ID != "" {
			l.add(it.File, entry, "duplicate id (also in %s)", first)
		} else {
			l.checkID(it.File, entry, it.ID, map[string]bool{})
			seen[it.ID] = it.File
		}
		l.checkText(it.File, entry, "name", it.Name)
		l.checkText(it.File, entry, "summary", it.Summary)
		l.checkPlace(it, cats)
		l.checkRoles(it)
		l.checkTimes(it)
		l.checkProcedures(it)
		l.checkMaterials(it, c)
		l.checkFields(it, c)
		for _, k := range it.Keywords {
			if strings.TrimSpace(k) == "" {
				l.add(it.File, entry, "empty keyword")
			}
		}
	}
}

func (l *loader) checkPlace(it *Item, cats map[string]Category) {
	entry := itemEntry(it)
	if it.Audience != Person && it.Audience != Enterprise {
		l.add(it.File, entry, "unknown audience %q (want %q or %q)", it.Audience, Person, Enterprise)
	}
	cat, ok := cats[it.Category]
	switch {
	case len(cats) == 0: // categories.toml is unreadable or empty, reported already
	case !ok:
		l.add(it.File, entry, "unknown category %q", it.Category)
	case cat.Audience != it.Audience:
		l.add(it.File, entry, "category %q is for %s, the item for %s", it.Category, cat.Audience, it.Audience)
	}
	if strings.TrimSpace(it.Window) == "" {
		l.add(it.File, entry, "missing window")
	}
}

func (l *loader) checkRoles(it *Item) {
	entry := itemEntry(it)
	if len(it.Roles) == 0 {
		l.add(it.File, entry, "no roles")
	}
	for i, r := range it.Roles {
		switch {
		case !slices.Contains(knownRoles, r):
			l.add(it.File, entry, "unknown role %q", r)
		case slices.Index(it.Roles, r) != i:
			l.add(it.File, entry, "role %q listed twice", r)
		case (r == RoleCompany) != (it.Audience == Enterprise):
			l.add(it.File, entry, "role %q does not fit audience %q", r, it.Audience)
		}
	}
}

func (l *loader) checkTimes(it *Item) {
	entry := itemEntry(it)
	if it.StatutoryDays <= 0 {
		l.add(it.File, entry, "statutory_days must be > 0, not %d", it.StatutoryDays)
	}
	switch {
	case it.PromisedDays <= 0:
		l.add(it.File, entry, "promised_days must be > 0, not %d", it.PromisedDays)
	case it.PromisedDays > it.StatutoryDays:
		l.add(it.File, entry, "promised_days %d exceeds statutory_days %d", it.PromisedDays, it.StatutoryDays)
	}
}

func (l *loader) checkProcedures(it *Item) {
	if len(it.Procedures) == 0 {
		l.add(it.File, itemEntry(it), "no procedures")
	}
	for i, p := range it.Procedures {
		entry := join(itemEntry(it), fmt.Sprintf("procedure #%d", i+1))
		if p.Name.Hans != "" {
			entry = join(itemEntry(it), fmt.Sprintf("procedure %q", p.Name.Hans))
		}
		l.checkText(it.File, entry, "name", p.Name)
		l.checkText(it.File, entry, "department", p.Department)
	}
}

func (l *loader) checkMaterials(it *Item, c *Catalogue) {
	if len(it.Materials) == 0 {
		l.add(it.File, itemEntry(it), "no materials")
	}
	seen := map[string]bool{}
	for _, m := range it.Materials {
		entry := join(itemEntry(it), fmt.Sprintf("material %q", m.ID))
		l.checkID(it.File, entry, m.ID, seen)
		l.checkText(it.File, entry, "name", m.Name)
		l.checkText(it.File, entry, "provide", m.Provide)
		if !slices.Contains(knownWhose, m.Whose) {
			l.add(it.File, entry, "unknown whose %q (want %s)", m.Whose, strings.Join(knownWhose, ", "))
		}
		for _, id := range m.Licences {
			if _, ok := c.licenceFields[id]; !ok && c.licenceFields != nil {
				l.add(it.File, entry, "unknown licence %q", id)
			}
		}
	}
}

func (l *loader) checkFields(it *Item, c *Catalogue) {
	seen := map[string]bool{}
	for _, f := range it.Fields {
		entry := join(itemEntry(it), fmt.Sprintf("field %q", f.ID))
		l.checkID(it.File, entry, f.ID, seen)
		l.checkText(it.File, entry, "label", f.Label)
		switch {
		case !slices.Contains(knownKinds, f.Kind):
			l.add(it.File, entry, "unknown kind %q", f.Kind)
		case f.Kind == FieldChoice && len(f.Choices) == 0:
			l.add(it.File, entry, "choice field without choices")
		case f.Kind != FieldChoice && len(f.Choices) > 0:
			l.add(it.File, entry, "choices on a %s field", f.Kind)
		}
		for i, ch := range f.Choices {
			l.checkText(it.File, entry, fmt.Sprintf("choices[%d]", i), ch)
		}
		if f.MaxLen < 0 {
			l.add(it.File, entry, "max_len must be >= 0")
		}
		if f.Prefill != "" {
			l.checkPrefill(it.File, entry, f.Prefill, c)
		}
	}
}

func (l *loader) checkPrefill(file, entry, prefill string, c *Catalogue) {
	p, err := ParsePrefill(prefill)
	if err != nil {
		l.add(file, entry, "%v", err)
		return
	}
	if p.Source != SourceLicence {
		return
	}
	fields, ok := c.licenceFields[p.Licence]
	switch {
	case c.licenceFields == nil: // licences.toml is unreadable, reported already
	case !ok:
		l.add(file, entry, "prefill %q: unknown licence %q", prefill, p.Licence)
	case !slices.Contains(fields, p.Field):
		l.add(file, entry, "prefill %q: licence %q has no field %q (see %s)", prefill, p.Licence, p.Field, LicencesFile)
	}
}
