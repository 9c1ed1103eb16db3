package catalogue

import (
	"slices"
	"strings"
)

// Catalogue is a loaded, validated catalogue. Items are ordered by category (in the order
// of categories.toml), then by ID. It is read-only after Load and safe for concurrent use.
type Catalogue struct {
	Items      []*Item
	Categories []Category
	Licences   []Licence

	items         map[string]*Item
	categories    map[string]Category
	licences      map[string]Licence
	licenceFields map[string][]string
	search        map[*Item]searchText
}

// searchText is what Search matches, lowercased once at load.
type searchText struct {
	names string // the three names, separated by \n
	rest  string // keywords and procedure names
}

// Item returns the item with that ID.
func (c *Catalogue) Item(id string) (*Item, bool) {
	it, ok := c.items[id]
	return it, ok
}

// Licence returns the e-licence type with that ID.
func (c *Catalogue) Licence(id string) (Licence, bool) {
	l, ok := c.licences[id]
	return l, ok
}

// LicenceFields returns the record fields a licence type offers to prefills (the "fields"
// key of licences.toml), or nil.
func (c *Catalogue) LicenceFields(id string) []string {
	return slices.Clone(c.licenceFields[id])
}

// Category returns the category with that ID.
func (c *Catalogue) Category(id string) (Category, bool) {
	cat, ok := c.categories[id]
	return cat, ok
}

// CategoriesFor returns the categories of one audience, in file order.
func (c *Catalogue) CategoriesFor(a Audience) []Category {
	var out []Category
	for _, cat := range c.Categories {
		if cat.Audience == a {
			out = append(out, cat)
		}
	}
	return out
}

// InCategory returns the items of a category, in catalogue order.
func (c *Catalogue) InCategory(id string) []*Item {
	var out []*Item
	for _, it := range c.Items {
		if it.Category == id {
			out = append(out, it)
		}
	}
	return out
}

// National returns the national key items (National = true), in catalogue order.
func (c *Catalogue) National() []*Item {
	var out []*Item
	for _, it := range c.Items {
		if it.National {
			out = append(out, it)
		}
	}
	return out
}

// Search returns the items whose names (in all three languages), keywords or procedure
// names contain every whitespace-separated word of query, ignoring case. Items matched by
// their names come first; otherwise the catalogue order holds. An empty query finds nothing.
func (c *Catalogue) Search(query string) []*Item {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return nil
	}
	var byName, byOther []*Item
	for _, it := range c.Items {
		st := c.search[it]
		all, inName := true, false
		for _, w := range words {
			n := strings.Contains(st.names, w)
			if !n && !strings.Contains(st.rest, w) {
				all = false
				break
			}
			inName = inName || n
		}
		switch {
		case !all:
		case inName:
			byName = append(byName, it)
		default:
			byOther = append(byOther, it)
		}
	}
	return append(byName, byOther...)
}

// index builds the lookup maps and the search text and sorts Items.
func (c *Catalogue) index() {
	order := make(map[string]int, len(c.Categories))
	c.categories = make(map[string]Category, len(c.Categories))
	for i, cat := range c.Categories {
		order[cat.ID] = i
		c.categories[cat.ID] = cat
	}
	c.licences = make(map[string]Licence, len(c.Licences))
	for _, l := range c.Licences {
		c.licences[l.ID] = l
	}
	slices.SortStableFunc(c.Items, func(a, b *Item) int {
		if d := order[a.Category] - order[b.Category]; d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
	c.items = make(map[string]*Item, len(c.Items))
	c.search = make(map[*Item]searchText, len(c.Items))
	for _, it := range c.Items {
		c.items[it.ID] = it
		rest := slices.Clone(it.Keywords)
		for _, p := range it.Procedures {
			rest = append(rest, p.Name.Hans, p.Name.Hant, p.Name.En)
		}
		c.search[it] = searchText{
			names: strings.ToLower(it.Name.Hans + "\n" + it.Name.Hant + "\n" + it.Name.En),
			rest:  strings.ToLower(strings.Join(rest, "\n")),
		}
	}
}

// Default returns the item's default role (the first of Roles).
func (it *Item) Default() Role {
	if len(it.Roles) == 0 {
		return RoleSelf
	}
	return it.Roles[0]
}

// Allows reports whether r may apply for the item.
func (it *Item) Allows(r Role) bool { return slices.Contains(it.Roles, r) }

// Field returns the form field with that ID.
func (it *Item) Field(id string) (*Field, bool) {
	for i := range it.Fields {
		if it.Fields[i].ID == id {
			return &it.Fields[i], true
		}
	}
	return nil, false
}

// Material returns the material with that ID.
func (it *Item) Material(id string) (*Material, bool) {
	for i := range it.Materials {
		if it.Materials[i].ID == id {
			return &it.Materials[i], true
		}
	}
	return nil, false
}

// ChoiceIndex returns the index of the choice that value names in any of the three
// languages (a prefilled "男" or a stored "Male" both select the same choice), or -1.
func (f *Field) ChoiceIndex(value string) int {
	value = strings.TrimSpace(value)
	if value == "" {
		return -1
	}
	return slices.IndexFunc(f.Choices, func(c Text) bool {
		return c.Hans == value || c.Hant == value || strings.EqualFold(c.En, value)
	})
}
