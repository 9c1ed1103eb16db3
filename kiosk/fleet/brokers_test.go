package fleet

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/onestop-station/onestop/internal/mqttstore"
)

// Accounts of the test brokers: the kiosk publishes, the watcher (operations) reads.
const (
	kioskUser, kioskPass     = "kiosk-t01", "kiosk-secret"
	watcherUser, watcherPass = "ops", "ops-secret"
	testSite, testTerminal   = "test", "t01"
)

// startMochi runs a mochi broker on a free loopback port with the two accounts, the kiosk
// allowed to write only its own status topic (its will included). It is a bare mochi, not
// lab/broker: the lab's broker has agent and lab roles, none for kiosks yet.
func startMochi(t testing.TB) string {
	t.Helper()
	srv := mochi.New(&mochi.Options{Logger: slog.New(slog.DiscardHandler)})
	if err := srv.AddHook(&testAuth{}, nil); err != nil {
		t.Fatal(err)
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "tcp", Address: "127.0.0.1:0"})
	if err := srv.AddListener(tcp); err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return "tcp://" + tcp.Address()
}

// testAuth is the test broker's accounts and ACL.
type testAuth struct{ mochi.HookBase }

func (h *testAuth) ID() string { return "fleet-test-auth" }

func (h *testAuth) Provides(b byte) bool {
	return b == mochi.OnConnectAuthenticate || b == mochi.OnACLCheck
}

func (h *testAuth) OnConnectAuthenticate(cl *mochi.Client, pk packets.Packet) bool {
	c := pk.Connect
	switch string(c.Username) {
	case kioskUser:
		return string(c.Password) == kioskPass && (!c.WillFlag || c.WillTopic == StatusTopic(testSite, testTerminal))
	case watcherUser:
		return string(c.Password) == watcherPass
	}
	return false
}

func (h *testAuth) OnACLCheck(cl *mochi.Client, topic string, write bool) bool {
	switch string(cl.Properties.Username) {
	case kioskUser:
		return write && topic == StatusTopic(testSite, testTerminal)
	case watcherUser:
		return !write && (topic == StatusTopic(testSite, testTerminal) || topic == StatusFilter("+"))
	}
	return false
}

// proxy forwards TCP connections to a broker; sever cuts them all at once, as a pulled cable
// or a killed kiosk would, without an MQTT DISCONNECT, and refuses new ones until restore.
// (Were the kiosk let back at once, its new connection could reach the broker before the broker
// saw the old one end: a session takeover, after which mochi publishes no will.)
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
	wg     sync.WaitGroup
}

func startProxy(t testing.TB, brokerURL string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: strings.TrimPrefix(brokerURL, "tcp://")}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.sever()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) url() string { return "tcp://" + p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed at cleanup
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		b, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, b)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, b)
		go p.pipe(b, c)
	}
}

// pipe copies until either side ends, then closes both.
func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

func (p *proxy) sever() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// watcher is an operations client reading the status topic.
type watcher struct {
	msgs chan Status
	mu   sync.Mutex
	log  []string // every message, for failure reports
}

// history lists the messages the watcher got, in arrival order.
func (w *watcher) history() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.log, "\n")
}

// watch subscribes to the terminal's status with a fresh client (it gets the retained status
// first, if there is one).
func watch(t testing.TB, brokerURL string) *watcher {
	t.Helper()
	w := &watcher{msgs: make(chan Status, 100)}
	o := mqtt.NewClientOptions().SetStore(mqttstore.New()).AddBroker(brokerURL).
		SetClientID("watch-" + t.Name() + "-" + time.Now().Format("150405.000000000")).
		SetUsername(watcherUser).SetPassword(watcherPass).
		SetCleanSession(true).SetAutoReconnect(false).
		SetOrderMatters(true) // messages in the broker's order; the handler never blocks
	c := mqtt.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("watcher connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	tok := c.Subscribe(StatusTopic(testSite, testTerminal), 1, func(_ mqtt.Client, m mqtt.Message) {
		s, err := DecodeStatus(m.Payload())
		if err != nil {
			s = Status{State: "undecodable: " + err.Error()}
		}
		w.mu.Lock()
		w.log = append(w.log, fmt.Sprintf("%s retained=%v dup=%v id=%d %s/%s at %s", time.Now().Format("15:04:05.000000"),
			m.Retained(), m.Duplicate(), m.MessageID(), s.State, s.Paper, s.At.Format("15:04:05.000000")))
		w.mu.Unlock()
		select {
		case w.msgs <- s:
		default: // a test reading too slowly fails on a missing message instead
		}
	})
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("watcher subscribe: %v", tok.Error())
	}
	return w
}

var errTimeout = errors.New("timed out")

// next waits for a status that ok accepts, skipping others (heartbeats, older states).
func (w *watcher) next(t testing.TB, what string, ok func(Status) bool) Status {
	t.Helper()
	deadline := time.After(20 * time.Second)
	var seen []string
	for {
		select {
		case s := <-w.msgs:
			if ok(s) {
				return s
			}
			seen = append(seen, s.State+"/"+s.Paper)
		case <-deadline:
			t.Fatalf("%s: %v; saw %v; history:\n%s", what, errTimeout, seen, w.history())
			return Status{}
		}
	}
}
