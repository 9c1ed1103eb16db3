package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func cmd(id string, expires time.Time, args string) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"expires":%d,"args":%s}`, id, expires.UnixMilli(), args))
}

func TestHandleRoutesAndAnswers(t *testing.T) {
	d := New()
	var got string
	d.Register("rig0", func(ctx context.Context, name string, args json.RawMessage) (any, error) {
		got = name + " " + string(args)
		if name == "explode" {
			return nil, errors.New("rig busy")
		}
		return map[string]int{"step": 2}, nil
	})
	soon := time.Now().Add(time.Minute)
	res, ok := d.Handle(context.Background(), "rig0", "start_step", cmd("c1", soon, `{"step":2}`))
	if !ok || !res.OK || res.ID != "c1" || string(res.Result) != `{"step":2}` || got != `start_step {"step":2}` {
		t.Errorf("result %+v ok=%v got=%q", res, ok, got)
	}
	res, _ = d.Handle(context.Background(), "rig0", "explode", cmd("c2", soon, `{}`))
	if res.OK || res.Error != "rig busy" {
		t.Errorf("failing handler: %+v", res)
	}
	res, _ = d.Handle(context.Background(), "rig9", "start_step", cmd("c3", soon, `{}`))
	if res.OK || !strings.Contains(res.Error, "unknown device") {
		t.Errorf("unknown device: %+v", res)
	}
	res, _ = d.Handle(context.Background(), "rig0", "start_step", cmd("c1", soon, `{}`))
	if res.OK || !strings.Contains(res.Error, "already received") {
		t.Errorf("duplicate: %+v", res)
	}
	res, _ = d.Handle(context.Background(), "rig0", "start_step", cmd("c4", time.Now().Add(-time.Second), `{}`))
	if res.OK || !strings.Contains(res.Error, "expired") {
		t.Errorf("expired: %+v", res)
	}
	if _, ok := d.Handle(context.Background(), "rig0", "x", []byte(`{"expires":5}`)); ok {
		t.Error("a command without id got an answer")
	}
}

func TestSeenIDsAreForgotten(t *testing.T) {
	d := New()
	d.Register("r", func(context.Context, string, json.RawMessage) (any, error) { return nil, nil })
	now := time.Now()
	d.now = func() time.Time { return now }
	far := now.Add(time.Hour)
	if res, _ := d.Handle(context.Background(), "r", "x", cmd("a", far, `{}`)); !res.OK {
		t.Fatal(res)
	}
	now = now.Add(remember + time.Second)
	if res, _ := d.Handle(context.Background(), "r", "x", cmd("a", far, `{}`)); !res.OK {
		t.Errorf("id still remembered after %v: %+v", remember, res)
	}
	if len(d.seen) != 1 {
		t.Errorf("seen holds %d ids", len(d.seen))
	}
}
