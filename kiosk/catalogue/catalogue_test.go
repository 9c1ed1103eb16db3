package catalogue

import (
	"slices"
	"strings"
	"testing"
)

// load loads the embedded catalogue or fails the test.
func load(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Load("")
	if err != nil {
		t.Fatalf("Load(\"\"): %v", err)
	}
	return c
}

// nationalNames are the 13 key items of 2024 (国发〔2024〕3号), kiosk-anchors.md §1.2.
var nationalNames = []string{
	"企业信息变更", "开办运输企业", "开办餐饮店", "企业破产信息核查", "企业上市合法合规信息核查",
	"新生儿出生", "教育入学", "社保卡居民服务卡应用", "残疾人服务", "退休", "水电气网联合报装",
	"申请公租房", "身后",
}

func TestEmbeddedLoads(t *testing.T) {
	c := load(t)
	if len(c.Items) < 19 || len(c.Categories) != 16 || len(c.Licences) < 18 {
		t.Errorf("got %d items, %d categories, %d licences", len(c.Items), len(c.Categories), len(c.Licences))
	}
	for _, it := range c.Items {
		if want := "items/" + it.ID + ".toml"; it.File != want {
			t.Errorf("item %q: File = %q, want %q", it.ID, it.File, want)
		}
	}
}

func TestNationalItems(t *testing.T) {
	c := load(t)
	var got []string
	for _, it := range c.National() {
		got = append(got, it.Name.Hans)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(nationalNames))
	if !slices.Equal(got, want) {
		t.Errorf("national items:\n got %q\nwant %q", got, want)
	}
	for _, it := range c.Items {
		if slices.Contains(nationalNames, it.Name.Hans) != it.National {
			t.Errorf("item %q (%s): national = %v", it.ID, it.Name.Hans, it.National)
		}
	}
	for id, name := range map[string]string{"newborn": "新生儿出生", "after_death": "身后"} {
		if it, ok := c.Item(id); !ok || it.Name.Hans != name {
			t.Errorf("Item(%q) = %v, %v; want %s", id, it, ok, name)
		}
	}
}

func TestLocalItems(t *testing.T) {
	c := load(t)
	local := len(c.Items) - len(c.National())
	if local < 6 {
		t.Errorf("%d local items, want at least 6", local)
	}
	for id, name := range map[string]string{"credit_repair": "信用修复", "business_startup": "企业开办"} {
		it, ok := c.Item(id)
		if !ok || it.National || !strings.HasPrefix(it.Name.Hans, name) || it.Audience != Enterprise {
			t.Errorf("Item(%q) = %+v, %v; want local enterprise item %s", id, it, ok, name)
		}
	}
	if got := c.Search("信用修复一件事"); len(got) == 0 || got[0].ID != "credit_repair" {
		t.Errorf("Search(信用修复一件事) = %v", ids(got))
	}
}

// TestTranslations checks every user-facing text of every item in all three languages.
func TestTranslations(t *testing.T) {
	c := load(t)
	check := func(where string, tx Text) {
		t.Helper()
		if strings.TrimSpace(tx.Hans) == "" || strings.TrimSpace(tx.Hant) == "" || strings.TrimSpace(tx.En) == "" {
			t.Errorf("%s: not in all three languages: %+v", where, tx)
		}
	}
	for _, it := range c.Items {
		check(it.ID+" name", it.Name)
		check(it.ID+" summary", it.Summary)
		for _, p := range it.Procedures {
			check(it.ID+" procedure "+p.Name.Hans, p.Name)
			check(it.ID+" department of "+p.Name.Hans, p.Department)
		}
		for _, m := range it.Materials {
			check(it.ID+" material "+m.ID, m.Name)
			check(it.ID+" material "+m.ID+" provide", m.Provide)
		}
		for _, f := range it.Fields {
			check(it.ID+" field "+f.ID, f.Label)
			for _, ch := range f.Choices {
				check(it.ID+" field "+f.ID+" choice", ch)
			}
		}
	}
	for _, cat := range c.Categories {
		check("category "+cat.ID, cat.Name)
	}
	for _, l := range c.Licences {
		check("licence "+l.ID, l.Name)
		check("licence "+l.ID+" issuer", l.Issuer)
	}
}

func TestItemRules(t *testing.T) {
	c := load(t)
	for _, it := range c.Items {
		if it.PromisedDays >= it.StatutoryDays {
			t.Errorf("%s: promised %d days, statutory %d", it.ID, it.PromisedDays, it.StatutoryDays)
		}
		if len(it.Fields) == 0 || len(it.Keywords) == 0 {
			t.Errorf("%s: %d fields, %d keywords", it.ID, len(it.Fields), len(it.Keywords))
		}
		switch it.ID {
		case "newborn":
			wantRoles(t, it, RoleNewborn)
		case "after_death":
			wantRoles(t, it, RoleDeceased)
		default:
			if it.Audience == Enterprise {
				wantRoles(t, it, RoleCompany)
			}
		}
		if want := map[Audience]string{Person: "A", Enterprise: "B"}[it.Audience]; it.Window != want {
			t.Errorf("%s: window %q, want %q", it.ID, it.Window, want)
		}
		if cat, _ := c.Category(it.Category); cat.Audience != it.Audience {
			t.Errorf("%s: category %q is for %s", it.ID, it.Category, cat.Audience)
		}
	}
}

func wantRoles(t *testing.T, it *Item, want ...Role) {
	t.Helper()
	if !slices.Equal(it.Roles, want) {
		t.Errorf("%s: roles %v, want %v", it.ID, it.Roles, want)
	}
}

func TestNewborn(t *testing.T) {
	c := load(t)
	it, ok := c.Item("newborn")
	if !ok {
		t.Fatal("no newborn item")
	}
	if !it.AtTerminal || it.Category != "birth" || it.Default() != RoleNewborn || !it.Allows(RoleNewborn) || it.Allows(RoleSelf) {
		t.Errorf("newborn: %+v", it)
	}
	// A citizen taps nothing: every required field comes from the card or an e-licence.
	required := 0
	for _, f := range it.Fields {
		if !f.Required {
			continue
		}
		required++
		if _, err := ParsePrefill(f.Prefill); err != nil {
			t.Errorf("required field %q: %v", f.ID, err)
		}
	}
	if required < 5 {
		t.Errorf("%d required fields, want the child's name, sex, birth date, hukou and a phone", required)
	}
	for id, prefill := range map[string]string{
		"child_name":   "licence:birth_medical_cert:child_name",
		"child_sex":    "licence:birth_medical_cert:child_sex",
		"child_birth":  "licence:birth_medical_cert:birth_date",
		"hukou_with":   "licence:birth_medical_cert:hukou_with",
		"phone":        "licence:social_security_card:phone",
		"bank_account": "licence:social_security_card:bank_account",
	} {
		if f, ok := it.Field(id); !ok || f.Prefill != prefill {
			t.Errorf("field %q: %+v, want prefill %q", id, f, prefill)
		}
	}
	if f, _ := it.Field("hukou_with"); f == nil || f.Kind != FieldChoice || len(f.Choices) != 2 ||
		f.ChoiceIndex("随母") != 1 || f.ChoiceIndex("隨父") != 0 || f.ChoiceIndex(" mother ") != 1 || f.ChoiceIndex("") != -1 || f.ChoiceIndex("随舅") != -1 {
		t.Errorf("hukou_with: %+v", f)
	}
	for id, lic := range map[string]string{
		"parents_id_cards": "id_card", "household_register": "household_register", "marriage": "marriage_cert",
		"birth_certificate": "birth_medical_cert", "vaccination": "vaccination_record",
	} {
		if m, ok := it.Material(id); !ok || !slices.Equal(m.Licences, []string{lic}) || m.Optional {
			t.Errorf("material %q: %+v, want covered by %s", id, m, lic)
		}
	}
	if m, ok := it.Material("photo"); !ok || len(m.Licences) != 0 || !m.Optional {
		t.Errorf("photo: %+v, want optional, no licence", m)
	}
	for _, p := range []string{"出生医学证明", "预防接种", "户口登记", "城乡居民医保参保登记", "社会保障卡申领"} {
		if got := c.Search(p); !slices.Contains(got, it) {
			t.Errorf("procedure %s not in newborn", p)
		}
	}
}

func TestAfterDeath(t *testing.T) {
	c := load(t)
	it, _ := c.Item("after_death")
	if it == nil || len(it.Procedures) != 9 || it.Category != "after_death" {
		t.Fatalf("after_death: %+v", it)
	}
	for _, lic := range []string{"death_cert", "cremation_cert", "driving_licence", "social_security_card"} {
		found := false
		for _, m := range it.Materials {
			found = found || slices.Contains(m.Licences, lic)
		}
		if !found {
			t.Errorf("no material covered by %s", lic)
		}
	}
}

func TestLicences(t *testing.T) {
	c := load(t)
	for id, name := range map[string]string{
		"id_card": "居民身份证", "household_register": "居民户口簿", "marriage_cert": "结婚证",
		"birth_medical_cert": "出生医学证明", "vaccination_record": "预防接种证",
		"social_security_card": "社会保障卡", "business_licence": "营业执照", "real_estate_cert": "不动产权证书",
		"driving_licence": "机动车驾驶证", "disability_cert": "残疾人证", "death_cert": "居民死亡医学证明",
		"cremation_cert": "火化证明", "graduation_cert": "学历证书", "food_business_licence": "食品经营许可证",
		"road_transport_licence": "道路运输经营许可证", "retirement_cert": "退休证明",
		"residence_permit": "居住证", "credit_report": "信用报告",
	} {
		l, ok := c.Licence(id)
		if !ok || l.Name.Hans != name || l.Issuer.Hans == "" {
			t.Errorf("Licence(%q) = %+v, %v; want %s with an issuer", id, l, ok, name)
		}
	}
	if f := c.LicenceFields("birth_medical_cert"); !slices.Contains(f, "child_name") {
		t.Errorf("LicenceFields(birth_medical_cert) = %v", f)
	}
	if _, ok := c.Licence("nope"); ok {
		t.Error("Licence(nope) found")
	}
}

func TestCategories(t *testing.T) {
	c := load(t)
	var person, enterprise []string
	for _, cat := range c.CategoriesFor(Person) {
		person = append(person, cat.ID)
	}
	for _, cat := range c.CategoriesFor(Enterprise) {
		enterprise = append(enterprise, cat.ID)
	}
	wantP := []string{"birth", "education", "employment", "life", "housing", "travel", "medical", "assistance", "elderly", "after_death"}
	wantE := []string{"entry", "hiring", "tax", "operation", "construction", "closure"}
	if !slices.Equal(person, wantP) || !slices.Equal(enterprise, wantE) {
		t.Errorf("categories: %v / %v", person, enterprise)
	}
	if cat, ok := c.Category("after_death"); !ok || cat.Name.Hans != "身后" {
		t.Errorf("Category(after_death) = %+v, %v", cat, ok)
	}
	if got := ids(c.InCategory("birth")); !slices.Contains(got, "newborn") {
		t.Errorf("InCategory(birth) = %v", got)
	}
	if got := c.InCategory("nope"); got != nil {
		t.Errorf("InCategory(nope) = %v", ids(got))
	}
	// Items are grouped by category, in file order.
	last := -1
	for _, it := range c.Items {
		n := slices.Index(append(wantP, wantE...), it.Category)
		if n < last {
			t.Errorf("item %q out of category order", it.ID)
		}
		last = n
	}
}

func TestSearch(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		query string
		first string // "" = no result
	}{
		{"新生儿", "newborn"},
		{"newborn", "newborn"},
		{"新生兒", "newborn"},
		{"  NewBorn \t", "newborn"},
		{"xse", "newborn"},                    // keyword
		{"户口注销", "after_death"},               // procedure name
		{"Hukou cancellation", "after_death"}, // English procedure name
		{"开办 餐饮", "restaurant"},               // every word must match
		{"信用修復", "credit_repair"},             // Traditional
		{"", ""},
		{"   ", ""},
		{"no such thing", ""},
	} {
		got := c.Search(tc.query)
		switch {
		case tc.first == "" && len(got) != 0:
			t.Errorf("Search(%q) = %v, want none", tc.query, ids(got))
		case tc.first != "" && (len(got) == 0 || got[0].ID != tc.first):
			t.Errorf("Search(%q) = %v, want %s first", tc.query, ids(got), tc.first)
		}
	}
	// Name matches come first: 户口 is in the name of hukou_transfer, and in procedures of
	// newborn, which comes earlier in the catalogue.
	got := ids(c.Search("户口"))
	if len(got) < 2 || got[0] != "hukou_transfer" || !slices.Contains(got, "newborn") {
		t.Errorf("Search(户口) = %v, want hukou_transfer first, newborn later", got)
	}
}

func ids(items []*Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}
