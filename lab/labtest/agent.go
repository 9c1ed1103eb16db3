package labtest

import (
	"strconv"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// Agent is a fake device agent speaking the wire contract: retained status with an offline last
// will, batches on data topics, and the acks the lab sends back.
type Agent struct {
	Name, Site string
	Epoch      int64
	Client     mqtt.Client
	Killer     *Killer

	mu   sync.Mutex
	acks []telemetry.Ack
	bad  int
}

// NewAgent connects agent name (client id = name) to the broker, subscribes to its ack topic and
// publishes its retained "online" status. It disconnects at the end of the test.
func NewAgent(t testing.TB, brokerURL, site, name, pass string, epoch int64) *Agent {
	t.Helper()
	a := &Agent{Name: name, Site: site, Epoch: epoch}
	offline, _ := telemetry.Encode(telemetry.Status{V: telemetry.Version, State: telemetry.StateOffline, Epoch: epoch})
	opts, k := ClientOpts(brokerURL, name, pass, name)
	opts.SetBinaryWill(telemetry.StatusTopic(site, name), offline, 1, true)
	a.Client, a.Killer = Connect(t, opts), k
	Subscribe(t, a.Client, telemetry.AckTopic(site, name), a.onAck)
	a.SetStatus(t, telemetry.StateOnline)
	return a
}

func (a *Agent) onAck(_ mqtt.Client, m mqtt.Message) {
	ack, err := telemetry.DecodeAck(m.Payload())
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.bad++
		return
	}
	a.acks = append(a.acks, ack)
}

// SetStatus publishes the agent's retained status.
func (a *Agent) SetStatus(t testing.TB, state string) {
	t.Helper()
	b, err := telemetry.Encode(telemetry.Status{V: telemetry.Version, State: state, Epoch: a.Epoch, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	Publish(t, a.Client, telemetry.StatusTopic(a.Site, a.Name), true, b)
}

// Send publishes batch b of device dev and waits for the broker's PUBACK.
func (a *Agent) Send(t testing.TB, dev string, b telemetry.Batch) {
	t.Helper()
	p, err := telemetry.Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	Publish(t, a.Client, telemetry.DataTopic(a.Site, a.Name, dev), false, p)
}

// Acks returns the acks received so far, in arrival order.
func (a *Agent) Acks() []telemetry.Ack {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]telemetry.Ack(nil), a.acks...)
}

// Acked reports whether an ack for epoch with at least seq has arrived.
func (a *Agent) Acked(epoch, seq int64) bool {
	for _, k := range a.Acks() {
		if k.Epoch == epoch && k.Seq >= seq {
			return true
		}
	}
	return false
}

// WaitAck waits until an ack for epoch covers seq.
func (a *Agent) WaitAck(t testing.TB, epoch, seq int64, timeout time.Duration) {
	t.Helper()
	Eventually(t, timeout, "no ack covering seq "+strconv.FormatInt(seq, 10), func() bool { return a.Acked(epoch, seq) })
}

// Batch makes a valid batch of readings seq from..to; reading times encode the seq.
func Batch(epoch, from, to int64) telemetry.Batch {
	b := telemetry.Batch{V: telemetry.Version, Epoch: epoch, SeqFrom: from, SeqTo: to}
	for s := from; s <= to; s++ {
		b.R = append(b.R, telemetry.Reading{Ch: "motor_temp", T: 1_700_000_000_000_000_000 + s,
			V: 20 + float64(s%100)/10, U: "°C", Q: telemetry.QualityGood})
	}
	return b
}
