package poll

import (
	"context"
	"sync"
	"testing"

	"github.com/onestop-station/onestop/agent/metrics"
	"github.com/onestop-station/onestop/agent/telemetry"
)

// gatedAppender records each Append and holds the first one until released.
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
