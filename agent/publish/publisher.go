package publish

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/metrics"
	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/internal/mqttstore"
)

// Source is what the forwarder needs of the outbox.
type Source interface {
	Epoch() int64
	Pending(ctx context.Context, afterSeq int64, limit int) ([]outbox.Row, error)
	LastSeq(ctx context.Context) (int64, error)
	Ack(ctx context.Context, epoch, seq int64) (int64, error)
	Depth(ctx context.Context) (int64, error)
	Oldest(ctx context.Context) (time.Time, error) // sample time of the oldest waiting row; zero when none
}

// CommandFunc runs a command that arrived for dev and returns the Result to publish (ok false: none).
type CommandFunc func(ctx context.Context, dev, name string, payload []byte) (telemetry.Result, bool)

// Opts configure a Publisher.
type Opts struct {
	Site, Agent, Version          string
	BrokerURL, Username, Password string
	TLS                           *tls.Config   // for an ssl:// BrokerURL; nil for tcp://
	BatchMax                      int           // readings per message
	ReplayRate                    int           // replayed readings per second
	AckTimeout                    time.Duration // rewind when acks stall this long
	WaitTimeout                   time.Duration // for each publish token
	LagEvery                      time.Duration // republish the online status with the lag this often; default 5 s
	PageRows                      int           // most rows read from the outbox at once; default 8192 (see pump)
	Metrics                       *metrics.Metrics
	OnCommand                     CommandFunc
}

// Publisher owns the agent's MQTT connection. Run it once; it is not reusable.
type Publisher struct {
	src   Source
	opts  Opts
	epoch int64

	client mqtt.Client
	wake   chan struct{}     // new rows or a new ack
	conns  chan struct{}     // a (re)connection happened
	cmds   chan mqtt.Message // commands waiting for the command worker
	acked  atomic.Int64      // highest seq the lab acknowledged for our epoch
	labUp  atomic.Bool       // the lab's retained service state says online
	metaMu sync.Mutex
	metas  map[string][]byte // retained device metas, republished on connect
}

// New returns a Publisher forwarding src with opts.
func New(src Source, opts Opts) *Publisher {
	if opts.BatchMax <= 0 || opts.BatchMax > telemetry.MaxBatch {
		opts.BatchMax = 500
	}
	if opts.ReplayRate <= 0 {
		opts.ReplayRate = 2000
	}
	if opts.AckTimeout <= 0 {
		opts.AckTimeout = 10 * time.Second
	}
	if opts.WaitTimeout <= 0 {
		opts.WaitTimeout = 5 * time.Second
	}
	if opts.PageRows <= 0 {
		opts.PageRows = 8192
	}
	if opts.LagEvery <= 0 {
		opts.LagEvery = 5 * time.Second
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.New()
	}
	p := &Publisher{
		src: src, opts: opts, epoch: src.Epoch(),
		wake:  make(chan struct{}, 1),
		conns: make(chan struct{}, 1),
		cmds:  make(chan mqtt.Message, 64),
		metas: map[string][]byte{},
	}
	p.labUp.Store(true) // until the retained state says otherwise
	p.client = p.newClient()
	return p
}

// Notify tells the forwarder that new rows are in the outbox. It never blocks.
func (p *Publisher) Notify() { signal(p.wake) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// SetMeta records a device's description; it is published retained now (if connected) and on every connect.
func (p *Publisher) SetMeta(dev string, m telemetry.Meta) error {
	m.V = telemetry.Version
	b, err := telemetry.Encode(m)
	if err != nil {
		return err
	}
	p.metaMu.Lock()
	p.metas[dev] = b
	p.metaMu.Unlock()
	if p.client.IsConnectionOpen() {
		p.client.Publish(telemetry.MetaTopic(p.opts.Site, p.opts.Agent, dev), 1, true, b)
	}
	return nil
}

func (p *Publisher) status(state string) []byte {
	b, _ := telemetry.Encode(telemetry.Status{V: telemetry.Version, State: state, Epoch: p.epoch, Version: p.opts.Version})
	return b
}

// newClient builds the one paho client of this Publisher; it is made in New so that SetMeta,
// called from pollers before Run starts, reads a field that never changes.
func (p *Publisher) newClient() mqtt.Client {
	o := mqtt.NewClientOptions().
		SetStore(mqttstore.New()). // serialised copies: see internal/mqttstore
		AddBroker(p.opts.BrokerURL).
		SetClientID(p.opts.Agent). // an agent account may use only its own name as client id
		SetUsername(p.opts.Username).SetPassword(p.opts.Password).
		SetCleanSession(true). // no stale commands queue up; the outbox, not the session, keeps data
		SetOrderMatters(false).
		SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).SetMaxReconnectInterval(2*time.Second).
		SetKeepAlive(10*time.Second).SetPingTimeout(5*time.Second).
		SetWriteTimeout(p.opts.WaitTimeout).
		SetWill(telemetry.StatusTopic(p.opts.Site, p.opts.Agent), string(p.status(telemetry.StateOffline)), 1, true).
		SetOnConnectHandler(p.onConnect).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			p.opts.Metrics.Connected.Set(0)
			slog.Warn("publish: connection lost", "err", err)
		})
	if p.opts.TLS != nil {
		o.SetTLSConfig(p.opts.TLS)
	}
	return mqtt.NewClient(o)
}

// Run connects and forwards until ctx is done, then marks the agent offline and disconnects.
func (p *Publisher) Run(ctx context.Context) error {
	p.client.Connect() // with ConnectRetry the token completes only once connected; OnConnect drives the rest

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); p.commandWorker(ctx) }()
	err := p.forward(ctx)
	wg.Wait()

	if p.client.IsConnectionOpen() {
		t := p.client.Publish(telemetry.StatusTopic(p.opts.Site, p.opts.Agent), 1, true, p.status(telemetry.StateOffline))
		t.WaitTimeout(p.opts.WaitTimeout)
	}
	p.client.Disconnect(250)
	return err
}

// onConnect runs on paho's goroutine: subscribe and announce, then hand over to the forwarder.
func (p *Publisher) onConnect(c mqtt.Client) {
	p.opts.Metrics.Connected.Set(1)
	site, agent := p.opts.Site, p.opts.Agent
	subs := map[string]mqtt.MessageHandler{
		telemetry.AckTopic(site, agent):           p.onAck,
		telemetry.AgentCommandFilter(site, agent): p.onCommand,
		telemetry.ServiceStateTopic(site):         p.onServiceState,
	}
	for f, h := range subs {
		// Without its ack subscription the agent would replay for ever, so retry until it holds
		// or this connection is gone (the next one comes back here).
		for delay := 200 * time.Millisecond; ; delay = min(2*delay, 5*time.Second) {
			t := c.Subscribe(f, 1, h)
			if t.WaitTimeout(p.opts.WaitTimeout) && t.Error() == nil {
				break
			}
			slog.Error("publish: subscribe failed; retrying", "filter", f, "err", t.Error(), "in", delay)
			if !c.IsConnectionOpen() {
				return
			}
			time.Sleep(delay)
		}
	}
	c.Publish(telemetry.StatusTopic(site, agent), 1, true, p.status(telemetry.StateOnline))
	p.metaMu.Lock()
	for dev, b := range p.metas {
		c.Publish(telemetry.MetaTopic(site, agent, dev), 1, true, b)
	}
	p.metaMu.Unlock()
	slog.Info("publish: connected", "broker", p.opts.BrokerURL, "epoch", p.epoch)
	signal(p.conns)
}

func (p *Publisher) onAck(_ mqtt.Client, m mqtt.Message) {
	a, err := telemetry.DecodeAck(m.Payload())
	if err != nil || a.Epoch != p.epoch {
		return // another epoch's ack concerns a replaced outbox: nothing of ours to delete
	}
	for {
		cur := p.acked.Load()
		if a.Seq <= cur || p.acked.CompareAndSwap(cur, a.Seq) {
			break
		}
	}
	signal(p.wake)
}

func (p *Publisher) onServiceState(_ mqtt.Client, m mqtt.Message) {
	p.labUp.Store(string(m.Payload()) != telemetry.ServiceOffline)
}

func (p *Publisher) onCommand(_ mqtt.Client, m mqtt.Message) {
	select {
	case p.cmds <- m:
	default:
		slog.Warn("publish: command queue full, command dropped", "topic", m.Topic())
	}
}

func (p *Publisher) commandWorker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-p.cmds:
			p.runCommand(ctx, m)
		}
	}
}

func (p *Publisher) runCommand(ctx context.Context, m mqtt.Message) {
	tp, err := telemetry.ParseTopic(m.Topic())
	if err != nil || tp.Kind != telemetry.KindCommand || p.opts.OnCommand == nil {
		return
	}
	res, ok := p.opts.OnCommand(ctx, tp.Dev, tp.Name, m.Payload())
	if !ok {
		slog.Warn("publish: undecodable command dropped", "topic", m.Topic(), "bytes", len(m.Payload()))
		return
	}
	p.opts.Metrics.Commands.WithLabelValues(tp.Name, fmt.Sprint(res.OK)).Inc()
	b, err := telemetry.Encode(res)
	if err != nil {
		return
	}
	t := p.client.Publish(telemetry.ResultTopic(p.opts.Site, p.opts.Agent, res.ID), 1, false, b)
	if !t.WaitTimeout(p.opts.WaitTimeout) || t.Error() != nil {
		slog.Warn("publish: command result not sent", "id", res.ID, "err", t.Error())
	}
}

var errNotSent = errors.New("publish: broker did not accept the message in time")
