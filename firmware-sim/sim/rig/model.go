package rig

import (
	"math"
	"time"
)

// model is the physics of the car on the rig. It is advanced lazily to the
// clock's time whenever registers are read or written, so a fake clock in a
// test moves it exactly as far as the test says. The owner serialises access.
type model struct {
	sc  *Scenario
	now time.Time // model time

	temps   [numParts]float64 // °C, in partNames order
	ambient float64
	current float64 // A
	speed   float64 // km/h
	brake   float64 // N
	tilt    float64 // °

	step       int // 1-based; 0 = none since reset
	state      int // stepIdle ...
	started    time.Time
	elapsed    time.Duration
	peakBrake  float64
	brakeFault bool // latched until the next brake step starts

	selStep  uint16
	lastCmd  uint16
	toyMass  uint16 // 0.1 kg
	ageGroup uint16
	estop    bool
}

func newModel(sc *Scenario, now time.Time) *model {
	m := &model{sc: sc, now: now, ambient: sc.Ambient, current: sc.IdleCurrent}
	for i := range m.temps {
		m.temps[i] = sc.Ambient
	}
	m.selStep = 1
	m.toyMass = uint16(math.Round(math.Min(math.Max(sc.ToyMass, 0), maxToyMass/10) * 10))
	m.ageGroup = uint16(sc.AgeGroup)
	return m
}

// advance moves the model to t, splitting at the end of a running step so
// the step finishes at exactly its duration.
func (m *model) advance(t time.Time) {
	for t.After(m.now) {
		next := t
		if m.state == stepRunning {
			end := m.started.Add(m.stepDuration())
			if !end.After(m.now) {
				m.finish(stepDone)
				continue
			}
			if end.Before(next) {
				next = end
			}
		}
		m.evolve(next.Sub(m.now).Seconds())
		m.now = next
		if m.state == stepRunning {
			m.elapsed = m.now.Sub(m.started)
		}
	}
	if m.state == stepRunning && !m.now.Before(m.started.Add(m.stepDuration())) {
		m.finish(stepDone)
	}
}

func (m *model) stepDuration() time.Duration {
	return time.Duration(m.sc.Steps[m.step-1].Duration * float64(time.Second))
}

// targets are what the physics relaxes toward: the running step's values,
// or rest (ambient, idle current, standstill) otherwise.
type targets struct {
	temp, tau           [numParts]float64
	current, currentTau float64
	speed, accel        float64
	brake, brakeTau     float64
	tilt, tiltRate      float64
}

func (m *model) targets() targets {
	tg := targets{current: m.sc.IdleCurrent, currentTau: defCurrentTau, accel: 2 * defAccel,
		brakeTau: defBrakeTau, tiltRate: defTiltRate}
	for i, p := range partNames {
		tg.temp[i] = m.ambient
		tg.tau[i] = orDefault(m.sc.CoolTau[p], defTau)
	}
	if m.state != stepRunning {
		return tg
	}
	st := m.sc.Steps[m.step-1]
	for i, p := range partNames {
		tg.temp[i] = m.ambient + st.Rise[p]
		if st.Rise[p] > 0 {
			tg.tau[i] = orDefault(st.Tau[p], defTau)
		}
	}
	tg.current, tg.currentTau = math.Max(st.Current, m.sc.IdleCurrent), orDefault(st.CurrentTau, defCurrentTau)
	tg.speed, tg.accel = st.Speed, orDefault(st.Accel, defAccel)
	tg.brake, tg.brakeTau = st.BrakeForce, orDefault(st.BrakeTau, defBrakeTau)
	tg.tilt, tg.tiltRate = st.Tilt, orDefault(st.TiltRate, defTiltRate)
	return tg
}

// evolve integrates dt seconds with constant targets. First-order lags use
// the exact solution x += (x_ss − x)(1 − e^(−dt/τ)), so any dt is stable;
// speed and tilt ramp linearly, as the rig's drive and actuator do.
func (m *model) evolve(dt float64) {
	if dt <= 0 {
		return
	}
	tg := m.targets()
	for i := range m.temps {
		m.temps[i] = lag(m.temps[i], tg.temp[i], tg.tau[i], dt)
	}
	m.current = lag(m.current, tg.current, tg.currentTau, dt)
	m.brake = lag(m.brake, tg.brake, tg.brakeTau, dt)
	m.speed = ramp(m.speed, tg.speed, tg.accel, dt)
	m.tilt = ramp(m.tilt, tg.tilt, tg.tiltRate, dt)
	if m.state == stepRunning {
		m.peakBrake = math.Max(m.peakBrake, m.brake)
	}
}

func lag(x, target, tau, dt float64) float64 {
	return x + (target-x)*(1-math.Exp(-dt/tau))
}

func ramp(x, target, rate, dt float64) float64 {
	d := rate * dt
	if math.Abs(target-x) <= d {
		return target
	}
	if target > x {
		return x + d
	}
	return x - d
}

// start begins step n afresh. BRAKE_FAULT reports the last brake test, so
// only a new brake step clears it.
func (m *model) start(n int) {
	m.step, m.state = n, stepRunning
	m.started, m.elapsed = m.now, 0
	m.peakBrake = 0
	if m.sc.Steps[n-1].Kind == KindBrake {
		m.brakeFault = false
	}
}

// finish ends the running step; a brake step is judged on its peak force.
func (m *model) finish(state int) {
	if m.state != stepRunning {
		return
	}
	m.state = state
	m.elapsed = m.now.Sub(m.started)
	if state == stepDone && m.sc.Steps[m.step-1].Kind == KindBrake {
		m.brakeFault = m.peakBrake < m.requiredBrake()
	}
}

// requiredBrake is (M + 25)·1.7 N, or (M + 50)·1.7 N from 36 months (EN 71-1).
func (m *model) requiredBrake() float64 {
	add := 25.0
	if m.ageGroup == 1 {
		add = 50
	}
	return (float64(m.toyMass)/10 + add) * 1.7
}

func (m *model) supplyVoltage() float64 {
	return m.sc.SupplyVoltage - m.sc.InternalResistance*m.current
}

// values are the noiseless channel values in register order.
func (m *model) values() [numChannels]float64 {
	v := m.supplyVoltage()
	return [numChannels]float64{
		v, m.current, v * m.current, m.speed, m.brake, m.tilt,
		m.temps[0], m.temps[1], m.temps[2], m.temps[3], m.ambient,
	}
}

// alarms are computed from noiseless values, as the firmware would use its
// filtered ones, so a value sitting at a limit does not make the bit flicker.
func (m *model) alarms() uint16 {
	l := m.sc.Limits
	var a uint16
	set := func(cond bool, bit uint16) {
		if cond {
			a |= bit
		}
	}
	set(l.MotorTemp > 0 && m.temps[0] > l.MotorTemp, alOverTempMotor)
	set(l.BatteryTemp > 0 && m.temps[1] > l.BatteryTemp, alOverTempBattery)
	set(l.HandheldRise > 0 && m.temps[2]-m.ambient > l.HandheldRise, alOverTempHandheld)
	set(l.AccessibleRise > 0 && m.temps[3]-m.ambient > l.AccessibleRise, alOverTempAccessible)
	set(l.SupplyVoltage > 0 && m.supplyVoltage() > l.SupplyVoltage, alOverVoltage)
	set(l.MotorCurrent > 0 && m.current > l.MotorCurrent, alOverCurrent)
	set(m.brakeFault, alBrakeFault)
	set(m.estop, alEStop)
	return a
}
