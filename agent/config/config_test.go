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
	c, err = Parse([]string{"--config", path, "--password", "pw", "--rig", "r1=/tmp/a", "--rig", "r2=/tmp/b", "--poll", "50ms"}, io.Discard)
	if err != nil || len(c.Rigs) != 2 || c.Rigs[1].Port != "/tmp/b" || c.Rigs[0].PollInterval.Duration != 50*time.Millisecond {
		t.Errorf("rig flags: %+v %v", c.Rigs, err)
	}
}

// An interval of 0 polls back to back (agent/poll); only a missing one takes the default.
func TestPollIntervalZeroIsBackToBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.toml")
	err := os.WriteFile(path, []byte(`
[[rig]]
name = "fast"
port = "/tmp/a"
poll_interval = "0s"
[[rig]]
name = "plain"
port = "/tmp/b"
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]string{"--config", path}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := []time.Duration{c.Rigs[0].PollInterval.Duration, c.Rigs[1].PollInterval.Duration}; got[0] != 0 || got[1] != 200*time.Millisecond {
		t.Errorf("poll intervals %v, want [0s 200ms]", got)
	}
	c, err = Parse([]string{"--rig", "r=/tmp/a", "--poll", "0"}, io.Discard)
	if err != nil || c.Rigs[0].PollInterval.Duration != 0 {
		t.Errorf("--poll 0: %+v %v", c.Rigs, err)
	}
	c, err = Parse([]string{"--rig", "r=/tmp/a"}, io.Discard)
	if err != nil || c.Rigs[0].PollInterval.Duration != 200*time.Millisecond {
		t.Errorf("no interval: %+v %v", c.Rigs, err)
	}
	if _, err := Parse([]string{"--rig", "r=/tmp/a", "--poll", "-1ms"}, io.Discard); err == nil {
		t.Error("--poll -1ms accepted")
	}
}

func TestParseRejects(t *testing.T) {
	for _, args := range [][]string{
		{"--site", "a/b"},
		{"--rig", "noport"},
		{"--rig", "r=/x", "--rig", "r=/y"},
		{"--broker", "localhost"},
		{"--broker", "tcp://"},
		{"--config", "/does/not/exist.toml"},
		// the default account's public password, sent over the network
		{"--broker", "tcp://10.0.0.5:1883"},
		{"--broker", "ssl://lab-station:8883"},
	} {
		if _, err := Parse(args, io.Discard); err == nil {
			t.Errorf("Parse(%q) accepted", args)
		}
	}
}

func TestHelpListsEveryKey(t *testing.T) {
	var b strings.Builder
	Parse([]string{"--help"}, &b)
	for _, k := range []string{"url", "username", "password", "site", "agent_id", "path", "batch_max", "replay_rate", "ack_timeout", "poll_interval", "-rig", "-broker",
		"ssl://", "ca_file", "cert_file", "key_file", "server_name", "ONESTOP_AGENT_PASSWORD"} {
		if !strings.Contains(b.String(), k) {
			t.Errorf("--help does not mention %q", k)
		}
	}
}

func TestDefaultPasswordOnlyToThisMachine(t *testing.T) {
	for _, url := range []string{"tcp://127.0.0.1:1883", "tcp://localhost:1883", "tcp://[::1]:1883"} {
		if _, err := Parse([]string{"--broker", url}, io.Discard); err != nil {
			t.Errorf("default password to %s refused: %v", url, err)
		}
	}
	t.Setenv("ONESTOP_AGENT_PASSWORD", "its own")
	if _, err := Parse([]string{"--broker", "tcp://10.0.0.5:1883"}, io.Discard); err != nil {
		t.Errorf("own password to another machine refused: %v", err)
	}
}

func TestBrokerTLS(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notPEM := write("not.pem", "hello")
	c, err := Parse([]string{"--broker", "ssl://127.0.0.1:8883"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if tc, err := c.Broker.TLS(); err != nil || tc == nil || tc.RootCAs != nil {
		t.Errorf("ssl:// without ca_file: %v %v (want the system's CAs)", tc, err)
	}
	if tc, err := Default().Broker.TLS(); tc != nil || err != nil {
		t.Errorf("tcp:// has a TLS config: %v %v", tc, err)
	}
	for name, body := range map[string]string{
		"TLS keys with tcp://":  "[broker]\nurl = \"tcp://127.0.0.1:1883\"\nca_file = \"/etc/ca.pem\"\n",
		"cert without key":      "[broker]\nurl = \"ssl://127.0.0.1:8883\"\ncert_file = \"/etc/c.pem\"\n",
		"missing ca_file":       "[broker]\nurl = \"ssl://127.0.0.1:8883\"\nca_file = \"/nonexistent/ca.pem\"\n",
		"ca_file without a PEM": "[broker]\nurl = \"ssl://127.0.0.1:8883\"\nca_file = \"" + notPEM + "\"\n",
		"unreadable key pair":   "[broker]\nurl = \"ssl://127.0.0.1:8883\"\ncert_file = \"" + notPEM + "\"\nkey_file = \"" + notPEM + "\"\n",
	} {
		if _, err := Parse([]string{"--config", write("agent.toml", body)}, io.Discard); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
