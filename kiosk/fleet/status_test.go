package fleet

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStatusJSON(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	s := Status{State: StateOnline, Version: "1.4.0", Paper: PaperNearEnd,
		Devices: map[string]DeviceStatus{DeviceReader: {State: "idle"}, DevicePrinter: {State: "error", Detail: "cover open"}},
		At:      time.Date(2026, 11, 30, 17, 0, 0, 0, cst)}
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"v":1,"state":"online","version":"1.4.0","devices":{"printer":{"state":"error","detail":"cover open"},"reader":{"state":"idle"}},"paper":"near_end","at":"2026-11-30T09:00:00Z"}`
	if string(b) != want {
		t.Errorf("encoded\n%s\nwant\n%s", b, want)
	}
	s.LastService = time.Date(2026, 11, 30, 16, 59, 0, 0, cst)
	b, _ = s.Encode()
	if !strings.Contains(string(b), `"last_service":"2026-11-30T08:59:00Z"`) {
		t.Errorf("last_service: %s", b)
	}
	back, err := DecodeStatus(b)
	if err != nil || !back.LastService.Equal(s.LastService) || back.Devices[DevicePrinter].Detail != "cover open" {
		t.Errorf("decoded %+v %v", back, err)
	}
	if b, _ := (Status{State: StateOffline}).Encode(); !strings.Contains(string(b), `"devices":{}`) {
		t.Errorf("no devices: %s, want an empty object", b)
	}
}

func TestDecodeStatusRefuses(t *testing.T) {
	for _, p := range []string{
		``, `[]`, `{"v":2,"state":"online"}`, `{"v":1,"state":"sleeping"}`, `{"v":1}`,
		`{"v":1,"state":"online","at":"yesterday"}`,
		`{"v":1,"state":"online","at":"0000-01-01T00:30:00+01:00"}`,
		`{"v":1,"state":"offline","last_service":"9999-12-31T23:30:00-01:00"}`,
	} {
		if _, err := DecodeStatus([]byte(p)); !errors.Is(err, ErrStatus) {
			t.Errorf("DecodeStatus(%q): %v, want ErrStatus", p, err)
		}
	}
	s, err := DecodeStatus([]byte(`{"v":1,"state":"offline"}`))
	if err != nil || s.Devices == nil {
		t.Errorf("minimal status: %+v %v", s, err)
	}
}

func TestTopics(t *testing.T) {
	if got := StatusTopic("sz-futian", "k07"); got != "onestop/v1/kiosk/sz-futian/k07/status" {
		t.Errorf("StatusTopic: %s", got)
	}
	if got := StatusFilter("+"); got != "onestop/v1/kiosk/+/+/status" {
		t.Errorf("StatusFilter: %s", got)
	}
}

func TestNewChecksConfig(t *testing.T) {
	ok := Config{Broker: "tcp://127.0.0.1:1883", Site: "s", Terminal: "t"}
	for name, c := range map[string]Config{
		"no broker":         {Site: "s", Terminal: "t"},
		"no site":           {Broker: ok.Broker, Terminal: "t"},
		"terminal with /":   {Broker: ok.Broker, Site: "s", Terminal: "a/b"},
		"site wildcard":     {Broker: ok.Broker, Site: "+", Terminal: "t"},
		"negative interval": {Broker: ok.Broker, Site: "s", Terminal: "t", Interval: -time.Second},
	} {
		if _, err := New(c, nil); err == nil {
			t.Errorf("%s: New accepted %+v", name, c)
		}
	}
	r, err := New(ok, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.cfg.Interval != DefaultInterval || r.cfg.Timeout != DefaultTimeout || r.cfg.ClientID != "kiosk-s-t" {
		t.Errorf("defaults: %+v", r.cfg)
	}
	if s := r.Status(); s.State != StateOnline || s.Paper != PaperUnknown || s.Devices == nil {
		t.Errorf("initial status: %+v", s)
	}
	// Status is a copy: changing it does not change the reporter's.
	s := r.Status()
	s.Devices[DeviceReader] = DeviceStatus{State: "busy"}
	if len(r.Status().Devices) != 0 {
		t.Error("Status shares its Devices map")
	}
	var m map[string]any
	b, _ := r.Status().Encode()
	if err := json.Unmarshal(b, &m); err != nil || m["v"] != float64(1) {
		t.Errorf("encoded initial status: %s", b)
	}
}
