package ingest

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/store"
)

// offline builds an Ingest without a broker; acks land in the returned slice.
func offline(t testing.TB) (*Ingest, *[]telemetry.Ack) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "lab.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	in, err := newIngest(Opts{BrokerURL: "tcp://unused:1", Site: "s1", Store: st, QueueLen: 1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	in.stop() // the tests drive process themselves
	var mu sync.Mutex
	acks := &[]telemetry.Ack{}
	in.publish = func(topic string, retain bool, payload []byte) error {
		k, err := telemetry.DecodeAck(payload)
		if err != nil {
			t.Errorf("ack on %s does not decode: %v", topic, err)
		}
		mu.Lock()
		*acks = append(*acks, k)
		mu.Unlock()
		return nil
	}
	in.ctx = t.Context() // process runs after stop; give it a live context
	return in, acks
}

// deliver is what a paho delivery plus the worker do, synchronously.
func (in *Ingest) deliver(topic string, payload []byte) {
	if m, _, ok := in.route(topic, payload, false, time.Now()); ok {
		in.process(m)
	}
}

func TestQueueFullDrops(t *testing.T) {
	in, _ := offline(t)
	topic := telemetry.DataTopic("s1", "a1", "rig")
	in.enqueue(topic, []byte("{}"), false, time.Now())
	in.enqueue(topic, []byte("{}"), false, time.Now())
	if s := in.Stats(); s.Dropped != 1 {
		t.Errorf("dropped %d, want 1", s.Dropped)
	}
}

func TestWrongSiteAndKindAreBad(t *testing.T) {
	in, acks := offline(t)
	b, _ := telemetry.Encode(telemetry.Batch{V: 1, Epoch: 1, SeqFrom: 1, SeqTo: 1,
		R: []telemetry.Reading{{Ch: "x", T: 1, V: 1, Q: "good"}}})
	in.deliver(telemetry.DataTopic("s2", "a1", "rig"), b)      // another site
	in.deliver(telemetry.AckTopic("s1", "a1"), b)              // a kind the lab does not ingest
	in.deliver("onestop/v1/lab/s1/agent/a1/dev/rig/data/x", b) // not a contract topic
	if s := in.Stats(); s.BadPayloads != 3 || s.Batches != 0 || len(*acks) != 0 {
		t.Errorf("stats %+v, acks %v", s, *acks)
	}
	in.deliver(telemetry.DataTopic("s1", "a1", "rig"), b)
	if len(*acks) != 1 || (*acks)[0] != (telemetry.Ack{V: 1, Epoch: 1, Seq: 1}) {
		t.Errorf("acks %v", *acks)
	}
}

func TestAgentsHandler(t *testing.T) {
	in, _ := offline(t)
	st, _ := telemetry.Encode(telemetry.Status{V: 1, State: "online", Epoch: 2, Version: "v9"})
	in.deliver(telemetry.StatusTopic("s1", "a1"), st)
	srv := httptest.NewServer(AgentsHandler(in))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/agents")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Agents []map[string]any `json:"agents"`
		Stats  Stats            `json:"stats"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if len(body.Agents) != 1 || body.Agents[0]["agent"] != "a1" || body.Agents[0]["online"] != true ||
		body.Agents[0]["version"] != "v9" || body.Stats.Statuses != 1 {
		t.Errorf("body = %+v", body)
	}
	r, _ := http.Post(srv.URL, "text/plain", nil)
	if r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s", r.Status)
	}
	r.Body.Close()
}

// FuzzDispatch feeds arbitrary topics and payloads through routing and processing: nothing
// panics, and whatever is not stored is counted.
func FuzzDispatch(f *testing.F) {
	good, _ := telemetry.Encode(telemetry.Batch{V: 1, Epoch: 1, SeqFrom: 1, SeqTo: 2, R: []telemetry.Reading{
		{Ch: "a", T: 1, V: 1, Q: "good"}, {Ch: "a", T: 2, V: 2, U: "V", Q: "bad"}}})
	status, _ := telemetry.Encode(telemetry.Status{V: 1, State: "offline", Epoch: 1})
	meta, _ := telemetry.Encode(telemetry.Meta{V: 1, Model: "m", Channels: []telemetry.Channel{{Name: "a"}}})
	data := telemetry.DataTopic("s1", "a1", "rig")
	f.Add(data, good)
	f.Add(data, []byte(`{"v":1,"epoch":1,"seq_from":1,"seq_to":1,"r":[{"ch":"a","t":1,"val":1e999,"q":"good"}]}`))
	f.Add(data, []byte(`null`))
	f.Add(telemetry.StatusTopic("s1", "a1"), status)
	f.Add(telemetry.MetaTopic("s1", "a1", "rig"), meta)
	f.Add("onestop/v1/lab/s1/agent//dev/rig/data", good)
	f.Add("$share/lab/"+data, good)
	in, acks := offline(f)
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		before := in.Stats()
		nAcks := len(*acks)
		in.deliver(topic, payload)
		after := in.Stats()
		handled := after.Batches - before.Batches + after.Statuses - before.Statuses + after.Metas - before.Metas
		failed := after.BadPayloads - before.BadPayloads + after.StoreErrors - before.StoreErrors
		if handled+failed != 1 {
			t.Fatalf("message neither handled nor counted: before %+v after %+v", before, after)
		}
		if after.Batches > before.Batches && len(*acks) != nAcks+1 {
			t.Fatalf("batch stored without an ack")
		}
	})
}
