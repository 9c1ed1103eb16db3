package broker

import (
	"net"
	"sync"
	"time"
)

// LoginLimit bounds password guessing: after Failures failed logins from one client address
// within Window, every login from that address is refused for Lockout, even one with the right
// password. Attempts during a lockout are not counted, so a misconfigured client retrying for
// ever gets Failures tries per Lockout instead of being shut out for good.
type LoginLimit struct {
	Failures int
	Window   time.Duration
	Lockout  time.Duration
}

// DefaultLoginLimit is the limit a zero LoginLimit means.
var DefaultLoginLimit = LoginLimit{Failures: 5, Window: time.Minute, Lockout: 5 * time.Minute}

// limiterPrune is the table size at which forgotten addresses are swept out.
const limiterPrune = 1024

// limiter counts failed logins per client address (the host, not the port).
type limiter struct {
	LoginLimit
	now func() time.Time

	mu sync.Mutex
	m  map[string]*loginRecord
}

type loginRecord struct {
	fails []time.Time // within the window, oldest first
	until time.Time   // locked out before this instant
}

func newLimiter(l LoginLimit, now func() time.Time) *limiter {
	if l.Failures <= 0 || l.Window <= 0 || l.Lockout <= 0 {
		l = DefaultLoginLimit
	}
	if now == nil {
		now = time.Now
	}
	return &limiter{LoginLimit: l, now: now, m: map[string]*loginRecord{}}
}

// hostOf strips the port: a client picks a new port for every connection.
func hostOf(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}

// locked reports whether addr is refused right now.
func (l *limiter) locked(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.m[addr]
	return r != nil && l.now().Before(r.until)
}

// fail records a failed login from addr and reports whether it starts a lockout.
func (l *limiter) fail(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	r := l.m[addr]
	if r == nil {
		if len(l.m) >= limiterPrune {
			l.prune(now)
		}
		r = &loginRecord{}
		l.m[addr] = r
	}
	if now.Before(r.until) {
		return false
	}
	r.fails = append(dropBefore(r.fails, now.Add(-l.Window)), now)
	if len(r.fails) < l.Failures {
		return false
	}
	r.fails, r.until = nil, now.Add(l.Lockout)
	return true
}

// prune forgets addresses with neither a lockout nor a failure inside the window.
func (l *limiter) prune(now time.Time) {
	for a, r := range l.m {
		r.fails = dropBefore(r.fails, now.Add(-l.Window))
		if len(r.fails) == 0 && !now.Before(r.until) {
			delete(l.m, a)
		}
	}
}

func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// dropBefore removes the times before t from the sorted slice ts.
func dropBefore(ts []time.Time, t time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(t) {
		i++
	}
	return ts[i:]
}
