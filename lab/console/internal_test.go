package console

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestEventName(t *testing.T) {
	for in, want := range map[string]string{
		"reading": "reading", "step": "step", "": "message", "a\nb": "ab", "x\r\ndata: y": "xdatay", "结果": "message",
	} {
		if got := eventName(in); got != want {
			t.Errorf("eventName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.1:80":              "192.0.2.1",
		"[::ffff:192.0.2.1]:80":     "192.0.2.1",
		"[2001:db8:a:b:1:2:3:4]:80": "2001:db8:a:b::/64",
		"pipe":                      "pipe",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = addr
		if got := clientKey(r); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(2, time.Minute)
	t0 := time.Unix(1000, 0)
	if l.begin("a", t0) != 0 || l.begin("a", t0.Add(time.Second)) != 0 {
		t.Fatal("refused under the limit")
	}
	if w := l.begin("a", t0.Add(2*time.Second)); w != 58*time.Second {
		t.Fatalf("wait %v", w)
	}
	l.succeeded("a", t0) // a success takes its attempt back
	if l.begin("a", t0.Add(3*time.Second)) != 0 {
		t.Fatal("a success still counted")
	}
	if l.begin("a", t0.Add(61*time.Second)) != 0 {
		t.Fatal("old attempts still counted")
	}
}

func TestSessionsBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	ss := newSessions(time.Hour, func() time.Time { return now })
	ss.max = 50
	first, _ := ss.create("a", RoleOperator)
	for range ss.max + 5 {
		now = now.Add(time.Millisecond)
		if _, err := ss.create("a", RoleOperator); err != nil {
			t.Fatal(err)
		}
	}
	if len(ss.m) > ss.max {
		t.Errorf("%d sessions", len(ss.m))
	}
	if _, ok := ss.lookup(first.token); ok {
		t.Error("the oldest session survived")
	}
}
