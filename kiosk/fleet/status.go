package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
)

// Version is the payload version, "v" in every status.
const Version = 1

// States of a terminal.
const (
	StateOnline  = "online"
	StateOffline = "offline" // said on a clean stop, or by the broker as the last will
)

// Devices a kiosk reports, the keys of Status.Devices.
const (
	DeviceReader  = "reader"
	DevicePrinter = "printer"
	DeviceScanner = "scanner"
)

// Paper levels of the receipt printer, Status.Paper.
const (
	PaperOK      = "ok"
	PaperNearEnd = "near_end"
	PaperOut     = "out"
	PaperUnknown = "unknown" // no answer from the printer yet
)

// ErrStatus wraps every reason DecodeStatus refuses a payload.
var ErrStatus = errors.New("fleet: bad status")

// DeviceStatus is one device as the kiosk last saw it.
type DeviceStatus struct {
	State  string `json:"state"`            // drivers/device state names: "idle", "busy", "offline", "error", …
	Detail string `json:"detail,omitempty"` // for people: "cover open", "SAM self-test failed"; never personal data
}

// Status is the payload of the status topic. In an offline status (clean stop or will) the
// devices, paper and last service are the last known values, not current ones.
type Status struct {
	V           int                     `json:"v"`
	State       string                  `json:"state"`
	Version     string                  `json:"version"` // the kiosk app's version
	Devices     map[string]DeviceStatus `json:"devices"`
	Paper       string                  `json:"paper"`
	LastService time.Time               `json:"last_service,omitzero"` // last completed service, UTC
	At          time.Time               `json:"at"`                    // when the kiosk made this status, UTC
}

// clone returns s with its own Devices map, so a copy can leave the Reporter's lock.
func (s Status) clone() Status {
	s.Devices = maps.Clone(s.Devices)
	if s.Devices == nil {
		s.Devices = map[string]DeviceStatus{}
	}
	return s
}

// Encode returns s as the status payload, with V set and times in UTC.
func (s Status) Encode() ([]byte, error) {
	s = s.clone()
	s.V = Version
	s.LastService = s.LastService.UTC()
	s.At = s.At.UTC()
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("fleet: encode status: %w", err)
	}
	return b, nil
}

// DecodeStatus parses and checks a status payload.
func DecodeStatus(b []byte) (Status, error) {
	var s Status
	if err := json.Unmarshal(b, &s); err != nil {
		return Status{}, fmt.Errorf("%w: %w", ErrStatus, err)
	}
	switch {
	case s.V != Version:
		return Status{}, fmt.Errorf("%w: version %d, want %d", ErrStatus, s.V, Version)
	case s.State != StateOnline && s.State != StateOffline:
		return Status{}, fmt.Errorf("%w: state %q", ErrStatus, s.State)
	case !encodable(s.At) || !encodable(s.LastService):
		// "0000-01-01T00:30:00+01:00" parses, but is year -1 in UTC: Encode could not send it on.
		return Status{}, fmt.Errorf("%w: a time outside the years 0–9999 in UTC", ErrStatus)
	}
	if s.Devices == nil {
		s.Devices = map[string]DeviceStatus{}
	}
	return s, nil
}

// encodable reports whether t has an RFC 3339 form once in UTC, as Encode writes it.
func encodable(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 0 && y <= 9999
}

// topicRoot is the kiosk part of the OneStop tree (the lab's is onestop/v1/lab).
const topicRoot = "onestop/v1/kiosk"

// StatusTopic is where a terminal's status goes: onestop/v1/kiosk/{site}/{terminal}/status.
func StatusTopic(site, terminal string) string {
	return topicRoot + "/" + site + "/" + terminal + "/status"
}

// StatusFilter matches every terminal's status of a site ("+" for all sites).
func StatusFilter(site string) string { return topicRoot + "/" + site + "/+/status" }

// checkLevel refuses what cannot be one topic level.
func checkLevel(what, v string) error {
	if v == "" || strings.ContainsAny(v, "/+#\x00") {
		return fmt.Errorf("fleet: %s %q: want a non-empty name without / + # or NUL", what, v)
	}
	return nil
}
