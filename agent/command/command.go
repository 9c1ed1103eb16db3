// Package command runs the lab's remote commands on the agent's devices: it decodes a command,
// refuses expired and repeated ones, routes it to the device's handler and shapes the Result that
// the agent publishes on res/{id}. It knows nothing of MQTT, so it is tested without a broker.
package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// Handler runs one named command on a device and returns what the result should carry.
type Handler func(ctx context.Context, name string, args json.RawMessage) (any, error)

// ErrUnknownDevice and friends are reported back to the lab in Result.Error.
var (
	ErrUnknownDevice = errors.New("unknown device")
	ErrExpired       = errors.New("command expired")
	ErrDuplicate     = errors.New("command already received")
)

// Dispatcher routes commands to devices. Safe for concurrent use.
type Dispatcher struct {
	mu       sync.Mutex
	handlers map[string]Handler
	seen     map[string]time.Time // command id → when first seen, for dedupe
	now      func() time.Time
}

// remember is how long an id is kept to refuse a redelivery of the same command.
const remember = 10 * time.Minute

// New returns an empty dispatcher.
func New() *Dispatcher {
	return &Dispatcher{handlers: map[string]Handler{}, seen: map[string]time.Time{}, now: time.Now}
}

// Register sets the handler of a device.
func (d *Dispatcher) Register(dev string, h Handler) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.handlers[dev] = h
}

// Handle decodes and runs the command carried by payload for dev. It always returns a Result to
// publish, except when the payload cannot even be decoded to an id (ok is then false: no one to answer).
func (d *Dispatcher) Handle(ctx context.Context, dev, name string, payload []byte) (res telemetry.Result, ok bool) {
	c, err := telemetry.DecodeCommand(payload)
	if err != nil {
		return telemetry.Result{}, false
	}
	res.ID = c.ID
	h, err := d.admit(dev, c)
	if err == nil {
		var out any
		out, err = h(ctx, name, c.Args)
		if err == nil && out != nil {
			res.Result, err = json.Marshal(out)
		}
	}
	if err != nil {
		res.Error = err.Error()
		return res, true
	}
	res.OK = true
	return res, true
}

func (d *Dispatcher) admit(dev string, c telemetry.Command) (Handler, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	for id, at := range d.seen {
		if now.Sub(at) > remember {
			delete(d.seen, id)
		}
	}
	if _, dup := d.seen[c.ID]; dup {
		return nil, ErrDuplicate
	}
	d.seen[c.ID] = now
	if now.UnixMilli() > c.Expires {
		return nil, fmt.Errorf("%w %v ago", ErrExpired, now.Sub(time.UnixMilli(c.Expires)).Round(time.Millisecond))
	}
	h := d.handlers[dev]
	if h == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownDevice, dev)
	}
	return h, nil
}
