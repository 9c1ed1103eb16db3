package ingest_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/ingest"
	"github.com/onestop-station/onestop/lab/labtest"
	"github.com/onestop-station/onestop/lab/store"
)

const (
	site    = labtest.Site
	wait    = 20 * time.Second // generous: a loaded 2-core CI machine, never a performance bound
	agentPW = "agent-secret"
)

type creds struct{ url, labUser, labPass string }

func openStore(t *testing.T) *store.Store { return openStoreTB(t) }

func openStoreTB(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "lab.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func startIngest(t *testing.T, c creds, st *store.Store, mod func(*ingest.Opts)) *ingest.Ingest {
	t.Helper()
	return startIngestMod(t, c, st, mod)
}

func startIngestTB(t testing.TB, c creds, st *store.Store) *ingest.Ingest {
	return startIngestMod(t, c, st, nil)
}

func startIngestMod(t testing.TB, c creds, st *store.Store, mod func(*ingest.Opts)) *ingest.Ingest {
	t.Helper()
	o := ingest.Opts{BrokerURL: c.url, Username: c.labUser, Password: c.labPass, Site: site,
		ClientID: "lab-" + t.Name(), Store: st, Logger: labtest.Logger(t)}
	if mod != nil {
		mod(&o)
	}
	in, err := ingest.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := in.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return in
}

func count(t *testing.T, st *store.Store) int64 {
	t.Helper()
	n, err := st.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func lastAck(a *labtest.Agent) (telemetry.Ack, int) {
	acks := a.Acks()
	if len(acks) == 0 {
		return telemetry.Ack{}, 0
	}
	return acks[len(acks)-1], len(acks)
}

// waitAcks waits for the n-th ack and checks it carries seq.
func waitAcks(t *testing.T, a *labtest.Agent, n int, seq int64) {
	t.Helper()
	labtest.Eventually(t, wait, "ack number "+string(rune('0'+n)), func() bool { return len(a.Acks()) >= n })
	if k := a.Acks()[n-1]; k.Epoch != a.Epoch || k.Seq != seq {
		t.Errorf("ack %d = %+v, want epoch %d seq %d", n, k, a.Epoch, seq)
	}
}

// ingestScenario runs the contract against a broker: storage once, acks after commit with the
// right watermark, duplicates re-acked, gaps, meta, status online and offline by last will.
func ingestScenario(t *testing.T, c creds, agent string, mod func(*ingest.Opts)) {
	st := openStore(t)
	in := startIngest(t, c, st, mod)
	a := labtest.NewAgent(t, c.url, site, agent, agentPW, 7)

	labtest.Eventually(t, wait, "agent not online", func() bool {
		info, ok := in.Agent(agent)
		return ok && info.Online && info.Epoch == 7
	})
	var state string
	var mu sync.Mutex
	labtest.Subscribe(t, a.Client, telemetry.ServiceStateTopic(site), func(_ mqtt.Client, m mqtt.Message) {
		mu.Lock()
		state = string(m.Payload())
		mu.Unlock()
	})

	a.Send(t, "rig", labtest.Batch(7, 1, 10))
	waitAcks(t, a, 1, 10)
	a.Send(t, "rig", labtest.Batch(7, 1, 10)) // the agent lost the ack and replays
	waitAcks(t, a, 2, 10)
	a.Send(t, "rig", labtest.Batch(7, 21, 30))
	waitAcks(t, a, 3, 10) // the gap 11..20 holds the watermark
	a.Send(t, "psu", labtest.Batch(7, 11, 20))
	waitAcks(t, a, 4, 30)

	if n := count(t, st); n != 30 {
		t.Errorf("stored %d readings, want 30", n)
	}
	if s := in.Stats(); s.Readings != 30 || s.Duplicates != 10 || s.Batches != 4 || s.BadPayloads != 0 {
		t.Errorf("stats = %+v", s)
	}
	meta := telemetry.Meta{V: 1, Model: "RS-1", Serial: "S1", Channels: []telemetry.Channel{{Name: "motor_temp", Unit: "°C"}}}
	mb, _ := telemetry.Encode(meta)
	labtest.Publish(t, a.Client, telemetry.MetaTopic(site, agent, "rig"), true, mb)
	labtest.Eventually(t, wait, "meta not stored", func() bool {
		devs, _ := st.Devices(context.Background(), agent)
		return len(devs) == 1 && devs[0].Meta.Serial == "S1"
	})
	labtest.Eventually(t, wait, "service state not online", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return state == telemetry.ServiceOnline
	})

	a.Killer.Kill() // no DISCONNECT: the broker publishes the agent's will
	labtest.Eventually(t, wait, "agent still online after its connection broke", func() bool {
		info, _ := in.Agent(agent)
		return !info.Online && info.State == telemetry.StateOffline
	})
	ags, err := st.Agents(context.Background())
	if err != nil || len(ags) != 1 || ags[0].State != telemetry.StateOffline || ags[0].Site != site {
		t.Errorf("stored agents = %+v, %v", ags, err)
	}
}

func TestIngestEmbedded(t *testing.T) {
	url, u, p, addAgent := labtest.StartEmbedded(t)
	addAgent("a1", agentPW)
	ingestScenario(t, creds{url, u, p}, "a1", nil)
}

// The same through the embedded broker in process (Opts.Embedded), as `lab serve` runs it.
func TestIngestEmbeddedInProcess(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	e.AddAgent("a1", agentPW)
	ingestScenario(t, creds{e.URL, e.LabUser, e.LabPass}, "a1", func(o *ingest.Opts) { o.Embedded = e.Broker })
}

func TestIngestMosquitto(t *testing.T) {
	url, _, _ := labtest.StartMosquitto(t, map[string]string{"lab": "lab-pw", "a1": agentPW}, "lab")
	ingestScenario(t, creds{url, "lab", "lab-pw"}, "a1", nil)
}

// restartScenario stops the broker for a while with an agent mid-stream; the ingest reconnects by
// itself, subscribes again and goes on storing and acknowledging.
func restartScenario(t *testing.T, c creds, agent string, stop, start func(), mod func(*ingest.Opts)) {
	st := openStore(t)
	in := startIngest(t, c, st, mod)
	a := labtest.NewAgent(t, c.url, site, agent, agentPW, 1)
	for i := int64(0); i < 5; i++ {
		a.Send(t, "rig", labtest.Batch(1, i*10+1, i*10+10))
	}
	a.WaitAck(t, 1, 50, wait)

	stop()
	labtest.Eventually(t, wait, "ingest did not notice the broker stopped", func() bool { return !in.Connected() })
	time.Sleep(2 * time.Second) // an outage of some seconds, longer than the reconnect interval
	start()

	a = labtest.NewAgent(t, c.url, site, agent, agentPW, 1) // a real agent reconnects by itself
	labtest.Eventually(t, wait, "ingest did not reconnect", in.Connected)
	// Until the ingest has subscribed again, batches are lost; the agent resends unacked ones,
	// which this loop does the simple way.
	labtest.Eventually(t, wait, "no ack after the restart", func() bool {
		a.Send(t, "rig", labtest.Batch(1, 51, 60))
		time.Sleep(50 * time.Millisecond)
		return a.Acked(1, 60)
	})
	if n := count(t, st); n != 60 {
		t.Errorf("stored %d readings, want 60", n)
	}
	labtest.Eventually(t, wait, "agent not online after the restart", func() bool {
		info, _ := in.Agent(agent)
		return info.Online
	})
}

func TestBrokerRestartEmbedded(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	e.AddAgent("a1", agentPW)
	stop := func() {
		if err := e.Broker.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	start := func() {
		if err := e.Broker.Restart(); err != nil {
			t.Fatal(err)
		}
	}
	restartScenario(t, creds{e.URL, e.LabUser, e.LabPass}, "a1", stop, start, nil)
	t.Run("in process", func(t *testing.T) {
		restartScenario(t, creds{e.URL, e.LabUser, e.LabPass}, "a1", stop, start,
			func(o *ingest.Opts) { o.Embedded = e.Broker })
	})
}

func TestBrokerRestartMosquitto(t *testing.T) {
	url, stop, start := labtest.StartMosquitto(t, map[string]string{"lab": "lab-pw", "a1": agentPW}, "lab")
	restartScenario(t, creds{url, "lab", "lab-pw"}, "a1", stop, start, nil)
}

// TestSharedWorkers runs two lab workers on one shared subscription: every batch is stored and
// acknowledged once per delivery, and the workers split the batches between them.
func TestSharedWorkers(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	e.AddAgent("a1", agentPW)
	c := creds{e.URL, e.LabUser, e.LabPass}
	st := openStore(t)
	shared := func(id string) func(*ingest.Opts) {
		return func(o *ingest.Opts) { o.Shared, o.ClientID = true, id }
	}
	w1 := startIngest(t, c, st, shared("lab-w1"))
	w2 := startIngest(t, c, st, shared("lab-w2"))
	a := labtest.NewAgent(t, c.url, site, "a1", agentPW, 1)
	const batches = 20
	for i := int64(0); i < batches; i++ {
		a.Send(t, "rig", labtest.Batch(1, i*10+1, i*10+10))
	}
	a.WaitAck(t, 1, batches*10, wait)
	if n := count(t, st); n != batches*10 {
		t.Errorf("stored %d readings, want %d", n, batches*10)
	}
	s1, s2 := w1.Stats(), w2.Stats()
	if s1.Batches+s2.Batches != batches || s1.Duplicates+s2.Duplicates != 0 {
		t.Errorf("worker stats %+v and %+v: want %d batches in all, no duplicates", s1, s2, batches)
	}
}

func TestCloseLeavesServiceOffline(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	e.AddAgent("a1", agentPW)
	in := startIngest(t, creds{e.URL, e.LabUser, e.LabPass}, openStore(t), nil)
	in.Close()
	a := labtest.NewAgent(t, e.URL, site, "a1", agentPW, 1)
	got := make(chan string, 4)
	labtest.Subscribe(t, a.Client, telemetry.ServiceStateTopic(site), func(_ mqtt.Client, m mqtt.Message) {
		got <- string(m.Payload())
	})
	select {
	case s := <-got:
		if s != telemetry.ServiceOffline {
			t.Errorf("retained service state %q after Close, want offline", s)
		}
	case <-time.After(wait):
		t.Error("no retained service state")
	}
}

func TestBadPayloadsCounted(t *testing.T) {
	url, u, p, addAgent := labtest.StartEmbedded(t)
	addAgent("a1", agentPW)
	st := openStore(t)
	in := startIngest(t, creds{url, u, p}, st, nil)
	a := labtest.NewAgent(t, url, site, "a1", agentPW, 1)
	bad := labtest.Batch(1, 1, 3)
	bad.SeqTo = 4
	bb, _ := telemetry.Encode(bad)
	for _, pl := range [][]byte{[]byte("{"), []byte(`{"v":2}`), bb, nil} {
		labtest.Publish(t, a.Client, telemetry.DataTopic(site, "a1", "rig"), false, pl)
	}
	labtest.Publish(t, a.Client, telemetry.StatusTopic(site, "a1"), false, []byte(`{"v":1,"state":"asleep"}`))
	labtest.Eventually(t, wait, "bad payloads not counted", func() bool { return in.Stats().BadPayloads == 5 })
	a.Send(t, "rig", labtest.Batch(1, 1, 3))
	a.WaitAck(t, 1, 3, wait)
	if n := count(t, st); n != 3 {
		t.Errorf("stored %d, want 3", n)
	}
}
