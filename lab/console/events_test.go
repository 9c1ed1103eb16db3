package console_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/lab/console"
)

// openStream logs in and opens path as an event stream on a real server; it returns the lines
// as they arrive and the function that hangs up.
func openStream(t *testing.T, e *env, path string) (<-chan string, context.CancelFunc) {
	t.Helper()
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	c := e.login("rui")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
	r.AddCookie(c.cookie)
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("%s: %s %v", path, resp.Status, resp.Header)
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines, cancel
}

// next returns the next line that is not empty and not a retry hint.
func next(t *testing.T, lines <-chan string) string {
	t.Helper()
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("stream ended")
			}
			if l != "" && !strings.HasPrefix(l, "retry:") {
				return l
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
	}
}

func waitSubscribed(t *testing.T, f *fakeService, want string) {
	t.Helper()
	select {
	case job := <-f.subbed:
		if job != want {
			t.Fatalf("subscribed to %q, want %q", job, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no subscription")
	}
}

func TestJobEvents(t *testing.T) {
	e := newEnv(t, func(o *console.Opts) { o.Heartbeat = time.Hour })
	e.fake.addJob("J1", "testing", "ana", "rui")
	lines, hangUp := openStream(t, e, "/api/jobs/J1/events")
	waitSubscribed(t, e.fake, "J1")

	rd := console.ReadingEvent{Agent: "agent1", Dev: "rig1", Ch: "motor_temp", T: 1767225600000, V: 41.2, Unit: "°C", Q: "good"}
	e.fake.publish(console.Event{Type: "reading", Job: "J1", Data: rd})
	e.fake.publish(console.Event{Type: "reading", Job: "J2", Data: rd}) // another job: not here
	e.fake.publish(console.Event{Type: "step\ndata: injected", Job: "J1", Data: map[string]string{"name": "speed"}})

	if l := next(t, lines); l != "event: reading" {
		t.Fatalf("got %q", l)
	}
	l := next(t, lines)
	var got console.ReadingEvent
	if !strings.HasPrefix(l, "data: ") || json.Unmarshal([]byte(l[6:]), &got) != nil || got != rd {
		t.Fatalf("data line %q", l)
	}
	if l := next(t, lines); l != "event: stepdatainjected" {
		t.Fatalf("event type not kept to one field: %q", l)
	}
	if l := next(t, lines); l != `data: {"name":"speed"}` {
		t.Fatalf("got %q", l)
	}

	hangUp()
	deadline := time.Now().Add(5 * time.Second)
	for e.fake.subscribers() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the subscription outlived the client")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAllEventsAndHeartbeat(t *testing.T) {
	e := newEnv(t, func(o *console.Opts) { o.Heartbeat = 20 * time.Millisecond })
	lines, _ := openStream(t, e, "/api/events")
	waitSubscribed(t, e.fake, "")
	if l := next(t, lines); l != ": heartbeat" {
		t.Fatalf("got %q", l)
	}
	e.fake.publish(console.Event{Type: "job", Job: "J7", Data: console.JobSummary{ID: "J7", State: "testing"}})
	for {
		l := next(t, lines)
		if l == ": heartbeat" {
			continue
		}
		if l != "event: job" {
			t.Fatalf("got %q", l)
		}
		break
	}
	if l := next(t, lines); !strings.Contains(l, `"id":"J7"`) {
		t.Fatalf("got %q", l)
	}
}

// The stream ends when the service closes its channel.
func TestEventsServiceEnds(t *testing.T) {
	e := newEnv(t)
	lines, _ := openStream(t, e, "/api/events")
	waitSubscribed(t, e.fake, "")
	e.fake.mu.Lock()
	for id, s := range e.fake.subs {
		close(s.ch)
		delete(e.fake.subs, id)
	}
	e.fake.mu.Unlock()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-lines:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("stream still open")
		}
	}
}

// Logging out ends the session's streams at the next heartbeat.
func TestEventsEndWithSession(t *testing.T) {
	e := newEnv(t, func(o *console.Opts) { o.Heartbeat = 20 * time.Millisecond })
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	c := e.login("ana")
	r, _ := http.NewRequest("GET", srv.URL+"/api/events", nil)
	r.AddCookie(c.cookie)
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	waitSubscribed(t, e.fake, "")
	if w := e.do(c, req{method: "POST", path: "/api/logout"}); w.Code != http.StatusNoContent {
		t.Fatal(w.Code)
	}
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, resp.Body)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("stream outlived the session")
	}
}
