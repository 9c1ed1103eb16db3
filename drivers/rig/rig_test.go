package rig_test

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"sync"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/onestop-station/onestop/drivers/modbus"
	"github.com/onestop-station/onestop/drivers/rig"
	simrig "github.com/onestop-station/onestop/firmware-sim/sim/rig"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startRig serves the twin on a real PTY and returns a Rig on the real
// modbus.Client, opened as the agent would open a serial adapter.
func startRig(t *testing.T, scenario string) (*rig.Rig, *simrig.Twin, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	sc, err := simrig.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	tw := simrig.New(simrig.Opts{Scenario: sc, Clock: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	path := simtest.Start(t, tw)
	port, err := serial.Open(path, &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { port.Close() })
	c := modbus.NewClient(port, modbus.ClientOpts{Baud: 115200, Timeout: 2 * time.Second})
	return rig.New(c, rig.Opts{Name: "rig0", Now: clk.Now}), tw, clk
}

func TestIdentityFromTwin(t *testing.T) {
	r, _, _ := startRig(t, "nominal")
	id, err := r.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)
	if id.Model != simrig.DefaultIdentity.Model || id.Serial != simrig.DefaultIdentity.Serial ||
		id.Firmware != simrig.DefaultIdentity.Firmware || !id.CalibrationDue.Equal(due) ||
		id.MapVersion != rig.MapVersion || id.Steps != 3 {
		t.Errorf("identity %+v", id)
	}
}

// The driver's decoding must agree with the twin's own model values: the
// two sides keep separate copies of the register map.
func TestReadMatchesTwinModel(t *testing.T) {
	r, tw, clk := startRig(t, "nominal")
	ctx := context.Background()
	if err := r.StartStep(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(12 * time.Second)
	s, err := r.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := tw.State()
	if s.Step != 1 || s.StepState != rig.StepRunning || !s.Status.Has(rig.StatusRunning|rig.StatusReady) || s.Elapsed != 12*time.Second {
		t.Errorf("snapshot %v %v %v elapsed %v", s.Status, s.Step, s.StepState, s.Elapsed)
	}
	if !s.Time.Equal(clk.Now()) {
		t.Errorf("snapshot time %v, want the rig clock's %v", s.Time, clk.Now())
	}
	chans := r.Channels()
	if len(s.Readings) != len(chans) || len(chans) != rig.NumChannels {
		t.Fatalf("%d readings, %d channels", len(s.Readings), len(chans))
	}
	for i, rd := range s.Readings {
		want, ok := st.Values[rd.Channel]
		// Noise σ is at most 0.3 units; 2 units leaves room for rounding.
		if !ok || math.Abs(rd.Value-want) > 2*chans[i].Scale*10 || rd.Quality != rig.QualityGood || rd.Unit != chans[i].Unit {
			t.Errorf("%s = %v %s %s, twin model says %v", rd.Channel, rd.Value, rd.Unit, rd.Quality, want)
		}
	}
}

func TestStepControl(t *testing.T) {
	r, tw, clk := startRig(t, "nominal")
	ctx := context.Background()
	if err := r.SetToyMass(ctx, 18.5, rig.From36Months); err != nil {
		t.Fatal(err)
	}
	if got := tw.State().Required; math.Abs(got-(18.5+50)*1.7) > 1e-9 {
		t.Errorf("twin requires %v N after SetToyMass, want %v", got, rig.RequiredBrakeForce(18.5, rig.From36Months))
	}
	if err := r.StartStep(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := r.StartStep(ctx, 1); !errors.Is(err, rig.ErrBusy) {
		t.Errorf("start while running: %v, want ErrBusy", err)
	}
	var ex *modbus.Exception
	if err := r.StartStep(ctx, 1); !errors.As(err, &ex) || ex.Code != modbus.ServerDeviceBusy {
		t.Errorf("start while running: %v, want a *modbus.Exception busy", err)
	}
	clk.Advance(time.Second)
	if err := r.StopStep(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := r.Read(ctx)
	if err != nil || s.StepState != rig.StepAborted || s.Step != 2 {
		t.Errorf("after stop: %v %v (%v)", s.Step, s.StepState, err)
	}
	if err := r.StartStep(ctx, 9); !errors.Is(err, rig.ErrRejected) {
		t.Errorf("step 9 of 3: %v, want ErrRejected", err)
	}
	if err := r.StartStep(ctx, 0); !errors.Is(err, rig.ErrRejected) {
		t.Errorf("step 0: %v, want ErrRejected", err)
	}
	if err := r.SetToyMass(ctx, -1, rig.Under36Months); !errors.Is(err, rig.ErrRejected) {
		t.Errorf("mass -1 kg: %v, want ErrRejected", err)
	}
	tw.Bank().SetEStop(true)
	if err := r.StartStep(ctx, 1); !errors.Is(err, rig.ErrEStop) {
		t.Errorf("start under e-stop: %v, want ErrEStop", err)
	}
	s, _ = r.Read(ctx)
	if !s.Alarms.Has(rig.AlarmEStop) || s.Status.Has(rig.StatusReady) {
		t.Errorf("e-stop: status %v alarms %v", s.Status, s.Alarms)
	}
}

func TestScenarioDefectsThroughDriver(t *testing.T) {
	ctx := context.Background()
	t.Run("overtemp-handheld", func(t *testing.T) {
		r, _, clk := startRig(t, "overtemp-handheld")
		if err := r.StartStep(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(20 * time.Second)
		s, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hand, _ := s.Reading("handheld_temp")
		amb, _ := s.Reading("ambient_temp")
		if hand.Value-amb.Value <= 35 || !s.Alarms.Has(rig.AlarmOverTempHandheld) || s.StepState != rig.StepDone {
			t.Errorf("rise %.1f K alarms %v state %v, want > 35 K, overtemp-handheld, done", hand.Value-amb.Value, s.Alarms, s.StepState)
		}
	})
	t.Run("brake-failure", func(t *testing.T) {
		r, _, clk := startRig(t, "brake-failure")
		if err := r.StartStep(ctx, 2); err != nil {
			t.Fatal(err)
		}
		clk.Advance(7 * time.Second)
		s, _ := r.Read(ctx)
		f, _ := s.Reading("brake_force")
		clk.Advance(time.Second)
		s2, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if f.Value >= rig.RequiredBrakeForce(20, rig.Under36Months) || !s2.Alarms.Has(rig.AlarmBrakeFault) {
			t.Errorf("brake force %.1f N, alarms %v: want below 76.5 N and brake-fault", f.Value, s2.Alarms)
		}
	})
}

func TestSensorOpenIsBad(t *testing.T) {
	r, tw, _ := startRig(t, "nominal")
	if err := tw.Bank().SetSensorOpen("accessible_temp", true); err != nil {
		t.Fatal(err)
	}
	s, err := r.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rd, _ := s.Reading("accessible_temp"); rd.Quality != rig.QualityBad || rd.Value != 0 {
		t.Errorf("open sensor reads %+v, want bad 0", rd)
	}
	if rd, _ := s.Reading("motor_temp"); rd.Quality != rig.QualityGood {
		t.Errorf("motor_temp %+v, want good", rd)
	}
	if !s.Status.Has(rig.StatusSensorFault) {
		t.Errorf("status %v, want sensor-fault", s.Status)
	}
}

func TestErrorsNameDevice(t *testing.T) {
	r, tw, _ := startRig(t, "nominal")
	if err := tw.InjectFault(simrig.Fault{Kind: simrig.FaultCRC}); err != nil {
		t.Fatal(err)
	}
	_, err := r.Read(context.Background())
	if !errors.Is(err, modbus.ErrCRC) {
		t.Fatalf("read with a CRC fault: %v, want ErrCRC", err)
	}
	if got := err.Error(); len(got) < 20 || got[:len("rig0 (unit 1): read snapshot")] != "rig0 (unit 1): read snapshot" {
		t.Errorf("error %q, want it to name device and operation", got)
	}
}
