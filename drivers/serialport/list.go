package serialport

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.bug.st/serial/enumerator"
)

// PortInfo describes one serial port found on the machine.
type PortInfo struct {
	Name         string // device path, e.g. /dev/ttyUSB0
	ByID         string // its /dev/serial/by-id link, "" if none
	IsUSB        bool
	VID, PID     string // lower-case hex, e.g. "1a86"; "" when not USB
	SerialNumber string
	Product      string
}

// Seams for tests: PTYs have no USB identity and no by-id links.
var (
	enumerate = func() ([]*enumerator.PortDetails, error) { return enumerator.GetDetailedPortsList() }
	byIDDir   = "/dev/serial/by-id"
)

// List returns the serial ports the system knows, sorted by name, with USB
// identity and by-id links where there are any. Pseudo-terminals are not
// listed (go.bug.st only looks at tty names of real port drivers), nor are
// ports it finds without a name.
func List() ([]PortInfo, error) {
	details, err := enumerate()
	if err != nil {
		return nil, fmt.Errorf("serialport: list: %w", err)
	}
	links := byIDLinks(byIDDir)
	var ports []PortInfo
	for _, d := range details {
		if d == nil || d.Name == "" {
			continue
		}
		ports = append(ports, PortInfo{
			Name:         d.Name,
			ByID:         links[d.Name],
			IsUSB:        d.IsUSB,
			VID:          normHex(d.VID),
			PID:          normHex(d.PID),
			SerialNumber: d.SerialNumber,
			Product:      d.Product,
		})
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i].Name < ports[j].Name })
	return ports, nil
}

// byIDLinks maps each device path to its link in dir. A missing dir is normal
// (no USB serial device plugged in, or a container without udev).
func byIDLinks(dir string) map[string]string {
	entries, err := os.ReadDir(dir) // sorted, so the first link per device wins stably
	if err != nil {
		return nil
	}
	links := make(map[string]string, len(entries))
	for _, e := range entries {
		link := filepath.Join(dir, e.Name())
		target, err := filepath.EvalSymlinks(link)
		if err != nil {
			continue // dangling: the device went away while we looked
		}
		if _, seen := links[target]; !seen {
			links[target] = link
		}
	}
	return links
}

func normHex(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.TrimPrefix(s, "0x")
}

// Resolve returns the device path cfg points at now: the single port in List
// that fits cfg.Match when it is set, else cfg.Path with symlinks followed.
// Port calls it at every (re)open, because link targets change on replug.
func Resolve(cfg Config) (string, error) {
	if !cfg.Match.IsZero() {
		return matchPort(cfg.Match)
	}
	if cfg.Path == "" {
		return "", fmt.Errorf("no path and no USB match configured")
	}
	return filepath.EvalSymlinks(cfg.Path)
}

func matchPort(m Match) (string, error) {
	ports, err := List()
	if err != nil {
		return "", err
	}
	var found []string
	for _, p := range ports {
		if m.fits(p) {
			found = append(found, p.Name)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%w %v", ErrNoMatch, m)
	case 1:
		return found[0], nil
	default:
		// Guessing would talk to the wrong device; the config must say more.
		return "", fmt.Errorf("%v is ambiguous: %s (add the serial number)", m, strings.Join(found, ", "))
	}
}

func (m Match) fits(p PortInfo) bool {
	return (m.VID == "" || normHex(m.VID) == p.VID) &&
		(m.PID == "" || normHex(m.PID) == p.PID) &&
		(m.Serial == "" || m.Serial == p.SerialNumber)
}
