package catalogue

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A minimal valid catalogue; the cases below break one rule each.
const (
	baseCategories = `[[category]]
id = "birth"
audience = "person"
name = { zh_hans = "出生", zh_hant = "出生", en = "Birth" }

[[category]]
id = "entry"
audience = "enterprise"
name = { zh_hans = "准入准营" }
`
	baseLicences = `[[licence]]
id = "id_card"
name = { zh_hans = "居民身份证" }
issuer = { zh_hans = "公安局" }
fields = ["name"]

[[licence]]
id = "marriage_cert"
name = { zh_hans = "结婚证" }
issuer = { zh_hans = "民政局" }
fields = ["spouse_name"]
`
	baseHead = `id = "baby"
name = { zh_hans = "宝宝出生", zh_hant = "寶寶出生", en = "Baby" }
summary = { zh_hans = "测试" }
category = "birth"
audience = "person"
roles = ["newborn"]
keywords = ["bb"]
statutory_days = 10
promised_days = 2
at_terminal = true
window = "A"
`
	baseProcedure = `
[[procedures]]
name = { zh_hans = "出生登记" }
department = { zh_hans = "公安局" }
`
	baseMaterial = `
[[materials]]
id = "marriage"
name = { zh_hans = "结婚证" }
whose = "applicant"
licences = ["marriage_cert"]
provide = { zh_hans = "请携带原件到综合窗口" }
`
	baseFields = `
[[fields]]
id = "spouse"
label = { zh_hans = "配偶" }
kind = "text"
required = true
prefill = "licence:marriage_cert:spouse_name"

[[fields]]
id = "sex"
label = { zh_hans = "性别" }
kind = "choice"
choices = [{ zh_hans = "男" }, { zh_hans = "女" }]
`
	baseItem = baseHead + baseProcedure + baseMaterial + baseFields
)

// writeCatalogue writes the base catalogue, with files overridden (content "" removes the
// file), into a temporary directory and returns it.
func writeCatalogue(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"categories.toml":  baseCategories,
		"licences.toml":    baseLicences,
		"items/baby.toml":  baseItem,
		"items/README.md":  "not an item",
		"unrelated/x.toml": "garbage = [",
	}
	for name, content := range files {
		all[name] = content
	}
	for name, content := range all {
		if content == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// edit replaces old by new in s, failing when old is not there (a stale test case).
func edit(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("test case: %q not in the base file", old)
	}
	return strings.Replace(s, old, new, 1)
}

func TestLoadDirOverridesEmbedded(t *testing.T) {
	c, err := Load(writeCatalogue(t, nil))
	if err != nil {
		t.Fatalf("base catalogue: %v", err)
	}
	if len(c.Items) != 1 || len(c.Licences) != 2 || len(c.Categories) != 2 {
		t.Fatalf("got %d items, %d licences, %d categories", len(c.Items), len(c.Licences), len(c.Categories))
	}
	if _, ok := c.Item("newborn"); ok {
		t.Error("the embedded newborn item is still there")
	}
	it, ok := c.Item("baby")
	if !ok || it.File != "items/baby.toml" || it.Name.In("zh-Hant") != "寶寶出生" {
		t.Errorf("Item(baby) = %+v, %v", it, ok)
	}
	if got := c.Search("寶寶"); len(got) != 1 {
		t.Errorf("Search(寶寶) = %v", ids(got))
	}
}

func TestLoadMissingDir(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("Load of a missing directory succeeded")
	}
}

func TestLoadProblems(t *testing.T) {
	item := func(t *testing.T, old, new string) map[string]string {
		return map[string]string{"items/baby.toml": edit(t, baseItem, old, new)}
	}
	for _, tc := range []struct {
		name  string
		files func(t *testing.T) map[string]string
		want  string
	}{
		{"unknown key in an item", func(t *testing.T) map[string]string {
			return item(t, `window = "A"`, `window = "A"`+"\ncolour = \"red\"")
		}, `items/baby.toml: item "baby": unknown key "colour"`},
		{"unknown key in a material", func(t *testing.T) map[string]string {
			return item(t, `whose = "applicant"`, `whose = "applicant"`+"\nlicence = \"x\"")
		}, `items/baby.toml: item "baby": material "marriage": unknown key "licence"`},
		{"unknown key in a choice", func(t *testing.T) map[string]string {
			return item(t, `{ zh_hans = "女" }`, `{ zh_hans = "女", fr = "F" }`)
		}, `items/baby.toml: item "baby": field "sex": choice #2: unknown key "fr"`},
		{"unknown key in a category", func(t *testing.T) map[string]string {
			return map[string]string{"categories.toml": edit(t, baseCategories, `audience = "enterprise"`, `audience = "enterprise"`+"\nicon = \"x\"")}
		}, `categories.toml: category "entry": unknown key "icon"`},
		{"unknown nested key in a licence", func(t *testing.T) map[string]string {
			return map[string]string{"licences.toml": edit(t, baseLicences, `{ zh_hans = "公安局" }`, `{ zh_hans = "公安局", fr = "police" }`)}
		}, `licences.toml: licence "id_card": unknown key "issuer.fr"`},
		{"unknown top-level table", func(t *testing.T) map[string]string {
			return map[string]string{"licences.toml": baseLicences + "\n[[licenses]]\nid = \"x\"\n"}
		}, `licences.toml: unknown key "licenses"`},
		{"TOML syntax", func(t *testing.T) map[string]string {
			return item(t, `id = "baby"`, `id = "baby`)
		}, `items/baby.toml: toml: line 1`},
		{"wrong type", func(t *testing.T) map[string]string {
			return item(t, `name = { zh_hans = "宝宝出生", zh_hant = "寶寶出生", en = "Baby" }`, `name = "宝宝"`)
		}, `items/baby.toml: item "baby": toml: line 2 (last key "name"): type mismatch`},
		{"missing file", func(t *testing.T) map[string]string {
			return map[string]string{"licences.toml": ""}
		}, `catalogue: licences.toml: missing file`},
		{"no items", func(t *testing.T) map[string]string {
			return map[string]string{"items/baby.toml": ""}
		}, `catalogue: items: no item files`},
		{"duplicate category", func(t *testing.T) map[string]string {
			return map[string]string{"categories.toml": edit(t, baseCategories, `id = "entry"`, `id = "birth"`)}
		}, `categories.toml: category "birth": duplicate id`},
		{"duplicate licence", func(t *testing.T) map[string]string {
			return map[string]string{"licences.toml": edit(t, baseLicences, `id = "marriage_cert"`, `id = "id_card"`)}
		}, `licences.toml: licence "id_card": duplicate id`},
		{"duplicate item", func(t *testing.T) map[string]string {
			return map[string]string{"items/baby2.toml": baseItem}
		}, `items/baby2.toml: item "baby": duplicate id (also in items/baby.toml)`},
		{"duplicate material", func(t *testing.T) map[string]string {
			return map[string]string{"items/baby.toml": baseItem + baseMaterial}
		}, `items/baby.toml: item "baby": material "marriage": duplicate id`},
		{"id not the file name", func(t *testing.T) map[string]string {
			return map[string]string{"items/baby.toml": "", "items/child.toml": baseItem}
		}, `items/child.toml: item "baby": id does not match the file name (want "child")`},
		{"id not snake_case", func(t *testing.T) map[string]string {
			return item(t, `id = "marriage"`, `id = "Marriage"`)
		}, `item "baby": material "Marriage": id must be lowercase snake_case`},
		{"missing item name", func(t *testing.T) map[string]string {
			return item(t, `zh_hans = "宝宝出生", `, ``)
		}, `items/baby.toml: item "baby": missing name.zh_hans`},
		{"missing category name", func(t *testing.T) map[string]string {
			return map[string]string{"categories.toml": edit(t, baseCategories, `{ zh_hans = "准入准营" }`, `{ en = "Entry" }`)}
		}, `categories.toml: category "entry": missing name.zh_hans`},
		{"missing licence issuer", func(t *testing.T) map[string]string {
			return map[string]string{"licences.toml": edit(t, baseLicences, `issuer = { zh_hans = "民政局" }`, ``)}
		}, `licences.toml: licence "marriage_cert": missing issuer.zh_hans`},
		{"unknown category", func(t *testing.T) map[string]string {
			return item(t, `category = "birth"`, `category = "brith"`)
		}, `items/baby.toml: item "baby": unknown category "brith"`},
		{"category of the other audience", func(t *testing.T) map[string]string {
			return item(t, `category = "birth"`, `category = "entry"`)
		}, `items/baby.toml: item "baby": category "entry" is for enterprise, the item for person`},
		{"unknown audience", func(t *testing.T) map[string]string {
			return item(t, `audience = "person"`, `audience = "people"`)
		}, `items/baby.toml: item "baby": unknown audience "people"`},
		{"unknown licence in a material", func(t *testing.T) map[string]string {
			return item(t, `licences = ["marriage_cert"]`, `licences = ["marrige_cert"]`)
		}, `catalogue: items/baby.toml: item "baby": material "marriage": unknown licence "marrige_cert"`},
		{"unknown whose", func(t *testing.T) map[string]string {
			return item(t, `whose = "applicant"`, `whose = "mine"`)
		}, `items/baby.toml: item "baby": material "marriage": unknown whose "mine"`},
		{"material without provide", func(t *testing.T) map[string]string {
			return item(t, `provide = { zh_hans = "请携带原件到综合窗口" }`, ``)
		}, `items/baby.toml: item "baby": material "marriage": missing provide.zh_hans`},
		{"unknown role", func(t *testing.T) map[string]string {
			return item(t, `roles = ["newborn"]`, `roles = ["baby"]`)
		}, `items/baby.toml: item "baby": unknown role "baby"`},
		{"role of the other audience", func(t *testing.T) map[string]string {
			return item(t, `roles = ["newborn"]`, `roles = ["company"]`)
		}, `items/baby.toml: item "baby": role "company" does not fit audience "person"`},
		{"no roles", func(t *testing.T) map[string]string {
			return item(t, `roles = ["newborn"]`, `roles = []`)
		}, `items/baby.toml: item "baby": no roles`},
		{"unknown field kind", func(t *testing.T) map[string]string {
			return item(t, `kind = "text"`, `kind = "txt"`)
		}, `items/baby.toml: item "baby": field "spouse": unknown kind "txt"`},
		{"choice without choices", func(t *testing.T) map[string]string {
			return item(t, `choices = [{ zh_hans = "男" }, { zh_hans = "女" }]`, ``)
		}, `items/baby.toml: item "baby": field "sex": choice field without choices`},
		{"bad prefill syntax", func(t *testing.T) map[string]string {
			return item(t, `"licence:marriage_cert:spouse_name"`, `"licence/marriage_cert"`)
		}, `items/baby.toml: item "baby": field "spouse": prefill "licence/marriage_cert": want`},
		{"unknown card field", func(t *testing.T) map[string]string {
			return item(t, `"licence:marriage_cert:spouse_name"`, `"card:phone"`)
		}, `items/baby.toml: item "baby": field "spouse": prefill "card:phone": unknown card field "phone"`},
		{"unknown licence in a prefill", func(t *testing.T) map[string]string {
			return item(t, `"licence:marriage_cert:spouse_name"`, `"licence:marrige_cert:spouse_name"`)
		}, `items/baby.toml: item "baby": field "spouse": prefill "licence:marrige_cert:spouse_name": unknown licence "marrige_cert"`},
		{"unknown licence field in a prefill", func(t *testing.T) map[string]string {
			return item(t, `"licence:marriage_cert:spouse_name"`, `"licence:marriage_cert:spouse"`)
		}, `items/baby.toml: item "baby": field "spouse": prefill "licence:marriage_cert:spouse": licence "marriage_cert" has no field "spouse"`},
		{"promised beyond statutory", func(t *testing.T) map[string]string {
			return item(t, `promised_days = 2`, `promised_days = 12`)
		}, `items/baby.toml: item "baby": promised_days 12 exceeds statutory_days 10`},
		{"promised zero", func(t *testing.T) map[string]string {
			return item(t, `promised_days = 2`, `promised_days = 0`)
		}, `items/baby.toml: item "baby": promised_days must be > 0, not 0`},
		{"statutory missing", func(t *testing.T) map[string]string {
			return item(t, `statutory_days = 10`, ``)
		}, `items/baby.toml: item "baby": statutory_days must be > 0, not 0`},
		{"window missing", func(t *testing.T) map[string]string {
			return item(t, `window = "A"`, `window = ""`)
		}, `items/baby.toml: item "baby": missing window`},
		{"no procedures", func(t *testing.T) map[string]string {
			return item(t, baseProcedure, ``)
		}, `items/baby.toml: item "baby": no procedures`},
		{"procedure without department", func(t *testing.T) map[string]string {
			return item(t, `department = { zh_hans = "公安局" }`, ``)
		}, `items/baby.toml: item "baby": procedure "出生登记": missing department.zh_hans`},
		{"no materials", func(t *testing.T) map[string]string {
			return item(t, baseMaterial, ``)
		}, `items/baby.toml: item "baby": no materials`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeCatalogue(t, tc.files(t)))
			if err == nil {
				t.Fatalf("Load succeeded, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}

// TestLoadReportsAll checks that one Load reports every problem, each as a *Problem.
func TestLoadReportsAll(t *testing.T) {
	broken := edit(t, baseItem, `licences = ["marriage_cert"]`, `licences = ["marrige_cert"]`)
	broken = edit(t, broken, `kind = "text"`, `kind = "txt"`)
	_, err := Load(writeCatalogue(t, map[string]string{
		"items/baby.toml":  broken,
		"categories.toml":  edit(t, baseCategories, `audience = "enterprise"`, `audience = "company"`),
		"items/other.toml": edit(t, baseItem, `id = "baby"`, `id = "other"`),
	}))
	var problems []*Problem
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			var p *Problem
			if !errors.As(e, &p) {
				t.Errorf("%v is not a *Problem", e)
			}
			problems = append(problems, p)
		}
	}
	if len(problems) != 3 {
		t.Fatalf("got %d problems, want 3:\n%v", len(problems), err)
	}
	want := []Problem{
		{"categories.toml", `category "entry"`, `unknown audience "company" (want "person" or "enterprise")`},
		{"items/baby.toml", `item "baby": material "marriage"`, `unknown licence "marrige_cert"`},
		{"items/baby.toml", `item "baby": field "spouse"`, `unknown kind "txt"`},
	}
	for i, p := range problems {
		if *p != want[i] {
			t.Errorf("problem %d = %+v, want %+v", i, *p, want[i])
		}
	}
}
