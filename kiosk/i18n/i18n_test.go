package i18n

import (
	"regexp"
	"testing"
)

var verb = regexp.MustCompile(`%[dsv]`)

func TestEveryKeyHasThreeLanguagesWithTheSameVerbs(t *testing.T) {
	for _, k := range Keys() {
		m := messages[k]
		for i, s := range m {
			if s == "" {
				t.Errorf("%s: %s missing", k, Langs[i])
			}
		}
		want := verb.FindAllString(m[0], -1)
		for i := 1; i < 3; i++ {
			got := verb.FindAllString(m[i], -1)
			if len(got) != len(want) {
				t.Errorf("%s: %s has verbs %v, zh-Hans has %v", k, Langs[i], got, want)
				continue
			}
			for j := range got {
				if got[j] != want[j] {
					t.Errorf("%s: %s verb %d is %s, zh-Hans %s", k, Langs[i], j, got[j], want[j])
				}
			}
		}
	}
}

func TestT(t *testing.T) {
	if got := T(En, "ticket.number", "A017"); got != "Your number: A017" {
		t.Errorf("T = %q", got)
	}
	if got := T(Hant, "attract.headline"); got != "高效辦成一件事" {
		t.Errorf("T = %q", got)
	}
	if got := T(Lang("fr"), "attract.headline"); got != "高效办成一件事" {
		t.Errorf("unknown language: %q, want the Simplified text", got)
	}
	if got := T(Hans, "no.such.key"); got != "⟦no.such.key⟧" {
		t.Errorf("missing key: %q", got)
	}
	if Parse("en") != En || Parse("xx") != Hans || Level(Hans, 5) != "非常满意" {
		t.Error("Parse/Level")
	}
}
