package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/store"
)

// AgentInfo is the live view of one agent: what the store knows plus this run's traffic.
type AgentInfo struct {
	store.Agent
	Online     bool  `json:"online"`
	DataEpoch  int64 `json:"data_epoch"` // epoch of the last data batch
	Watermark  int64 `json:"watermark"`  // acknowledged seq of DataEpoch
	Batches    int64 `json:"batches"`
	Readings   int64 `json:"readings"` // newly stored since the lab started
	Duplicates int64 `json:"duplicates"`
	// Conflicts counts readings this agent sent under keys already stored with other content:
	// it reused seqs (its outbox went back in time). They are kept in the store's conflicts.
	Conflicts int64 `json:"conflicts"`

	// Lag. Depth and OldestAgeS are what the agent last reported of its outbox (readings waiting
	// for the lab's ack, the oldest one's age in seconds), measured at LagAt (zero: no report yet,
	// or an agent older than the report). NewestSample is the newest sample time stored from the
	// agent in this run; LagS is now minus it. Lagging: see lagging.
	Depth        int64     `json:"depth"`
	OldestAgeS   float64   `json:"oldest_age_s"`
	LagAt        time.Time `json:"lag_at,omitzero"`
	NewestSample time.Time `json:"newest_sample,omitzero"`
	LagS         float64   `json:"lag_s"`
	Lagging      bool      `json:"lagging"`
	// Lost is what the agent last reported of readings its rigs sent that it could not keep (its
	// outbox refused them: a full disk) since it started — a gap in the data, never silent.
	Lost int64 `json:"lost"`
}

// DefaultLagThreshold is Opts.LagThreshold when unset.
const DefaultLagThreshold = 10 * time.Second

func (o *Opts) lagThreshold() time.Duration {
	if o.LagThreshold <= 0 {
		return DefaultLagThreshold
	}
	return o.LagThreshold
}

// withLag fills LagS and Lagging at now.
func (a AgentInfo) withLag(now time.Time, threshold time.Duration) AgentInfo {
	a.LagS = 0
	if !a.NewestSample.IsZero() {
		a.LagS = max(now.Sub(a.NewestSample).Seconds(), 0) // a sample from a clock ahead of ours is no lag
	}
	a.Lagging = a.lagging(threshold)
	return a
}

// lagging is true for an online agent that is more than threshold behind: its oldest waiting
// reading is older than that, or the newest stored one is while it still has readings to send.
// An agent that reported an empty outbox is idle, not behind; one that reports nothing (older than
// the report) lags when nothing fresh arrived for threshold.
func (a AgentInfo) lagging(threshold time.Duration) bool {
	if !a.Online {
		return false
	}
	thr := threshold.Seconds()
	if a.OldestAgeS > thr {
		return true
	}
	return a.LagS > thr && (a.LagAt.IsZero() || a.Depth > 0)
}

type agentTable struct {
	mu sync.Mutex
	m  map[string]*AgentInfo
}

// get returns the entry for name, creating it; the caller holds mu.
func (t *agentTable) get(name, site string) *AgentInfo {
	a, ok := t.m[name]
	if !ok {
		a = &AgentInfo{Agent: store.Agent{Name: name}}
		t.m[name] = a
	}
	if site != "" {
		a.Site = site
	}
	return a
}

// sawStatus records a status and reports whether the agent's state or epoch changed (a periodic
// lag report changes neither).
func (t *agentTable) sawStatus(name, site string, st telemetry.Status, at time.Time) (changed bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.get(name, site)
	online := st.State == telemetry.StateOnline
	changed = a.State != st.State || a.Epoch != st.Epoch || a.Online != online
	a.State, a.Epoch, a.Version, a.Online = st.State, st.Epoch, st.Version, online
	if at.After(a.LastSeen) {
		a.LastSeen = at.UTC()
	}
	switch {
	case st.HasLag():
		a.Depth, a.OldestAgeS = st.Depth, float64(st.OldestMs)/1000
		a.LagAt = time.UnixMilli(st.At).UTC()
		if st.Lost > a.Lost {
			a.Lost = st.Lost
		}
	case !a.Online:
		a.Depth, a.OldestAgeS, a.LagAt = 0, 0, time.Time{} // what an offline agent holds is unknown
	}
	return changed
}

func (t *agentTable) sawData(name, site string, b telemetry.Batch, got store.Stored, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.get(name, site)
	for _, r := range b.R {
		if ts := time.Unix(0, r.T); ts.After(a.NewestSample) {
			a.NewestSample = ts.UTC()
		}
	}
	a.DataEpoch, a.Watermark = b.Epoch, got.Watermark
	a.Batches++
	a.Readings += int64(got.Inserted)
	a.Duplicates += int64(got.Duplicates)
	a.Conflicts += int64(got.Conflicts)
	if at.After(a.LastSeen) {
		a.LastSeen = at.UTC()
	}
}

// loadAgents fills the table from the store so agents that stay silent are still listed.
// Nobody is online until a status says so in this run.
func (in *Ingest) loadAgents(ctx context.Context) error {
	list, err := in.store.Agents(ctx)
	if err != nil {
		return fmt.Errorf("ingest: load agents: %w", err)
	}
	in.agents.mu.Lock()
	defer in.agents.mu.Unlock()
	for _, a := range list {
		in.agents.m[a.Name] = &AgentInfo{Agent: a}
	}
	return nil
}

// Agents returns every known agent, by name.
func (in *Ingest) Agents() []AgentInfo {
	now := time.Now()
	in.agents.mu.Lock()
	out := make([]AgentInfo, 0, len(in.agents.m))
	for _, a := range in.agents.m {
		out = append(out, a.withLag(now, in.opts.lagThreshold()))
	}
	in.agents.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Agent returns one agent's entry.
func (in *Ingest) Agent(name string) (AgentInfo, bool) {
	in.agents.mu.Lock()
	defer in.agents.mu.Unlock()
	a, ok := in.agents.m[name]
	if !ok {
		return AgentInfo{}, false
	}
	return a.withLag(time.Now(), in.opts.lagThreshold()), true
}

// AgentsHandler serves GET /api/agents: {"agents":[AgentInfo…],"stats":Stats}. docs/lab-api.md
// describes the fields.
func AgentsHandler(in *Ingest) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body := struct {
			Agents []AgentInfo `json:"agents"`
			Stats  Stats       `json:"stats"`
		}{in.Agents(), in.Stats()}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if err := json.NewEncoder(w).Encode(body); err != nil {
			in.log.Debug("ingest: write /api/agents", "error", err)
		}
	})
}
