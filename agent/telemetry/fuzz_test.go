package telemetry

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode feeds arbitrary payloads to every decoder: each must either return a valid message or
// an error wrapping ErrPayload, never panic, and a decoded batch must re-encode and decode the same.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"v":1,"epoch":7,"seq_from":1,"seq_to":1,"replay":false,"r":[{"ch":"speed","t":1,"val":1.5,"u":"km/h","q":"good"}]}`))
	f.Add([]byte(`{"v":1,"state":"online","epoch":1,"version":"x"}`))
	f.Add([]byte(`{"v":1,"epoch":5,"seq":99}`))
	f.Add([]byte(`{"id":"c1","expires":1,"args":{"step":2}}`))
	f.Add([]byte(`{"v":1,"model":"m","firmware":"f","serial":"s","channels":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		// The codec (goccy/go-json, for speed) must agree with encoding/json, the reference, on
		// what a payload means and whether it is JSON at all, and encode the same bytes.
		var ours, ref Batch
		errOurs, errRef := decode(b, "batch", &ours), json.Unmarshal(b, &ref)
		if (errOurs == nil) != (errRef == nil) || (errRef == nil && !reflect.DeepEqual(ours, ref)) {
			t.Fatalf("decoders disagree on %q: ours %+v (%v), encoding/json %+v (%v)", b, ours, errOurs, ref, errRef)
		}
		if m, err := DecodeBatch(b); err == nil {
			raw, err := Encode(m)
			if err != nil {
				t.Fatalf("valid batch does not encode: %v", err)
			}
			if std, _ := json.Marshal(m); !bytes.Equal(raw, std) {
				t.Fatalf("Encode %s, encoding/json %s", raw, std)
			}
			if _, err := DecodeBatch(raw); err != nil {
				t.Fatalf("re-decode: %v", err)
			}
		} else if !errors.Is(err, ErrPayload) {
			t.Fatalf("batch error without ErrPayload: %v", err)
		}
		for _, dec := range []func([]byte) error{
			func(b []byte) error { _, err := DecodeStatus(b); return err },
			func(b []byte) error { _, err := DecodeMeta(b); return err },
			func(b []byte) error { _, err := DecodeCommand(b); return err },
			func(b []byte) error { _, err := DecodeResult(b); return err },
			func(b []byte) error { _, err := DecodeAck(b); return err },
		} {
			if err := dec(b); err != nil && !errors.Is(err, ErrPayload) {
				t.Fatalf("error without ErrPayload: %v", err)
			}
		}
		if tp, err := ParseTopic(string(b)); err == nil && tp.Kind == KindUnknown {
			t.Fatalf("ParseTopic(%q) gave no kind", b)
		}
	})
}

// Encode writes what encoding/json writes, also for the floats whose formatting switches between
// plain and exponent notation, and for strings it must escape.
func TestEncodeAsEncodingJSON(t *testing.T) {
	b := Batch{V: Version, Epoch: 1, SeqFrom: 1, SeqTo: 9}
	for i, v := range []float64{0, -0.0, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, -3.5e-300, 1.7976931348623157e308} {
		b.R = append(b.R, Reading{Ch: "c<&>\u2028", T: int64(i + 1), V: v, U: "°C\"\\", Q: QualityGood})
	}
	got, err := Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(b)
	if !bytes.Equal(got, want) {
		t.Errorf("Encode:\n%s\nencoding/json:\n%s", got, want)
	}
}
