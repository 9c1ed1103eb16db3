package broker_test

import (
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/broker"
	"github.com/onestop-station/onestop/lab/labtest"
)

const site = labtest.Site

// generous keeps the login limit out of tests about other refusals.
func generous(o *broker.Opts) {
	o.LoginLimit = broker.LoginLimit{Failures: 1000, Window: time.Minute, Lockout: time.Minute}
}

func TestAuthRefused(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t, generous)
	e.AddAgent("a1", "pw1")
	otherStatus := telemetry.StatusTopic(site, "a2")
	cases := []struct {
		name, user, pass, id, will string
	}{
		{"anonymous", "", "", "anon", ""},
		{"user without password", "a1", "", "a1", ""},
		{"bad password", "a1", "nope", "a1", ""},
		{"another account's password", "a1", e.LabPass, "a1", ""},
		{"password with a trailing space", "a1", "pw1 ", "a1", ""},
		{"unknown user", "ghost", "pw1", "ghost", ""},
		{"lab password for the agent's name, lab's client id", "a1", e.LabPass, "lab-x", ""},
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
	forgedGot, mine := 0, 0
	watch := func(_ mqtt.Client, m mqtt.Message) {
		mu.Lock()
		got[m.Topic()]++
		switch string(m.Payload()) {
		case "forged":
			forgedGot++
		case "mine":
			mine++
		}
		mu.Unlock()
	}
	labtest.Subscribe(t, lab, telemetry.Root+"/#", watch)

	opts, _ := labtest.ClientOpts(url, "a1", "pw1", "a1")
	a1 := labtest.Connect(t, opts)
	readByA1 := map[string]int{}
	count := func(_ mqtt.Client, m mqtt.Message) {
		mu.Lock()
		readByA1[m.Topic()]++
		mu.Unlock()
	}
	outside := []string{
		telemetry.AckTopic(site, "a2"), telemetry.AgentCommandFilter(site, "a2"), // another agent's
		telemetry.AllDataFilter(site), telemetry.AllStatusFilter(site), // what only the lab reads
		telemetry.AckTopic("+", "a1"), telemetry.AgentCommandFilter("elsewhere", "a1"), // other sites
		telemetry.Root + "/#", "#",
	}
	if strictSubscribe {
		outside = append(outside, "$share/g/"+telemetry.AckTopic(site, "a1"), "$SYS/#")
	}
	for _, f := range outside {
		// mochi refuses the subscription; mosquitto grants it and filters every delivery.
		if err := labtest.TrySubscribe(a1, f, count); err == nil && strictSubscribe {
			t.Errorf("agent a1 may subscribe to %s", f)
		}
	}
	labtest.Subscribe(t, a1, telemetry.AckTopic(site, "a1"), count)
	for _, topic := range []string{telemetry.AckTopic(site, "a2"), telemetry.CommandTopic(site, "a2", "rig", "stop"),
		telemetry.DataTopic(site, "a2", "rig"), telemetry.StatusTopic(site, "a2"), telemetry.DataTopic(site, "a1", "rig"),
		telemetry.AckTopic("elsewhere", "a1"), telemetry.CommandTopic("elsewhere", "a1", "rig", "stop"),
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

	// Publishing where only another agent, the lab or another site may: never delivered. mochi
	// disconnects a v3 client that tries; mosquitto drops the message quietly.
	forged := []string{
		telemetry.DataTopic(site, "a2", "rig"),            // another agent's data
		telemetry.StatusTopic(site, "a2"),                 // another agent's status
		telemetry.ResultTopic(site, "a2", "42"),           // another agent's command result
		telemetry.AckTopic(site, "a1"),                    // the lab acknowledges
		telemetry.CommandTopic(site, "a1", "rig", "stop"), // the lab commands
		telemetry.ServiceStateTopic(site),                 // the lab's own state
		telemetry.DataTopic("elsewhere", "a1", "rig"),     // its own name under another site
	}
	for _, topic := range forged {
		a1.Publish(topic, 0, false, "forged").WaitTimeout(time.Second)
		a1.Publish(topic, 1, true, "forged").WaitTimeout(time.Second)
		if !a1.IsConnectionOpen() {
			opts, _ = labtest.ClientOpts(url, "a1", "pw1", "a1")
			a1 = labtest.Connect(t, opts)
		}
	}
	labtest.Publish(t, a1, telemetry.DataTopic(site, "a1", "rig"), false, []byte("mine"))
	labtest.Eventually(t, 10*time.Second, "own data not delivered", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return mine == 1
	})
	mu.Lock()
	defer mu.Unlock()
	if forgedGot > 0 {
		t.Errorf("%d forged messages delivered: %v", forgedGot, got)
	}
}

func TestACLEmbedded(t *testing.T) {
	e := labtest.StartEmbeddedBroker(t, generous)
	e.AddAgent("a1", "pw1")
	e.AddAgent("a2", "pw2")
	aclScenario(t, e.URL, e.LabUser, e.LabPass, true)
}

// TestACLMosquitto checks that mosquitto, configured as docs/operations.md says (the ACL of
// MosquittoACL bound to the site), refuses what the embedded broker refuses.
func TestACLMosquitto(t *testing.T) {
	m := labtest.StartMosquittoWith(t, labtest.MosquittoOpts{Site: site, LabUsers: []string{"lab"},
		Users: map[string]string{"lab": "lab-pw", "a1": "pw1", "a2": "pw2"}})
	aclScenario(t, m.URL, "lab", "lab-pw", false)
	for _, c := range [][2]string{{"", ""}, {"a1", ""}, {"a1", "bad"}, {"a1", "pw2"}, {"ghost", "pw1"}} {
		opts, _ := labtest.ClientOpts(m.URL, c[0], c[1], "x"+c[0])
		if cl, err := labtest.TryConnect(opts); err == nil {
			cl.Disconnect(0)
			t.Errorf("mosquitto accepted user %q password %q", c[0], c[1])
		}
	}
}

// The documented mosquitto configuration is the one the tests run: the ACL verbatim, and every
// security directive of the test configuration.
func TestMosquittoDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	if acl := broker.MosquittoACL("tengzhou", []string{"lab"}); !strings.Contains(string(doc), acl) {
		t.Errorf("docs/operations.md lacks the ACL of MosquittoACL(\"tengzhou\", lab):\n%s", acl)
	}
	for _, d := range []string{"per_listener_settings false", "allow_anonymous false", "password_file ", "acl_file ",
		"listener 1883 127.0.0.1", "listener 8883", "certfile ", "keyfile ", "cafile ", "require_certificate true",
		"tls_version tlsv1.2"} {
		if !strings.Contains(string(doc), "\n"+d) {
			t.Errorf("docs/operations.md lacks the mosquitto line %q", d)
		}
	}
}

// Over mosquitto's TLS listener with require_certificate: an agent with a certificate of the
// lab's CA gets in and publishes, one without a certificate does not, plain TCP does not.
func TestTLSMosquitto(t *testing.T) {
	pki := labtest.NewPKI(t)
	m := labtest.StartMosquittoWith(t, labtest.MosquittoOpts{Site: site, LabUsers: []string{"lab"},
		Users: map[string]string{"lab": "lab-pw", "a1": "pw1"}, TLS: pki, ClientCerts: true})
	var mu sync.Mutex
	got := 0
	labOpts, _ := labtest.ClientOpts(m.URL, "lab", "lab-pw", "lab-tls")
	lab := labtest.Connect(t, labOpts)
	labtest.Subscribe(t, lab, telemetry.AllDataFilter(site), func(mqtt.Client, mqtt.Message) { mu.Lock(); got++; mu.Unlock() })

	cert, key := pki.Client("a1")
	cfg, err := broker.ClientTLS(pki.CAFile, cert, key, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	o, _ := labtest.ClientOpts(m.TLSURL, "a1", "pw1", "a1")
	a1 := labtest.Connect(t, o.SetTLSConfig(cfg))
	labtest.Publish(t, a1, telemetry.DataTopic(site, "a1", "rig0"), false, []byte("over tls"))
	labtest.Eventually(t, 10*time.Second, "reading over TLS not delivered", func() bool { mu.Lock(); defer mu.Unlock(); return got == 1 })

	noCert, _ := broker.ClientTLS(pki.CAFile, "", "", "")
	o, _ = labtest.ClientOpts(m.TLSURL, "a1", "pw1", "a1-nocert")
	plain, _ := labtest.ClientOpts("tcp://"+strings.TrimPrefix(m.TLSURL, "ssl://"), "a1", "pw1", "a1-plain")
	for name, opts := range map[string]*mqtt.ClientOptions{"no client certificate": o.SetTLSConfig(noCert), "plain TCP": plain} {
		if c, err := labtest.TryConnect(opts); err == nil {
			c.Disconnect(0)
			t.Errorf("mosquitto TLS listener: %s: connected", name)
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

// The login limit over the network: five wrong passwords from 127.0.0.1, then the right one is
// refused too until the lockout ends (a test clock, no sleeping). The refusal is logged.
func TestLoginLimitOverNetwork(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	var logs strings.Builder
	var logMu sync.Mutex
	e := labtest.StartEmbeddedBroker(t, func(o *broker.Opts) {
		o.Now = clock
		o.Logger = slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
			logMu.Lock()
			defer logMu.Unlock()
			return logs.Write(p)
		}), nil))
	})
	e.AddAgent("a1", "pw1")
	good, _ := labtest.ClientOpts(e.URL, "a1", "pw1", "a1")
	for i := range broker.DefaultLoginLimit.Failures {
		o, _ := labtest.ClientOpts(e.URL, "a1", "guess"+strconv.Itoa(i), "a1")
		if c, err := labtest.TryConnect(o); err == nil {
			c.Disconnect(0)
			t.Fatalf("guess %d accepted", i)
		}
		advance(time.Second)
	}
	if c, err := labtest.TryConnect(good); err == nil {
		c.Disconnect(0)
		t.Error("right password accepted during the lockout")
	}
	logMu.Lock()
	if !strings.Contains(logs.String(), "locked out") {
		t.Errorf("no lockout in the log:\n%s", logs.String())
	}
	logMu.Unlock()
	advance(broker.DefaultLoginLimit.Lockout)
	labtest.Connect(t, good)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
