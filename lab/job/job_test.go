package job

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/lab/verdict"
)

var (
	cst     = time.FixedZone("CST", 8*3600)
	regTime = time.Date(2026, 5, 4, 9, 0, 0, 0, cst)
)

func spec() Spec {
	return Spec{
		ID:       "J2026-0001",
		Customer: Customer{Name: "滕州市示例童车有限公司", USCC: "9144030071526726XG"},
		Product: Product{
			Type: "electric ride-on car", Model: "DL-8", Batch: "2026-04",
			Rated:  map[string]Rated{"voltage": {12, "V"}, "power": {45, "W"}},
			MassKg: 18.5, AgeGroup: From36Months,
		},
		Sample:   Sample{ID: "S-0001", Received: time.Date(2026, 5, 4, 0, 0, 0, 0, cst)},
		Location: "customer site, 滕州市 example road 1",
		Mode:     PreTest,
		Rig:      Rig{ID: "RIG-01"},
		Operator: "alice",
		Reviewer: "bob",
		Rule:     verdict.ILACG8,
	}
}

func TestNew(t *testing.T) {
	s := spec()
	j, err := New(s, "alice", regTime)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != Registered || len(j.Audit) != 1 || j.Audit[0].What != "register" || j.Audit[0].To != Registered {
		t.Fatalf("new job: state %s, audit %v", j.State, j.Audit)
	}
	if !j.Audit[0].When.Equal(regTime) || j.Audit[0].When.Location() != time.UTC {
		t.Errorf("audit time %v, want %v in UTC", j.Audit[0].When, regTime)
	}
	s.Product.Rated["voltage"] = Rated{24, "V"}
	if j.Product.Rated["voltage"].Value != 12 {
		t.Error("job shares the caller's rated-values map")
	}
}

func TestNewRefuses(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Spec)
		want  error
		field string
	}{
		{"no id", func(s *Spec) { s.ID = "" }, ErrRequired, "id"},
		{"no customer", func(s *Spec) { s.Customer.Name = " " }, ErrRequired, "customer name"},
		{"no USCC", func(s *Spec) { s.Customer.USCC = "" }, ErrRequired, "customer USCC"},
		{"bad USCC check", func(s *Spec) { s.Customer.USCC = "9144030071526726X0" }, ErrUSCCCheck, "check character"},
		{"bad USCC length", func(s *Spec) { s.Customer.USCC = "91440300" }, ErrUSCCLength, "length"},
		{"no product type", func(s *Spec) { s.Product.Type = "" }, ErrRequired, "product type"},
		{"no model", func(s *Spec) { s.Product.Model = "" }, ErrRequired, "product model"},
		{"no sample", func(s *Spec) { s.Sample.ID = "" }, ErrRequired, "sample id"},
		{"no receipt date", func(s *Spec) { s.Sample.Received = time.Time{} }, ErrRequired, "receipt"},
		{"no location", func(s *Spec) { s.Location = "" }, ErrRequired, "location"},
		{"no mode", func(s *Spec) { s.Mode = 0 }, ErrRequired, "mode"},
		{"no rig", func(s *Spec) { s.Rig.ID = "" }, ErrRequired, "rig id"},
		{"no operator", func(s *Spec) { s.Operator = "" }, ErrRequired, "operator"},
		{"no reviewer", func(s *Spec) { s.Reviewer = "" }, ErrRequired, "reviewer"},
		{"operator reviews", func(s *Spec) { s.Reviewer = s.Operator }, ErrSameReviewer, "reviewer"},
		{"no rule", func(s *Spec) { s.Rule = 0 }, ErrRequired, "decision rule"},
		{"negative mass", func(s *Spec) { s.Product.MassKg = -1 }, ErrInvalid, "mass"},
		{"bad age group", func(s *Spec) { s.Product.AgeGroup = 9 }, ErrInvalid, "age group"},
		{"unnamed rated value", func(s *Spec) { s.Product.Rated[""] = Rated{1, "V"} }, ErrInvalid, "rated"},
	}
	for _, c := range cases {
		s := spec()
		c.edit(&s)
		j, err := New(s, "alice", regTime)
		if !errors.Is(err, c.want) || j != nil {
			t.Errorf("%s: New = %v, %v; want %v", c.name, j, err, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: error %q does not name %q", c.name, err, c.field)
		}
	}
	// Several problems are all reported.
	s := spec()
	s.ID, s.Location, s.Customer.USCC = "J9", "", "X"
	_, err := New(s, "alice", regTime)
	if !errors.Is(err, ErrRequired) || !errors.Is(err, ErrUSCCLength) {
		t.Errorf("joined errors: %v", err)
	}
	if _, err := New(spec(), "", regTime); !errors.Is(err, ErrRequired) {
		t.Errorf("no registrar: %v", err)
	}
	if _, err := New(spec(), "alice", time.Time{}); !errors.Is(err, ErrRequired) {
		t.Errorf("no time: %v", err)
	}
	// Batch, mass, age group and rated values are optional.
	s = spec()
	s.Product.Batch, s.Product.MassKg, s.Product.AgeGroup, s.Product.Rated = "", 0, 0, nil
	if _, err := New(s, "alice", regTime); err != nil {
		t.Errorf("optional fields: %v", err)
	}
}

func TestTypes(t *testing.T) {
	if PreTest.String() != "pre-test" || TypeTest.String() != "CCC type test" || TypeTest.Text("zh") != "CCC型式试验" {
		t.Error("Mode text")
	}
	for in, want := range map[string]Mode{"pre-test": PreTest, "PreTest": PreTest, "CCC type test": TypeTest, "type-test": TypeTest} {
		if m, err := ParseMode(in); err != nil || m != want {
			t.Errorf("ParseMode(%q) = %v, %v", in, m, err)
		}
	}
	if _, err := ParseMode("final"); err == nil {
		t.Error("ParseMode accepted final")
	}
	if ToBeVerified.String() != "to be verified" || Invalid.Text("zh") != "已作废" || State(0).String() != "State(0)" {
		t.Error("State text")
	}
	if Under36Months.String() != "under 36 months" || AgeGroup(0).String() != "not stated" {
		t.Error("AgeGroup text")
	}
	if (Rated{12, "V"}).String() != "12 V" {
		t.Error("Rated text")
	}
}
