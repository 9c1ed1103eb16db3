package device

import (
	"strconv"
	"strings"
)

// Capabilities is the set of things a device can do or report, so a caller
// knows which events to expect (no PaperNearEnd from a printer without the
// sensor) and which features to offer.
type Capabilities uint32

const (
	CapInput          Capabilities = 1 << iota // produces Data events (scanner, card reader)
	CapOutput                                  // accepts output (printer, display)
	CapPowerReporting                          // reports Gone / Back
	CapPaperSensor                             // reports PaperOut / PaperOK
	CapPaperNearEnd                            // reports PaperNearEnd
	CapCoverSensor                             // reports CoverOpen / CoverClosed
	CapCardSensor                              // reports CardPresent / CardRemoved
	CapCutter                                  // can cut paper
	CapHealthCheck                             // answers a health check by asking the device
)

var capNames = [...]string{
	"input", "output", "power-reporting", "paper-sensor", "paper-near-end",
	"cover-sensor", "card-sensor", "cutter", "health-check",
}

// Has reports whether every capability in want is present.
func (c Capabilities) Has(want Capabilities) bool { return c&want == want }

// String lists the flags joined by "|", "none" for the empty set, and any
// unnamed bits in hex so nothing is silently hidden.
func (c Capabilities) String() string {
	if c == 0 {
		return "none"
	}
	var parts []string
	for i, name := range capNames {
		if c&(1<<i) != 0 {
			parts = append(parts, name)
			c &^= 1 << i
		}
	}
	if c != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(c), 16))
	}
	return strings.Join(parts, "|")
}
