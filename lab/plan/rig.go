package plan

import "github.com/onestop-station/onestop/drivers/rig"

// Rig steps a plan can run, as the rig's test programme names them (docs/rig-modbus.md: the rig
// drives, brakes or tilts the car; firmware-sim/sim/rig/scenarios: steps "drive", "brake",
// "stability"). On the wire a step is a number; the runner maps these names onto the rig's
// programme.
const (
	StepDrive     = "drive"
	StepBrake     = "brake"
	StepStability = "stability"
)

var rigSteps = []string{StepDrive, StepBrake, StepStability}

// rigChannels maps each rig channel name to its unit, from the driver's own table: the names the
// agent publishes and the lab stores.
func rigChannels() map[string]string {
	m := map[string]string{}
	for _, ch := range rig.New(nil, rig.Opts{}).Channels() {
		m[ch.Name] = ch.Unit
	}
	return m
}

// itemUnits are the units an item may carry besides the channels' own: K for a difference of
// temperatures, s for time above a threshold, and the units of hand-entered results.
var itemUnits = []string{"V", "A", "W", "km/h", "N", "°", "°C", "K", "s", "mm", "kg", "count"}
