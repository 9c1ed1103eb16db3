package rig

import (
	"errors"
	"math"
	"testing"
	"time"
)

// fixedSnapshot is a snapshot as a rig would send it mid-way through a
// drive step: 12.62 V, 6.48 A, 81.8 W, 5.50 km/h, no brake, no tilt,
// 58.3 / 29.1 / 51.2 / 40.0 / 23.0 °C.
func fixedSnapshot() []uint16 {
	r := make([]uint16, SnapshotQty)
	r[RegStatus] = uint16(StatusReady | StatusRunning | StatusAlarm)
	r[RegAlarms] = uint16(AlarmOverTempHandheld)
	r[RegStep] = 1
	r[RegStepState] = uint16(StepRunning)
	r[RegStepElapsed] = 12
	raw := []int16{1262, 648, 818, 550, 0, 0, 583, 291, 512, 400, 230}
	for i, v := range raw {
		r[RegChannel0+i] = uint16(v)
	}
	return r
}

func TestDecodeSnapshot(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s, err := DecodeSnapshot(fixedSnapshot(), at)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status.String() != "ready|running|alarm" || s.Alarms.String() != "overtemp-handheld" {
		t.Errorf("status %v alarms %v", s.Status, s.Alarms)
	}
	if s.Step != 1 || s.StepState != StepRunning || s.Elapsed != 12*time.Second || !s.Time.Equal(at) {
		t.Errorf("step %d %v elapsed %v time %v", s.Step, s.StepState, s.Elapsed, s.Time)
	}
	want := []struct {
		ch   string
		v    float64
		unit string
	}{
		{"supply_voltage", 12.62, "V"}, {"motor_current", 6.48, "A"}, {"input_power", 81.8, "W"},
		{"speed", 5.5, "km/h"}, {"brake_force", 0, "N"}, {"tilt_angle", 0, "°"},
		{"motor_temp", 58.3, "°C"}, {"battery_temp", 29.1, "°C"}, {"handheld_temp", 51.2, "°C"},
		{"accessible_temp", 40, "°C"}, {"ambient_temp", 23, "°C"},
	}
	for i, w := range want {
		r := s.Readings[i]
		if r.Channel != w.ch || math.Abs(r.Value-w.v) > 1e-9 || r.Unit != w.unit || r.Quality != QualityGood {
			t.Errorf("reading %d = %+v, want %s %v %s good", i, r, w.ch, w.v, w.unit)
		}
	}
	if r, ok := s.Reading("handheld_temp"); !ok || r.Value != 51.2 {
		t.Errorf("Reading(handheld_temp) = %+v %v", r, ok)
	}
}

func TestDecodeQuality(t *testing.T) {
	regs := fixedSnapshot()
	regs[RegChannel0+ChHandheldTemp] = 0x8000   // sentinel
	regs[RegChannelFaults] = 1 << ChBatteryTemp // fault bit on a plausible value
	regs[RegChannel0+ChMotorTemp] = 0x7FFF      // clipped high
	regs[RegChannel0+ChTiltAngle] = 0x8001      // clipped low
	regs[RegChannel0+ChAmbientTemp] = 0xFF06    // -250: -25.0 °C, fine
	s, err := DecodeSnapshot(regs, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(ch int, q string, v float64) {
		t.Helper()
		if r := s.Readings[ch]; r.Quality != q || math.Abs(r.Value-v) > 1e-9 {
			t.Errorf("%s = %v %s, want %v %s", r.Channel, r.Value, r.Quality, v, q)
		}
	}
	check(ChHandheldTemp, QualityBad, 0)
	check(ChBatteryTemp, QualityBad, 0)
	check(ChMotorTemp, QualityUncertain, 3276.7)
	check(ChTiltAngle, QualityUncertain, -327.67)
	check(ChAmbientTemp, QualityGood, -25)

	regs = fixedSnapshot()
	regs[RegStatus] |= uint16(StatusCalOverdue)
	s, _ = DecodeSnapshot(regs, time.Time{})
	for _, r := range s.Readings {
		if r.Quality != QualityUncertain {
			t.Errorf("%s %s with calibration overdue, want uncertain", r.Channel, r.Quality)
		}
	}
}

func TestDecodeSnapshotErrors(t *testing.T) {
	if _, err := DecodeSnapshot(fixedSnapshot()[:16], time.Time{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("short: %v", err)
	}
	regs := fixedSnapshot()
	regs[RegStepState] = 9
	if _, err := DecodeSnapshot(regs, time.Time{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad step state: %v", err)
	}
}

func TestDecodeIdentity(t *testing.T) {
	regs := make([]uint16, IdentityQty)
	copy(regs[RegModel-IdentityAddr:], encodeASCII("RT-EC2000", 8))
	copy(regs[RegSerial-IdentityAddr:], encodeASCII("  SN0042\x01", 8))
	copy(regs[RegFirmware-IdentityAddr:], encodeASCII("1.4.2", 4))
	regs[RegCalYear-IdentityAddr], regs[RegCalMonth-IdentityAddr], regs[RegCalDay-IdentityAddr] = 2026, 9, 30
	regs[RegMapVersion-IdentityAddr], regs[RegStepCount-IdentityAddr] = 1, 3
	id, err := DecodeIdentity(regs)
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
	if id.Model != "RT-EC2000" || id.Serial != "SN0042?" || id.Firmware != "1.4.2" || !id.CalibrationDue.Equal(due) || id.Steps != 3 {
		t.Errorf("identity %+v", id)
	}
	regs[RegCalMonth-IdentityAddr], regs[RegCalDay-IdentityAddr] = 2, 30
	if _, err := DecodeIdentity(regs); !errors.Is(err, ErrMalformed) {
		t.Errorf("30 February: %v", err)
	}
	regs[RegCalYear-IdentityAddr], regs[RegCalMonth-IdentityAddr], regs[RegCalDay-IdentityAddr] = 0, 0, 0
	if id, err := DecodeIdentity(regs); err != nil || !id.CalibrationDue.IsZero() {
		t.Errorf("unset date: %v %v", id.CalibrationDue, err)
	}
}

func TestStringers(t *testing.T) {
	if got := Status(0).String(); got != "none" {
		t.Errorf("Status(0) = %q", got)
	}
	if got := Alarm(AlarmEStop | 1<<12).String(); got != "estop|bit12" {
		t.Errorf("alarm = %q", got)
	}
	if got := StepState(7).String(); got != "StepState(7)" {
		t.Errorf("StepState(7) = %q", got)
	}
	if got := RequiredBrakeForce(20, Under36Months); math.Abs(got-76.5) > 1e-9 {
		t.Errorf("required (20+25)·1.7 = %v", got)
	}
	if got := RequiredBrakeForce(20, From36Months); math.Abs(got-119) > 1e-9 {
		t.Errorf("required (20+50)·1.7 = %v", got)
	}
}

func FuzzDecodeSnapshot(f *testing.F) {
	seed := make([]byte, 0, 2*SnapshotQty)
	for _, r := range fixedSnapshot() {
		seed = append(seed, byte(r>>8), byte(r))
	}
	f.Add(seed)
	f.Add([]byte{})
	f.Add(make([]byte, 2*SnapshotQty))
	f.Fuzz(func(t *testing.T, b []byte) {
		regs := make([]uint16, len(b)/2)
		for i := range regs {
			regs[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		s, err := DecodeSnapshot(regs, time.Time{})
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if len(s.Readings) != NumChannels {
			t.Fatalf("%d readings", len(s.Readings))
		}
		for _, r := range s.Readings {
			if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) || (r.Quality == QualityBad && r.Value != 0) {
				t.Fatalf("reading %+v", r)
			}
		}
		_ = s.Status.String() + s.Alarms.String() + s.StepState.String()
		if len(regs) >= IdentityQty {
			_, _ = DecodeIdentity(regs[:IdentityQty])
		}
	})
}
