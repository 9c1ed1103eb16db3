package console

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

func (c *console) jobEvents(w http.ResponseWriter, r *http.Request, s session) {
	id, ok := pathName(w, r, "id")
	if !ok {
		return
	}
	c.stream(w, r, s, id)
}

func (c *console) allEvents(w http.ResponseWriter, r *http.Request, s session) {
	c.stream(w, r, s, "")
}

// stream relays the Service's events of job ("" = every job) as server-sent events until the
// client leaves, its session ends or the Service closes the channel, with a comment line every
// heartbeat so that proxies keep the connection open and a gone client is noticed.
func (c *console) stream(w http.ResponseWriter, r *http.Request, s session, job string) {
	rc := http.NewResponseController(w)
	// A server-wide write timeout would cut every stream; this one has none.
	rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	events, cancel := c.svc.Subscribe(job)
	defer cancel()
	w.WriteHeader(http.StatusOK)
	// The retry hint and a first write tell the client the stream is open.
	if _, err := w.Write([]byte("retry: 3000\n\n")); err != nil {
		return
	}
	if rc.Flush() != nil {
		return
	}
	beat := time.NewTicker(c.heartbeat)
	defer beat.Stop()
	for {
		var out []byte
		select {
		case <-r.Context().Done():
			return
		case <-beat.C:
			if !c.sessions.alive(s.token) {
				return // logged out or idle: the browser reconnects, is refused and shows the login
			}
			out = []byte(": heartbeat\n\n")
		case ev, ok := <-events:
			if !ok {
				return
			}
			data, err := json.Marshal(ev.Data)
			if err != nil {
				c.log.Error("console: event data", "type", ev.Type, "error", err)
				continue
			}
			out = append(append(append([]byte("event: "), eventName(ev.Type)...), "\ndata: "...), data...)
			out = append(out, "\n\n"...)
		}
		if _, err := w.Write(out); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// eventName keeps an event type to one line of letters, digits, '-' and '_', so that a type
// can never end the field or inject another; empty becomes "message", the SSE default.
func eventName(t string) string {
	t = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, t)
	if t == "" {
		return "message"
	}
	return t
}
