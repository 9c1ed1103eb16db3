package rig

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// FaultKind names a wire fault the twin can inject.
type FaultKind string

// Fault kinds.
const (
	FaultCRC       FaultKind = "crc"       // corrupt the reply's CRC
	FaultDrop      FaultKind = "drop"      // send no reply at all
	FaultSlow      FaultKind = "slow"      // send the reply Delay late
	FaultException FaultKind = "exception" // answer exception Code instead
	FaultHangup    FaultKind = "hangup"    // close the PTY, reappear under a new path after Down
	FaultClear     FaultKind = "clear"     // cancel every pending fault
)

// Fault is one fault order. Count applies it to the next Count replies;
// Rate (0..1) instead applies it to that fraction of replies until cleared.
// With neither, Count is 1.
type Fault struct {
	Kind  FaultKind
	Count int
	Rate  float64
	Delay time.Duration        // slow
	Code  modbus.ExceptionCode // exception; 0 means ServerDeviceBusy
	Down  time.Duration        // hangup: how long the port stays away
}

func (f Fault) check() error {
	switch f.Kind {
	case FaultCRC, FaultDrop, FaultSlow, FaultException, FaultHangup, FaultClear:
	default:
		return fmt.Errorf("unknown fault kind %q (crc, drop, slow, exception, hangup, clear)", f.Kind)
	}
	if f.Count < 0 || f.Rate < 0 || f.Rate > 1 || f.Delay < 0 || f.Down < 0 {
		return fmt.Errorf("fault %s: count, rate (0..1), delay and down must not be negative", f.Kind)
	}
	if f.Kind == FaultSlow && f.Delay == 0 {
		return fmt.Errorf("fault slow: delay is 0")
	}
	return nil
}

// armed is a pending fault of one kind.
type armed struct {
	count int
	rate  float64
	delay time.Duration
	code  modbus.ExceptionCode
}

// take reports whether the fault applies to this reply and uses it up.
func (a *armed) take(rng *rand.Rand) bool {
	if a.count > 0 {
		a.count--
		return true
	}
	return a.rate > 0 && rng.Float64() < a.rate
}

// Counters are the twin's tallies since start or the last reset.
type Counters struct {
	Requests        int64 `json:"requests"`         // requests answered, faulted or dropped
	SnapshotReplies int64 `json:"snapshot_replies"` // whole-snapshot FC04 replies written unharmed, less one a hang-up caught unread
	ReadingsServed  int64 `json:"readings_served"`  // SnapshotReplies × channels
	Channels        int   `json:"channels"`
	CRCFaults       int64 `json:"crc_faults"`
	Drops           int64 `json:"drops"`
	Delays          int64 `json:"delays"`
	Exceptions      int64 `json:"exceptions"` // injected exception replies
	Hangups         int64 `json:"hangups"`
}

// faults holds the armed faults and the counters; Filter and OnReply run on
// Serve's goroutine, the control API on others.
type faults struct {
	mu     sync.Mutex
	rng    *rand.Rand
	crc    armed
	drop   armed
	slow   armed
	exc    armed
	c      Counters
	pendOK bool // the reply Filter just passed is an unharmed snapshot
	lastOK bool // the last reply written was counted as a served snapshot
}

func newFaults(seed uint64) *faults {
	return &faults{rng: rand.New(rand.NewPCG(seed, ^seed)), c: Counters{Channels: numChannels}}
}

// arm records a fault order (hangups are handled by the twin).
func (fs *faults) arm(f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	a := armed{count: f.Count, rate: f.Rate, delay: f.Delay, code: f.Code}
	if a.count == 0 && a.rate == 0 {
		a.count = 1
	}
	if a.code == 0 {
		a.code = modbus.ServerDeviceBusy
	}
	switch f.Kind {
	case FaultCRC:
		fs.crc = a
	case FaultDrop:
		fs.drop = a
	case FaultSlow:
		fs.slow = a
	case FaultException:
		fs.exc = a
	case FaultClear:
		fs.crc, fs.drop, fs.slow, fs.exc = armed{}, armed{}, armed{}, armed{}
	}
}

// filter is the modbus.ReplyFilter: drop, then exception, then CRC, then
// delay, each only when armed. It never modifies adu in place.
func (fs *faults) filter(req modbus.Request, adu []byte) ([]byte, time.Duration) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.c.Requests++
	fs.pendOK, fs.lastOK = false, false
	if fs.drop.take(fs.rng) {
		fs.c.Drops++
		return nil, 0
	}
	harmed := false
	out := adu
	if fs.exc.take(fs.rng) {
		fs.c.Exceptions++
		out, harmed = modbus.EncodeException(req, fs.exc.code), true
	}
	if fs.crc.take(fs.rng) && len(out) >= 2 {
		fs.c.CRCFaults++
		out = append([]byte(nil), out...)
		out[len(out)-1] ^= 0xA5
		harmed = true
	}
	var delay time.Duration
	if fs.slow.take(fs.rng) {
		fs.c.Delays++
		delay = fs.slow.delay
	}
	fs.pendOK = !harmed && isSnapshotReply(req, out)
	return out, delay
}

// isSnapshotReply: a normal (not exception) reply to a whole-snapshot read.
func isSnapshotReply(req modbus.Request, adu []byte) bool {
	return req.Function == modbus.FuncReadInputRegisters && req.Addr == irStatus &&
		req.Qty == snapshotQty && len(adu) > 1 && adu[1] == modbus.FuncReadInputRegisters
}

// onReply runs after Serve wrote a reply; only then do its readings count
// as served.
func (fs *faults) onReply(req modbus.Request) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.lastOK = fs.pendOK && isSnapshotReq(req)
	if fs.lastOK {
		fs.c.SnapshotReplies++
		fs.c.ReadingsServed += numChannels
	}
	fs.pendOK = false
}

// unsent takes back the count of the last reply when a hang-up kept it
// from the client: written to the line is not yet received, and the
// counters promise what a client could have received.
func (fs *faults) unsent() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.lastOK {
		fs.c.SnapshotReplies--
		fs.c.ReadingsServed -= numChannels
	}
	fs.lastOK = false
}

func isSnapshotReq(req modbus.Request) bool {
	return req.Function == modbus.FuncReadInputRegisters && req.Addr == irStatus && req.Qty == snapshotQty
}

func (fs *faults) counters() Counters {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.c
}

func (fs *faults) resetCounters() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.c = Counters{Channels: numChannels}
	fs.lastOK = false
}

func (fs *faults) countHangup() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.c.Hangups++
}

// pending describes the armed faults for the state view.
func (fs *faults) pending() map[string]int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := map[string]int{}
	for k, a := range map[string]armed{"crc": fs.crc, "drop": fs.drop, "slow": fs.slow, "exception": fs.exc} {
		if a.count > 0 || a.rate > 0 {
			out[k] = a.count
		}
	}
	return out
}
