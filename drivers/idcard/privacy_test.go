package idcard_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/onestop-station/onestop/drivers/idcard"
)

// renderers are the ways a card reaches a log line, an error, a file or a reply.
var renderers = map[string]func(v any) string{
	"%v":  func(v any) string { return fmt.Sprintf("%v", v) },
	"%+v": func(v any) string { return fmt.Sprintf("%+v", v) },
	"%#v": func(v any) string { return fmt.Sprintf("%#v", v) },
	"%s":  func(v any) string { return fmt.Sprintf("%s", v) },
	"%q":  func(v any) string { return fmt.Sprintf("%q", v) },
	"%x":  func(v any) string { return fmt.Sprintf("%x", v) },
	"%d":  func(v any) string { return fmt.Sprintf("%d", v) },
	"slog text": func(v any) string {
		var b bytes.Buffer
		slog.New(slog.NewTextHandler(&b, nil)).Info("read", "card", v)
		return b.String()
	},
	"slog json": func(v any) string {
		var b bytes.Buffer
		slog.New(slog.NewJSONHandler(&b, nil)).Info("read", "card", v)
		return b.String()
	},
	"json": func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			return "json error: " + err.Error()
		}
		return string(b)
	},
	"xml": func(v any) string {
		b, err := xml.Marshal(v)
		if err != nil {
			return "xml error: " + err.Error()
		}
		return string(b)
	},
}

// subjects are the shapes a card travels in. fmt calls no method of a value it reaches through
// an unexported field; only the Secret fields keep those shapes from printing the person.
func subjects(c *idcard.Card) map[string]any {
	type Exported struct{ Card idcard.Card }
	type ExportedPtr struct{ Card *idcard.Card }
	type ExportedSlice struct{ Cards []idcard.Card }
	type unexported struct{ card idcard.Card }
	type unexportedSlice struct{ cards []idcard.Card }
	type unexportedMap struct{ byName map[string]idcard.Card }
	type event struct { // as a caller might hold a read
		kind int
		card idcard.Card
	}
	return map[string]any{
		"unexported field":       unexported{*c},
		"unexported slice field": unexportedSlice{[]idcard.Card{*c}},
		"unexported map field":   unexportedMap{map[string]idcard.Card{"k": *c}},
		"pointer to unexported":  &unexported{*c},
		"nested unexported":      struct{ e event }{event{1, *c}},
		"anonymous unexported":   struct{ c idcard.Card }{*c},
		"name alone":             c.Name,
		"photo alone":            c.Photo,
		"fields in a struct":     struct{ n, id, a idcard.Secret[string] }{c.Name, c.IDNumber, c.Address},
		"value":                  *c,
		"pointer":                c,
		"slice":                  []idcard.Card{*c, *c},
		"slice of pointers":      []*idcard.Card{c},
		"exported field":         Exported{*c},
		"exported pointer":       ExportedPtr{c},
		"exported slice field":   ExportedSlice{[]idcard.Card{*c}},
		"pointer to a struct":    &Exported{*c},
		"map value":              map[string]idcard.Card{"k": *c},
		"interface in a struct":  struct{ V any }{*c},
	}
}

// No fmt verb, slog handler or encoder prints a card's personal data, whatever holds the card;
// and no error of this package carries it.
func TestCardNeverPrintsPersonalData(t *testing.T) {
	for _, name := range []string{"zhangsan", "lisi", "chenxiaoming", "john-sample", "mary-sample"} {
		lc := loaded(t, name)
		c := lc.Card
		id := c.IDNumber.Reveal()
		secrets := []string{c.Name.Reveal(), id, id[:6], id[len(id)-8:], c.Address.Reveal(), c.EnglishName.Reveal(),
			c.PassNumber.Reveal(), c.Birth.Format("20060102"), c.Birth.Format("2006-01-02"), lc.File.AppendedAddress,
			fmt.Sprintf("%x", c.Photo.Reveal()[:8]), fmt.Sprint(c.Photo.Reveal()[:8])[1:20], string(c.Photo.Reveal()[:8])}
		check := func(what, out string) {
			t.Helper()
			for _, s := range secrets {
				if s != "" && strings.Contains(out, s) {
					t.Errorf("%s: %s: output contains %q: %q", name, what, s, out)
				}
			}
		}
		for sn, v := range subjects(c) {
			for rn, render := range renderers {
				check(sn+" through "+rn, render(v))
			}
		}
		if out := renderers["%v"](*c); !strings.Contains(out, string(c.Type)) {
			t.Errorf("%q does not even say the type", out)
		}
		var back map[string]any
		if b, err := json.Marshal(c); err != nil || json.Unmarshal(b, &back) != nil ||
			back["type"] != string(c.Type) || back["photo_bytes"] != float64(c.Photo.Len()) {
			t.Errorf("%s: JSON %s, %v: want the type and the photo size", name, b, err)
		}

		// Errors about a card's own data: a broken date (valid-from sits at 188 in every layout), a bad number.
		broken := append([]byte(nil), lc.Text...)
		copy(broken[188:204], []byte("9\x009\x009\x009\x009\x009\x009\x009\x00"))
		_, err1 := idcard.DecodeText(broken)
		bad := *c
		bad.IDNumber = idcard.NewSecret(id[:len(id)-1] + "Z")
		err2 := bad.Validate()
		err3 := idcard.ValidateIDNumber(id[:10])
		for i, err := range []error{err1, err2, err3} {
			if err == nil {
				t.Fatalf("%s: expected error %d", name, i+1)
			}
			check(fmt.Sprintf("error %d", i+1), err.Error())
		}
	}
	if !errors.Is(idcard.ValidateIDNumber("1"), idcard.ErrIDFormat) {
		t.Error("short number")
	}
}

// A Secret prints as "[hidden]", or "" when empty, however it is reached; Reveal and Len give
// the value and its size.
func TestSecret(t *testing.T) {
	name := idcard.NewSecret("张三")
	var empty idcard.Secret[string]
	if name.Reveal() != "张三" || name.Len() != len("张三") || empty.Reveal() != "" || empty.Len() != 0 {
		t.Errorf("Reveal %q Len %d; empty %q %d", name.Reveal(), name.Len(), empty.Reveal(), empty.Len())
	}
	if idcard.NewSecret("").Len() != 0 || idcard.NewSecret([]byte{}).Reveal() != nil {
		t.Error("an empty value must give the zero Secret")
	}
	for rn, render := range renderers {
		for _, v := range []any{name, &name, []idcard.Secret[string]{name}} { // methods called: "[hidden]"
			if out := render(v); strings.Contains(out, "张三") || !strings.Contains(out, "hidden") {
				t.Errorf("%s: %q", rn, out)
			}
		}
		if out := render(struct{ s idcard.Secret[string] }{name}); strings.Contains(out, "张三") { // an address
			t.Errorf("%s: %q", rn, out)
		}
	}
	if out := fmt.Sprintf("[%v]", empty); out != "[]" {
		t.Errorf("empty Secret prints %q", out)
	}
	photo := []byte{1, 2, 3}
	if s := idcard.NewSecret(photo); fmt.Sprintf("%v %x %s", s, s, s) != "[hidden] [hidden] [hidden]" || s.Len() != 3 {
		t.Errorf("bytes: %v, %d", s, s.Len())
	}
}
