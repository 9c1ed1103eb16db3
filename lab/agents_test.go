package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/lab/ingest"
)

// `lab agents` prints each agent's lag and a WARNING line for a lagging one, none for the others.
func TestAgentsWarnsOfLag(t *testing.T) {
	now := time.Now().UTC()
	var body struct {
		Agents []ingest.AgentInfo `json:"agents"`
		Stats  ingest.Stats       `json:"stats"`
	}
	behind := ingest.AgentInfo{Online: true, Depth: 171574, OldestAgeS: 15.25, LagAt: now, NewestSample: now.Add(-61 * time.Second), LagS: 61.2, Lagging: true}
	behind.Name, behind.State, behind.Epoch = "agent-behind", "online", 3
	current := ingest.AgentInfo{Online: true, Depth: 12, OldestAgeS: 0.2, LagAt: now, NewestSample: now, LagS: 0.3}
	current.Name, current.State, current.Epoch = "agent-current", "online", 4
	silent := ingest.AgentInfo{} // never heard from: no lag known
	silent.Name, silent.State = "agent-silent", "offline"
	body.Agents = []ingest.AgentInfo{behind, current, silent}
	body.Stats = ingest.Stats{Lagging: 1, LagThresholdS: 10}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(body)
	}))
	defer srv.Close()

	code, out, errOut := runCmd("agents", "--url", srv.URL)
	if code != 0 {
		t.Fatalf("lab agents: %d %s", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if !strings.Contains(lines[0], "LAG") || !strings.Contains(lines[0], "WAITING") {
		t.Errorf("header %q lacks LAG and WAITING", lines[0])
	}
	row := func(name string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, name+" ") {
				return l
			}
		}
		t.Fatalf("no row for %s in\n%s", name, out)
		return ""
	}
	if r := row("agent-behind"); !strings.Contains(r, "61.2s !") || !strings.Contains(r, "171574") {
		t.Errorf("lagging row %q: want lag 61.2s marked and 171574 waiting", r)
	}
	if r := row("agent-current"); !strings.Contains(r, "0.3s") || strings.Contains(r, "!") {
		t.Errorf("current row %q", r)
	}
	if f := strings.Fields(row("agent-silent")); f[len(f)-2] != "-" || f[len(f)-1] != "-" {
		t.Errorf("silent row %q: want no lag and nothing waiting", f)
	}
	if n := strings.Count(out, "WARNING"); n != 1 || !strings.Contains(out, "WARNING: agent agent-behind is 61.2s behind (threshold 10s)") {
		t.Errorf("want one WARNING, for agent-behind:\n%s", out)
	}
}
