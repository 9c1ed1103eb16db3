package device

import (
	"context"
	"strconv"
	"time"
)

// State is the condition of a device as its driver sees it.
//
// The zero value is Closed, so a Health that was never filled in reads as a
// device nobody has opened.
type State int

const (
	// Closed: not opened, or closed by its owner.
	Closed State = iota
	// Idle: open and ready. Waiting for input (a scanner with nothing to
	// scan) is idle, as in UnifiedPOS.
	Idle
	// Busy: open and carrying out an operation (printing, writing).
	Busy
	// Offline: the device should be there but is not (unplugged, powered
	// off); the driver keeps trying to get it back.
	Offline
	// Error: the device is there but reports a fault that needs a person
	// (paper jam, hardware error).
	Error
)

var stateNames = [...]string{"closed", "idle", "busy", "offline", "error"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Usable reports whether the device can take a request now or soon (idle or busy).
func (s State) Usable() bool { return s == Idle || s == Busy }

// Health is the answer to a health check, kept small so it can go straight
// into a kiosk status message.
type Health struct {
	State     State
	Detail    string    // one line for an operator, e.g. "paper near end"
	CheckedAt time.Time // when the state was observed
}

// OK reports whether the device is usable.
func (h Health) OK() bool { return h.State.Usable() }

func (h Health) String() string {
	if h.Detail == "" {
		return h.State.String()
	}
	return h.State.String() + ": " + h.Detail
}

// Sleep waits d or until ctx ends, whichever comes first, and reports whether the whole d passed.
// Polling and retry loops of drivers and their users pace themselves with it.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
