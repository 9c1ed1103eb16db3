package ingest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/internal/mqttstore"
	"github.com/onestop-station/onestop/lab/store"
)

// Opts configures an Ingest. BrokerURL, Site and Store are required.
type Opts struct {
	BrokerURL string // e.g. tcp://127.0.0.1:1883, or ssl://lab-station:8883 with TLS
	Username  string
	Password  string
	Site      string // the site whose agents this lab serves
	ClientID  string // stable across restarts; default "lab-{site}"
	Store     *store.Store

	// TLS is used with an ssl:// BrokerURL: the CAs to trust, a client certificate, a server name.
	TLS *tls.Config

	// Shared subscribes the data topics through "$share/{ShareGroup}/…" so several lab workers
	// (processes or Ingests) on one store split the batches; a ShareGroup alone implies it. Status
	// and meta stay ordinary subscriptions: every worker needs every agent's presence (shared, an
	// agent's "offline" will reached one worker and the other showed it online for ever), and
	// MQTT 5 sends no retained message to a new shared subscription (mosquitto 2.0 does). See the
	// package doc for why two workers acknowledging one agent's batches is safe.
	Shared     bool
	ShareGroup string // default "lab"; no '/', '+' or '#'

	// CleanSession drops the broker session at every connect; see the package doc for why the
	// default keeps it.
	CleanSession bool

	// OnStored, if set, is called after each stored batch with its readings (new and repeated),
	// e.g. to stream live readings to the console. It runs on the ingest worker: it must not block.
	OnStored func(agent, dev string, b telemetry.Batch)

	// LagThreshold is how far behind an online agent may be before /api/agents marks it lagging
	// (AgentInfo.Lagging); default DefaultLagThreshold.
	LagThreshold time.Duration

	// Embedded, when set, is the lab's own broker, reached in process (see Embedded) instead of
	// through BrokerURL; the MQTT client options above are then unused.
	Embedded Embedded

	QueueLen int          // data messages waiting for the worker; default 4096
	Logger   *slog.Logger // nil: slog.Default()
}

// opTimeout bounds every wait on a paho token: paho tokens can hang (paho issues #613, #390).
const opTimeout = 10 * time.Second

// ErrOpts marks an unusable configuration.
var ErrOpts = errors.New("ingest: bad options")

// Ingest is a running subscriber. Its methods are safe for concurrent use.
type Ingest struct {
	opts   Opts
	log    *slog.Logger
	store  *store.Store
	client mqtt.Client
	// inlineSubs end the subscriptions and the start hook on an Embedded broker.
	inlineSubs []func()
	stateMu    sync.Mutex // orders the Embedded service-state publishes with Close's
	closing    bool
	// publish sends one QoS 1 message; a field so the fuzz test can run without a broker.
	publish func(topic string, retain bool, payload []byte) error

	data, ctrl chan message
	cancel     context.CancelFunc
	ctx        context.Context
	workers    sync.WaitGroup

	ready     chan struct{} // closed after the first successful subscribe
	readyOnce sync.Once

	stats   counters
	agents  agentTable
	limiter logLimiter
}

// message is what a handler hands to a worker.
type message struct {
	topic    telemetry.Topic
	payload  []byte
	retained bool
	at       time.Time

	// A data message is decoded as it arrives (route), on the MQTT client's goroutine, so the
	// one worker that stores spends its core on the store alone: decoding was a quarter of it.
	batch     telemetry.Batch
	decodeErr error
}

func (o *Opts) defaults() error {
	switch {
	case o.BrokerURL == "" && o.Embedded == nil:
		return fmt.Errorf("%w: no broker URL", ErrOpts)
	case o.Embedded != nil && (o.Shared || o.ShareGroup != ""):
		return fmt.Errorf("%w: shared subscriptions need a broker URL (the scale-out path), not the embedded broker", ErrOpts)
	case !telemetry.ValidName(o.Site):
		return fmt.Errorf("%w: site %q", ErrOpts, o.Site)
	case o.Store == nil:
		return fmt.Errorf("%w: no store", ErrOpts)
	}
	if o.ClientID == "" {
		o.ClientID = "lab-" + o.Site
	}
	if strings.ContainsAny(o.ShareGroup, "/+#") {
		return fmt.Errorf("%w: share group %q", ErrOpts, o.ShareGroup)
	}
	if o.ShareGroup != "" {
		o.Shared = true
	} else if o.Shared {
		o.ShareGroup = "lab"
	}
	if o.QueueLen <= 0 {
		o.QueueLen = 4096
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return nil
}

// Start connects to the broker in the background (retrying until Close) and starts the workers.
// Use WaitReady to wait for the subscriptions.
func Start(ctx context.Context, opts Opts) (*Ingest, error) {
	in, err := newIngest(opts)
	if err != nil {
		return nil, err
	}
	if err := in.loadAgents(ctx); err != nil {
		in.stop()
		return nil, err
	}
	if opts.Embedded != nil {
		if err := in.startEmbedded(); err != nil {
			in.stop()
			return nil, err
		}
		return in, nil
	}
	in.client = mqtt.NewClient(in.clientOptions())
	in.publish = in.mqttPublish
	in.client.Connect() // with ConnectRetry the token completes only once connected; OnConnect does the rest
	in.log.Info("ingest: started", "broker", opts.BrokerURL, "site", opts.Site, "client", in.opts.ClientID)
	return in, nil
}

// newIngest builds everything but the MQTT client and starts the workers.
func newIngest(opts Opts) (*Ingest, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &Ingest{
		opts: opts, log: opts.Logger, store: opts.Store,
		data: make(chan message, opts.QueueLen), ctrl: make(chan message, 1024),
		ctx: ctx, cancel: cancel, ready: make(chan struct{}),
		agents: agentTable{m: map[string]*AgentInfo{}},
	}
	in.workers.Add(2)
	go in.work(in.data)
	go in.work(in.ctrl)
	return in, nil
}

func (in *Ingest) clientOptions() *mqtt.ClientOptions {
	o := mqtt.NewClientOptions().
		SetStore(mqttstore.New()). // serialised copies: see internal/mqttstore
		AddBroker(in.opts.BrokerURL).
		SetClientID(in.opts.ClientID).
		SetUsername(in.opts.Username).
		SetPassword(in.opts.Password).
		SetProtocolVersion(4). // MQTT 3.1.1, the contract's version
		SetCleanSession(in.opts.CleanSession).
		SetOrderMatters(true). // safe: the handler never blocks; see the package doc
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetMaxReconnectInterval(2*time.Second).
		SetKeepAlive(15*time.Second).
		SetPingTimeout(5*time.Second).
		SetConnectTimeout(5*time.Second).
		SetWriteTimeout(5*time.Second).
		SetBinaryWill(telemetry.ServiceStateTopic(in.opts.Site), []byte(telemetry.ServiceOffline), 1, true).
		SetDefaultPublishHandler(in.onMessage). // queued session messages may come before SUBACK
		SetOnConnectHandler(in.onConnect).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			in.log.Warn("ingest: connection lost", "error", err)
		})
	if in.opts.TLS != nil {
		o.SetTLSConfig(in.opts.TLS)
	}
	return o
}

// onConnect runs in its own goroutine after every (re)connect.
func (in *Ingest) onConnect(c mqtt.Client) {
	// Connected without subscriptions the lab would store nothing and look healthy: retry until
	// they hold, the connection goes (the next one comes back here) or the ingest closes.
	for delay := 200 * time.Millisecond; ; delay = min(2*delay, 5*time.Second) {
		err := in.subscribe(c)
		if err == nil {
			break
		}
		in.log.Error("ingest: subscribe failed; retrying", "error", err, "in", delay)
		select {
		case <-in.ctx.Done():
			return
		case <-time.After(delay):
		}
		if !c.IsConnectionOpen() {
			return
		}
	}
	if err := in.publish(telemetry.ServiceStateTopic(in.opts.Site), true, []byte(telemetry.ServiceOnline)); err != nil {
		in.log.Error("ingest: publish service state", "error", err)
	}
	in.readyOnce.Do(func() { close(in.ready) })
	in.log.Info("ingest: connected and subscribed", "broker", in.opts.BrokerURL)
}

func (in *Ingest) subscribe(c mqtt.Client) error {
	site := in.opts.Site
	filters := map[string]byte{}
	data := telemetry.AllDataFilter(site)
	if in.opts.Shared {
		data = "$share/" + in.opts.ShareGroup + "/" + data
	}
	for _, f := range []string{telemetry.AllStatusFilter(site), telemetry.AllMetaFilter(site), data} {
		filters[f] = 1
	}
	tok := c.SubscribeMultiple(filters, nil)
	if !tok.WaitTimeout(opTimeout) {
		return errors.New("ingest: subscribe: no SUBACK in time")
	}
	if err := tok.Error(); err != nil {
		return fmt.Errorf("ingest: subscribe: %w", err)
	}
	for f, code := range tok.(*mqtt.SubscribeToken).Result() {
		if code > 2 {
			return fmt.Errorf("ingest: subscribe %s: refused by broker (code %#x)", f, code)
		}
	}
	return nil
}

// mqttPublish sends a QoS 1 message without waiting for its PUBACK: acks are cumulative and
// repeated, so a lost one is repaired by the next; only a refusal at hand-over is reported.
func (in *Ingest) mqttPublish(topic string, retain bool, payload []byte) error {
	tok := in.client.Publish(topic, 1, retain, payload)
	select {
	case <-tok.Done():
		return tok.Error()
	default:
		return nil
	}
}

// WaitReady waits until the first connection has subscribed, or ctx ends.
func (in *Ingest) WaitReady(ctx context.Context) error {
	select {
	case <-in.ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("ingest: wait for subscriptions: %w", ctx.Err())
	}
}

// Connected reports whether the MQTT connection is up right now (with Embedded: whether the
// broker runs).
func (in *Ingest) Connected() bool {
	if in.opts.Embedded != nil {
		return in.opts.Embedded.Running()
	}
	return in.client != nil && in.client.IsConnectionOpen()
}

// Close publishes the "offline" service state, disconnects and stops the workers. Messages still
// queued are not stored; they were not acknowledged, so agents send them again.
func (in *Ingest) Close() error {
	if in.opts.Embedded != nil {
		in.unsubscribeInline()
		in.stateMu.Lock()
		in.closing = true
		if err := in.publish(telemetry.ServiceStateTopic(in.opts.Site), true, []byte(telemetry.ServiceOffline)); err != nil {
			in.log.Debug("ingest: offline state not published", "error", err)
		}
		in.stateMu.Unlock()
	}
	if in.client != nil {
		if in.client.IsConnectionOpen() {
			tok := in.client.Publish(telemetry.ServiceStateTopic(in.opts.Site), 1, true, []byte(telemetry.ServiceOffline))
			tok.WaitTimeout(2 * time.Second)
		}
		in.client.Disconnect(250)
	}
	in.stop()
	return nil
}

func (in *Ingest) stop() {
	in.cancel()
	in.workers.Wait()
}
