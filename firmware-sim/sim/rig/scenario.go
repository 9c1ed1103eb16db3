package rig

import (
	"bytes"
	"embed"
	"fmt"
	"math"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

//go:embed scenarios/*.toml
var scenarioFS embed.FS

// DefaultScenario is the scenario a twin runs when none is named.
const DefaultScenario = "nominal"

// Parts heated during a step, keys of rise_k, tau_s and cool_tau_s.
const (
	PartMotor      = "motor"
	PartBattery    = "battery"
	PartHandheld   = "handheld"
	PartAccessible = "accessible"
)

var partNames = [numParts]string{PartMotor, PartBattery, PartHandheld, PartAccessible}

const numParts = 4

// Step kinds. Only "brake" changes behaviour (its peak force is judged at
// its end); the others document what the targets mean.
const (
	KindDrive     = "drive"
	KindBrake     = "brake"
	KindStability = "stability"
)

// Scenario is the car on the rig and the rig's test programme.
// The keys are explained in scenarios/README.md.
type Scenario struct {
	Name               string             `toml:"name" json:"name"`
	Description        string             `toml:"description" json:"description"`
	Seed               uint64             `toml:"seed" json:"seed"`
	Noise              float64            `toml:"noise" json:"noise"`
	SupplyVoltage      float64            `toml:"supply_voltage" json:"supply_voltage"`
	InternalResistance float64            `toml:"internal_resistance" json:"internal_resistance"`
	IdleCurrent        float64            `toml:"idle_current" json:"idle_current"`
	Ambient            float64            `toml:"ambient" json:"ambient"`
	ToyMass            float64            `toml:"toy_mass" json:"toy_mass"`
	AgeGroup           int                `toml:"age_group" json:"age_group"`
	CoolTau            map[string]float64 `toml:"cool_tau_s" json:"cool_tau_s"`
	Limits             Limits             `toml:"limits" json:"limits"`
	Steps              []Step             `toml:"steps" json:"steps"`
}

// Limits are the rig's alarm thresholds.
type Limits struct {
	MotorTemp      float64 `toml:"motor_temp" json:"motor_temp"`
	BatteryTemp    float64 `toml:"battery_temp" json:"battery_temp"`
	HandheldRise   float64 `toml:"handheld_rise" json:"handheld_rise"`
	AccessibleRise float64 `toml:"accessible_rise" json:"accessible_rise"`
	SupplyVoltage  float64 `toml:"supply_voltage" json:"supply_voltage"`
	MotorCurrent   float64 `toml:"motor_current" json:"motor_current"`
}

// Step is one step of the programme; step numbers on the wire start at 1.
type Step struct {
	Name       string             `toml:"name" json:"name"`
	Kind       string             `toml:"kind" json:"kind"`
	Duration   float64            `toml:"duration_s" json:"duration_s"`
	Current    float64            `toml:"current_a" json:"current_a"`
	CurrentTau float64            `toml:"current_tau_s" json:"current_tau_s"`
	Speed      float64            `toml:"speed_kmh" json:"speed_kmh"`
	Accel      float64            `toml:"accel_kmh_s" json:"accel_kmh_s"`
	BrakeForce float64            `toml:"brake_n" json:"brake_n"`
	BrakeTau   float64            `toml:"brake_tau_s" json:"brake_tau_s"`
	Tilt       float64            `toml:"tilt_deg" json:"tilt_deg"`
	TiltRate   float64            `toml:"tilt_rate_deg_s" json:"tilt_rate_deg_s"`
	Rise       map[string]float64 `toml:"rise_k" json:"rise_k"`
	Tau        map[string]float64 `toml:"tau_s" json:"tau_s"`
}

// Defaults for keys a scenario leaves out.
const (
	defCurrentTau = 0.5  // s
	defAccel      = 2.0  // km/h per s
	defBrakeTau   = 0.5  // s
	defTiltRate   = 2.0  // ° per s
	defTau        = 10.0 // s, heating and cooling
)

// ScenarioNames lists the embedded scenarios.
func ScenarioNames() []string {
	entries, _ := scenarioFS.ReadDir("scenarios")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(names)
	return names
}

// LoadScenario returns an embedded scenario by name, or reads a file when
// name ends in ".toml".
func LoadScenario(name string) (*Scenario, error) {
	if name == "" {
		name = DefaultScenario
	}
	var data []byte
	var err error
	if strings.HasSuffix(name, ".toml") {
		data, err = os.ReadFile(name)
	} else {
		data, err = scenarioFS.ReadFile(path.Join("scenarios", name+".toml"))
		if err != nil {
			err = fmt.Errorf("unknown scenario (have %s)", strings.Join(ScenarioNames(), ", "))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("rig scenario %q: %w", name, err)
	}
	sc, err := ParseScenario(data)
	if err != nil {
		return nil, fmt.Errorf("rig scenario %q: %w", name, err)
	}
	return sc, nil
}

// ParseScenario decodes and checks a scenario in TOML. Unknown keys are an
// error, so a typo does not silently fall back to a default.
func ParseScenario(data []byte) (*Scenario, error) {
	var sc Scenario
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&sc)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		return nil, fmt.Errorf("unknown key %q", undec[0].String())
	}
	if err := sc.check(); err != nil {
		return nil, err
	}
	return &sc, nil
}

func (sc *Scenario) check() error {
	if sc.Name == "" {
		return fmt.Errorf("no name")
	}
	if len(sc.Steps) == 0 || len(sc.Steps) > 100 {
		return fmt.Errorf("%d steps, want 1..100", len(sc.Steps))
	}
	if sc.AgeGroup != 0 && sc.AgeGroup != 1 {
		return fmt.Errorf("age_group %d, want 0 or 1", sc.AgeGroup)
	}
	if err := checkParts("cool_tau_s", sc.CoolTau); err != nil {
		return err
	}
	for i, st := range sc.Steps {
		if err := st.check(); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, st.Name, err)
		}
	}
	return nil
}

func (st Step) check() error {
	switch st.Kind {
	case KindDrive, KindBrake, KindStability:
	default:
		return fmt.Errorf("kind %q, want drive, brake or stability", st.Kind)
	}
	if !(st.Duration > 0) || st.Duration > 65535 {
		return fmt.Errorf("duration_s %v, want 0 < d <= 65535", st.Duration)
	}
	for _, v := range []float64{st.CurrentTau, st.Accel, st.BrakeTau, st.TiltRate} {
		if v < 0 || math.IsNaN(v) {
			return fmt.Errorf("negative or NaN rate or time constant")
		}
	}
	if err := checkParts("rise_k", st.Rise); err != nil {
		return err
	}
	return checkParts("tau_s", st.Tau)
}

func checkParts(key string, m map[string]float64) error {
	for k, v := range m {
		if !isPart(k) {
			return fmt.Errorf("%s: unknown part %q, want motor, battery, handheld or accessible", key, k)
		}
		if math.IsNaN(v) || (strings.Contains(key, "tau") && v <= 0) {
			return fmt.Errorf("%s.%s = %v", key, k, v)
		}
	}
	return nil
}

func isPart(k string) bool {
	for _, p := range partNames {
		if p == k {
			return true
		}
	}
	return false
}

// TotalDuration is the sum of the step durations in seconds.
func (sc *Scenario) TotalDuration() float64 {
	var d float64
	for _, st := range sc.Steps {
		d += st.Duration
	}
	return d
}

// orDefault returns v, or def when the scenario left it out (zero).
func orDefault(v, def float64) float64 {
	if v > 0 {
		return v
	}
	return def
}
