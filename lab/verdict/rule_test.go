package verdict

import (
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	cases := map[string]Rule{
		"simple": Simple, "Simple": Simple, " simple ": Simple, "simple-acceptance": Simple,
		"guard_band_U": GuardBand, "guard-band": GuardBand, "GuardBand": GuardBand,
		"non_binary_guard_band": ILACG8, "ILAC-G8": ILACG8, "non-binary": ILACG8,
	}
	for in, want := range cases {
		got, err := ParseRule(in)
		if err != nil || got != want {
			t.Errorf("ParseRule(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "strict", "guard", "Rule(1)"} {
		if r, err := ParseRule(bad); err == nil {
			t.Errorf("ParseRule(%q) = %v, want error", bad, r)
		}
	}
}

func TestRuleRoundTrip(t *testing.T) {
	for _, r := range []Rule{Simple, GuardBand, ILACG8} {
		b, err := r.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Rule
		if err := back.UnmarshalText(b); err != nil || back != r {
			t.Errorf("%s: round trip gave %v, %v", r, back, err)
		}
	}
	if _, err := Rule(0).MarshalText(); err == nil {
		t.Error("zero rule marshalled")
	}
	if s := Rule(7).String(); s != "Rule(7)" {
		t.Errorf("Rule(7).String() = %q", s)
	}
}

func TestStatement(t *testing.T) {
	clauses := map[Rule]string{Simple: "4.2.1", GuardBand: "4.2.2", ILACG8: "4.2.3"}
	for r, clause := range clauses {
		en, zh := r.Statement("en"), r.Statement("zh")
		for lang, s := range map[string]string{"en": en, "zh": zh} {
			if !strings.Contains(s, "ILAC-G8:09/2019") || !strings.Contains(s, clause) {
				t.Errorf("%s %s statement lacks ILAC-G8 §%s: %q", r, lang, clause, s)
			}
		}
		if !strings.Contains(zh, "判定规则") || strings.Contains(en, "判定") {
			t.Errorf("%s: languages mixed up", r)
		}
		if r != Simple && (!strings.Contains(en, "w = U") || !strings.Contains(zh, "w = U")) {
			t.Errorf("%s statement does not name w = U", r)
		}
	}
	if ILACG8.Statement("fr") != ILACG8.Statement("en") {
		t.Error("unknown language should give English")
	}
	if Rule(0).Statement("en") != "" {
		t.Error("invalid rule has a statement")
	}
}

func TestOutcomeText(t *testing.T) {
	want := map[Outcome][2]string{
		Pass: {"pass", "合格"}, ConditionalPass: {"conditional pass", "有条件合格"},
		ConditionalFail: {"conditional fail", "有条件不合格"}, Fail: {"fail", "不合格"},
	}
	for o, w := range want {
		if o.Text("en") != w[0] || o.Text("zh") != w[1] || o.String() != w[0] {
			t.Errorf("%d: got %q/%q/%q", o, o.Text("en"), o.Text("zh"), o.String())
		}
	}
	if Outcome(0).String() != "Outcome(0)" {
		t.Errorf("zero outcome: %q", Outcome(0).String())
	}
	if !ConditionalPass.Conforms() || ConditionalFail.Conforms() {
		t.Error("Conforms")
	}
}

func TestLimitString(t *testing.T) {
	if s := (Limit{24, Max}).String(); s != "≤ 24" {
		t.Errorf("got %q", s)
	}
	if s := (Limit{119, Min}).String(); s != "≥ 119" {
		t.Errorf("got %q", s)
	}
	if Max.String() != "max" || Min.String() != "min" || LimitKind(0).String() != "LimitKind(0)" {
		t.Error("LimitKind.String")
	}
}
