package rig

import (
	"strings"
	"testing"
)

func TestEmbeddedScenarios(t *testing.T) {
	want := []string{"brake-failure", "nominal", "overtemp-handheld", "overvoltage"}
	if got := ScenarioNames(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("scenarios %v, want %v", got, want)
	}
	for _, name := range want {
		sc := mustScenario(t, name)
		if sc.Name != name {
			t.Errorf("%s.toml says name %q", name, sc.Name)
		}
		if d := sc.TotalDuration(); d >= 60 {
			t.Errorf("%s lasts %v s, want under a minute for lab demo", name, d)
		}
	}
}

func TestParseScenarioRejects(t *testing.T) {
	good := "name = \"x\"\n[[steps]]\nname = \"s\"\nkind = \"drive\"\nduration_s = 1\n"
	if _, err := ParseScenario([]byte(good)); err != nil {
		t.Fatalf("minimal scenario: %v", err)
	}
	for _, bad := range []string{
		good + "colour = \"red\"\n",
		"name = \"x\"\n",
		strings.Replace(good, "drive", "fly", 1),
		strings.Replace(good, "duration_s = 1", "duration_s = 0", 1),
		good + "rise_k = { nose = 3 }\n",
		good + "tau_s = { motor = 0 }\n",
		"not toml",
	} {
		if _, err := ParseScenario([]byte(bad)); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
	if _, err := LoadScenario("nope"); err == nil || !strings.Contains(err.Error(), "nominal") {
		t.Errorf("unknown name: %v, want an error listing the scenarios", err)
	}
}
