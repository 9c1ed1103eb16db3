package rig

import (
	"fmt"
	"strings"
	"time"
)

// Status is the STATUS register: what the rig is doing.
type Status uint16

// STATUS bits.
const (
	StatusReady       Status = 1 << 0 // self-test passed, START accepted
	StatusRunning     Status = 1 << 1 // a step is running
	StatusStepDone    Status = 1 << 2 // the last step ran to its end
	StatusAlarm       Status = 1 << 3 // any Alarm bit is set
	StatusCalOverdue  Status = 1 << 4 // calibration due date has passed
	StatusSensorFault Status = 1 << 5 // a channel sensor is open/short
)

var statusNames = []string{"ready", "running", "step-done", "alarm", "cal-overdue", "sensor-fault"}

// Has reports whether all bits of b are set.
func (s Status) Has(b Status) bool { return s&b == b }

func (s Status) String() string { return bitString(uint16(s), statusNames) }

// Alarm is the ALARMS register: the rig's own protection flags.
type Alarm uint16

// ALARMS bits.
const (
	AlarmOverTempMotor      Alarm = 1 << 0
	AlarmOverTempBattery    Alarm = 1 << 1
	AlarmOverTempHandheld   Alarm = 1 << 2 // hand-held part rise > 35 K
	AlarmOverTempAccessible Alarm = 1 << 3 // accessible part rise > 55 K
	AlarmOverVoltage        Alarm = 1 << 4 // supply > 24 V
	AlarmOverCurrent        Alarm = 1 << 5
	AlarmBrakeFault         Alarm = 1 << 6 // latched until the next brake step: force below (M+25)·1.7 N
	AlarmEStop              Alarm = 1 << 7
)

var alarmNames = []string{
	"overtemp-motor", "overtemp-battery", "overtemp-handheld", "overtemp-accessible",
	"overvoltage", "overcurrent", "brake-fault", "estop",
}

// Has reports whether all bits of b are set.
func (a Alarm) Has(b Alarm) bool { return a&b == b }

func (a Alarm) String() string { return bitString(uint16(a), alarmNames) }

// bitString names the set bits joined by "|"; unnamed bits print as bitN,
// so a newer firmware's flags stay visible instead of vanishing.
func bitString(v uint16, names []string) string {
	if v == 0 {
		return "none"
	}
	var parts []string
	for i := 0; i < 16; i++ {
		if v&(1<<i) == 0 {
			continue
		}
		if i < len(names) {
			parts = append(parts, names[i])
		} else {
			parts = append(parts, fmt.Sprintf("bit%d", i))
		}
	}
	return strings.Join(parts, "|")
}

// StepState is the STEP_STATE register.
type StepState uint16

// Step states.
const (
	StepIdle StepState = iota
	StepRunning
	StepDone
	StepAborted
)

var stepStateNames = []string{"idle", "running", "done", "aborted"}

func (s StepState) String() string {
	if int(s) < len(stepStateNames) {
		return stepStateNames[s]
	}
	return fmt.Sprintf("StepState(%d)", uint16(s))
}

// AgeGroup selects the brake requirement: EN 71-1 adds 25 kg for toys for
// children under 36 months and 50 kg for older children.
type AgeGroup uint16

// Age groups, as written to the AGE_GROUP register.
const (
	Under36Months AgeGroup = 0
	From36Months  AgeGroup = 1
)

func (g AgeGroup) String() string {
	switch g {
	case Under36Months:
		return "under-36-months"
	case From36Months:
		return "36-months-and-over"
	}
	return fmt.Sprintf("AgeGroup(%d)", uint16(g))
}

// RequiredBrakeForce is the minimum motor-brake force in newtons for a toy
// of massKg: (M + 25)·1.7 N, or (M + 50)·1.7 N from 36 months.
func RequiredBrakeForce(massKg float64, g AgeGroup) float64 {
	if g == From36Months {
		return (massKg + 50) * 1.7
	}
	return (massKg + 25) * 1.7
}

// Reading qualities, as carried on the wire to the lab.
const (
	QualityGood      = "good"
	QualityBad       = "bad"       // sensor fault or invalid sentinel; Value is 0
	QualityUncertain = "uncertain" // clipped at full scale, or calibration overdue
)

// Reading is one channel's value in engineering units.
type Reading struct {
	Channel string
	Value   float64
	Unit    string
	Quality string
}

// Channel describes one measuring channel of the rig.
type Channel struct {
	Name        string
	Unit        string
	Scale       float64 // engineering value = raw int16 × Scale
	Description string
}

// Identity is what the rig says about itself.
type Identity struct {
	Model          string
	Serial         string
	Firmware       string
	CalibrationDue time.Time // UTC midnight; zero when the rig has no date set
	MapVersion     int
	Steps          int // steps in the loaded test programme (valid step numbers 1..Steps)
}

// Snapshot is one FC04 read of status and all channels.
type Snapshot struct {
	Time      time.Time // when the reply arrived, UTC
	Status    Status
	Alarms    Alarm
	Step      int
	StepState StepState
	Elapsed   time.Duration // since START of the current/last step, whole seconds
	Readings  []Reading     // in Channels() order
}

// Reading returns the reading of the named channel.
func (s Snapshot) Reading(channel string) (Reading, bool) {
	for _, r := range s.Readings {
		if r.Channel == channel {
			return r, true
		}
	}
	return Reading{}, false
}
