package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/internal/mqttstore"
)

// Config says where and as whom a terminal reports.
type Config struct {
	Broker             string // "tcp://host:1883", "ssl://…"; required
	Site, Terminal     string // topic levels: no / + #; required
	Username, Password string
	ClientID           string        // default "kiosk-{site}-{terminal}": one per terminal, or they take over each other's session
	Version            string        // the app version every status carries
	Interval           time.Duration // heartbeat: the status is republished this often; default 60 s
	Timeout            time.Duration // for each publish to be acknowledged; default 5 s
}

// Defaults for Config's durations.
const (
	DefaultInterval = 60 * time.Second
	DefaultTimeout  = 5 * time.Second
)

// Reporter publishes one terminal's status. Make it with New, run it once with Run.
type Reporter struct {
	cfg    Config
	log    *slog.Logger
	topic  string
	client mqtt.Client

	mu sync.Mutex
	st Status

	dirty      chan struct{} // Update happened
	conns      chan struct{} // a (re)connection happened
	running    atomic.Bool
	attempting atomic.Bool // a connection attempt is under way
}

// New checks cfg and makes a Reporter whose status starts online, with cfg.Version, no devices
// and paper unknown. It does not connect; Run does.
func New(cfg Config, log *slog.Logger) (*Reporter, error) {
	if cfg.Broker == "" {
		return nil, errors.New("fleet: no broker URL")
	}
	if err := checkLevel("site", cfg.Site); err != nil {
		return nil, err
	}
	if err := checkLevel("terminal", cfg.Terminal); err != nil {
		return nil, err
	}
	if cfg.Interval < 0 || cfg.Timeout < 0 {
		return nil, fmt.Errorf("fleet: interval %v and timeout %v must not be negative", cfg.Interval, cfg.Timeout)
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "kiosk-" + cfg.Site + "-" + cfg.Terminal
	}
	if log == nil {
		log = slog.Default()
	}
	r := &Reporter{
		cfg:   cfg,
		log:   log.With("component", "fleet", "terminal", cfg.Terminal),
		topic: StatusTopic(cfg.Site, cfg.Terminal),
		st: Status{V: Version, State: StateOnline, Version: cfg.Version,
			Devices: map[string]DeviceStatus{}, Paper: PaperUnknown},
		dirty: make(chan struct{}, 1),
		conns: make(chan struct{}, 1),
	}
	will, err := r.current(StateOffline)
	if err != nil {
		return nil, err
	}
	r.client = mqtt.NewClient(r.clientOptions(will))
	return r, nil
}

// clientOptions: one client for the Reporter's life. The will is fixed when the client is
// made (paho cannot change it later), so it carries the status as New saw it: version, no
// devices, paper unknown, and New's time as "at".
func (r *Reporter) clientOptions(will []byte) *mqtt.ClientOptions {
	return mqtt.NewClientOptions().
		SetStore(mqttstore.New()). // serialised copies: paho's MemoryStore races on resume (NOTES.md)
		AddBroker(r.cfg.Broker).
		SetClientID(r.cfg.ClientID).
		SetUsername(r.cfg.Username).SetPassword(r.cfg.Password).
		SetCleanSession(true). // nothing to keep: every connection republishes the current status
		SetOrderMatters(false).
		SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(2*time.Second).SetMaxReconnectInterval(30*time.Second).
		SetKeepAlive(30*time.Second).SetPingTimeout(10*time.Second).
		SetWriteTimeout(r.cfg.Timeout).
		SetWill(r.topic, string(will), 1, true).
		SetOnConnectHandler(func(mqtt.Client) {
			r.log.Info("fleet: connected", "broker", r.cfg.Broker)
			signal(r.conns) // publishing is Run's job: a paho handler must not block
		}).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			r.log.Warn("fleet: connection lost; reconnecting", "err", err)
		}).
		SetConnectionNotificationHandler(func(_ mqtt.Client, n mqtt.ConnectionNotification) {
			switch n.(type) {
			case mqtt.ConnectionNotificationConnecting:
				r.attempting.Store(true)
			case mqtt.ConnectionNotificationFailed, mqtt.ConnectionNotificationConnected:
				r.attempting.Store(false)
			}
		})
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Update changes the status with f (called under the Reporter's lock: keep it short, do no
// I/O) and has Run publish it. Updates in quick succession are published once, as the latest
// state. It never blocks on the network and is safe from any goroutine.
func (r *Reporter) Update(f func(*Status)) {
	r.mu.Lock()
	f(&r.st)
	if r.st.Devices == nil {
		r.st.Devices = map[string]DeviceStatus{}
	}
	r.mu.Unlock()
	signal(r.dirty)
}

// Status returns a copy of the status as it stands.
func (r *Reporter) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st.clone()
}

// current encodes the status with state and the time now.
func (r *Reporter) current(state string) ([]byte, error) {
	s := r.Status()
	s.State = state
	s.At = time.Now()
	return s.Encode()
}

// Run connects (retrying, and reconnecting after a loss), publishes the status on every
// connection, after Update and every Interval, until ctx ends; then it publishes "offline"
// and disconnects. It returns nil after a clean stop, or an error if the broker did not take
// the offline status — the retained status may then still say online, since a clean
// disconnect discards the will.
func (r *Reporter) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("fleet: Run called twice")
	}
	// With ConnectRetry the token completes only once connected; OnConnect signals conns.
	r.client.Connect()
	tick := time.NewTicker(r.cfg.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return r.stop()
		case <-r.conns:
		case <-r.dirty:
		case <-tick.C:
		}
		r.publish(StateOnline)
	}
}

// publish sends the status, retained, if a connection is open: while none is, nothing is
// queued (paho would keep every heartbeat of an outage and send them all later) because the
// next connection publishes the status as it is then.
func (r *Reporter) publish(state string) error {
	if !r.client.IsConnectionOpen() {
		return errNotConnected
	}
	b, err := r.current(state)
	if err != nil {
		return err
	}
	t := r.client.Publish(r.topic, 1, true, b)
	if !t.WaitTimeout(r.cfg.Timeout) {
		r.log.Warn("fleet: status not acknowledged in time", "state", state, "timeout", r.cfg.Timeout)
		return fmt.Errorf("fleet: publish %s status: no PUBACK within %v", state, r.cfg.Timeout)
	}
	if err := t.Error(); err != nil {
		r.log.Warn("fleet: status not published", "state", state, "err", err)
		return fmt.Errorf("fleet: publish %s status: %w", state, err)
	}
	return nil
}

var errNotConnected = errors.New("fleet: not connected")

// stop says offline and disconnects. Without a connection there is nobody to tell: the
// broker published the will when the connection went. But paho's Disconnect lets a connection
// attempt under way finish and then disconnects cleanly, which discards the will: the retained
// status would stay "online". So stop waits (up to Timeout) for such an attempt, and says
// offline on the connection it makes.
func (r *Reporter) stop() error {
	deadline := time.Now().Add(r.cfg.Timeout)
	for !r.client.IsConnectionOpen() && r.attempting.Load() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	err := r.publish(StateOffline)
	if errors.Is(err, errNotConnected) {
		err = nil
	}
	r.client.Disconnect(250)
	r.log.Info("fleet: stopped")
	return err
}
