package telemetry

import (
	"encoding/json"

	"errors"
	"fmt"
	gojson "github.com/goccy/go-json"
	"math"
)

// Version is the payload version every message carries in "v".
const Version = 1

// MaxBatch is the most readings one Batch may carry; it keeps a message well under broker limits.
const MaxBatch = 1000

// ErrPayload marks a message that does not follow the contract; the receiver drops it with a log line.
var ErrPayload = errors.New("telemetry: bad payload")

// Agent states carried by Status.
const (
	StateOnline  = "online"
	StateOffline = "offline"
)

// Reading qualities.
const (
	QualityGood      = "good"
	QualityBad       = "bad"
	QualityUncertain = "uncertain"
)

// Status is an agent's retained presence message; the broker publishes the offline form as its will.
//
// An online agent also publishes it every few seconds with its lag: Depth readings waiting in its
// outbox for the lab's ack, the oldest of them OldestMs old, both measured at At (Unix ms, the
// agent's clock). At is set in every such report, so a report of an empty outbox (Depth and
// OldestMs 0, left out) is told apart from a status without a report: the connect form, the last
// will, and agents older than these fields.
type Status struct {
	V        int    `json:"v"`
	State    string `json:"state"`
	Epoch    int64  `json:"epoch"`
	Version  string `json:"version,omitempty"`
	Depth    int64  `json:"depth,omitempty"`
	OldestMs int64  `json:"oldest_ms,omitempty"`
	At       int64  `json:"at,omitempty"`
	// Lost counts readings the agent could not keep since it started (its outbox refused them,
	// e.g. a full disk): a gap in the data the lab must show. Sent with the lag report.
	Lost int64 `json:"lost,omitempty"`
}

// HasLag reports whether s carries a lag report.
func (s Status) HasLag() bool { return s.At > 0 }

// Channel describes one measured quantity of a device.
type Channel struct {
	Name        string `json:"name"`
	Unit        string `json:"unit"`
	Description string `json:"description,omitempty"`
}

// Meta is a device's retained description.
type Meta struct {
	V              int       `json:"v"`
	Model          string    `json:"model"`
	Firmware       string    `json:"firmware"`
	Serial         string    `json:"serial"`
	CalibrationDue string    `json:"calibration_due,omitempty"` // YYYY-MM-DD
	Steps          int       `json:"steps,omitempty"`           // test steps the device's programme has
	Channels       []Channel `json:"channels"`
}

// Reading is one measured value. T is Unix time in nanoseconds, UTC.
type Reading struct {
	Ch string  `json:"ch"`
	T  int64   `json:"t"`
	V  float64 `json:"val"`
	U  string  `json:"u"`
	Q  string  `json:"q"`
}

// Batch carries the readings SeqFrom..SeqTo of one device, in seq order.
type Batch struct {
	V       int       `json:"v"`
	Epoch   int64     `json:"epoch"`
	SeqFrom int64     `json:"seq_from"`
	SeqTo   int64     `json:"seq_to"`
	Replay  bool      `json:"replay"`
	R       []Reading `json:"r"`
}

// Command asks an agent to act on a device. Expires is Unix time in milliseconds.
type Command struct {
	ID      string          `json:"id"`
	Expires int64           `json:"expires"`
	Args    json.RawMessage `json:"args,omitempty"`
}

// Result is an agent's answer to a Command.
type Result struct {
	ID     string          `json:"id"`
	OK     bool            `json:"ok"`
	Error  string          `json:"error,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
}

// Ack tells an agent that the lab has stored every reading of Epoch up to and including Seq.
type Ack struct {
	V     int   `json:"v"`
	Epoch int64 `json:"epoch"`
	Seq   int64 `json:"seq"`
}

// Encode marshals a contract message. It fails only for values JSON cannot carry (NaN, ±Inf).
func Encode(m any) ([]byte, error) {
	b, err := gojson.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("telemetry: encode %T: %w", m, err)
	}
	return b, nil
}

func decode(b []byte, what string, v any) error {
	if len(b) > 4<<20 {
		return fmt.Errorf("%w: %s: %d bytes", ErrPayload, what, len(b))
	}
	// Unmarshal refuses anything after the value but space, and costs less than a Decoder,
	// which copies the payload into its own buffer first (a fifth of the lab's decoding).
	if err := gojson.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrPayload, what, err)
	}
	return nil
}

func bad(what, format string, a ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrPayload, what, fmt.Sprintf(format, a...))
}

// DecodeBatch parses and validates a data message.
func DecodeBatch(b []byte) (Batch, error) {
	var m Batch
	if err := decode(b, "batch", &m); err != nil {
		return Batch{}, err
	}
	return m, m.Validate()
}

// Validate checks the rules a receiver relies on: version, positive epoch and seqs, one reading per seq.
func (m Batch) Validate() error {
	switch {
	case m.V != Version:
		return bad("batch", "version %d", m.V)
	case m.Epoch <= 0:
		return bad("batch", "epoch %d", m.Epoch)
	case m.SeqFrom <= 0 || m.SeqTo < m.SeqFrom:
		return bad("batch", "seq range %d..%d", m.SeqFrom, m.SeqTo)
	case m.SeqTo-m.SeqFrom+1 != int64(len(m.R)):
		return bad("batch", "seq range %d..%d but %d readings", m.SeqFrom, m.SeqTo, len(m.R))
	case len(m.R) > MaxBatch:
		return bad("batch", "%d readings, most is %d", len(m.R), MaxBatch)
	}
	for i, r := range m.R {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("%w (reading %d)", err, i)
		}
	}
	return nil
}

// Validate checks one reading.
func (r Reading) Validate() error {
	switch {
	case !ValidName(r.Ch):
		return bad("reading", "channel %q", r.Ch)
	case r.T <= 0:
		return bad("reading", "time %d", r.T)
	case math.IsNaN(r.V) || math.IsInf(r.V, 0):
		return bad("reading", "value not finite")
	case r.Q != QualityGood && r.Q != QualityBad && r.Q != QualityUncertain:
		return bad("reading", "quality %q", r.Q)
	case len(r.U) > 16:
		return bad("reading", "unit %q", r.U)
	}
	return nil
}

// DecodeStatus parses and validates an agent status message.
func DecodeStatus(b []byte) (Status, error) {
	var m Status
	if err := decode(b, "status", &m); err != nil {
		return Status{}, err
	}
	switch {
	case m.V != Version:
		return Status{}, bad("status", "version %d", m.V)
	case m.State != StateOnline && m.State != StateOffline:
		return Status{}, bad("status", "state %q", m.State)
	case m.Depth < 0 || m.OldestMs < 0 || m.At < 0 || m.Lost < 0:
		return Status{}, bad("status", "lag depth %d oldest_ms %d at %d", m.Depth, m.OldestMs, m.At)
	}
	return m, nil
}

// DecodeMeta parses and validates a device description.
func DecodeMeta(b []byte) (Meta, error) {
	var m Meta
	if err := decode(b, "meta", &m); err != nil {
		return Meta{}, err
	}
	if m.V != Version {
		return Meta{}, bad("meta", "version %d", m.V)
	}
	for _, c := range m.Channels {
		if !ValidName(c.Name) {
			return Meta{}, bad("meta", "channel %q", c.Name)
		}
	}
	return m, nil
}

// DecodeCommand parses and validates a command.
func DecodeCommand(b []byte) (Command, error) {
	var m Command
	if err := decode(b, "command", &m); err != nil {
		return Command{}, err
	}
	switch {
	case !ValidName(m.ID):
		return Command{}, bad("command", "id %q", m.ID)
	case m.Expires <= 0:
		return Command{}, bad("command", "expires %d", m.Expires)
	}
	return m, nil
}

// DecodeResult parses and validates a command result.
func DecodeResult(b []byte) (Result, error) {
	var m Result
	if err := decode(b, "result", &m); err != nil {
		return Result{}, err
	}
	if !ValidName(m.ID) {
		return Result{}, bad("result", "id %q", m.ID)
	}
	return m, nil
}

// DecodeAck parses and validates a storage acknowledgement.
func DecodeAck(b []byte) (Ack, error) {
	var m Ack
	if err := decode(b, "ack", &m); err != nil {
		return Ack{}, err
	}
	switch {
	case m.V != Version:
		return Ack{}, bad("ack", "version %d", m.V)
	case m.Epoch <= 0 || m.Seq < 0:
		return Ack{}, bad("ack", "epoch %d seq %d", m.Epoch, m.Seq)
	}
	return m, nil
}

// Service states carried on ServiceStateTopic (plain strings, not JSON).
const (
	ServiceOnline  = "online"
	ServiceOffline = "offline"
)
