package rig

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// Identity is what the twin reports in the identity block.
type Identity struct {
	Model          string    `json:"model"`
	Serial         string    `json:"serial"`
	Firmware       string    `json:"firmware"`
	CalibrationDue time.Time `json:"calibration_due"`
}

// DefaultIdentity is the twin's identity; CalibrationDue is filled in by
// NewBank (a year after the clock's start) so the twin never goes overdue
// in a long-lived test fixture.
var DefaultIdentity = Identity{Model: "RT-EC2000-SIM", Serial: "SIM0000001", Firmware: "sim-1.0"}

// Bank is the twin's register bank: a modbus.Handler over the physical
// model. It is safe for concurrent use (Serve, the control API and tests).
type Bank struct {
	mu         sync.Mutex
	clock      func() time.Time
	id         Identity
	m          *model
	rng        *rand.Rand
	sensorOpen uint16 // bit n: channel n reads as an open sensor
}

// NewBank returns a bank at rest under scenario sc. A nil clock means
// time.Now.
func NewBank(sc *Scenario, id Identity, clock func() time.Time) *Bank {
	if clock == nil {
		clock = time.Now
	}
	now := clock()
	if id.CalibrationDue.IsZero() {
		y, mo, d := now.AddDate(1, 0, 0).Date()
		id.CalibrationDue = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	}
	b := &Bank{clock: clock, id: id}
	b.reset(sc, now)
	return b
}

func (b *Bank) reset(sc *Scenario, now time.Time) {
	b.m = newModel(sc, now)
	b.rng = rand.New(rand.NewPCG(sc.Seed, sc.Seed^0x9e3779b97f4a7c15))
}

// SetScenario replaces the car and programme; the model restarts at rest.
func (b *Bank) SetScenario(sc *Scenario) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reset(sc, b.clock())
}

// Scenario returns the scenario in use; callers must not modify it.
func (b *Bank) Scenario() *Scenario {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.m.sc
}

// SetEStop presses or releases the emergency stop; pressing aborts a
// running step.
func (b *Bank) SetEStop(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m.advance(b.clock())
	b.m.estop = on
	if on {
		b.m.finish(stepAborted)
	}
}

// SetSensorOpen makes a channel read as an open sensor (sentinel value and
// CHANNEL_FAULTS bit), or clears it.
func (b *Bank) SetSensorOpen(channel string, open bool) error {
	i := channelIndex(channel)
	if i < 0 {
		return fmt.Errorf("rig twin: sensor: unknown channel %q", channel)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if open {
		b.sensorOpen |= 1 << i
	} else {
		b.sensorOpen &^= 1 << i
	}
	return nil
}

// ReadRegisters implements modbus.Handler.
func (b *Bank) ReadRegisters(fn byte, addr, qty uint16) ([]uint16, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m.advance(b.clock())
	var block []uint16
	var first uint16
	switch fn {
	case modbus.FuncReadInputRegisters:
		if addr >= identityFirst {
			block, first = b.identityBlock(), identityFirst
		} else {
			block = b.snapshot()
		}
	case modbus.FuncReadHoldingRegisters:
		m := b.m
		block, first = []uint16{m.selStep, m.lastCmd, m.toyMass, m.ageGroup}, hrStep
	default:
		return nil, &modbus.Exception{Function: fn, Code: modbus.IllegalFunction}
	}
	// The request must lie wholly inside one block: a read spanning the gap
	// between blocks is as illegal as one outside the map.
	end := int(addr) + int(qty)
	if qty == 0 || int(addr) < int(first) || end > int(first)+len(block) {
		return nil, &modbus.Exception{Function: fn, Code: modbus.IllegalDataAddress}
	}
	out := make([]uint16, qty)
	copy(out, block[int(addr)-int(first):end-int(first)])
	return out, nil
}

func (b *Bank) identityBlock() []uint16 {
	regs := make([]uint16, 0, identityQty)
	regs = append(regs, ascii(b.id.Model, 8)...)
	regs = append(regs, ascii(b.id.Serial, 8)...)
	regs = append(regs, ascii(b.id.Firmware, 4)...)
	y, mo, d := b.id.CalibrationDue.Date()
	return append(regs, uint16(y), uint16(mo), uint16(d), mapVersion, uint16(len(b.m.sc.Steps)))
}

// ascii packs s two characters per register, high byte first, NUL padded.
func ascii(s string, n int) []uint16 {
	buf := make([]byte, 2*n)
	copy(buf, s)
	regs := make([]uint16, n)
	for i := range regs {
		regs[i] = uint16(buf[2*i])<<8 | uint16(buf[2*i+1])
	}
	return regs
}

// snapshot encodes status and channels; noise is drawn per read, as a real
// ADC's would be, from the seeded generator.
func (b *Bank) snapshot() []uint16 {
	m := b.m
	regs := make([]uint16, snapshotQty)
	alarms := m.alarms()
	regs[irStatus] = b.status(alarms)
	regs[irAlarms] = alarms
	regs[irStep] = uint16(m.step)
	regs[irStepState] = uint16(m.state)
	regs[irStepElapsed] = uint16(min(m.elapsed/time.Second, math.MaxUint16))
	regs[irChannelFaults] = b.sensorOpen
	for i, v := range m.values() {
		c := channels[i]
		if b.sensorOpen&(1<<i) != 0 {
			regs[irChannel0+i] = invalidWord
			continue
		}
		v += b.rng.NormFloat64() * c.sigma * m.sc.Noise
		if c.floor && v < 0 {
			v = 0
		}
		regs[irChannel0+i] = uint16(scale(v, c.scale))
	}
	return regs
}

// scale converts to a raw register, clipping at ±32767 so full scale never
// collides with the invalid sentinel.
func scale(v, s float64) int16 {
	r := math.Round(v / s)
	return int16(math.Max(rawClipLow, math.Min(rawClipHigh, r)))
}

func (b *Bank) status(alarms uint16) uint16 {
	var s uint16
	if !b.m.estop {
		s |= stReady
	}
	switch b.m.state {
	case stepRunning:
		s |= stRunning
	case stepDone:
		s |= stStepDone
	}
	if alarms != 0 {
		s |= stAlarm
	}
	if b.m.now.After(b.id.CalibrationDue.AddDate(0, 0, 1)) {
		s |= stCalOverdue
	}
	if b.sensorOpen != 0 {
		s |= stSensorFault
	}
	return s
}
