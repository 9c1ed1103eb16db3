package main

import (
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
	"github.com/onestop-station/onestop/drivers/rig"
)

// Frame sizes of one snapshot poll: an FC04 request for the whole snapshot
// block and its reply (docs/rig-modbus.md §3.1).
const (
	requestBytes = 8                         // unit, fc, addr(2), qty(2), crc(2)
	replyBytes   = 3 + 2*rig.SnapshotQty + 2 // unit, fc, count, registers, crc(2): 39
	bitsPerChar  = modbus.DefaultBitsPerChar // 8N1
	pollChars    = requestBytes + replyBytes // 47 characters on the wire per poll
)

// Limit is what the line allows for back-to-back snapshot polls: the request,
// t3.5, the slave's turnaround, the reply, and t3.5 before the next request.
type Limit struct {
	Baud       int
	Wire       time.Duration // request and reply characters
	Gaps       time.Duration // two t3.5 silences
	Turnaround time.Duration // what the slave takes beyond t3.5 before it answers
}

// LineLimit computes the limit at baud for a slave with the given turnaround.
func LineLimit(baud int, turnaround time.Duration) Limit {
	return Limit{
		Baud:       baud,
		Wire:       wireTime(pollChars, baud),
		Gaps:       2 * modbus.FrameGap(baud, bitsPerChar),
		Turnaround: max(turnaround, 0),
	}
}

// Cycle is one poll's time on the line.
func (l Limit) Cycle() time.Duration { return l.Wire + l.Gaps + l.Turnaround }

// PerSecond is the most polls a second the line carries.
func (l Limit) PerSecond() float64 { return float64(time.Second) / float64(l.Cycle()) }

// PTYCycle is the cycle on a pseudo-terminal: it hands the request over at
// once (a PTY has no baud rate), while the twin still waits t3.5 and paces
// its reply as the line would. A perfect master on the PTY reaches this.
func (l Limit) PTYCycle() time.Duration {
	return l.Cycle() - wireTime(requestBytes, l.Baud)
}

// PTYPerSecond is the polls a second a perfect master gets over the PTY.
func (l Limit) PTYPerSecond() float64 { return float64(time.Second) / float64(l.PTYCycle()) }

// wireTime is how long n 8N1 characters take at baud.
func wireTime(n, baud int) time.Duration {
	return time.Duration(n*bitsPerChar) * time.Second / time.Duration(baud)
}
