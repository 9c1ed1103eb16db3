package desk

import (
	"context"
	"sync"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/console"
)

// hub fans events out to the console's subscribers. A subscriber that does not keep up loses
// events (its buffer is full) rather than slowing the ingest or a run.
type hub struct {
	mu   sync.Mutex
	subs map[*sub]bool
}

type sub struct {
	job        string // "" = every job
	agent, dev string // the job's rig, for readings
	ch         chan console.Event
}

const subBuffer = 512

func (h *hub) add(s *sub) {
	h.mu.Lock()
	h.subs[s] = true
	h.mu.Unlock()
}

func (h *hub) remove(s *sub) {
	h.mu.Lock()
	if h.subs[s] {
		delete(h.subs, s)
		close(s.ch)
	}
	h.mu.Unlock()
}

// send delivers e to every subscriber that wants it; want is asked with the subscriber.
func (h *hub) send(e console.Event, want func(*sub) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if !want(s) {
			continue
		}
		select {
		case s.ch <- e:
		default:
		}
	}
}

// Subscribe streams the events of one job ("" = every job's events, and every rig's readings).
func (d *Desk) Subscribe(job string) (<-chan console.Event, func()) {
	s := &sub{job: job, ch: make(chan console.Event, subBuffer)}
	if job != "" {
		if r, err := d.load(context.Background(), job); err == nil {
			s.agent, s.dev = r.Agent, r.Dev
		}
	}
	d.hub.add(s)
	return s.ch, func() { d.hub.remove(s) }
}

// publish sends a job's event to the subscribers of that job and of every job.
func (d *Desk) publish(job, typ string, data any) {
	d.hub.send(console.Event{Type: typ, Job: job, Data: data}, func(s *sub) bool { return s.job == "" || s.job == job })
}

// Readings streams a stored batch to the subscribers watching that rig (lab/ingest's OnStored).
func (d *Desk) Readings(agent, dev string, b telemetry.Batch) {
	d.hub.mu.Lock()
	n := len(d.hub.subs)
	d.hub.mu.Unlock()
	if n == 0 {
		return
	}
	for _, r := range b.R {
		ev := console.Event{Type: "reading", Data: console.ReadingEvent{Agent: agent, Dev: dev, Ch: r.Ch,
			T: r.T / 1e6, V: r.V, Unit: r.U, Q: r.Q}}
		d.hub.send(ev, func(s *sub) bool { return s.job == "" || (s.agent == agent && s.dev == dev) })
	}
}
