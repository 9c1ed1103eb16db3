package idreader

import (
	"fmt"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
)

// FaultKind names a fault the twin can inject.
type FaultKind string

// Fault kinds.
const (
	FaultChecksum    FaultKind = "checksum"     // flip the reply's CHK byte
	FaultTruncated   FaultKind = "truncated"    // send only the first half of the reply
	FaultReadFailure FaultKind = "read_failure" // answer SW3 0x41 (card read failed) instead
	FaultSlow        FaultKind = "slow"         // send the reply Delay late (a slow card)
	FaultNoReply     FaultKind = "no_reply"     // send nothing
	FaultClear       FaultKind = "clear"        // cancel every pending fault
)

var faultKinds = []FaultKind{FaultChecksum, FaultTruncated, FaultReadFailure, FaultSlow, FaultNoReply}

// Fault is one fault order. It applies to the next Count replies (default 1) to commands of
// class On, or to all of them until cleared when Sticky.
type Fault struct {
	Kind   FaultKind
	Count  int
	Sticky bool
	Delay  time.Duration // slow
	// On is the command class: "any", "sam", "find", "select", "read" (30 01 and 30 10) or
	// "address". Empty means "read" for read_failure and "any" for the others.
	On string
}

var classes = map[string]bool{"any": true, "sam": true, "find": true, "select": true, "read": true, "address": true}

func (f *Fault) check() error {
	known := f.Kind == FaultClear
	for _, k := range faultKinds {
		known = known || f.Kind == k
	}
	if !known {
		return fmt.Errorf("unknown fault kind %q (checksum, truncated, read_failure, slow, no_reply, clear)", f.Kind)
	}
	if f.On == "" {
		f.On = "any"
		if f.Kind == FaultReadFailure {
			f.On = "read"
		}
	}
	switch {
	case !classes[f.On]:
		return fmt.Errorf("fault %s: on %q: want any, sam, find, select, read or address", f.Kind, f.On)
	case f.Count < 0 || f.Delay < 0:
		return fmt.Errorf("fault %s: count and delay must not be negative", f.Kind)
	case f.Kind == FaultSlow && f.Delay == 0:
		return fmt.Errorf("fault slow: delay_ms is 0")
	}
	return nil
}

// armed is a pending fault of one kind.
type armed struct {
	count  int
	sticky bool
	delay  time.Duration
	on     string
}

func (a *armed) take(class string) bool {
	if a.on != "any" && a.on != class || !a.sticky && a.count == 0 {
		return false
	}
	if !a.sticky {
		a.count--
	}
	return true
}

// Counters are the twin's tallies since start or the last reset.
type Counters struct {
	Requests     int64 `json:"requests"`     // host frames with a good checksum
	BadRequests  int64 `json:"bad_requests"` // host frames with a bad checksum (answered 0x10) or cut short
	Replies      int64 `json:"replies"`      // replies written, whole or not
	Finds        int64 `json:"finds"`        // 20 01 answered 0x9F
	NoCard       int64 `json:"no_card"`      // 20 01 answered 0x80 (absent or latched)
	Selects      int64 `json:"selects"`      // 20 02 answered 0x90
	CardsRead    int64 `json:"cards_read"`   // 30 01 / 30 10 replies written unharmed
	Addresses    int64 `json:"addresses"`    // 30 03 answered (0x90 or 0x91)
	SAMRequests  int64 `json:"sam_requests"` // 10 FF, 11 FF, 12 FF
	Checksums    int64 `json:"checksum_faults"`
	Truncations  int64 `json:"truncated_faults"`
	ReadFailures int64 `json:"read_failure_faults"`
	Delays       int64 `json:"slow_faults"`
	NoReplies    int64 `json:"no_reply_faults"`
}

// faults holds the armed faults and the counters.
type faults struct {
	mu    sync.Mutex
	armed map[FaultKind]*armed
	c     Counters
}

func newFaults() *faults { return &faults{armed: map[FaultKind]*armed{}} }

func (fs *faults) arm(f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f.Kind == FaultClear {
		clear(fs.armed)
		return
	}
	a := &armed{count: f.Count, sticky: f.Sticky, delay: f.Delay, on: f.On}
	if a.count == 0 {
		a.count = 1
	}
	fs.armed[f.Kind] = a
}

func (fs *faults) take(k FaultKind, class string) (*armed, bool) {
	a := fs.armed[k]
	if a == nil || !a.take(class) {
		return nil, false
	}
	if !a.sticky && a.count == 0 {
		delete(fs.armed, k)
	}
	return a, true
}

// plan is what to put on the wire for one outcome.
type plan struct {
	out     []byte // nil: no reply
	delay   time.Duration
	harmed  bool // corrupted, cut or replaced
	replace bool // read_failure replaced the module's answer
}

// apply turns an outcome into wire bytes, consuming armed faults: no reply, then read
// failure, then checksum, then truncation, then delay.
func (fs *faults) apply(o outcome) plan {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if _, ok := fs.take(FaultNoReply, o.class); ok {
		fs.c.NoReplies++
		return plan{harmed: true}
	}
	var p plan
	if _, ok := fs.take(FaultReadFailure, o.class); ok {
		fs.c.ReadFailures++
		o.resp, p.harmed, p.replace = idcard.Response{SW3: 0x41}, true, true
	}
	p.out = o.resp.Encode()
	if _, ok := fs.take(FaultChecksum, o.class); ok {
		fs.c.Checksums++
		p.out[len(p.out)-1] ^= 0x5A
		p.harmed = true
	}
	if _, ok := fs.take(FaultTruncated, o.class); ok {
		fs.c.Truncations++
		p.out = p.out[:len(p.out)/2]
		p.harmed = true
	}
	if a, ok := fs.take(FaultSlow, o.class); ok {
		fs.c.Delays++
		p.delay = a.delay
	}
	return p
}

// count adds what a written reply means to the tallies.
func (fs *faults) count(o outcome, p plan) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if p.out != nil {
		fs.c.Replies++
	}
	if p.replace || p.out == nil {
		return
	}
	switch sw := o.resp.SW3; {
	case o.class == "sam":
		fs.c.SAMRequests++
	case o.class == "find" && sw == idcard.StatusCardFound:
		fs.c.Finds++
	case o.class == "find" && sw == 0x80:
		fs.c.NoCard++
	case o.class == "select" && sw == idcard.StatusOK:
		fs.c.Selects++
	case o.isRead && !p.harmed:
		fs.c.CardsRead++
	case o.class == "address":
		fs.c.Addresses++
	}
}

func (fs *faults) counted(f func(c *Counters)) {
	fs.mu.Lock()
	f(&fs.c)
	fs.mu.Unlock()
}

func (fs *faults) counters() Counters {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.c
}

func (fs *faults) resetCounters() {
	fs.mu.Lock()
	fs.c = Counters{}
	fs.mu.Unlock()
}

// pending describes the armed faults for GET /state: kind → count left (-1 sticky).
func (fs *faults) pending() map[string]int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := map[string]int{}
	for k, a := range fs.armed {
		out[string(k)] = a.count
		if a.sticky {
			out[string(k)] = -1
		}
	}
	return out
}
