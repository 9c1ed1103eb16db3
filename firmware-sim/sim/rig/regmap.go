package rig

// The twin's own copy of the register map in docs/rig-modbus.md. It does not
// import drivers/rig on purpose: like real firmware it is an independent
// implementation, so the driver's tests against the twin catch a mistake in
// either one.

const mapVersion = 1

// Input registers: snapshot block.
const (
	irStatus        = 0
	irAlarms        = 1
	irStep          = 2
	irStepState     = 3
	irStepElapsed   = 4
	irChannelFaults = 5
	irChannel0      = 6
	snapshotQty     = irChannel0 + numChannels // 17
)

// Input registers: identity and programme block.
const (
	irModel       = 0x0100 // 8 registers
	irSerial      = 0x0108 // 8 registers
	irFirmware    = 0x0110 // 4 registers
	irCalYear     = 0x0114
	irCalMonth    = 0x0115
	irCalDay      = 0x0116
	irMapVersion  = 0x0117
	irStepCount   = 0x0118
	identityFirst = irModel
	identityQty   = irStepCount - irModel + 1
)

// Holding registers: control block.
const (
	hrStep      = 0x0200
	hrCommand   = 0x0201
	hrToyMass   = 0x0202 // 0.1 kg
	hrAgeGroup  = 0x0203
	controlQty  = 4
	maxToyMass  = 2000
	cmdStart    = 1
	cmdStop     = 2
	invalidWord = 0x8000 // raw -32768: no valid value
	rawClipHigh = 32767
	rawClipLow  = -32767
)

// STATUS bits.
const (
	stReady       = 1 << 0
	stRunning     = 1 << 1
	stStepDone    = 1 << 2
	stAlarm       = 1 << 3
	stCalOverdue  = 1 << 4
	stSensorFault = 1 << 5
)

// ALARMS bits.
const (
	alOverTempMotor      = 1 << 0
	alOverTempBattery    = 1 << 1
	alOverTempHandheld   = 1 << 2
	alOverTempAccessible = 1 << 3
	alOverVoltage        = 1 << 4
	alOverCurrent        = 1 << 5
	alBrakeFault         = 1 << 6
	alEStop              = 1 << 7
)

// Step states.
const (
	stepIdle = iota
	stepRunning
	stepDone
	stepAborted
)

var stepStateNames = [...]string{"idle", "running", "done", "aborted"}

// Channels in register order, with scale (raw = value / scale) and the
// standard deviation of the noise added at noise = 1.
type channelDef struct {
	name  string
	scale float64
	sigma float64
	floor bool // cannot be negative: clamp noise at 0
}

const numChannels = 11

var channels = [numChannels]channelDef{
	{"supply_voltage", 0.01, 0.01, true},
	{"motor_current", 0.01, 0.02, true},
	{"input_power", 0.1, 0.2, true},
	{"speed", 0.01, 0.02, true},
	{"brake_force", 0.1, 0.3, true},
	{"tilt_angle", 0.01, 0.02, false},
	{"motor_temp", 0.1, 0.05, false},
	{"battery_temp", 0.1, 0.05, false},
	{"handheld_temp", 0.1, 0.05, false},
	{"accessible_temp", 0.1, 0.05, false},
	{"ambient_temp", 0.1, 0.05, false},
}

// channelIndex returns the register offset of a channel name, or -1.
func channelIndex(name string) int {
	for i, c := range channels {
		if c.name == name {
			return i
		}
	}
	return -1
}
