package rig

import "time"

// State is the twin's view of itself for the control API and tests:
// noiseless model values, unlike the registers.
type State struct {
	Path      string             `json:"path"`
	Scenario  string             `json:"scenario"`
	Step      int                `json:"step"`
	StepName  string             `json:"step_name"`
	StepState string             `json:"step_state"`
	Elapsed   float64            `json:"elapsed_s"`
	Status    uint16             `json:"status"`
	Alarms    uint16             `json:"alarms"`
	EStop     bool               `json:"estop"`
	Values    map[string]float64 `json:"values"`
	Required  float64            `json:"brake_required_n"` // (M + 25|50)·1.7 N
	Faults    map[string]int     `json:"faults_pending"`
	ModelTime time.Time          `json:"model_time"`
}

// State returns the current model state, advanced to the clock.
func (t *Twin) State() State {
	s := t.bank.state()
	s.Path = t.Path()
	s.Faults = t.faults.pending()
	return s
}

func (b *Bank) state() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.m
	m.advance(b.clock())
	alarms := m.alarms()
	s := State{
		Scenario:  m.sc.Name,
		Step:      m.step,
		StepState: stepStateNames[m.state],
		Elapsed:   m.elapsed.Seconds(),
		Status:    b.status(alarms),
		Alarms:    alarms,
		EStop:     m.estop,
		Values:    map[string]float64{},
		Required:  m.requiredBrake(),
		ModelTime: m.now,
	}
	if m.step > 0 {
		s.StepName = m.sc.Steps[m.step-1].Name
	}
	for i, v := range m.values() {
		s.Values[channels[i].name] = v
	}
	return s
}
