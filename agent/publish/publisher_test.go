package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/internal/mqttstore"
)

// testBroker is a real mochi broker on a loopback port that can be stopped and started again.
type testBroker struct {
	t    testing.TB
	addr string
	srv  *mochi.Server
}

func startBroker(t testing.TB, addr string) *testBroker {
	t.Helper()
	if addr == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = ln.Addr().String()
		ln.Close()
	}
	b := &testBroker{t: t, addr: addr}
	b.start()
	t.Cleanup(b.stop)
	return b
}

func (b *testBroker) start() {
	caps := mochi.NewDefaultServerCapabilities()
	caps.MaximumInflight = 65535
	b.srv = mochi.New(&mochi.Options{Capabilities: caps, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	b.srv.AddHook(new(allowAll), nil)
	if err := b.srv.AddListener(listeners.NewTCP(listeners.Config{ID: "t", Address: b.addr})); err != nil {
		b.t.Fatal(err)
	}
	go b.srv.Serve()
}

func (b *testBroker) stop() {
	if b.srv != nil {
		b.srv.Close()
		b.srv = nil
	}
}

func (b *testBroker) url() string { return "tcp://" + b.addr }

// fakeLab stands in for the lab's ingest: it records every reading by seq and acks the highest
// contiguous seq, unless told to stay silent.
type fakeLab struct {
	mu               sync.Mutex
	seen             map[int64]int // seq → deliveries
	replayed         int
	live             int
	liveDuringReplay bool
	bad              int
	replaying        bool
	silent           bool
	wm               int64
	epoch            int64
	client           mqtt.Client
	results          chan telemetry.Result
}

func startLab(t testing.TB, url string) *fakeLab {
	l := &fakeLab{seen: map[int64]int{}, results: make(chan telemetry.Result, 16)}
	subscribe := func(c mqtt.Client) error {
		for f, h := range map[string]mqtt.MessageHandler{
			telemetry.AllDataFilter("s1"): l.onData,
			telemetry.AllResultFilter("s1"): func(_ mqtt.Client, m mqtt.Message) {
				r, _ := telemetry.DecodeResult(m.Payload())
				select {
				case l.results <- r:
				default: // a test that stopped reading loses nothing it asserts on
				}
			},
		} {
			if tok := c.Subscribe(f, 1, h); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
				return fmt.Errorf("subscribe %s: %v", f, tok.Error())
			}
		}
		return nil
	}
	o := mqtt.NewClientOptions().AddBroker(url).SetClientID("fake-lab").SetOrderMatters(true).
		SetStore(mqttstore.New()).
		SetAutoReconnect(true).SetConnectRetry(true).SetConnectRetryInterval(200 * time.Millisecond).
		SetMaxReconnectInterval(500 * time.Millisecond).
		SetOnConnectHandler(func(c mqtt.Client) { subscribe(c) }) // again after each reconnect
	l.client = mqtt.NewClient(o)
	if tok := l.client.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("fake lab connect: %v", tok.Error())
	}
	if err := subscribe(l.client); err != nil { // before the test publishes anything
		t.Fatal(err)
	}
	t.Cleanup(func() { l.client.Disconnect(0) })
	return l
}

func (l *fakeLab) onData(c mqtt.Client, m mqtt.Message) {
	b, err := telemetry.DecodeBatch(m.Payload())
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.bad++ // the forwarder sent something off contract; tests check bad == 0
		return
	}
	l.epoch = b.Epoch
	for s := b.SeqFrom; s <= b.SeqTo; s++ {
		l.seen[s]++
	}
	if b.Replay {
		l.replayed += len(b.R)
		l.replaying = true
	} else {
		l.live += len(b.R)
		if l.replaying {
			l.liveDuringReplay = true
		}
	}
	for l.seen[l.wm+1] > 0 {
		l.wm++
	}
	if !l.silent {
		raw, _ := telemetry.Encode(telemetry.Ack{V: 1, Epoch: b.Epoch, Seq: l.wm})
		go c.Publish(telemetry.AckTopic("s1", "a1"), 1, false, raw)
	}
}

func (l *fakeLab) setSilent(v bool) { l.mu.Lock(); l.silent = v; l.mu.Unlock() }

func (l *fakeLab) distinct() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bad > 0 {
		panic(fmt.Sprintf("fake lab: %d batches off the contract", l.bad)) // test goroutine, not paho's
	}
	return len(l.seen)
}

func openOutbox(t testing.TB) *outbox.Outbox {
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	return ob
}

func appendN(t testing.TB, ob *outbox.Outbox, polls int) {
	t.Helper()
	for i := 0; i < polls; i++ {
		rs := make([]telemetry.Reading, 13)
		for j := range rs {
			rs[j] = telemetry.Reading{Ch: fmt.Sprintf("ch%d", j), T: time.Now().UnixNano(), V: float64(i), U: "V", Q: "good"}
		}
		if _, _, err := ob.Append(context.Background(), "rig0", rs); err != nil {
			t.Fatal(err)
		}
	}
}

func runPublisher(t testing.TB, ob *outbox.Outbox, url string, tune func(*Opts)) *Publisher {
	o := Opts{Site: "s1", Agent: "a1", BrokerURL: url, AckTimeout: 2 * time.Second, WaitTimeout: 2 * time.Second,
		OnCommand: func(ctx context.Context, dev, name string, payload []byte) (telemetry.Result, bool) {
			c, err := telemetry.DecodeCommand(payload)
			if err != nil {
				return telemetry.Result{}, false
			}
			return telemetry.Result{ID: c.ID, OK: true, Result: json.RawMessage(`{"dev":"` + dev + `","name":"` + name + `"}`)}, true
		}}
	if tune != nil {
		tune(&o)
	}
	p := New(ob, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("publisher did not stop")
		}
	})
	return p
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func depth(t testing.TB, ob *outbox.Outbox) int64 {
	d, err := ob.Depth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type (
	mqttClient  = mqtt.Client
	mqttMessage = mqtt.Message
)

// allowAll lets every client in: these tests are about forwarding, lab/broker tests the ACLs.
type allowAll struct{ mochi.HookBase }

func (allowAll) ID() string { return "allow-all" }
func (allowAll) Provides(b byte) bool {
	return b == mochi.OnConnectAuthenticate || b == mochi.OnACLCheck
}
func (allowAll) OnConnectAuthenticate(*mochi.Client, packets.Packet) bool { return true }
func (allowAll) OnACLCheck(*mochi.Client, string, bool) bool              { return true }
