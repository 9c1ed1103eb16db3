package device

import (
	"strconv"
	"time"
)

// EventKind says what an Event reports.
//
// Kinds start at 1 so that an Event nobody filled in is visibly not a Data event.
type EventKind int

const (
	Data          EventKind = iota + 1 // input arrived (a scan, a card read); see Event.Data
	StatusChanged                      // the device State changed; see Event.State
	Gone                               // the device vanished (unplugged, powered off)
	Back                               // the device reappeared and was reopened
	PaperNearEnd                       // receipt paper is running low
	PaperOut                           // receipt paper is out
	PaperOK                            // paper was replenished
	CoverOpen                          // printer cover opened
	CoverClosed                        // printer cover closed
	CardPresent                        // a card was placed on the reader
	CardRemoved                        // the card was taken away
)

var kindNames = [...]string{
	Data:          "data",
	StatusChanged: "status-changed",
	Gone:          "gone",
	Back:          "back",
	PaperNearEnd:  "paper-near-end",
	PaperOut:      "paper-out",
	PaperOK:       "paper-ok",
	CoverOpen:     "cover-open",
	CoverClosed:   "cover-closed",
	CardPresent:   "card-present",
	CardRemoved:   "card-removed",
}

func (k EventKind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one thing a device reports. Only the fields that matter for its
// Kind are set; Time and Device are always set by an Emitter.
type Event struct {
	Time   time.Time
	Device string // the logical device name the driver was given, e.g. "printer"
	Kind   EventKind
	State  State  // the device state after the event
	Detail string // one line for logs and operators, e.g. a port path
	Err    error  // the cause, for Gone and failed status changes
	Data   []byte // the input, for Data events; owned by the receiver
}

// String renders the event for logs. It never prints Data, which may hold
// personal data (an ID card, a scanned code).
func (e Event) String() string {
	s := e.Device + ": " + e.Kind.String() + " (" + e.State.String() + ")"
	if e.Detail != "" {
		s += " " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if len(e.Data) > 0 {
		s += " [" + strconv.Itoa(len(e.Data)) + " bytes]"
	}
	return s
}
