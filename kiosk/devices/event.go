package devices

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/drivers/idcard"
)

// Device names, as Event.Device, Present and Health use them.
const (
	Reader  = "reader"
	Printer = "printer"
	Scanner = "scanner"
)

// Kind says what an Event reports. Kinds start at 1, so an Event nobody filled in is visibly
// none of them.
type Kind int

const (
	CardRead    Kind = iota + 1 // a card was placed and read; see Event.Card
	CardError                   // a placed card could not be read; see Event.Err
	Scanned                     // a code was scanned; see Event.Code
	DeviceState                 // a device's state changed; see Event.State, Paper, Err
)

var kindNames = [...]string{CardRead: "card_read", CardError: "card_error", Scanned: "scanned", DeviceState: "device_state"}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Event is one thing the devices report to the kiosk flow. Only the fields of its Kind are set.
type Event struct {
	Kind   Kind
	Device string            // Reader, Printer or Scanner
	Card   *idcard.Card      // CardRead: personal data, mask it for screens (kiosk/privacy)
	Code   string            // Scanned: the decoded text
	State  device.State      // DeviceState: idle, offline, error
	Paper  escpos.PaperState // DeviceState of the printer: ok, near_end, out
	Err    error             // CardError; DeviceState with a fault. Never holds personal data
	At     time.Time
}

// String renders the event for logs without the card or the code.
func (e Event) String() string {
	s := e.Kind.String() + " " + e.Device
	switch e.Kind {
	case DeviceState:
		s += " " + e.State.String()
		if e.Device == Printer {
			s += " paper " + e.Paper.String()
		}
	case Scanned:
		s += fmt.Sprintf(" (%d bytes)", len(e.Code))
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// LogValue logs the event without the card or the code.
func (e Event) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("kind", e.Kind.String()), slog.String("device", e.Device)}
	if e.Kind == DeviceState {
		attrs = append(attrs, slog.String("state", e.State.String()))
		if e.Device == Printer {
			attrs = append(attrs, slog.String("paper", e.Paper.String()))
		}
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("err", e.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}

// queue is the Events channel: sends never block, and the oldest event makes room when full.
type queue struct {
	log *slog.Logger
	ch  chan Event

	mu      sync.Mutex
	closed  bool
	dropped uint64
}

func newQueue(size int, log *slog.Logger) *queue {
	return &queue{log: log, ch: make(chan Event, size)}
}

func (q *queue) push(ev Event) {
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	for {
		select {
		case q.ch <- ev:
			return
		default:
		}
		select { // full: only this goroutine (under mu) sends, so after a receive the send fits
		case old := <-q.ch:
			q.dropped++
			q.log.Warn("devices: event dropped, nobody reads Events", "dropped", old, "total_dropped", q.dropped)
		default:
		}
	}
}

func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
}

func (q *queue) droppedCount() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
