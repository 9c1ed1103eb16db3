package broker_test

import (
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/labtest"
)

// An in-process subscription gets what a network client publishes, also after a restart (made
// again before clients can reconnect), and an in-process publish reaches a network client;
// OnStart runs at the restart.
func TestInlineSubscribePublishAcrossRestart(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	e.AddAgent("a1", "pw1")
	var mu sync.Mutex
	var got []string
	cancel, err := e.Broker.SubscribeInline(telemetry.AllDataFilter(site), func(topic string, payload []byte, retained bool) {
		mu.Lock()
		got = append(got, topic+" "+string(payload))
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{}, 1)
	e.Broker.OnStart(func() { started <- struct{}{} })
	received := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), got...) }
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}

	opts, _ := labtest.ClientOpts(e.URL, "a1", "pw1", "a1")
	opts.SetAutoReconnect(true).SetConnectRetry(true).SetConnectRetryInterval(100 * time.Millisecond).
		SetMaxReconnectInterval(200 * time.Millisecond)
	c := labtest.Connect(t, opts)
	acks := make(chan string, 4)
	labtest.Subscribe(t, c, telemetry.AckTopic(site, "a1"), func(_ mqtt.Client, m mqtt.Message) { acks <- string(m.Payload()) })
	topic := telemetry.DataTopic(site, "a1", "rig0")
	if tok := c.Publish(topic, 1, false, "one"); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	waitFor("the first message in process", func() bool { return len(received()) == 1 })
	if err := e.Broker.PublishInline(telemetry.AckTopic(site, "a1"), []byte("ack"), false); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-acks:
		if a != "ack" {
			t.Errorf("client got %q, want ack", a)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the in-process publish did not reach the client")
	}

	if err := e.Broker.Stop(); err != nil {
		t.Fatal(err)
	}
	// The client must see its connection gone before the restart, or it may take the old one
	// for open and write to it.
	waitFor("the client to see the broker gone", func() bool { return !c.IsConnectionOpen() })
	if e.Broker.Running() {
		t.Error("Running after Stop")
	}
	if err := e.Broker.PublishInline(topic, []byte("x"), false); err == nil {
		t.Error("PublishInline on a stopped broker succeeded")
	}
	if err := e.Broker.Restart(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("OnStart did not run at the restart")
	}
	waitFor("the client to reconnect", c.IsConnectionOpen)
	if tok := c.Publish(topic, 1, false, "two"); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish after restart: %v", tok.Error())
	}
	waitFor("the message after the restart in process", func() bool { return len(received()) == 2 })
	if r := received(); r[0] != topic+" one" || r[1] != topic+" two" {
		t.Errorf("received %q", r)
	}

	// Cancelled, it gets nothing more (a later inline publish proves the broker has handled
	// the client's message by then: one connection's messages are handled in order).
	cancel()
	if tok := c.Publish(topic, 1, false, "three"); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish after cancel: %v", tok.Error())
	}
	time.Sleep(200 * time.Millisecond)
	if r := received(); len(r) != 2 {
		t.Errorf("received %q after cancel, want the 2 from before", r)
	}
}

// Retained messages stored before an inline subscription come flagged retained; a live message,
// retained or not, comes unflagged, as to a network client (MQTT 3.1.1, 3.3.1.3).
func TestInlineRetainedFlag(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	e.AddAgent("a1", "pw1")
	opts, _ := labtest.ClientOpts(e.URL, "a1", "pw1", "a1")
	c := labtest.Connect(t, opts)
	status := telemetry.StatusTopic(site, "a1")
	labtest.Publish(t, c, status, true, []byte("before"))
	// The PUBACK may come before the broker has stored the message: a network client that
	// subscribes and gets it as retained proves it is stored.
	stored := make(chan struct{}, 1)
	labOpts, _ := labtest.ClientOpts(e.URL, e.LabUser, e.LabPass, "lab-watch")
	labtest.Subscribe(t, labtest.Connect(t, labOpts), status, func(_ mqtt.Client, m mqtt.Message) {
		if m.Retained() && string(m.Payload()) == "before" {
			stored <- struct{}{}
		}
	})
	select {
	case <-stored:
	case <-time.After(5 * time.Second):
		t.Fatal("the retained status was not stored")
	}
	type msg struct {
		payload  string
		retained bool
	}
	got := make(chan msg, 4)
	cancel, err := e.Broker.SubscribeInline(telemetry.AllStatusFilter(site), func(_ string, p []byte, retained bool) {
		got <- msg{string(p), retained}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	labtest.Publish(t, c, status, true, []byte("live"))
	for _, want := range []msg{{"before", true}, {"live", false}} {
		select {
		case m := <-got:
			if m != want {
				t.Errorf("got %+v, want %+v", m, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %q", want.payload)
		}
	}
}
