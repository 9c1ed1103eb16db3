package flow

import (
	"sync"
	"time"
)

// IdleState is what the idle timer says about the visit.
type IdleState int

const (
	Active  IdleState = iota // someone is using the terminal
	Warning                  // "need more time?" with a countdown and one-tap extend
	Expired                  // wipe the visit and go back to attract
)

// DoneAfter is how long the thank-you screen stays before the terminal wipes and returns.
const DoneAfter = 15 * time.Second

// Idle times out a visit left alone (WCAG 2.2.1: warn, give at least 20 s to extend with one
// action). Every tap, key, card or scan calls Touch; the UI calls Check once a second. Form
// screens get longer, as typing on a keypad is slow. It is safe for concurrent use.
type Idle struct {
	After     time.Duration // quiet time before the warning (form screens: ×2)
	Grace     time.Duration // the warning's countdown
	mu        sync.Mutex
	last      time.Time
	extension time.Duration
}

// NewIdle returns a timer that was just touched.
func NewIdle(after, grace time.Duration, now time.Time) *Idle {
	return &Idle{After: after, Grace: grace, last: now}
}

// Touch records activity (and so also extends a warning).
func (i *Idle) Touch(now time.Time) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.last = now
}

// Check returns the state at now on screen s, and the seconds left on a warning.
func (i *Idle) Check(now time.Time, s Screen) (IdleState, int) {
	if s == Attract {
		return Active, 0 // nothing to protect; attract is where the timer sends people
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	after := i.After
	if s == Form || s == Who {
		after *= 2
	}
	quiet := now.Sub(i.last)
	if s == Done { // the visit is over: no "more time?", just back to attract soon
		if quiet >= DoneAfter {
			return Expired, 0
		}
		return Active, 0
	}
	switch {
	case quiet < after:
		return Active, 0
	case quiet < after+i.Grace:
		left := after + i.Grace - quiet
		return Warning, int((left + time.Second - 1) / time.Second)
	}
	return Expired, 0
}
