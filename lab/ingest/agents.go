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

func (t *agentTable) sawStatus(name, site string, st telemetry.Status, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.get(name, site)
	a.State, a.Epoch, a.Version = st.State, st.Epoch, st.Version
	a.Online = st.State == telemetry.StateOnline
	if at.After(a.LastSeen) {
		a.LastSeen = at.UTC()
	}
}

func (t *agentTable) sawData(name, site string, epoch int64, got store.Stored, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.get(name, site)
	a.DataEpoch, a.Watermark = epoch, got.Watermark
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
	in.agents.mu.Lock()
	out := make([]AgentInfo, 0, len(in.agents.m))
	for _, a := range in.agents.m {
		out = append(out, *a)
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
	return *a, true
}

// AgentsHandler serves GET /api/agents: {"agents":[AgentInfo…],"stats":Stats}.
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
