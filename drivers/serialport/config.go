package serialport

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.bug.st/serial"
)

// Config says which port to open and how. The zero value of every field
// means its default (see DefaultConfig), so Config{Path: "/dev/ttyUSB0"} is
// 115200 8N1, blocking reads, backoff 100 ms to 5 s.
type Config struct {
	Path     string // device path or a symlink to it; ignored when Match is set
	Baud     int
	DataBits int // 5 to 8
	Parity   Parity
	StopBits StopBits
	Match    Match // find the port by USB identity instead of Path

	// ReadTimeout bounds each Read; zero or negative means Read blocks until
	// data arrives. (Port.SetReadTimeout follows go.bug.st instead: 0 polls.)
	ReadTimeout time.Duration

	// Reopen backoff after the device vanished: the first retry waits
	// MinBackoff, each failed retry doubles the wait up to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
}

// DefaultConfig holds the values used for zero fields.
var DefaultConfig = Config{
	Baud:       115200,
	DataBits:   8,
	Parity:     ParityNone,
	StopBits:   OneStopBit,
	MinBackoff: 100 * time.Millisecond,
	MaxBackoff: 5 * time.Second,
}

// Match selects a USB serial port by identity, which survives replugging into
// another socket. Empty fields match anything; VID and PID are hex, compared
// without case and without a "0x" prefix ("1A86" matches "1a86").
type Match struct {
	VID, PID, Serial string
}

// IsZero reports whether no field is set, i.e. the port is chosen by Path.
func (m Match) IsZero() bool { return m == Match{} }

func (m Match) String() string {
	s := orAny(m.VID) + ":" + orAny(m.PID)
	if m.Serial != "" {
		s += " serial " + m.Serial
	}
	return "usb " + s
}

func orAny(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// withDefaults fills the zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig
	if c.Baud <= 0 {
		c.Baud = d.Baud
	}
	if c.DataBits == 0 {
		c.DataBits = d.DataBits
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = d.MinBackoff
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = d.MaxBackoff
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = c.MinBackoff
	}
	return c
}

// target names the configured device for messages: the path as written (the
// stable name an operator recognises), or the USB match.
func (c Config) target() string {
	if !c.Match.IsZero() {
		return c.Match.String()
	}
	return c.Path
}

// frame renders the line settings the way they are printed on devices: "115200 8N1".
func (c Config) frame() string {
	return fmt.Sprintf("%d %d%c%s", c.Baud, c.DataBits, c.Parity.letter(), c.StopBits)
}

// mode converts to go.bug.st/serial, rejecting values it would misread.
func (c Config) mode() (*serial.Mode, error) {
	if c.DataBits < 5 || c.DataBits > 8 {
		return nil, fmt.Errorf("invalid data bits %d (want 5 to 8)", c.DataBits)
	}
	if c.Parity > ParitySpace {
		return nil, fmt.Errorf("invalid parity %v", c.Parity)
	}
	if c.StopBits > TwoStopBits {
		return nil, fmt.Errorf("invalid stop bits %v", c.StopBits)
	}
	return &serial.Mode{
		BaudRate: c.Baud,
		DataBits: c.DataBits,
		Parity:   serial.Parity(c.Parity), // same order as go.bug.st
		StopBits: serial.StopBits(c.StopBits),
	}, nil
}

// readTimeout converts Config.ReadTimeout (zero = block) to go.bug.st's form.
func (c Config) readTimeout() time.Duration {
	if c.ReadTimeout <= 0 {
		return serial.NoTimeout
	}
	return c.ReadTimeout
}

// Parity is the parity bit setting. The zero value is ParityNone.
type Parity uint8

const (
	ParityNone Parity = iota
	ParityOdd
	ParityEven
	ParityMark
	ParitySpace
)

var parityNames = [...]string{"none", "odd", "even", "mark", "space"}

func (p Parity) String() string {
	if int(p) < len(parityNames) {
		return parityNames[p]
	}
	return "Parity(" + strconv.Itoa(int(p)) + ")"
}

func (p Parity) letter() byte {
	if int(p) < len(parityNames) {
		return strings.ToUpper(parityNames[p])[0]
	}
	return '?'
}

// MarshalText lets a Parity be written in a TOML config as "none", "even"...
func (p Parity) MarshalText() ([]byte, error) {
	if int(p) >= len(parityNames) {
		return nil, fmt.Errorf("serialport: invalid parity %d", p)
	}
	return []byte(p.String()), nil
}

// UnmarshalText accepts the names String gives, or their first letter
// ("N", "E", ...), in any case.
func (p *Parity) UnmarshalText(b []byte) error {
	s := strings.ToLower(strings.TrimSpace(string(b)))
	for i, name := range parityNames {
		if s == name || (len(s) == 1 && s[0] == name[0]) {
			*p = Parity(i)
			return nil
		}
	}
	return fmt.Errorf("serialport: unknown parity %q (want none, odd, even, mark or space)", b)
}

// StopBits is the number of stop bits. The zero value is OneStopBit.
// (OnePointFiveStopBits is refused by go.bug.st on Linux.)
type StopBits uint8

const (
	OneStopBit StopBits = iota
	OnePointFiveStopBits
	TwoStopBits
)

var stopBitsNames = [...]string{"1", "1.5", "2"}

func (s StopBits) String() string {
	if int(s) < len(stopBitsNames) {
		return stopBitsNames[s]
	}
	return "StopBits(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes "1", "1.5" or "2".
func (s StopBits) MarshalText() ([]byte, error) {
	if int(s) >= len(stopBitsNames) {
		return nil, fmt.Errorf("serialport: invalid stop bits %d", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText accepts "1", "1.5" or "2".
func (s *StopBits) UnmarshalText(b []byte) error {
	str := strings.TrimSpace(string(b))
	for i, name := range stopBitsNames {
		if str == name {
			*s = StopBits(i)
			return nil
		}
	}
	return fmt.Errorf("serialport: unknown stop bits %q (want 1, 1.5 or 2)", b)
}
