package rig

// Register map, version 1. docs/rig-modbus.md is the human-readable copy of
// this file; keep the two in step.

// MapVersion is the register map version this driver decodes.
const MapVersion = 1

// DefaultUnit is the rig's factory unit id.
const DefaultUnit = 1

// Input registers (FC04): the snapshot block, read with one request.
const (
	RegStatus        = 0 // STATUS bits
	RegAlarms        = 1 // ALARMS bits
	RegStep          = 2 // step selected/running/last run
	RegStepState     = 3 // StepState
	RegStepElapsed   = 4 // seconds since START
	RegChannelFaults = 5 // bit n = channel n sensor fault
	RegChannel0      = 6 // first channel register; channel n is at RegChannel0+n

	SnapshotAddr = RegStatus
	SnapshotQty  = RegChannel0 + NumChannels // 17
)

// Input registers (FC04): identity and programme block.
const (
	RegModel      = 0x0100 // 8 registers, 16 ASCII chars
	RegSerial     = 0x0108 // 8 registers
	RegFirmware   = 0x0110 // 4 registers, 8 ASCII chars
	RegCalYear    = 0x0114
	RegCalMonth   = 0x0115
	RegCalDay     = 0x0116
	RegMapVersion = 0x0117
	RegStepCount  = 0x0118
	IdentityAddr  = RegModel
	IdentityQty   = RegStepCount - RegModel + 1 // 25
	modelRegs     = 8
	serialRegs    = 8
	firmwareRegs  = 4
)

// Holding registers (FC03/FC06/FC16): test control.
const (
	RegCtlStep     = 0x0200 // step to run at the next START
	RegCtlCommand  = 0x0201 // CmdStart / CmdStop
	RegCtlToyMass  = 0x0202 // 0.1 kg
	RegCtlAgeGroup = 0x0203 // 0: < 36 months, 1: >= 36 months
	ControlAddr    = RegCtlStep
	ControlQty     = RegCtlAgeGroup - RegCtlStep + 1
	MaxToyMassRaw  = 2000 // 200.0 kg
)

// Values of the COMMAND register.
const (
	CmdStart = 1
	CmdStop  = 2
)

// Special raw channel values.
const (
	RawInvalid  = -32768 // 0x8000: no valid value (sensor open/short, not fitted)
	RawClipHigh = 32767  // 0x7FFF: clipped at positive full scale
	RawClipLow  = -32767 // 0x8001: clipped at negative full scale
)

// NumChannels is the number of measuring channels in the snapshot.
const NumChannels = 11

// Channel indexes, in register order.
const (
	ChSupplyVoltage = iota
	ChMotorCurrent
	ChInputPower
	ChSpeed
	ChBrakeForce
	ChTiltAngle
	ChMotorTemp
	ChBatteryTemp
	ChHandheldTemp
	ChAccessibleTemp
	ChAmbientTemp
)

// channelTable lists every channel with its scale (value = raw × Scale).
var channelTable = [NumChannels]Channel{
	{Name: "supply_voltage", Unit: "V", Scale: 0.01, Description: "toy supply voltage at the battery terminals"},
	{Name: "motor_current", Unit: "A", Scale: 0.01, Description: "motor supply current"},
	{Name: "input_power", Unit: "W", Scale: 0.1, Description: "input power, supply voltage × current"},
	{Name: "speed", Unit: "km/h", Scale: 0.01, Description: "roller / drum speed"},
	{Name: "brake_force", Unit: "N", Scale: 0.1, Description: "pull force during a brake step"},
	{Name: "tilt_angle", Unit: "°", Scale: 0.01, Description: "platform incline during a stability step"},
	{Name: "motor_temp", Unit: "°C", Scale: 0.1, Description: "motor housing temperature"},
	{Name: "battery_temp", Unit: "°C", Scale: 0.1, Description: "battery surface temperature"},
	{Name: "handheld_temp", Unit: "°C", Scale: 0.1, Description: "temperature of a part touched by hand (steering wheel, grip)"},
	{Name: "accessible_temp", Unit: "°C", Scale: 0.1, Description: "temperature of another accessible part (seat, body)"},
	{Name: "ambient_temp", Unit: "°C", Scale: 0.1, Description: "ambient temperature, reference for temperature rise"},
}
