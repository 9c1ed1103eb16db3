package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/internal/passhash"
	"github.com/onestop-station/onestop/lab/broker"
	"github.com/onestop-station/onestop/lab/config"
	"github.com/onestop-station/onestop/lab/labtest"
)

// parseFile writes a lab.toml and parses it as lab serve would, with extra flags.
func parseFile(t *testing.T, toml string, flags ...string) config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lab.toml")
	if err := os.WriteFile(path, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config.Parse("serve", append([]string{"--config", path}, flags...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func hash(t *testing.T, pw string) string {
	t.Helper()
	h, err := passhash.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func startTestBroker(t *testing.T, cfg config.Config) *broker.Broker {
	t.Helper()
	b, err := startBroker(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// watch subscribes a lab client to the whole lab tree and counts payloads.
func watch(t *testing.T, url, user, pass string) func(payload string) int {
	t.Helper()
	var mu sync.Mutex
	got := map[string]int{}
	o, _ := labtest.ClientOpts(url, user, pass, "lab-watch")
	c := labtest.Connect(t, o)
	labtest.Subscribe(t, c, telemetry.Root+"/#", func(_ mqtt.Client, m mqtt.Message) {
		mu.Lock()
		got[string(m.Payload())]++
		mu.Unlock()
	})
	return func(p string) int {
		mu.Lock()
		defer mu.Unlock()
		return got[p]
	}
}

// publishesOnlyOnSite checks that agent may publish its data under site and under no other.
func publishesOnlyOnSite(t *testing.T, url, agent, pass, site, other string, seen func(string) int) {
	t.Helper()
	o, _ := labtest.ClientOpts(url, agent, pass, agent)
	c := labtest.Connect(t, o)
	forged := "forged by " + agent
	c.Publish(telemetry.DataTopic(other, agent, "rig0"), 1, false, forged).WaitTimeout(2 * time.Second)
	if !c.IsConnectionOpen() { // the embedded broker disconnects a client that publishes where it may not
		c = labtest.Connect(t, o)
	}
	mine := "from " + agent
	labtest.Publish(t, c, telemetry.DataTopic(site, agent, "rig0"), false, []byte(mine))
	labtest.Eventually(t, 10*time.Second, agent+": own data not delivered", func() bool { return seen(mine) == 1 })
	if n := seen(forged); n != 0 {
		t.Errorf("agent %s of site %s published under site %s (%d delivered)", agent, site, other, n)
	}
}

// lab serve binds agent accounts to the station's site (as lab/demo does), or to the site their
// [[user]] entry names.
func TestStationBindsAgentsToSite(t *testing.T) {
	cfg := parseFile(t, `
site = "tz1"
[broker]
listen = "127.0.0.1:0"
password = "lab-pw"
[[user]]
name = "lab"
role = "lab"
password = "lab-pw"
[[user]]
name = "a1"
role = "agent"
password = "a1-pw"
[[user]]
name = "a9"
role = "agent"
site = "tz9"
password = "a9-pw"
`)
	b := startTestBroker(t, cfg)
	seen := watch(t, b.URL(), "lab", "lab-pw")
	publishesOnlyOnSite(t, b.URL(), "a1", "a1-pw", "tz1", "tz2", seen)
	publishesOnlyOnSite(t, b.URL(), "a9", "a9-pw", "tz9", "tz1", seen)
}

// [[user]] password_hash keeps plain passwords out of lab.toml.
func TestStationPasswordHash(t *testing.T) {
	cfg := parseFile(t, fmt.Sprintf(`
[broker]
listen = "127.0.0.1:0"
password = "lab-pw"
[[user]]
name = "lab"
role = "lab"
password_hash = %q
[[user]]
name = "bench-3"
role = "agent"
password_hash = %q
`, hash(t, "lab-pw"), hash(t, "bench-3 pw")))
	b := startTestBroker(t, cfg)
	o, _ := labtest.ClientOpts(b.URL(), "bench-3", "bench-3 pw", "bench-3")
	labtest.Connect(t, o)
	o, _ = labtest.ClientOpts(b.URL(), "lab", "lab-pw", "lab-x")
	labtest.Connect(t, o)
	o, _ = labtest.ClientOpts(b.URL(), "bench-3", "", "bench-3")
	if c, err := labtest.TryConnect(o); err == nil {
		c.Disconnect(0)
		t.Error("bench-3 connected without its password")
	}
}

// The demo passwords are public: off loopback the station does not start with them, whether
// they come from the defaults or from a file.
func TestStationRefusesDefaultPasswordsOffLoopback(t *testing.T) {
	cfg := config.Default()
	cfg.DB = filepath.Join(t.TempDir(), "lab.db")
	cfg.HTTP = ""
	cfg.Broker.Listen = "0.0.0.0:0"
	fromFile := parseFile(t, fmt.Sprintf(`
[broker]
password = "lab-pw"
[[user]]
name = "lab"
role = "lab"
password_hash = %q
[[user]]
name = "bench-3"
role = "agent"
password = "agent1-secret"
`, hash(t, "lab-pw")), "--listen", ":0", "--db", filepath.Join(t.TempDir(), "lab.db"), "--http", "off")
	for _, c := range []struct {
		cfg     config.Config
		account string
	}{{cfg, `"lab"`}, {fromFile, `"bench-3"`}} {
		st, err := startStation(context.Background(), c.cfg)
		if err == nil {
			st.Close()
			t.Errorf("station started on %s with a default password for %s", c.cfg.Broker.Listen, c.account)
			continue
		}
		if !strings.Contains(err.Error(), c.account) || !strings.Contains(err.Error(), "password_hash") {
			t.Errorf("error %q does not name the account %s and password_hash", err, c.account)
		}
	}
}

// A station whose broker speaks only TLS with client certificates: the lab's own clients
// (ingest, commands) and an agent connect with certificates of the station's CA; a reading goes
// in and its ack comes back.
func TestStationOverTLS(t *testing.T) {
	pki := labtest.NewPKI(t)
	labCert, labKey := pki.Client("lab")
	agentCert, agentKey := pki.Client("bench-3")
	cfg := parseFile(t, fmt.Sprintf(`
site = "tz1"
db = %q
http = "off"
[broker]
listen = "off"
tls_listen = "127.0.0.1:0"
tls_cert = %q
tls_key = %q
tls_client_ca = %q
ca_file = %q
cert_file = %q
key_file = %q
password = "lab-pw"
[[user]]
name = "lab"
role = "lab"
password_hash = %q
[[user]]
name = "bench-3"
role = "agent"
password_hash = %q
`, filepath.Join(t.TempDir(), "lab.db"), pki.ServerCert, pki.ServerKey, pki.CAFile, pki.CAFile, labCert, labKey,
		hash(t, "lab-pw"), hash(t, "b3-pw")))
	st, err := startStation(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.broker.Addr() != "" || !strings.HasPrefix(st.broker.URL(), "ssl://") {
		t.Fatalf("broker has a plain listener: %s", st.broker.URL())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := st.ingest.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}

	agentTLS, err := broker.ClientTLS(pki.CAFile, agentCert, agentKey, "")
	if err != nil {
		t.Fatal(err)
	}
	o, _ := labtest.ClientOpts(st.broker.TLSURL(), "bench-3", "b3-pw", "bench-3")
	a := labtest.Connect(t, o.SetTLSConfig(agentTLS))
	acked := make(chan telemetry.Ack, 4)
	labtest.Subscribe(t, a, telemetry.AckTopic("tz1", "bench-3"), func(_ mqtt.Client, m mqtt.Message) {
		if k, err := telemetry.DecodeAck(m.Payload()); err == nil {
			acked <- k
		}
	})
	b, _ := telemetry.Encode(labtest.Batch(7, 1, 3))
	labtest.Publish(t, a, telemetry.DataTopic("tz1", "bench-3", "rig0"), false, b)
	select {
	case k := <-acked:
		if k.Epoch != 7 || k.Seq != 3 {
			t.Errorf("ack %+v, want epoch 7 seq 3", k)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no ack over TLS")
	}
}
