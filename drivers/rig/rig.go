package rig

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// Transport is the part of *modbus.Client the rig needs, so a test can use
// the real client over a PTY and a program can share one client per bus.
type Transport interface {
	ReadHoldingRegisters(ctx context.Context, unit byte, addr, qty uint16) ([]uint16, error)
	ReadInputRegisters(ctx context.Context, unit byte, addr, qty uint16) ([]uint16, error)
	WriteSingleRegister(ctx context.Context, unit byte, addr, value uint16) error
	WriteMultipleRegisters(ctx context.Context, unit byte, addr uint16, values []uint16) error
}

// Sentinel errors callers act on; they wrap the *modbus.Exception the rig
// answered, so errors.As still finds the code.
var (
	// ErrBusy: a step is running (START, or a programme write, refused).
	ErrBusy = errors.New("rig busy")
	// ErrEStop: the emergency stop is engaged, START refused.
	ErrEStop = errors.New("emergency stop engaged")
	// ErrRejected: the rig refused a value (step number out of range ...).
	ErrRejected = errors.New("value rejected")
)

// Opts configures a Rig.
type Opts struct {
	Unit byte             // Modbus unit id; 0 means DefaultUnit
	Name string           // device name for error messages, e.g. "rig0"
	Now  func() time.Time // snapshot clock; nil means time.Now
}

// DefaultOpts talks to a rig with factory settings.
var DefaultOpts = Opts{Unit: DefaultUnit, Name: "rig"}

// Rig is one ride-on safety rig on a Modbus line. Like the transport under
// it, it is meant for one goroutine at a time.
type Rig struct {
	t    Transport
	opts Opts
}

// New returns a Rig talking through t.
func New(t Transport, opts Opts) *Rig {
	if opts.Unit == 0 {
		opts.Unit = DefaultUnit
	}
	if opts.Name == "" {
		opts.Name = "rig"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Rig{t: t, opts: opts}
}

// Channels lists the measuring channels in snapshot order.
func (r *Rig) Channels() []Channel {
	out := make([]Channel, NumChannels)
	copy(out, channelTable[:])
	return out
}

// Identity reads model, serial number, firmware and calibration due date.
func (r *Rig) Identity(ctx context.Context) (Identity, error) {
	regs, err := r.t.ReadInputRegisters(ctx, r.opts.Unit, IdentityAddr, IdentityQty)
	if err != nil {
		return Identity{}, r.wrap("read identity", err)
	}
	id, err := DecodeIdentity(regs)
	if err != nil {
		return id, r.wrap("read identity", err)
	}
	if id.MapVersion != MapVersion {
		return id, r.wrap("read identity", fmt.Errorf("register map version %d, driver knows %d: %w", id.MapVersion, MapVersion, ErrMalformed))
	}
	return id, nil
}

// Read takes one snapshot of status and every channel in a single FC04 request.
func (r *Rig) Read(ctx context.Context) (Snapshot, error) {
	regs, err := r.t.ReadInputRegisters(ctx, r.opts.Unit, SnapshotAddr, SnapshotQty)
	if err != nil {
		return Snapshot{}, r.wrap("read snapshot", err)
	}
	s, err := DecodeSnapshot(regs, r.opts.Now().UTC())
	if err != nil {
		return Snapshot{}, r.wrap("read snapshot", err)
	}
	return s, nil
}

// StartStep selects and starts a step of the rig's programme with one FC16
// write of STEP and COMMAND, so no other master can slip in between.
func (r *Rig) StartStep(ctx context.Context, step int) error {
	if step < 1 || step > math.MaxUint16 {
		return r.wrap("start step", fmt.Errorf("step %d: %w", step, ErrRejected))
	}
	err := r.t.WriteMultipleRegisters(ctx, r.opts.Unit, RegCtlStep, []uint16{uint16(step), CmdStart})
	var ex *modbus.Exception
	if errors.As(err, &ex) && ex.Code == modbus.ServerDeviceFailure {
		// The map reserves this code on START for the emergency stop.
		err = fmt.Errorf("%w: %w", ErrEStop, err)
	}
	return r.wrap(fmt.Sprintf("start step %d", step), err)
}

// StopStep aborts the running step; it succeeds when nothing runs.
func (r *Rig) StopStep(ctx context.Context) error {
	err := r.t.WriteSingleRegister(ctx, r.opts.Unit, RegCtlCommand, CmdStop)
	return r.wrap("stop step", err)
}

// SetToyMass tells the rig the toy's mass and age group, from which it
// judges the motor-brake force (see RequiredBrakeForce).
func (r *Rig) SetToyMass(ctx context.Context, massKg float64, g AgeGroup) error {
	raw := math.Round(massKg * 10)
	if math.IsNaN(raw) || raw < 0 || raw > MaxToyMassRaw {
		return r.wrap("set toy mass", fmt.Errorf("%.1f kg: %w", massKg, ErrRejected))
	}
	err := r.t.WriteMultipleRegisters(ctx, r.opts.Unit, RegCtlToyMass, []uint16{uint16(raw), uint16(g)})
	return r.wrap("set toy mass", err)
}

// wrap adds operation and device and maps the exception codes callers act on
// to sentinels; nil stays nil.
func (r *Rig) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ex *modbus.Exception
	if errors.As(err, &ex) {
		switch ex.Code {
		case modbus.ServerDeviceBusy:
			err = fmt.Errorf("%w: %w", ErrBusy, err)
		case modbus.IllegalDataValue:
			err = fmt.Errorf("%w: %w", ErrRejected, err)
		}
	}
	return fmt.Errorf("%s (unit %d): %s: %w", r.opts.Name, r.opts.Unit, op, err)
}
