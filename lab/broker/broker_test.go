package broker_test

import (
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/labtest"
)

const site = labtest.Site

func TestAuthRefused(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	e.AddAgent("a1", "pw1")
	otherStatus := telemetry.StatusTopic(site, "a2")
	cases := []struct {
		name, user, pass, id, will string
	}{
		{"anonymous", "", "", "anon", ""},
		{"user without password", "a1", "", "a1", ""},
		{"bad password", "a1", "nope", "a1", ""},
		{"unknown user", "ghost", "pw1", "ghost", ""},
		{"agent with another client id", "a1", "pw1", "lab-test", ""},
		{"agent with a will on another agent's status", "a1", "pw1", "a1", otherStatus},
	}
	for _, c := range cases {
		opts, _ := labtest.ClientOpts(e.URL, c.user, c.pass, c.id)
		if c.will != "" {
			opts.SetWill(c.will, "x", 1, true)
		}
		if cl, err := labtest.TryConnect(opts); err == nil {
			cl.Disconnect(0)
			t.Errorf("%s: connected", c.name)
		}
	}
	opts, _ := labtest.ClientOpts(e.URL, "a1", "pw1", "a1/second")
	opts.SetWill(telemetry.StatusTopic(site, "a1"), "x", 1, true)
	labtest.Connect(t, opts)
}

// aclScenario checks that an agent's messages to another agent's topics never reach a subscriber
// and that an agent receives nothing but its own. strictSubscribe: the broker refuses such
// subscriptions outright. Agents a1 (password pw1) and a2 exist.
func aclScenario(t *testing.T, url, labUser, labPass string, strictSubscribe bool) {
	var mu sync.Mutex
	got := map[string]int{}
	labOpts, _ := labtest.ClientOpts(url, labUser, labPass, "lab-acl")
	lab := labtest.Connect(t, labOpts)
	labtest.Subscribe(t, lab, telemetry.Root+"/#", func(_ mqtt.Client, m mqtt.Message) {
		mu.Lock()
		got[m.Topic()]++
		mu.Unlock()
	})

	opts, _ := labtest.ClientOpts(url, "a1", "pw1", "a1")
	a1 := labtest.Connect(t, opts)
	readByA1 := map[string]int{}
	count := func(_ mqtt.Client, m mqtt.Message) {
		mu.Lock()
		readByA1[m.Topic()]++
		mu.Unlock()
	}
	for _, f := range []string{telemetry.AckTopic(site, "a2"), telemetry.AgentCommandFilter(site, "a2"),
		telemetry.AllDataFilter(site), "#"} {
		// mochi refuses the subscription; mosquitto grants it and filters every delivery.
		if err := labtest.TrySubscribe(a1, f, count); err == nil && strictSubscribe {
			t.Errorf("agent a1 may subscribe to %s", f)
		}
	}
	labtest.Subscribe(t, a1, telemetry.AckTopic(site, "a1"), count)
	for _, topic := range []string{telemetry.AckTopic(site, "a2"), telemetry.CommandTopic(site, "a2", "rig", "stop"),
		telemetry.AckTopic(site, "a1")} {
		labtest.Publish(t, lab, topic, false, []byte("x"))
	}
	labtest.Eventually(t, 10*time.Second, "own ack not delivered", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return readByA1[telemetry.AckTopic(site, "a1")] >= 1
	})
	mu.Lock()
	if len(readByA1) != 1 {
		t.Errorf("a1 received %v, want only its own ack", readByA1)
	}
	mu.Unlock()

	forged := telemetry.DataTopic(site, "a2", "rig")
	a1.Publish(forged, 0, false, "qos0").WaitTimeout(time.Second)
	a1.Publish(forged, 1, false, "qos1").WaitTimeout(time.Second)
	if !a1.IsConnectionOpen() { // mochi disconnects a v3 client that publishes where it may not
		opts, _ = labtest.ClientOpts(url, "a1", "pw1", "a1")
		a1 = labtest.Connect(t, opts)
	}
	own := telemetry.DataTopic(site, "a1", "rig")
	labtest.Publish(t, a1, own, false, []byte("mine"))
	labtest.Eventually(t, 10*time.Second, "own data not delivered", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return got[own] == 1
	})
	mu.Lock()
	defer mu.Unlock()
	if got[forged] != 0 {
		t.Errorf("forged message delivered %d times", got[forged])
	}
}

func TestACLEmbedded(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	e.AddAgent("a1", "pw1")
	e.AddAgent("a2", "pw2")
	aclScenario(t, e.URL, e.LabUser, e.LabPass, true)
}

// TestACLMosquitto checks that MosquittoACL states the same policy for an external broker.
func TestACLMosquitto(t *testing.T) {
	url, _, _ := labtest.StartMosquitto(t, map[string]string{"lab": "lab-pw", "a1": "pw1", "a2": "pw2"}, "lab")
	aclScenario(t, url, "lab", "lab-pw", false)
	for _, c := range [][2]string{{"", ""}, {"a1", "bad"}, {"ghost", "pw1"}} {
		opts, _ := labtest.ClientOpts(url, c[0], c[1], "x"+c[0])
		if cl, err := labtest.TryConnect(opts); err == nil {
			cl.Disconnect(0)
			t.Errorf("mosquitto accepted user %q password %q", c[0], c[1])
		}
	}
}

func TestRemovedUserLosesRights(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	e.AddAgent("a1", "pw1")
	opts, _ := labtest.ClientOpts(e.URL, "a1", "pw1", "a1")
	a1 := labtest.Connect(t, opts)
	e.Broker.RemoveUser("a1")
	if err := labtest.TrySubscribe(a1, telemetry.AckTopic(site, "a1"), nil); err == nil {
		t.Error("removed user may still subscribe")
	}
	if _, err := labtest.TryConnect(opts); err == nil {
		t.Error("removed user may still connect")
	}
}

func TestStopRestartSamePort(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	addr := e.Broker.Addr()
	opts, _ := labtest.ClientOpts(e.URL, e.LabUser, e.LabPass, "lab-restart")
	labtest.Connect(t, opts)
	if err := e.Broker.Stop(); err != nil {
		t.Fatal(err)
	}
	if c, err := labtest.TryConnect(opts); err == nil {
		c.Disconnect(0)
		t.Fatal("connected to a stopped broker")
	}
	if err := e.Broker.Restart(); err != nil {
		t.Fatal(err)
	}
	if e.Broker.Addr() != addr {
		t.Errorf("restarted on %s, want %s", e.Broker.Addr(), addr)
	}
	labtest.Connect(t, opts)
	if err := e.Broker.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Broker.Restart(); err == nil {
		t.Error("restarted after Close")
	}
}
