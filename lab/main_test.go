package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/config"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e strings.Builder
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestUsageAndHelp(t *testing.T) {
	if code, _, e := runCmd("frobnicate"); code != 2 || !strings.Contains(e, "unknown command") {
		t.Errorf("unknown command: %d %q", code, e)
	}
	if code, o, _ := runCmd("help"); code != 0 || !strings.Contains(o, "demo") {
		t.Errorf("help: %d %q", code, o)
	}
	for _, sub := range []string{"serve", "agents", "demo"} {
		code, _, e := runCmd(sub, "--help")
		if code != 0 || !strings.Contains(e, "usage: lab") {
			t.Errorf("%s --help: %d %q", sub, code, e)
		}
	}
	if code, _, e := runCmd("agents", "--url", "http://127.0.0.1:1"); code != 1 || !strings.Contains(e, "no lab station answering") {
		t.Errorf("agents with no station: %d %q", code, e)
	}
}

// A station on free ports, an agent account publishing its status and one batch, then `lab agents`.
func TestStationListsAgents(t *testing.T) {
	cfg := config.Default()
	cfg.DB = filepath.Join(t.TempDir(), "lab.db")
	cfg.Broker.Listen = "127.0.0.1:0"
	cfg.HTTP = "127.0.0.1:0"
	st, err := startStation(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The batch below is sent once, as a plain client would: the lab must be subscribed first.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := st.ingest.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}

	o := mqtt.NewClientOptions().AddBroker(st.broker.URL()).SetClientID("agent1").
		SetUsername("agent1").SetPassword(config.DemoAgentPassword)
	c := mqtt.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("agent connect: %v", tok.Error())
	}
	defer c.Disconnect(0)
	status, _ := telemetry.Encode(telemetry.Status{V: 1, State: "online", Epoch: 42, Version: "9.9"})
	batch, _ := telemetry.Encode(telemetry.Batch{V: 1, Epoch: 42, SeqFrom: 1, SeqTo: 2, R: []telemetry.Reading{
		{Ch: "speed", T: time.Now().UnixNano(), V: 5.5, U: "km/h", Q: "good"},
		{Ch: "motor_temp", T: time.Now().UnixNano(), V: 41.5, U: "°C", Q: "good"}}})
	c.Publish(telemetry.StatusTopic(cfg.Site, "agent1"), 1, true, status).WaitTimeout(5 * time.Second)
	c.Publish(telemetry.DataTopic(cfg.Site, "agent1", "rig0"), 1, false, batch).WaitTimeout(5 * time.Second)

	url := "http://" + st.httpAddr
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, out, errOut := runCmd("agents", "--url", url)
		if code == 0 && strings.Contains(out, "agent1") && strings.Contains(out, "online") && strings.Contains(out, "2 readings stored") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lab agents: %d\n%s\n%s", code, out, errOut)
		}
		time.Sleep(100 * time.Millisecond)
	}
	code, out, _ := runCmd("agents", "--url", url, "--json")
	var body struct {
		Agents []struct {
			Agent string `json:"agent"`
			Epoch int64  `json:"epoch"`
		} `json:"agents"`
	}
	if err := json.Unmarshal([]byte(out), &body); code != 0 || err != nil || len(body.Agents) != 1 || body.Agents[0].Epoch != 42 {
		t.Errorf("agents --json: %d %v %q", code, err, out)
	}
}
