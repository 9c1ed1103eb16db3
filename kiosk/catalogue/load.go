package catalogue

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

//go:embed data
var embedded embed.FS

// The files of a catalogue, relative to its directory.
const (
	CategoriesFile = "categories.toml"
	LicencesFile   = "licences.toml"
	ItemsDir       = "items" // one ITEM_ID.toml per item
)

// Load reads and validates a catalogue. dir "" loads the embedded data; otherwise dir holds
// the same layout (categories.toml, licences.toml, items/*.toml) and replaces the embedded
// files entirely. The error joins every problem found (each a *Problem).
func Load(dir string) (*Catalogue, error) {
	if dir == "" {
		sub, err := fs.Sub(embedded, "data")
		if err != nil {
			return nil, fmt.Errorf("catalogue: embedded data: %w", err)
		}
		return LoadFS(sub)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("catalogue: %s is not a directory", dir)
	}
	return LoadFS(os.DirFS(dir))
}

// LoadFS is Load from a file system whose root holds the catalogue layout.
func LoadFS(fsys fs.FS) (*Catalogue, error) {
	l := &loader{fsys: fsys}
	c := &Catalogue{}
	c.Categories = l.categories()
	c.Licences, c.licenceFields = l.licences()
	c.Items = l.items()
	l.validateItems(c)
	if len(l.problems) > 0 {
		return nil, errors.Join(l.problems...)
	}
	c.index()
	return c, nil
}

// Problem is one thing wrong with a catalogue: the file, the entry in it (e.g.
// `item "newborn": material "marriage"`, empty for the whole file) and what is wrong.
type Problem struct {
	File   string
	Entry  string
	Detail string
}

func (p *Problem) Error() string {
	if p.Entry == "" {
		return "catalogue: " + p.File + ": " + p.Detail
	}
	return "catalogue: " + p.File + ": " + p.Entry + ": " + p.Detail
}

// loader collects problems while it reads.
type loader struct {
	fsys     fs.FS
	problems []error
}

func (l *loader) add(file, entry, format string, args ...any) {
	l.problems = append(l.problems, &Problem{File: file, Entry: entry, Detail: fmt.Sprintf(format, args...)})
}

// decode reads file into v and returns its raw form too, for naming the entries that hold
// unknown keys. ok is false when the file could not be read or parsed (already reported).
func (l *loader) decode(file string, v any) (raw map[string]any, md toml.MetaData, ok bool) {
	data, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.add(file, "", "%v", unwrapPath(err))
		return nil, md, false
	}
	if _, err := toml.Decode(string(data), &raw); err != nil {
		l.add(file, "", "%v", err)
		return nil, md, false
	}
	md, err = toml.Decode(string(data), v)
	if err != nil {
		entry := ""
		if id, isItem := raw["id"].(string); isItem && strings.HasPrefix(file, ItemsDir+"/") {
			entry = fmt.Sprintf("item %q", id)
		}
		l.add(file, entry, "%v", err)
		return nil, md, false
	}
	return raw, md, true
}

// unknownKeys reports every key of md that decoding left unused, naming the entry that
// holds it. top is the entry label for top-level keys ("" for a list file).
func (l *loader) unknownKeys(file, top string, raw map[string]any, md toml.MetaData) {
	undecoded := md.Undecoded()
	for _, k := range undecoded {
		if slices.ContainsFunc(undecoded, func(p toml.Key) bool { return len(p) < len(k) && slices.Equal(p, k[:len(p)]) }) {
			continue // its table is reported already
		}
		entry, key := locate(raw, k)
		l.add(file, join(top, entry), "unknown key %q", key)
	}
}

// locate walks key through raw and names the array entries on the way: for
// ["materials","name","fr"] it returns (`material "marriage"`, "name.fr").
func locate(raw map[string]any, key toml.Key) (entry, rest string) {
	m, start := raw, 0
	for i := 0; i < len(key)-1; i++ {
		switch v := m[key[i]].(type) {
		case map[string]any:
			m = v
		case []map[string]any, []any:
			arr := tables(v)
			n := slices.IndexFunc(arr, func(e map[string]any) bool { return has(e, key[i+1:]) })
			if n < 0 {
				return entry, strings.Join(key[start:], ".")
			}
			entry = join(entry, label(strings.TrimSuffix(key[i], "s"), arr[n], n))
			m, start = arr[n], i+1
		default:
			return entry, strings.Join(key[start:], ".")
		}
	}
	return entry, strings.Join(key[start:], ".")
}

// has reports whether the key path exists in m.
func has(m map[string]any, key []string) bool {
	if len(key) == 0 {
		return true
	}
	switch v := m[key[0]].(type) {
	case nil:
		return false
	case map[string]any:
		return has(v, key[1:])
	case []map[string]any, []any:
		return slices.ContainsFunc(tables(v), func(e map[string]any) bool { return has(e, key[1:]) })
	default:
		return len(key) == 1
	}
}

// tables returns the tables of an array: [[x]] arrays decode as []map[string]any, inline
// arrays of tables as []any.
func tables(v any) []map[string]any {
	if arr, ok := v.([]map[string]any); ok {
		return arr
	}
	var out []map[string]any
	for _, e := range v.([]any) {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// label names an array entry by its id, else its Simplified Chinese name, else its number.
func label(kind string, e map[string]any, n int) string {
	if id, ok := e["id"].(string); ok && id != "" {
		return fmt.Sprintf("%s %q", kind, id)
	}
	if name, ok := e["name"].(map[string]any); ok {
		if s, ok := name["zh_hans"].(string); ok && s != "" {
			return fmt.Sprintf("%s %q", kind, s)
		}
	}
	return fmt.Sprintf("%s #%d", kind, n+1)
}

func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + ": " + b
}

// unwrapPath drops the *fs.PathError wrapper, whose path the Problem already carries.
func unwrapPath(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("missing file")
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (l *loader) categories() []Category {
	var f struct {
		Category []Category `toml:"category"`
	}
	raw, md, ok := l.decode(CategoriesFile, &f)
	if !ok {
		return nil
	}
	l.unknownKeys(CategoriesFile, "", raw, md)
	if len(f.Category) == 0 {
		l.add(CategoriesFile, "", "no [[category]] entries")
	}
	seen := map[string]bool{}
	for _, c := range f.Category {
		entry := fmt.Sprintf("category %q", c.ID)
		l.checkID(CategoriesFile, entry, c.ID, seen)
		l.checkText(CategoriesFile, entry, "name", c.Name)
		if c.Audience != Person && c.Audience != Enterprise {
			l.add(CategoriesFile, entry, "unknown audience %q (want %q or %q)", c.Audience, Person, Enterprise)
		}
	}
	return f.Category
}

// licenceEntry is a licences.toml entry: a Licence plus the record fields prefills may use.
type licenceEntry struct {
	ID     string   `toml:"id"`
	Name   Text     `toml:"name"`
	Issuer Text     `toml:"issuer"`
	Fields []string `toml:"fields"`
}

func (l *loader) licences() ([]Licence, map[string][]string) {
	var f struct {
		Licence []licenceEntry `toml:"licence"`
	}
	raw, md, ok := l.decode(LicencesFile, &f)
	if !ok {
		return nil, nil
	}
	l.unknownKeys(LicencesFile, "", raw, md)
	if len(f.Licence) == 0 {
		l.add(LicencesFile, "", "no [[licence]] entries")
	}
	seen := map[string]bool{}
	out := make([]Licence, 0, len(f.Licence))
	fields := make(map[string][]string, len(f.Licence))
	for _, e := range f.Licence {
		entry := fmt.Sprintf("licence %q", e.ID)
		l.checkID(LicencesFile, entry, e.ID, seen)
		l.checkText(LicencesFile, entry, "name", e.Name)
		l.checkText(LicencesFile, entry, "issuer", e.Issuer)
		seenField := map[string]bool{}
		for _, fld := range e.Fields {
			if !isSnake(fld) || seenField[fld] {
				l.add(LicencesFile, entry, "field %q: not snake_case or listed twice", fld)
			}
			seenField[fld] = true
		}
		out = append(out, Licence{ID: e.ID, Name: e.Name, Issuer: e.Issuer})
		fields[e.ID] = e.Fields
	}
	return out, fields
}

func (l *loader) items() []*Item {
	files, err := fs.Glob(l.fsys, ItemsDir+"/*.toml")
	if err != nil {
		l.add(ItemsDir, "", "%v", err)
		return nil
	}
	if len(files) == 0 {
		l.add(ItemsDir, "", "no item files (want %s/ITEM_ID.toml)", ItemsDir)
	}
	sort.Strings(files)
	var out []*Item
	for _, file := range files {
		it := &Item{}
		raw, md, ok := l.decode(file, it)
		if !ok {
			continue
		}
		it.File = file
		l.unknownKeys(file, itemEntry(it), raw, md)
		if want := strings.TrimSuffix(path.Base(file), ".toml"); it.ID != "" && it.ID != want {
			l.add(file, itemEntry(it), "id does not match the file name (want %q)", want)
		}
		out = append(out, it)
	}
	return out
}

func itemEntry(it *Item) string { return fmt.Sprintf("item %q", it.ID) }
