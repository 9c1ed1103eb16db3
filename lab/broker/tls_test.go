package broker_test

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/broker"
	"github.com/onestop-station/onestop/lab/labtest"
)

// startTLS runs the embedded broker with a plain loopback listener (the lab's own clients) and
// a TLS listener whose files come from pki, as lab serve loads them.
func startTLS(t *testing.T, pki *labtest.PKI, clientCA string) *labtest.Embedded {
	t.Helper()
	cfg, err := broker.ServerTLS(pki.ServerCert, pki.ServerKey, clientCA)
	if err != nil {
		t.Fatal(err)
	}
	e := labtest.StartEmbeddedBroker(t, func(o *broker.Opts) { o.TLSAddr, o.TLS = "127.0.0.1:0", cfg })
	e.AddAgent("a1", "pw1")
	return e
}

// tlsAgentOpts are an agent's client options over TLS, as agent/publish builds them.
func tlsAgentOpts(e *labtest.Embedded, cfg *tls.Config) *mqtt.ClientOptions {
	o, _ := labtest.ClientOpts(e.Broker.TLSURL(), "a1", "pw1", "a1")
	return o.SetTLSConfig(cfg)
}

func TestTLSAgentPublishes(t *testing.T) {
	pki := labtest.NewPKI(t)
	e := startTLS(t, pki, pki.CAFile)
	var mu sync.Mutex
	var got []string
	labOpts, _ := labtest.ClientOpts(e.URL, e.LabUser, e.LabPass, "lab-tls")
	lab := labtest.Connect(t, labOpts)
	labtest.Subscribe(t, lab, telemetry.AllDataFilter(labtest.Site), func(_ mqtt.Client, m mqtt.Message) {
		mu.Lock()
		got = append(got, string(m.Payload()))
		mu.Unlock()
	})

	cert, key := pki.Client("a1")
	cfg, err := broker.ClientTLS(pki.CAFile, cert, key, "")
	if err != nil {
		t.Fatal(err)
	}
	o := tlsAgentOpts(e, cfg)
	o.SetWill(telemetry.StatusTopic(labtest.Site, "a1"), "offline", 1, true)
	a1 := labtest.Connect(t, o)
	labtest.Subscribe(t, a1, telemetry.AckTopic(labtest.Site, "a1"), nil)
	labtest.Publish(t, a1, telemetry.DataTopic(labtest.Site, "a1", "rig0"), false, []byte("over tls"))
	labtest.Eventually(t, 10*time.Second, "reading over TLS not delivered", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1 && got[0] == "over tls"
	})

	// The certificate is on top of the password, not instead of it.
	o, _ = labtest.ClientOpts(e.Broker.TLSURL(), "a1", "wrong", "a1")
	if c, err := labtest.TryConnect(o.SetTLSConfig(cfg)); err == nil {
		c.Disconnect(0)
		t.Error("client certificate with a wrong password accepted")
	}
}

func TestTLSRefusals(t *testing.T) {
	pki := labtest.NewPKI(t)
	e := startTLS(t, pki, pki.CAFile)
	other := labtest.NewPKI(t)
	noCert, err := broker.ClientTLS(pki.CAFile, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	strangerCert := other.ClientTLS("a1")
	strangerCert.RootCAs = pki.ClientTLS("").RootCAs
	wrongName := pki.ClientTLS("a1")
	wrongName.ServerName = "lab.example.org"
	cases := []struct {
		name string
		opts *mqtt.ClientOptions
	}{
		{"no client certificate", tlsAgentOpts(e, noCert)},
		{"client certificate of another CA", tlsAgentOpts(e, strangerCert)},
		{"broker certificate not trusted", tlsAgentOpts(e, &tls.Config{Certificates: pki.ClientTLS("a1").Certificates})},
		{"broker certificate for another name", tlsAgentOpts(e, wrongName)},
	}
	plain, _ := labtest.ClientOpts("tcp://"+e.Broker.TLSAddr(), "a1", "pw1", "a1")
	cases = append(cases, struct {
		name string
		opts *mqtt.ClientOptions
	}{"plain TCP to the TLS port", plain})
	for _, c := range cases {
		if cl, err := labtest.TryConnect(c.opts); err == nil {
			cl.Disconnect(0)
			t.Errorf("%s: connected", c.name)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
	}
	labtest.Connect(t, tlsAgentOpts(e, pki.ClientTLS("a1"))) // and the right one still gets in
}

// Without a client CA the TLS listener encrypts only: any client may try its password.
func TestTLSWithoutClientCerts(t *testing.T) {
	pki := labtest.NewPKI(t)
	e := startTLS(t, pki, "")
	labtest.Connect(t, tlsAgentOpts(e, pki.ClientTLS("")))
}

// A broker with only a TLS listener gives its TLS URL as its URL.
func TestTLSOnly(t *testing.T) {
	pki := labtest.NewPKI(t)
	e := labtest.StartEmbeddedBroker(t, func(o *broker.Opts) { o.Addr, o.TLSAddr, o.TLS = "", "127.0.0.1:0", pki.ServerTLS(false) })
	if e.Broker.Addr() != "" || e.Broker.URL() != e.Broker.TLSURL() {
		t.Fatalf("addr %q url %q tls url %q", e.Broker.Addr(), e.Broker.URL(), e.Broker.TLSURL())
	}
	o, _ := labtest.ClientOpts(e.Broker.URL(), e.LabUser, e.LabPass, "lab")
	labtest.Connect(t, o.SetTLSConfig(pki.ClientTLS("")))
	if err := e.Broker.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := e.Broker.Restart(); err != nil {
		t.Fatal(err)
	}
	labtest.Connect(t, o)
}

func TestClientTLSFiles(t *testing.T) {
	pki := labtest.NewPKI(t)
	cert, _ := pki.Client("x")
	for _, c := range [][4]string{
		{"/nonexistent/ca.pem", "", "", ""},
		{cert + ".nope", "", "", ""},
		{pki.CAFile, cert, "", ""},
		{pki.CAFile, pki.CAFile, pki.ServerKey, ""}, // key of another certificate
	} {
		if _, err := broker.ClientTLS(c[0], c[1], c[2], c[3]); err == nil {
			t.Errorf("ClientTLS%q accepted", c)
		}
	}
	if _, err := broker.ServerTLS(pki.ServerCert, pki.ServerKey, pki.ServerKey); err == nil {
		t.Error("ServerTLS accepted a key as client CA file")
	}
}

// A connection that never finishes its TLS handshake or never sends CONNECT is dropped after
// ConnectTimeout, on both listeners: mochi sets no deadline of its own before CONNECT, and its
// Close waits for every connection, so one silent client would also hold up Stop.
func TestSilentConnectionDropped(t *testing.T) {
	pki := labtest.NewPKI(t)
	var mu sync.Mutex
	var logs strings.Builder
	e := labtest.StartEmbeddedBroker(t, func(o *broker.Opts) {
		o.ConnectTimeout = 300 * time.Millisecond
		o.TLSAddr, o.TLS = "127.0.0.1:0", pki.ServerTLS(false)
		o.Logger = slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			return logs.Write(p)
		}), nil))
	})
	for _, addr := range []string{e.Broker.Addr(), e.Broker.TLSAddr()} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s: a silent connection is still open after 5 s", addr)
		}
	}
	// Wait for mochi's own account of both, which also orders its connection goroutines before
	// the Close at cleanup (mochi's WaitGroup Add there races with Close's Wait otherwise).
	labtest.Eventually(t, 5*time.Second, "broker did not log both timeouts", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Count(logs.String(), "i/o timeout") == 2
	})
}
