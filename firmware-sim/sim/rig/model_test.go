package rig

import (
	"context"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

func TestTemperaturesRiseDuringStepAndSettleAfterStop(t *testing.T) {
	clk := newFakeClock()
	_, c := client(t, Opts{Scenario: mustScenario(t, "nominal"), Clock: clk.Now})
	ctx := context.Background()

	rest := snapshot(t, c)
	if rest[irStepState] != stepIdle || rest[irStatus]&stReady == 0 {
		t.Fatalf("at power-up: state %d status %#x, want idle and ready", rest[irStepState], rest[irStatus])
	}
	amb := value(rest, "ambient_temp")
	startStep(t, c, 1)
	var prev float64 = value(rest, "motor_temp")
	for i := 0; i < 4; i++ {
		clk.Advance(3 * time.Second)
		regs := snapshot(t, c)
		motor := value(regs, "motor_temp")
		if motor <= prev+0.5 {
			t.Fatalf("after %ds motor %.1f °C, want it rising from %.1f", 3*(i+1), motor, prev)
		}
		prev = motor
		if regs[irStepState] != stepRunning || regs[irStatus]&stRunning == 0 {
			t.Fatalf("step state %d status %#x, want running", regs[irStepState], regs[irStatus])
		}
		if got := regs[irStepElapsed]; got != uint16(3*(i+1)) {
			t.Errorf("elapsed %d s, want %d", got, 3*(i+1))
		}
	}
	regs := snapshot(t, c)
	if v := value(regs, "speed"); v < 5 {
		t.Errorf("speed %.2f km/h after 12 s, want the 5.5 km/h target reached", v)
	}
	if p, v, i := value(regs, "input_power"), value(regs, "supply_voltage"), value(regs, "motor_current"); p < 0.9*v*i || p > 1.1*v*i {
		t.Errorf("power %.1f W, want about %.2f V × %.2f A", p, v, i)
	}

	if err := c.WriteSingleRegister(ctx, 1, hrCommand, cmdStop); err != nil {
		t.Fatal(err)
	}
	regs = snapshot(t, c)
	if regs[irStepState] != stepAborted {
		t.Fatalf("after STOP state %d, want aborted", regs[irStepState])
	}
	stopped := regs[irStepElapsed]
	clk.Advance(5 * time.Minute)
	regs = snapshot(t, c)
	if regs[irStepElapsed] != stopped {
		t.Errorf("elapsed moved after STOP: %d → %d", stopped, regs[irStepElapsed])
	}
	for _, ch := range []string{"motor_temp", "battery_temp", "handheld_temp", "accessible_temp"} {
		if v := value(regs, ch); v > amb+0.5 {
			t.Errorf("%s %.1f °C five minutes after STOP, want settled near ambient %.1f", ch, v, amb)
		}
	}
	if v := value(regs, "speed"); v > 0.1 {
		t.Errorf("speed %.2f km/h long after STOP, want 0", v)
	}
}

func TestStepRunsToDone(t *testing.T) {
	clk := newFakeClock()
	_, c := client(t, Opts{Scenario: mustScenario(t, "nominal"), Clock: clk.Now})
	startStep(t, c, 1)
	clk.Advance(25 * time.Second) // drive lasts 20 s
	regs := snapshot(t, c)
	if regs[irStepState] != stepDone || regs[irStatus]&stStepDone == 0 || regs[irStatus]&stRunning != 0 {
		t.Fatalf("state %d status %#x, want done", regs[irStepState], regs[irStatus])
	}
	if regs[irStepElapsed] != 20 {
		t.Errorf("elapsed %d, want frozen at the 20 s duration", regs[irStepElapsed])
	}
}

// runProgramme runs every step of the scenario to its end over the wire and
// returns the snapshot at the end of each step.
func runProgramme(t *testing.T, name string) (*Twin, [][]uint16) {
	clk := newFakeClock()
	sc := mustScenario(t, name)
	tw, c := client(t, Opts{Scenario: sc, Clock: clk.Now})
	var out [][]uint16
	for i, st := range sc.Steps {
		startStep(t, c, uint16(i+1))
		clk.Advance(time.Duration(st.Duration*float64(time.Second)) - time.Second)
		out = append(out, snapshot(t, c)) // just before the end: still running
		clk.Advance(time.Second)
	}
	out = append(out, snapshot(t, c))
	return tw, out
}

func TestScenarioDefects(t *testing.T) {
	t.Run("nominal", func(t *testing.T) {
		_, snaps := runProgramme(t, "nominal")
		for i, s := range snaps {
			if s[irAlarms] != 0 || s[irStatus]&stAlarm != 0 {
				t.Errorf("after step %d alarms %#x status %#x, want none", i+1, s[irAlarms], s[irStatus])
			}
		}
		drive, brake, stab := snaps[0], snaps[1], snaps[2]
		if rise := value(drive, "handheld_temp") - value(drive, "ambient_temp"); rise < 10 || rise > 35 {
			t.Errorf("hand-held rise %.1f K, want warm but within 35 K", rise)
		}
		if f := value(brake, "brake_force"); f < 76.5 {
			t.Errorf("brake force %.1f N, want ≥ 76.5 N", f)
		}
		if a := value(stab, "tilt_angle"); a < 9.9 || a > 10.1 {
			t.Errorf("tilt %.2f°, want 10°", a)
		}
	})
	t.Run("overtemp-handheld", func(t *testing.T) {
		_, snaps := runProgramme(t, "overtemp-handheld")
		drive := snaps[0]
		if rise := value(drive, "handheld_temp") - value(drive, "ambient_temp"); rise <= 35 {
			t.Errorf("hand-held rise %.1f K, want over the 35 K limit", rise)
		}
		if drive[irAlarms]&alOverTempHandheld == 0 || drive[irStatus]&stAlarm == 0 {
			t.Errorf("alarms %#x status %#x, want OVERTEMP_HANDHELD and ALARM", drive[irAlarms], drive[irStatus])
		}
	})
	t.Run("overvoltage", func(t *testing.T) {
		_, snaps := runProgramme(t, "overvoltage")
		for i, s := range snaps {
			if v := value(s, "supply_voltage"); v <= 24 {
				t.Errorf("snapshot %d: supply %.2f V, want above 24 V", i, v)
			}
			if s[irAlarms]&alOverVoltage == 0 {
				t.Errorf("snapshot %d: alarms %#x, want OVERVOLTAGE", i, s[irAlarms])
			}
		}
	})
	t.Run("brake-failure", func(t *testing.T) {
		tw, snaps := runProgramme(t, "brake-failure")
		if f := value(snaps[1], "brake_force"); f >= 76.5 {
			t.Errorf("brake force %.1f N, want below the 76.5 N requirement", f)
		}
		if snaps[1][irAlarms]&alBrakeFault != 0 {
			t.Errorf("BRAKE_FAULT before the brake step ended")
		}
		for _, s := range snaps[2:] {
			if s[irAlarms]&alBrakeFault == 0 {
				t.Errorf("alarms %#x after the brake step, want BRAKE_FAULT latched", s[irAlarms])
			}
		}
		if st := tw.State(); st.Required != 76.5 {
			t.Errorf("required brake force %.2f N, want (20 + 25) × 1.7 = 76.5", st.Required)
		}
	})
}

func TestRegisterMapExceptions(t *testing.T) {
	clk := newFakeClock()
	tw, c := client(t, Opts{Scenario: mustScenario(t, "nominal"), Clock: clk.Now})
	ctx := context.Background()
	cases := []struct {
		name string
		do   func() error
		want modbus.ExceptionCode
	}{
		{"read past snapshot", func() error { _, err := c.ReadInputRegisters(ctx, 1, 17, 1); return err }, modbus.IllegalDataAddress},
		{"read spanning the gap", func() error { _, err := c.ReadInputRegisters(ctx, 1, 10, 100); return err }, modbus.IllegalDataAddress},
		{"read past identity", func() error { _, err := c.ReadInputRegisters(ctx, 1, 0x0110, 10); return err }, modbus.IllegalDataAddress},
		{"holding outside control", func() error { _, err := c.ReadHoldingRegisters(ctx, 1, 0, 1); return err }, modbus.IllegalDataAddress},
		{"write to input space", func() error { return c.WriteSingleRegister(ctx, 1, 0, 1) }, modbus.IllegalDataAddress},
		{"bad command", func() error { return c.WriteSingleRegister(ctx, 1, hrCommand, 7) }, modbus.IllegalDataValue},
		{"step out of range", func() error { return c.WriteSingleRegister(ctx, 1, hrStep, 9) }, modbus.IllegalDataValue},
		{"toy mass too big", func() error { return c.WriteSingleRegister(ctx, 1, hrToyMass, 2001) }, modbus.IllegalDataValue},
	}
	for _, tc := range cases {
		if got := exceptionCode(tc.do()); got != tc.want {
			t.Errorf("%s: exception %v, want %v", tc.name, got, tc.want)
		}
	}

	startStep(t, c, 1)
	if err := c.WriteMultipleRegisters(ctx, 1, hrStep, []uint16{2, cmdStart}); exceptionCode(err) != modbus.ServerDeviceBusy {
		t.Errorf("START while running: %v, want busy", err)
	}
	if err := c.WriteSingleRegister(ctx, 1, hrToyMass, 100); exceptionCode(err) != modbus.ServerDeviceBusy {
		t.Errorf("TOY_MASS while running: %v, want busy", err)
	}
	tw.Bank().SetEStop(true)
	regs := snapshot(t, c)
	if regs[irStepState] != stepAborted || regs[irAlarms]&alEStop == 0 || regs[irStatus]&stReady != 0 {
		t.Errorf("after e-stop: state %d alarms %#x status %#x, want aborted, ESTOP, not ready", regs[irStepState], regs[irAlarms], regs[irStatus])
	}
	if err := c.WriteMultipleRegisters(ctx, 1, hrStep, []uint16{1, cmdStart}); exceptionCode(err) != modbus.ServerDeviceFailure {
		t.Errorf("START under e-stop: %v, want server device failure", err)
	}
	hr, err := c.ReadHoldingRegisters(ctx, 1, hrStep, controlQty)
	if err != nil || hr[0] != 1 || hr[1] != cmdStart || hr[2] != 200 || hr[3] != 0 {
		t.Errorf("control registers %v (%v), want [1 1 200 0]: refused writes must change nothing", hr, err)
	}
}

func TestSensorOpenReadsSentinel(t *testing.T) {
	tw, c := client(t, Opts{Scenario: mustScenario(t, "nominal"), Clock: newFakeClock().Now})
	if err := tw.Bank().SetSensorOpen("handheld_temp", true); err != nil {
		t.Fatal(err)
	}
	regs := snapshot(t, c)
	i := channelIndex("handheld_temp")
	if regs[irChannel0+i] != invalidWord || regs[irChannelFaults] != 1<<i || regs[irStatus]&stSensorFault == 0 {
		t.Errorf("raw %#x faults %#x status %#x, want 0x8000, bit %d, SENSOR_FAULT", regs[irChannel0+i], regs[irChannelFaults], regs[irStatus], i)
	}
	if err := tw.Bank().SetSensorOpen("nope", true); err == nil {
		t.Error("unknown channel accepted")
	}
}

func TestIdentityBlock(t *testing.T) {
	_, c := client(t, Opts{Clock: newFakeClock().Now})
	regs, err := c.ReadInputRegisters(context.Background(), 1, identityFirst, identityQty)
	if err != nil {
		t.Fatal(err)
	}
	if regs[0] != 'R'<<8|'T' {
		t.Errorf("model starts %#04x, want \"RT\"", regs[0])
	}
	if y, m, d := regs[irCalYear-identityFirst], regs[irCalMonth-identityFirst], regs[irCalDay-identityFirst]; y != 2027 || m != 3 || d != 2 {
		t.Errorf("calibration due %d-%d-%d, want a year after the clock's start", y, m, d)
	}
	if regs[irMapVersion-identityFirst] != 1 || regs[irStepCount-identityFirst] != 3 {
		t.Errorf("map version %d steps %d, want 1 and 3", regs[irMapVersion-identityFirst], regs[irStepCount-identityFirst])
	}
}
