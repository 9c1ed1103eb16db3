package plan

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/onestop-station/onestop/drivers/rig"
)

func TestEmbeddedLoads(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"rideon-gb19865-2005": true, "rideon-gbt19865-2024": true,
		"stroller-gb14748-2006": true, "tricycle-gb14747-2006": true, "tricycle-gbt14747-2025": true}
	for _, p := range s.Plans {
		delete(want, p.ID)
		if p.File != p.ID+".toml" {
			t.Errorf("plan %s is in %s: name the file after the id", p.ID, p.File)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing plans %v", want)
	}
}

func TestForPicksEditionByDate(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	cst := time.FixedZone("CST", 8*3600)
	cases := []struct {
		product string
		date    time.Time
		want    string // "" = ErrNoPlan
	}{
		{ProductRideOnCar, time.Date(2026, 7, 31, 23, 59, 0, 0, cst), "rideon-gb19865-2005"},
		{ProductRideOnCar, time.Date(2026, 8, 1, 0, 0, 0, 0, cst), "rideon-gbt19865-2024"},
		{ProductRideOnCar, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), "rideon-gbt19865-2024"},
		{ProductRideOnCar, time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), "rideon-gb19865-2005"},
		{ProductRideOnCar, time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC), ""}, // before GB 19865-2005
		{ProductStroller, time.Date(2026, 11, 30, 0, 0, 0, 0, cst), "stroller-gb14748-2006"},
		{ProductTricycle, time.Date(2026, 10, 31, 0, 0, 0, 0, cst), "tricycle-gb14747-2006"},
		{ProductTricycle, time.Date(2026, 11, 1, 0, 0, 0, 0, cst), "tricycle-gbt14747-2025"},
		{"baby_walker", time.Date(2026, 11, 1, 0, 0, 0, 0, cst), ""},
	}
	for _, c := range cases {
		p, err := s.For(c.product, c.date)
		if c.want == "" {
			if !errors.Is(err, ErrNoPlan) {
				t.Errorf("For(%s, %s) = %v, %v; want ErrNoPlan", c.product, c.date, p, err)
			}
			continue
		}
		if err != nil || p.ID != c.want {
			t.Errorf("For(%s, %s) = %v, %v; want %s", c.product, c.date, p, err, c.want)
		}
	}
	_, err = s.For(ProductRideOnCar, time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC))
	if !strings.Contains(err.Error(), "rideon-gb19865-2005 2016-01-01..2026-07-31") {
		t.Errorf("error does not list the plans' validity: %v", err)
	}
}

// TestChannelsAreTheRigs checks every channel a plan reads against the driver's channel table
// (what the agent publishes) and against the table in docs/rig-modbus.md, with its unit.
func TestChannelsAreTheRigs(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/rig-modbus.md")
	if err != nil {
		t.Fatal(err)
	}
	docUnits := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| \\d+ \\| `([a-z_]+)` \\| ([^|]+) \\| \\d+ \\|$").FindAllStringSubmatch(string(doc), -1) {
		docUnits[m[1]] = strings.TrimSpace(m[2])
	}
	if len(docUnits) != rig.NumChannels {
		t.Fatalf("read %d channels from docs/rig-modbus.md, want %d", len(docUnits), rig.NumChannels)
	}
	drv := map[string]string{}
	for _, ch := range rig.New(nil, rig.Opts{}).Channels() {
		drv[ch.Name] = ch.Unit
	}
	for _, p := range s.Plans {
		for _, it := range p.Items {
			for _, ch := range it.Channels {
				if docUnits[ch] == "" || docUnits[ch] != drv[ch] {
					t.Errorf("%s: item %s: channel %q: doc unit %q, driver unit %q", p.File, it.ID, ch, docUnits[ch], drv[ch])
				}
			}
		}
	}
}

// TestStepsAreTheRigs checks the step names against the twin's scenario files, read as data.
func TestStepsAreTheRigs(t *testing.T) {
	files, _ := filepath.Glob("../../firmware-sim/sim/rig/scenarios/*.toml")
	if len(files) == 0 {
		t.Fatal("no rig scenarios found")
	}
	seen := map[string]bool{}
	for _, f := range files {
		var sc struct {
			Steps []struct{ Name, Kind string }
		}
		if _, err := toml.DecodeFile(f, &sc); err != nil {
			t.Fatal(err)
		}
		for _, st := range sc.Steps {
			seen[st.Name], seen[st.Kind] = true, true
		}
	}
	for _, s := range rigSteps {
		if !seen[s] {
			t.Errorf("step %q is in no rig scenario", s)
		}
	}
}

const validPlan = `id = "p"
product_type = "electric_ride_on_car"
title = { zh = "计划", en = "Plan" }
valid_from = 2020-01-01
valid_to = 2020-12-31
steps = ["drive"]
max_gap_s = 2.0

[[standards]]
code = "GB 19865"
edition = "2005"
title = { zh = "电玩具的安全", en = "Safety of electric toys" }

[[items]]
id = "motor_temp_rise"
clause = "9.3"
title = { zh = "温升", en = "Rise" }
step = "drive"
channels = ["motor_temp", "ambient_temp"]
reduction = "diff"
then = "max"
unit = "K"
limit = { value = 35.0, direction = "max" }
u = 1.5
scope = { zh = "范围", en = "scope" }
`

func writePlans(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestValidPlanLoads(t *testing.T) {
	s, err := Load(writePlans(t, map[string]string{"p.toml": validPlan}))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Plans) != 1 || len(s.Plans[0].Items) != 1 || s.Plans[0].Items[0].MaxGap != 2*time.Second {
		t.Fatalf("got %+v", s.Plans)
	}
}

func TestBrokenPlans(t *testing.T) {
	second := strings.NewReplacer(`id = "p"`, `id = "q"`, "2020-01-01", "2020-06-01", "2020-12-31", "2021-12-31").Replace(validPlan)
	cases := []struct {
		name string
		old  string // replaced in validPlan by new
		new  string
		want string
	}{
		{"parse", `max_gap_s = 2.0`, `max_gap_s = `, `plan: p.toml: parse:`},
		{"unknown top key", `max_gap_s = 2.0`, "max_gap_s = 2.0\ncolour = 1", `plan: p.toml: unknown key "colour"`},
		{"unknown item key", `u = 1.5`, "u = 1.5\nfoo = 1", `plan: p.toml: item "motor_temp_rise": unknown key "foo"`},
		{"unknown nested key", `direction = "max" }`, `direction = "max", vale = 3 }`, `plan: p.toml: item "motor_temp_rise": unknown key "limit.vale"`},
		{"unknown channel", `"motor_temp", "ambient_temp"`, `"motor_temprature", "ambient_temp"`, `plan: p.toml: item "motor_temp_rise": unknown channel "motor_temprature"`},
		{"unknown step", `step = "drive"`, `step = "brake"`, `plan: p.toml: item "motor_temp_rise": step "brake" is not one of the plan's steps`},
		{"unknown plan step", `steps = ["drive"]`, `steps = ["drive", "tilt"]`, `plan: p.toml: unknown step "tilt"`},
		{"unknown reduction", `reduction = "diff"`, `reduction = "average"`, `plan: p.toml: item "motor_temp_rise": unknown reduction "average"`},
		{"unit mismatch", `unit = "K"`, `unit = "°C"`, `plan: p.toml: item "motor_temp_rise": unit "°C" does not match the channel (want "K")`},
		{"unit mismatch max", "channels = [\"motor_temp\", \"ambient_temp\"]\nreduction = \"diff\"\nthen = \"max\"", "channels = [\"speed\"]\nreduction = \"max\"", `item "motor_temp_rise": unit "K" does not match the channel (want "km/h")`},
		{"diff one channel", `"motor_temp", "ambient_temp"`, `"motor_temp"`, `item "motor_temp_rise": reduction "diff" takes exactly 2 channel(s), have 1`},
		{"diff three channels", `"motor_temp", "ambient_temp"`, `"motor_temp", "ambient_temp", "battery_temp"`, `reduction "diff" takes exactly 2 channel(s), have 3`},
		{"diff units differ", `"motor_temp", "ambient_temp"`, `"motor_temp", "speed"`, `item "motor_temp_rise": diff of channels in different units`},
		{"diff then", `then = "max"`, `then = "mean"`, `item "motor_temp_rise": then "mean": want max, min or steady_mean`},
		{"steady settle missing", `then = "max"`, `then = "steady_mean"`, `item "motor_temp_rise": settle_s missing`},
		{"steady settle negative", `then = "max"`, "then = \"steady_mean\"\nsettle_s = -1.0", `item "motor_temp_rise": settle_s -1: negative`},
		{"time_above threshold", "channels = [\"motor_temp\", \"ambient_temp\"]\nreduction = \"diff\"\nthen = \"max\"\nunit = \"K\"", "channels = [\"motor_temp\"]\nreduction = \"time_above\"\nunit = \"s\"", `item "motor_temp_rise": threshold missing`},
		{"time_above unit", "channels = [\"motor_temp\", \"ambient_temp\"]\nreduction = \"diff\"\nthen = \"max\"\nunit = \"K\"", "channels = [\"motor_temp\"]\nreduction = \"time_above\"\nthreshold = 60.0\nunit = \"°C\"", `item "motor_temp_rise": unit "°C" does not match the channel (want "s")`},
		{"manual with channel", `reduction = "diff"`, `reduction = "manual"`, `item "motor_temp_rise": a manual item has no step or channels`},
		{"missing zh title", `title = { zh = "温升", en = "Rise" }`, `title = { en = "Rise" }`, `item "motor_temp_rise": title.zh missing`},
		{"missing en title", `title = { zh = "温升", en = "Rise" }`, `title = { zh = "温升" }`, `item "motor_temp_rise": title.en missing`},
		{"missing scope", `scope = { zh = "范围", en = "scope" }`, ``, `item "motor_temp_rise": scope needs both zh and en`},
		{"U negative", `u = 1.5`, `u = -0.1`, `item "motor_temp_rise": u -0.1: negative`},
		{"U missing", `u = 1.5`, ``, `item "motor_temp_rise": u (expanded uncertainty, k = 2) missing`},
		{"limit missing", `limit = { value = 35.0, direction = "max" }`, ``, `item "motor_temp_rise": limit missing`},
		{"limit direction", `direction = "max" }`, `direction = "below" }`, `item "motor_temp_rise": limit direction "below"`},
		{"clause missing", `clause = "9.3"`, ``, `item "motor_temp_rise": clause missing`},
		{"duplicate item", `scope = { zh = "范围", en = "scope" }`, "scope = { zh = \"范围\", en = \"scope\" }\n" + validPlan[strings.Index(validPlan, "[[items]]"):], `item "motor_temp_rise": duplicate item id`},
		{"bad item id", `id = "motor_temp_rise"`, `id = "Motor-Temp"`, `item "Motor-Temp": id "Motor-Temp": want lowercase snake_case`},
		{"product type", `product_type = "electric_ride_on_car"`, `product_type = "ride_on"`, `plan: p.toml: unknown product_type "ride_on"`},
		{"valid_to before from", `valid_to = 2020-12-31`, `valid_to = 2019-12-31`, `plan: p.toml: valid_to 2019-12-31 is before valid_from 2020-01-01`},
		{"valid_from missing", "valid_from = 2020-01-01\n", "", `plan: p.toml: valid_from missing`},
		{"valid_from datetime", `valid_from = 2020-01-01`, `valid_from = 2020-01-01T08:00:00Z`, `plan: p.toml: valid_from 2020-01-01T08:00:00Z: want a date without time`},
		{"no standards", "[[standards]]\ncode = \"GB 19865\"\nedition = \"2005\"\ntitle = { zh = \"电玩具的安全\", en = \"Safety of electric toys\" }", "", `plan: p.toml: no [[standards]]`},
		{"standard edition", `edition = "2005"`, `edition = ""`, `plan: p.toml: standard #1: needs code, edition and title`},
		{"max gap", `max_gap_s = 2.0`, `max_gap_s = 0.0`, `plan: p.toml: max_gap_s 0: want > 0`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(validPlan, c.old) {
				t.Fatalf("test broken: %q not in validPlan", c.old)
			}
			body := strings.Replace(validPlan, c.old, c.new, 1)
			_, err := Load(writePlans(t, map[string]string{"p.toml": body}))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant %q", err, c.want)
			}
		})
	}
	t.Run("overlap", func(t *testing.T) {
		_, err := Load(writePlans(t, map[string]string{"p.toml": validPlan, "q.toml": second}))
		want := `plan: q.toml: validity of "q" overlaps "p" in p.toml for product type "electric_ride_on_car"`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v\nwant %q", err, want)
		}
	})
	t.Run("duplicate plan id", func(t *testing.T) {
		other := strings.Replace(validPlan, `product_type = "electric_ride_on_car"`, `product_type = "stroller"`, 1)
		_, err := Load(writePlans(t, map[string]string{"p.toml": validPlan, "r.toml": other}))
		want := `plan: r.toml: duplicate plan id "p" (also in p.toml)`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v\nwant %q", err, want)
		}
	})
	t.Run("all problems joined", func(t *testing.T) {
		body := strings.NewReplacer(`"motor_temp", "ambient_temp"`, `"motor_temprature", "ambient_temp"`, `u = 1.5`, `u = -1.0`).Replace(validPlan)
		_, err := Load(writePlans(t, map[string]string{"p.toml": body}))
		if err == nil || !strings.Contains(err.Error(), "unknown channel") || !strings.Contains(err.Error(), "negative") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("empty dir", func(t *testing.T) {
		if _, err := Load(t.TempDir()); err == nil {
			t.Fatal("no error for an empty directory")
		}
	})
}

// TestReadmeDocumentsEveryKey keeps data/README.md in step with the file format.
func TestReadmeDocumentsEveryKey(t *testing.T) {
	readme, err := os.ReadFile("data/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []reflect.Type{reflect.TypeOf(file{}), reflect.TypeOf(fileItem{}), reflect.TypeOf(fileLimit{}), reflect.TypeOf(Standard{})} {
		for i := 0; i < typ.NumField(); i++ {
			key := typ.Field(i).Tag.Get("toml")
			if key != "" && !strings.Contains(string(readme), "`"+key+"`") && !strings.Contains(string(readme), key+" = ") && !strings.Contains(string(readme), "`[["+key+"]]`") {
				t.Errorf("data/README.md does not document key %q of %s", key, typ.Name())
			}
		}
	}
}
