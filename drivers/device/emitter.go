package device

import (
	"sync"
	"sync/atomic"
	"time"
)

// Emitter delivers a device's events on a buffered channel without ever
// blocking the driver: a driver stuck on a slow consumer would stop reading
// its device, which is worse than losing an event.
//
// When the buffer is full the oldest event is dropped to make room, because
// the newest one carries the current state (a Back after a Gone matters more
// than the Gone). Dropped counts what was lost.
type Emitter struct {
	device  string
	dropped atomic.Uint64

	mu     sync.Mutex // serialises senders with Close, so nobody sends on a closed channel
	ch     chan Event
	closed bool
}

// DefaultEmitterSize is the buffer used when NewEmitter is given size <= 0.
const DefaultEmitterSize = 16

// NewEmitter returns an Emitter for the named device with room for size events.
func NewEmitter(device string, size int) *Emitter {
	if size <= 0 {
		size = DefaultEmitterSize
	}
	return &Emitter{device: device, ch: make(chan Event, size)}
}

// Events returns the channel to receive from. It is closed by Close.
func (e *Emitter) Events() <-chan Event { return e.ch }

// Emit queues ev, filling in Time and Device when they are zero. It never
// blocks; after Close it discards ev.
func (e *Emitter) Emit(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	if ev.Device == "" {
		ev.Device = e.device
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	select {
	case e.ch <- ev:
		return
	default:
	}
	// Full: drop the oldest. The consumer may have drained one meanwhile, so
	// the receive is non-blocking too; the send then always succeeds because
	// only holders of mu send.
	select {
	case <-e.ch:
		e.dropped.Add(1)
	default:
	}
	e.ch <- ev
}

// Dropped returns how many events were discarded because the buffer was full.
func (e *Emitter) Dropped() uint64 { return e.dropped.Load() }

// Close closes the channel after the queued events; later Emits are ignored.
// It is safe to call more than once.
func (e *Emitter) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed {
		e.closed = true
		close(e.ch)
	}
}
