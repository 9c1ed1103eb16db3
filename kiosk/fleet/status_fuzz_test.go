package fleet

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// FuzzDecodeStatus feeds status payloads from the broker (anyone who may publish there) to
// DecodeStatus. Properties: a payload is refused with ErrStatus or accepted, never a panic; an
// accepted status encodes, and its encoding decodes to the same status (times compared as
// instants: Encode turns them to UTC).
func FuzzDecodeStatus(f *testing.F) {
	full, err := Status{State: StateOnline, Version: "1.4.0", Paper: PaperNearEnd,
		Devices:     map[string]DeviceStatus{DeviceReader: {State: "idle"}, DevicePrinter: {State: "error", Detail: "cover open"}},
		LastService: time.Date(2026, 11, 30, 16, 59, 0, 0, time.FixedZone("CST", 8*3600)),
		At:          time.Date(2026, 11, 30, 17, 0, 0, 123456789, time.UTC)}.Encode()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(full), `{"v":1,"state":"offline"}`, `{"v":1,"state":"online","devices":null}`,
		`{"v":1,"state":"online","at":"2026-11-30T17:00:00+08:00"}`,
		`{"v":1,"state":"online","last_service":"0001-01-01T00:00:00Z"}`,
		`{"v":1,"state":"online","at":"0000-01-01T00:30:00+01:00"}`,
		`{"v":1,"state":"online","at":"9999-12-31T23:30:00-01:00"}`,
		`{"V":1,"STATE":"online","v":1}`, `{"v":1,"state":"online","devices":{"reader":{"state":"\xff"}}}`,
		``, `null`, `[]`, `{"v":2,"state":"online"}`, `{"v":1,"state":"sleeping"}`, `{"v":1.0,"state":"online"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeStatus(b)
		if err != nil {
			if !errors.Is(err, ErrStatus) {
				t.Fatalf("error %v does not wrap ErrStatus", err)
			}
			return
		}
		if s.Devices == nil {
			t.Fatal("accepted status without a Devices map")
		}
		enc, err := s.Encode()
		if err != nil {
			t.Fatalf("accepted status %+v does not encode: %v", s, err)
		}
		back, err := DecodeStatus(enc)
		if err != nil {
			t.Fatalf("own encoding %s refused: %v", enc, err)
		}
		if !back.At.Equal(s.At) || !back.LastService.Equal(s.LastService) {
			t.Fatalf("times changed: %v %v → %v %v", s.At, s.LastService, back.At, back.LastService)
		}
		s.At, s.LastService, back.At, back.LastService = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(s, back) {
			t.Fatalf("not a round trip:\n%+v\n%+v", s, back)
		}
	})
}
