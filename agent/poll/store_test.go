package poll

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/onestop-station/onestop/agent/metrics"
	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/telemetry"
)

// gatedAppender records each Append and holds the first one until released. Like the outbox, it
// refuses a whole Append that holds a reading on channel "bad".
type gatedAppender struct {
	mu      sync.Mutex
	calls   [][]telemetry.Reading
	first   chan struct{} // closed when the first Append has begun
	release chan struct{}
}

func (g *gatedAppender) Append(_ context.Context, _ string, rs []telemetry.Reading) (int64, int64, error) {
	g.mu.Lock()
	g.calls = append(g.calls, rs)
	n := len(g.calls)
	g.mu.Unlock()
	if n == 1 {
		close(g.first)
		<-g.release
	}
	for _, r := range rs {
		if r.Ch == "bad" {
			return 0, 0, fmt.Errorf("append: %w: channel bad", outbox.ErrInvalid)
		}
	}
	return 1, int64(len(rs)), nil
}

// Snapshots queued while a write commits go out together, in order, as one Append; a snapshot
// alone is written at once.
func TestStorerJoinsQueuedSnapshots(t *testing.T) {
	g := &gatedAppender{first: make(chan struct{}), release: make(chan struct{})}
	m := metrics.New()
	notified := 0
	s := NewStorer("rig0", g, m, func() { notified++ })
	snap := func(i int) []telemetry.Reading {
		return []telemetry.Reading{{Ch: "a", T: int64(i), V: 1, Q: "good"}, {Ch: "b", T: int64(i), V: 2, Q: "good"}}
	}
	s.Put(snap(0))
	<-g.first // the first snapshot is being written alone
	for i := 1; i <= 4; i++ {
		s.Put(snap(i))
	}
	close(g.release)
	s.Close()
	if len(g.calls) != 2 || len(g.calls[0]) != 2 || len(g.calls[1]) != 8 {
		t.Fatalf("Appends of %v readings, want [2 8]", lens(g.calls))
	}
	for i, r := range g.calls[1] {
		if r.T != int64(1+i/2) {
			t.Errorf("joined reading %d from snapshot %d, want %d (poll order)", i, r.T, 1+i/2)
		}
	}
	if notified != 2 {
		t.Errorf("notified %d times, want once per write (2)", notified)
	}
	if got := counterValue(t, m, "rig0", "ok"); got != 5 {
		t.Errorf("polls{ok} = %v, want 5 (one per snapshot)", got)
	}
}

// A snapshot the outbox refuses as invalid loses only its own readings, not those it was joined
// with.
func TestStorerInvalidSnapshotAlone(t *testing.T) {
	g := &gatedAppender{first: make(chan struct{}), release: make(chan struct{})}
	m := metrics.New()
	s := NewStorer("rig0", g, m, func() {})
	good := []telemetry.Reading{{Ch: "a", T: 1, V: 1, Q: "good"}}
	s.Put(good)
	<-g.first
	s.Put([]telemetry.Reading{{Ch: "bad", T: 2, V: 1, Q: "good"}})
	s.Put([]telemetry.Reading{{Ch: "a", T: 3, V: 1, Q: "good"}})
	close(g.release)
	s.Close()
	// the first alone; the joined two refused; each again alone
	if got := lens(g.calls); len(got) != 4 || got[1] != 2 || got[2] != 1 || got[3] != 1 {
		t.Fatalf("Appends of %v readings, want [1 2 1 1]", got)
	}
	if ok, bad := counterValue(t, m, "rig0", "ok"), counterValue(t, m, "rig0", "error"); ok != 2 || bad != 1 {
		t.Errorf("polls ok %v error %v, want 2 and 1", ok, bad)
	}
	if lost := m.LostReadings(); lost != 1 {
		t.Errorf("lost %d readings, want 1 (the bad snapshot's)", lost)
	}
}

func lens(calls [][]telemetry.Reading) []int {
	var out []int
	for _, c := range calls {
		out = append(out, len(c))
	}
	return out
}

func counterValue(t *testing.T, m *metrics.Metrics, rig, result string) float64 {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "onestop_agent_polls_total" {
			continue
		}
		for _, mm := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range mm.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["rig"] == rig && labels["result"] == result {
				return mm.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no onestop_agent_polls_total{rig=%q,result=%q}", rig, result)
	return 0
}
