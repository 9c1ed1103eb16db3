package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFileThenFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.toml")
	err := os.WriteFile(path, []byte(`
site = "tz2"
agent_id = "bench-3"
[broker]
url = "tcp://10.0.0.5:1883"
username = "bench-3"
[publish]
ack_timeout = "4s"
[[rig]]
name = "rigA"
port = "/dev/serial/by-id/usb-rig"
poll_interval = "100ms"
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]string{"--config", path, "--broker", "tcp://127.0.0.1:1999", "--password", "pw"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Site != "tz2" || c.AgentID != "bench-3" || c.Broker.URL != "tcp://127.0.0.1:1999" || c.Broker.Password != "pw" {
		t.Errorf("merged config: %+v", c)
	}
	if c.Publish.AckTimeout.Duration != 4*time.Second || c.Publish.BatchMax != 500 {
		t.Errorf("publish: %+v", c.Publish)
	}
	r := c.Rigs[0]
	if r.Name != "rigA" || r.Baud != 115200 || r.Unit != 1 || r.PollInterval.Duration != 100*time.Millisecond {
		t.Errorf("rig defaults: %+v", r)
	}
	c, err = Parse([]string{"--config", path, "--rig", "r1=/tmp/a", "--rig", "r2=/tmp/b", "--poll", "50ms"}, io.Discard)
	if err != nil || len(c.Rigs) != 2 || c.Rigs[1].Port != "/tmp/b" || c.Rigs[0].PollInterval.Duration != 50*time.Millisecond {
		t.Errorf("rig flags: %+v %v", c.Rigs, err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, args := range [][]string{
		{"--site", "a/b"},
		{"--rig", "noport"},
		{"--rig", "r=/x", "--rig", "r=/y"},
		{"--broker", "localhost"},
		{"--config", "/does/not/exist.toml"},
	} {
		if _, err := Parse(args, io.Discard); err == nil {
			t.Errorf("Parse(%q) accepted", args)
		}
	}
}

func TestHelpListsEveryKey(t *testing.T) {
	var b strings.Builder
	Parse([]string{"--help"}, &b)
	for _, k := range []string{"url", "username", "password", "site", "agent_id", "path", "batch_max", "replay_rate", "ack_timeout", "poll_interval", "-rig", "-broker"} {
		if !strings.Contains(b.String(), k) {
			t.Errorf("--help does not mention %q", k)
		}
	}
}
