// Package command sends the lab's commands to agents over MQTT and waits for their results:
// one paho connection, results matched to requests by id, every wait bounded.
package command

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/internal/mqttstore"
)

// ErrRefused wraps the error text an agent returned with ok:false.
var ErrRefused = errors.New("command refused")

// Opts say where to connect.
type Opts struct {
	BrokerURL, Username, Password, Site, ClientID string
	TLS                                           *tls.Config   // for an ssl:// URL
	Timeout                                       time.Duration // default wait for a result
}

// Sender sends commands. Safe for concurrent use.
type Sender struct {
	opts    Opts
	client  mqtt.Client
	mu      sync.Mutex
	waiting map[string]chan telemetry.Result
}

// Dial connects and subscribes to results; it fails if the broker does not answer within the timeout.
func Dial(opts Opts) (*Sender, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.ClientID == "" {
		opts.ClientID = "onestop-lab-cmd-" + newID()
	}
	s := &Sender{opts: opts, waiting: map[string]chan telemetry.Result{}}
	o := mqtt.NewClientOptions().SetStore(mqttstore.New()).AddBroker(opts.BrokerURL).SetClientID(opts.ClientID).
		SetUsername(opts.Username).SetPassword(opts.Password).
		SetOrderMatters(false).SetAutoReconnect(true).SetMaxReconnectInterval(2 * time.Second).
		SetOnConnectHandler(func(c mqtt.Client) {
			c.Subscribe(telemetry.AllResultFilter(opts.Site), 1, s.onResult).WaitTimeout(opts.Timeout)
		})
	if opts.TLS != nil {
		o.SetTLSConfig(opts.TLS)
	}
	s.client = mqtt.NewClient(o)
	t := s.client.Connect()
	if !t.WaitTimeout(opts.Timeout) {
		s.client.Disconnect(0)
		return nil, fmt.Errorf("command: connect %s: timeout", opts.BrokerURL)
	}
	if err := t.Error(); err != nil {
		return nil, fmt.Errorf("command: connect %s: %w", opts.BrokerURL, err)
	}
	// OnConnect subscribes too (for reconnects), but may not have finished yet: make sure now,
	// so the first command's result cannot arrive before the subscription.
	st := s.client.Subscribe(telemetry.AllResultFilter(opts.Site), 1, s.onResult)
	if !st.WaitTimeout(opts.Timeout) || st.Error() != nil {
		s.client.Disconnect(0)
		return nil, fmt.Errorf("command: subscribe results: %v", st.Error())
	}
	return s, nil
}

func (s *Sender) onResult(_ mqtt.Client, m mqtt.Message) {
	r, err := telemetry.DecodeResult(m.Payload())
	if err != nil {
		return
	}
	s.mu.Lock()
	ch := s.waiting[r.ID]
	delete(s.waiting, r.ID)
	s.mu.Unlock()
	if ch != nil {
		ch <- r // buffered: never blocks the paho handler
	}
}

// Send asks agent to run name on dev and waits for the result until ctx is done or the timeout
// passes (the command expires then too, so a late agent will not run it). out, if not nil,
// receives the result's JSON.
func (s *Sender) Send(ctx context.Context, agent, dev, name string, args, out any) error {
	id := newID()
	raw, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("command: %s args: %w", name, err)
	}
	if args == nil {
		raw = nil
	}
	deadline := time.Now().Add(s.opts.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	payload, err := telemetry.Encode(telemetry.Command{ID: id, Expires: deadline.UnixMilli(), Args: raw})
	if err != nil {
		return err
	}
	ch := make(chan telemetry.Result, 1)
	s.mu.Lock()
	s.waiting[id] = ch
	s.mu.Unlock()
	defer func() { s.mu.Lock(); delete(s.waiting, id); s.mu.Unlock() }()

	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	t := s.client.Publish(telemetry.CommandTopic(s.opts.Site, agent, dev, name), 1, false, payload)
	select {
	case <-t.Done():
		if err := t.Error(); err != nil {
			return fmt.Errorf("command: %s to %s/%s: not sent: %w", name, agent, dev, err)
		}
	case <-timer.C:
		return fmt.Errorf("command: %s to %s/%s: not sent within %v", name, agent, dev, s.opts.Timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case r := <-ch:
		if !r.OK {
			return fmt.Errorf("command: %s to %s/%s: %w: %s", name, agent, dev, ErrRefused, r.Error)
		}
		if out != nil && len(r.Result) > 0 {
			return json.Unmarshal(r.Result, out)
		}
		return nil
	case <-timer.C:
		return fmt.Errorf("command: %s to %s/%s: no result within %v", name, agent, dev, s.opts.Timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close disconnects.
func (s *Sender) Close() { s.client.Disconnect(250) }

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
