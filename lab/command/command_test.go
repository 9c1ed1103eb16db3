package command

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/labtest"
)

// fakeAgent answers commands for rig0 like the real agent's dispatcher: "ping" succeeds with its
// args echoed, "refuse" fails, "ignore" gets no answer at all. It records the expiry it saw.
func fakeAgent(t *testing.T, url string, expiries chan<- int64) {
	opts, _ := labtest.ClientOpts(url, "a1", "a1-pass", "a1")
	c := labtest.Connect(t, opts)
	labtest.Subscribe(t, c, telemetry.AgentCommandFilter(labtest.Site, "a1"), func(c mqtt.Client, m mqtt.Message) {
		tp, _ := telemetry.ParseTopic(m.Topic())
		cmd, err := telemetry.DecodeCommand(m.Payload())
		if err != nil {
			return
		}
		expiries <- cmd.Expires
		res := telemetry.Result{ID: cmd.ID, OK: tp.Name == "ping", Result: cmd.Args}
		switch tp.Name {
		case "ignore":
			return
		case "refuse":
			res.Error = "rig busy"
			res.Result = nil
		}
		b, _ := telemetry.Encode(res)
		go c.Publish(telemetry.ResultTopic(labtest.Site, "a1", res.ID), 1, false, b)
	})
}

func TestSendMatchesResults(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t)
	e.AddAgent("a1", "a1-pass")
	expiries := make(chan int64, 8)
	fakeAgent(t, e.URL, expiries)
	s, err := Dial(Opts{BrokerURL: e.URL, Username: e.LabUser, Password: e.LabPass, Site: labtest.Site, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	var out struct{ Step int }
	if err := s.Send(ctx, "a1", "rig0", "ping", map[string]int{"step": 3}, &out); err != nil || out.Step != 3 {
		t.Errorf("ping: %v, result %+v", err, out)
	}
	if exp := <-expiries; exp < time.Now().UnixMilli() || exp > time.Now().Add(3*time.Second).UnixMilli() {
		t.Errorf("command expires at %d, want within the 2 s timeout", exp)
	}
	err = s.Send(ctx, "a1", "rig0", "refuse", nil, nil)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "rig busy") {
		t.Errorf("refuse: %v", err)
	}
	<-expiries
	err = s.Send(ctx, "a1", "rig0", "ignore", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "no result") {
		t.Errorf("ignore: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Send(cctx, "a1", "rig0", "ignore", nil, nil); err == nil {
		t.Error("a cancelled context did not end Send")
	}
}

func TestDialFailsWithoutBroker(t *testing.T) {
	_, err := Dial(Opts{BrokerURL: "tcp://" + labtest.FreeAddr(t), Site: "x", Timeout: 500 * time.Millisecond})
	if err == nil {
		t.Fatal("Dial succeeded with no broker")
	}
}
