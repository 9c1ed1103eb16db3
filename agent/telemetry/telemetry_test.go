package telemetry

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestTopicsRoundTrip(t *testing.T) {
	cases := []struct {
		topic string
		want  Topic
	}{
		{StatusTopic("tz", "a1"), Topic{Site: "tz", Agent: "a1", Kind: KindStatus}},
		{MetaTopic("tz", "a1", "rig0"), Topic{Site: "tz", Agent: "a1", Dev: "rig0", Kind: KindMeta}},
		{DataTopic("tz", "a1", "rig0"), Topic{Site: "tz", Agent: "a1", Dev: "rig0", Kind: KindData}},
		{CommandTopic("tz", "a1", "rig0", "start_step"), Topic{Site: "tz", Agent: "a1", Dev: "rig0", Name: "start_step", Kind: KindCommand}},
		{ResultTopic("tz", "a1", "c-9"), Topic{Site: "tz", Agent: "a1", ID: "c-9", Kind: KindResult}},
		{AckTopic("tz", "a1"), Topic{Site: "tz", Agent: "a1", Kind: KindAck}},
		{ServiceStateTopic("tz"), Topic{Site: "tz", Kind: KindServiceState}},
	}
	for _, c := range cases {
		got, err := ParseTopic(c.topic)
		if err != nil || got != c.want {
			t.Errorf("ParseTopic(%q) = %+v, %v; want %+v", c.topic, got, err, c.want)
		}
	}
	if got := DataTopic("tz", "a1", "rig0"); got != "onestop/v1/lab/tz/agent/a1/dev/rig0/data" {
		t.Errorf("DataTopic = %q", got)
	}
}

func TestParseTopicRejects(t *testing.T) {
	for _, s := range []string{
		"", "onestop/v1/lab", "other/v1/lab/tz/agent/a1/status", "onestop/v1/lab/tz/agent/a1",
		"onestop/v1/lab/tz/agent/a1/dev/rig0", "onestop/v1/lab/tz/agent/+/status",
		"onestop/v1/lab/tz/agent//status", "onestop/v1/lab/tz/agent/a1/dev/rig0/cmd",
		"onestop/v1/lab/tz/service/state/x",
	} {
		if _, err := ParseTopic(s); err == nil {
			t.Errorf("ParseTopic(%q) accepted", s)
		}
	}
}

func batch(n int) Batch {
	b := Batch{V: 1, Epoch: 7, SeqFrom: 10, SeqTo: int64(9 + n)}
	for i := 0; i < n; i++ {
		b.R = append(b.R, Reading{Ch: "motor_temp", T: 1700000000000000000 + int64(i), V: 41.2, U: "°C", Q: QualityGood})
	}
	return b
}

func TestBatchRoundTrip(t *testing.T) {
	in := batch(3)
	in.Replay = true
	raw, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"seq_from":10`) || !strings.Contains(string(raw), `"val":41.2`) {
		t.Errorf("wire form %s", raw)
	}
	out, err := DecodeBatch(raw)
	if err != nil {
		t.Fatal(err)
	}
	if out.SeqTo != 12 || len(out.R) != 3 || !out.Replay || out.R[2].T != in.R[2].T {
		t.Errorf("round trip: %+v", out)
	}
}

func TestBatchValidation(t *testing.T) {
	mut := map[string]func(*Batch){
		"version":     func(b *Batch) { b.V = 2 },
		"epoch":       func(b *Batch) { b.Epoch = 0 },
		"seq zero":    func(b *Batch) { b.SeqFrom = 0 },
		"count":       func(b *Batch) { b.SeqTo++ },
		"channel":     func(b *Batch) { b.R[0].Ch = "a/b" },
		"quality":     func(b *Batch) { b.R[1].Q = "fine" },
		"time":        func(b *Batch) { b.R[0].T = 0 },
		"not finite":  func(b *Batch) { b.R[0].V = math.Inf(1) },
		"range order": func(b *Batch) { b.SeqTo = b.SeqFrom - 1 },
	}
	for name, f := range mut {
		b := batch(2)
		f(&b)
		if err := b.Validate(); !errors.Is(err, ErrPayload) {
			t.Errorf("%s: Validate = %v, want ErrPayload", name, err)
		}
	}
	for _, raw := range []string{``, `{`, `[]`, `{"v":1} {}`, `{"v":"1"}`} {
		if _, err := DecodeBatch([]byte(raw)); !errors.Is(err, ErrPayload) {
			t.Errorf("DecodeBatch(%q) = %v", raw, err)
		}
	}
	if _, err := Encode(Reading{V: math.NaN()}); err == nil {
		t.Error("Encode accepted NaN")
	}
}

func TestSmallMessages(t *testing.T) {
	if s, err := DecodeStatus([]byte(`{"v":1,"state":"offline","epoch":3}`)); err != nil || s.State != StateOffline || s.Epoch != 3 {
		t.Errorf("status %+v %v", s, err)
	}
	if _, err := DecodeStatus([]byte(`{"v":1,"state":"sleepy"}`)); err == nil {
		t.Error("bad status state accepted")
	}
	if a, err := DecodeAck([]byte(`{"v":1,"epoch":5,"seq":99}`)); err != nil || a.Seq != 99 {
		t.Errorf("ack %+v %v", a, err)
	}
	if _, err := DecodeAck([]byte(`{"v":1,"epoch":0,"seq":1}`)); err == nil {
		t.Error("ack with epoch 0 accepted")
	}
	c, err := DecodeCommand([]byte(`{"id":"c1","expires":1700000000000,"args":{"step":2}}`))
	if err != nil || string(c.Args) != `{"step":2}` {
		t.Errorf("command %+v %v", c, err)
	}
	if _, err := DecodeCommand([]byte(`{"id":"c1"}`)); err == nil {
		t.Error("command without expiry accepted")
	}
	if r, err := DecodeResult([]byte(`{"id":"c1","ok":false,"error":"rig busy"}`)); err != nil || r.OK || r.Error != "rig busy" {
		t.Errorf("result %+v %v", r, err)
	}
	if m, err := DecodeMeta([]byte(`{"v":1,"model":"RC-1","firmware":"1.2","serial":"S1","channels":[{"name":"speed","unit":"km/h"}]}`)); err != nil || m.Channels[0].Unit != "km/h" {
		t.Errorf("meta %+v %v", m, err)
	}
}

// An agent older than the lag report and a newer one must both decode; the lab tells them apart
// by HasLag, and an empty outbox's report (depth 0, left out) is still a report.
func TestStatusLagOldAndNew(t *testing.T) {
	old, err := DecodeStatus([]byte(`{"v":1,"state":"online","epoch":3,"version":"0.9.0"}`))
	if err != nil || old.HasLag() || old.Depth != 0 || old.OldestMs != 0 {
		t.Errorf("old status %+v %v", old, err)
	}
	s, err := DecodeStatus([]byte(`{"v":1,"state":"online","epoch":3,"version":"1.0","depth":171574,"oldest_ms":15250,"at":1772413248000}`))
	if err != nil || !s.HasLag() || s.Depth != 171574 || s.OldestMs != 15250 || s.At != 1772413248000 {
		t.Errorf("lag status %+v %v", s, err)
	}
	raw, err := Encode(Status{V: Version, State: StateOnline, Epoch: 3, At: 1772413248000})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := DecodeStatus(raw); err != nil || !e.HasLag() || e.Depth != 0 {
		t.Errorf("empty-outbox report %s → %+v %v", raw, e, err)
	}
	if will, _ := Encode(Status{V: Version, State: StateOffline, Epoch: 3}); strings.Contains(string(will), "depth") || strings.Contains(string(will), `"at"`) {
		t.Errorf("a status without a report carries lag fields: %s", will)
	}
	for _, b := range []string{
		`{"v":1,"state":"online","epoch":3,"depth":-1,"at":1}`,
		`{"v":1,"state":"online","epoch":3,"oldest_ms":-5,"at":1}`,
		`{"v":1,"state":"online","epoch":3,"at":-1}`,
		`{"v":1,"state":"online","epoch":3,"depth":"many"}`,
	} {
		if _, err := DecodeStatus([]byte(b)); !errors.Is(err, ErrPayload) {
			t.Errorf("DecodeStatus(%s) = %v, want ErrPayload", b, err)
		}
	}
}
