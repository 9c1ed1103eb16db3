package catalogue

import "testing"

func TestParsePrefill(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Prefill
		ok   bool
	}{
		{"card:name", Prefill{Source: SourceCard, Field: "name"}, true},
		{"card:id_number", Prefill{Source: SourceCard, Field: "id_number"}, true},
		{"card:address", Prefill{Source: SourceCard, Field: "address"}, true},
		{"licence:birth_medical_cert:child_name", Prefill{SourceLicence, "birth_medical_cert", "child_name"}, true},
		{"card:phone", Prefill{}, false},
		{"card:name:x", Prefill{}, false},
		{"licence:birth_medical_cert", Prefill{}, false},
		{"licence:Birth:child_name", Prefill{}, false},
		{"licence:birth_medical_cert:child-name", Prefill{}, false},
		{"licence::child_name", Prefill{}, false},
		{"licence:x_:y", Prefill{}, false},
		{"form:name", Prefill{}, false},
		{"", Prefill{}, false},
	} {
		got, err := ParsePrefill(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParsePrefill(%q) = %+v, %v; want %+v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != tc.in {
			t.Errorf("ParsePrefill(%q).String() = %q", tc.in, got.String())
		}
	}
}
