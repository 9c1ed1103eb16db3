package labtest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/internal/mqttstore"
)

// WaitTimeout bounds every wait on a paho token in the helpers.
const WaitTimeout = 10 * time.Second

// ClientOpts returns paho options for a test client: no automatic reconnects (a test decides
// when to reconnect), unordered handlers, short timeouts. Its connection can be cut with Kill.
func ClientOpts(brokerURL, user, pass, clientID string) (*mqtt.ClientOptions, *Killer) {
	k := &Killer{}
	o := mqtt.NewClientOptions().SetStore(mqttstore.New()).AddBroker(brokerURL).SetClientID(clientID).
		SetUsername(user).SetPassword(pass).SetCleanSession(true).SetProtocolVersion(4).
		SetOrderMatters(false).SetAutoReconnect(false).
		SetConnectTimeout(5 * time.Second).SetWriteTimeout(5 * time.Second).
		SetCustomOpenConnectionFn(k.dial)
	return o, k
}

// Killer holds a client's TCP connection so a test can cut it without DISCONNECT, which makes the
// broker publish the client's last will.
type Killer struct {
	mu   sync.Mutex
	conn net.Conn
}

func (k *Killer) dial(u *url.URL, o mqtt.ClientOptions) (net.Conn, error) {
	d := &net.Dialer{Timeout: o.ConnectTimeout}
	var c net.Conn
	var err error
	switch u.Scheme {
	case "ssl", "tls", "mqtts", "tcps": // as paho's own dialer
		c, err = tls.DialWithDialer(d, "tcp", u.Host, o.TLSConfig)
	default:
		c, err = d.Dial("tcp", u.Host)
	}
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.conn = c
	k.mu.Unlock()
	return c, nil
}

// Kill closes the TCP connection abruptly.
func (k *Killer) Kill() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.conn == nil {
		return
	}
	conn := k.conn
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn() // closed without a TLS close_notify, as a crash would
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST, not FIN: the peer sees a broken connection at once
	}
	_ = conn.Close()
}

// TryConnect connects with opts and returns the client or the broker's refusal.
func TryConnect(opts *mqtt.ClientOptions) (mqtt.Client, error) {
	c := mqtt.NewClient(opts)
	tok := c.Connect()
	if !tok.WaitTimeout(WaitTimeout) {
		c.Disconnect(0)
		return nil, errors.New("labtest: connect: timeout")
	}
	if err := tok.Error(); err != nil {
		return nil, fmt.Errorf("labtest: connect: %w", err)
	}
	return c, nil
}

// Connect connects a test client and disconnects it at the end of the test.
func Connect(t testing.TB, opts *mqtt.ClientOptions) mqtt.Client {
	t.Helper()
	c, err := TryConnect(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

// Subscribe subscribes c to filter and fails the test unless the broker grants it.
func Subscribe(t testing.TB, c mqtt.Client, filter string, h mqtt.MessageHandler) {
	t.Helper()
	if err := TrySubscribe(c, filter, h); err != nil {
		t.Fatal(err)
	}
}

// TrySubscribe subscribes at QoS 1 and returns an error if the broker refuses the filter.
func TrySubscribe(c mqtt.Client, filter string, h mqtt.MessageHandler) error {
	tok := c.Subscribe(filter, 1, h)
	if !tok.WaitTimeout(WaitTimeout) {
		return fmt.Errorf("labtest: subscribe %s: timeout", filter)
	}
	if err := tok.Error(); err != nil {
		return fmt.Errorf("labtest: subscribe %s: %w", filter, err)
	}
	// One filter, one result; paho keys it without a "$share/{group}/" prefix, so a lookup by
	// filter would find nothing (and read as granted QoS 0) for a shared subscription.
	res := tok.(*mqtt.SubscribeToken).Result()
	if len(res) != 1 {
		return fmt.Errorf("labtest: subscribe %s: %d results", filter, len(res))
	}
	for _, code := range res {
		if code > 2 {
			return fmt.Errorf("labtest: subscribe %s: refused (code %#x)", filter, code)
		}
	}
	return nil
}

// Publish publishes at QoS 1 and waits for the broker's PUBACK.
func Publish(t testing.TB, c mqtt.Client, topic string, retain bool, payload []byte) {
	t.Helper()
	tok := c.Publish(topic, 1, retain, payload)
	if !tok.WaitTimeout(WaitTimeout) {
		t.Fatalf("labtest: publish %s: timeout", topic)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("labtest: publish %s: %v", topic, err)
	}
}

// Eventually polls cond until it holds or timeout passes, then fails the test with what.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
