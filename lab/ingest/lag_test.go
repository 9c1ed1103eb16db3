package ingest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
)

func sendStatus(t *testing.T, in *Ingest, agent string, st telemetry.Status) {
	t.Helper()
	b, err := telemetry.Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	in.deliver(telemetry.StatusTopic("s1", agent), b)
}

func sendBatch(t *testing.T, in *Ingest, agent string, seq int64, sampled time.Time) {
	t.Helper()
	b, err := telemetry.Encode(telemetry.Batch{V: 1, Epoch: 1, SeqFrom: seq, SeqTo: seq + 1, R: []telemetry.Reading{
		{Ch: "speed", T: sampled.Add(-time.Second).UnixNano(), V: 5, U: "km/h", Q: "good"},
		{Ch: "speed", T: sampled.UnixNano(), V: 5, U: "km/h", Q: "good"}}})
	if err != nil {
		t.Fatal(err)
	}
	in.deliver(telemetry.DataTopic("s1", agent, "rig0"), b)
}

func agentInfo(t *testing.T, in *Ingest, name string) AgentInfo {
	t.Helper()
	a, ok := in.Agent(name)
	if !ok {
		t.Fatalf("no agent %s", name)
	}
	return a
}

// The lab computes an agent's lag from the sample times it stored: readings sampled a minute ago
// and stored now mean the pipeline is a minute behind.
func TestLagFromStoredSampleTimes(t *testing.T) {
	in, _ := offline(t)
	online := telemetry.Status{V: 1, State: telemetry.StateOnline, Epoch: 1} // an agent without lag reports
	sendStatus(t, in, "old", online)
	sendStatus(t, in, "fresh", online)
	sendBatch(t, in, "old", 1, time.Now().Add(-time.Minute))
	sendBatch(t, in, "fresh", 1, time.Now())

	old := agentInfo(t, in, "old")
	if old.LagS < 55 || old.LagS > 120 || !old.Lagging {
		t.Errorf("readings a minute old: lag_s %v lagging %v, want about 60 and true", old.LagS, old.Lagging)
	}
	fresh := agentInfo(t, in, "fresh")
	if fresh.LagS > 5 || fresh.Lagging {
		t.Errorf("fresh readings: lag_s %v lagging %v, want about 0 and false", fresh.LagS, fresh.Lagging)
	}
	if s := in.Stats(); s.Lagging != 1 || s.LagThresholdS != 10 {
		t.Errorf("stats lagging %d threshold %v, want 1 and 10", s.Lagging, s.LagThresholdS)
	}
	// A replay of still older readings does not make the newest stored one older.
	sendBatch(t, in, "fresh", 3, time.Now().Add(-time.Hour))
	if a := agentInfo(t, in, "fresh"); a.Lagging {
		t.Errorf("an old replay made a current agent lag: lag_s %v", a.LagS)
	}
	// Offline agents are not lagging: nothing is expected of them.
	sendStatus(t, in, "old", telemetry.Status{V: 1, State: telemetry.StateOffline, Epoch: 1})
	if a := agentInfo(t, in, "old"); a.Lagging {
		t.Error("an offline agent is lagging")
	}
}

// What the agent reports of its outbox decides too: an old waiting reading is lag even when fresh
// ones arrive, and an agent that reports an empty outbox is idle, not behind.
func TestLagAsReported(t *testing.T) {
	in, _ := offline(t)
	in.opts.LagThreshold = 5 * time.Second
	now := time.Now()
	sendStatus(t, in, "a1", telemetry.Status{V: 1, State: telemetry.StateOnline, Epoch: 1,
		Depth: 171574, OldestMs: 15250, At: now.UnixMilli()})
	sendBatch(t, in, "a1", 1, now)
	a := agentInfo(t, in, "a1")
	if a.Depth != 171574 || a.OldestAgeS != 15.25 || !a.LagAt.Equal(time.UnixMilli(now.UnixMilli())) || !a.Lagging {
		t.Errorf("reported backlog: %+v, want depth 171574, oldest 15.25 s, lagging", a)
	}

	sendStatus(t, in, "idle", telemetry.Status{V: 1, State: telemetry.StateOnline, Epoch: 1, At: now.UnixMilli()})
	sendBatch(t, in, "idle", 1, now.Add(-time.Minute)) // its rig stopped a minute ago
	if a := agentInfo(t, in, "idle"); a.Lagging || a.LagS < 55 {
		t.Errorf("idle agent with an empty outbox: lag_s %v lagging %v, want about 60 and false", a.LagS, a.Lagging)
	}
	sendStatus(t, in, "idle", telemetry.Status{V: 1, State: telemetry.StateOnline, Epoch: 1, Depth: 3, OldestMs: 10, At: now.UnixMilli()})
	if a := agentInfo(t, in, "idle"); !a.Lagging {
		t.Error("rows waiting while the newest stored reading is a minute old: not lagging")
	}
}

func TestAgentsHandlerCarriesLag(t *testing.T) {
	in, _ := offline(t)
	sendStatus(t, in, "a1", telemetry.Status{V: 1, State: telemetry.StateOnline, Epoch: 1, Depth: 7, OldestMs: 20000, At: time.Now().UnixMilli()})
	sendBatch(t, in, "a1", 1, time.Now().Add(-30*time.Second))
	srv := httptest.NewServer(AgentsHandler(in))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Agents []map[string]any `json:"agents"`
		Stats  map[string]any   `json:"stats"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if len(body.Agents) != 1 {
		t.Fatalf("agents %v", body.Agents)
	}
	a := body.Agents[0]
	lag, _ := a["lag_s"].(float64)
	if a["depth"] != 7.0 || a["oldest_age_s"] != 20.0 || lag < 25 || a["lagging"] != true || a["lag_at"] == nil || a["newest_sample"] == nil {
		t.Errorf("agent %v", a)
	}
	if body.Stats["lagging"] != 1.0 || body.Stats["lag_threshold_s"] != 10.0 {
		t.Errorf("stats %v", body.Stats)
	}
}

// An agent that could not keep readings (a full disk) says how many in its lag status; the lab
// shows the count, and a later report never lowers it.
func TestLostReadingsReported(t *testing.T) {
	in, _ := offline(t)
	now := time.Now()
	if a := func() AgentInfo {
		sendStatus(t, in, "a1", telemetry.Status{V: 1, State: telemetry.StateOnline, Epoch: 1, At: now.UnixMilli()})
		return agentInfo(t, in, "a1")
	}(); a.Lost != 0 {
		t.Fatalf("lost %d before any report of loss", a.Lost)
	}
	sendStatus(t, in, "a1", telemetry.Status{V: 1, State: telemetry.StateOnline, Epoch: 1, At: now.UnixMilli(), Lost: 1639})
	if a := agentInfo(t, in, "a1"); a.Lost != 1639 {
		t.Errorf("lost = %d, want 1639", a.Lost)
	}
	sendStatus(t, in, "a1", telemetry.Status{V: 1, State: telemetry.StateOnline, Epoch: 1, At: now.UnixMilli()}) // e.g. an older message
	if a := agentInfo(t, in, "a1"); a.Lost != 1639 {
		t.Errorf("lost went back to %d", a.Lost)
	}
}
