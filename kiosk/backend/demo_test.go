package backend

import (
	"slices"
	"testing"

	"github.com/onestop-station/onestop/kiosk/catalogue"
)

// Every demo record is of a catalogue licence type and carries every field that type offers
// to prefills, so each prefill works in the demo.
func TestDemoSeedMatchesCatalogue(t *testing.T) {
	cat, err := catalogue.Load("../catalogue/data")
	if err != nil {
		t.Fatal(err)
	}
	holders := map[string]bool{}
	for _, r := range DemoSeed {
		holders[r.HolderID] = true
		if _, ok := cat.Licence(r.Licence.Type); !ok {
			t.Errorf("%s: no such licence type in the catalogue", r.Licence.Type)
			continue
		}
		for _, f := range cat.LicenceFields(r.Licence.Type) {
			if _, ok := r.Licence.Fields[f]; !ok {
				t.Errorf("%s of %s… lacks field %s", r.Licence.Type, r.HolderID[:3], f)
			}
		}
		if r.Licence.Source != demoSource || r.Licence.Number == "" || r.Licence.Issuer == "" {
			t.Errorf("%s: incomplete record", r.Licence.Type)
		}
	}
	if len(holders) != 4 {
		t.Errorf("%d demo holders, want 4", len(holders))
	}
	for _, id := range []string{DemoZhangSan, DemoLiSi, DemoWangWu, DemoChenXiaoming} {
		if mod112(id[:17]) != id[17] {
			t.Errorf("demo ID number %s… has a wrong check digit", id[:3])
		}
	}
	var zs []string
	for _, r := range DemoSeed {
		if r.HolderID == DemoZhangSan {
			zs = append(zs, r.Licence.Type)
		}
	}
	for _, want := range []string{"id_card", "household_register", "marriage_cert", "birth_medical_cert",
		"vaccination_record", "social_security_card", "driving_licence"} {
		if !slices.Contains(zs, want) {
			t.Errorf("张三 lacks %s", want)
		}
	}
}
