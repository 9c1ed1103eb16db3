package backend

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"
)

// restartable is a backend server on a fixed address that a test stops and starts again.
type restartable struct {
	t    *testing.T
	addr string
	h    http.Handler
	srv  *httptest.Server
}

func newRestartable(t *testing.T, h http.Handler) *restartable {
	r := &restartable{t: t, h: h}
	r.start("127.0.0.1:0")
	r.addr = r.srv.Listener.Addr().String()
	t.Cleanup(func() { r.stop() })
	return r
}

func (r *restartable) start(addr string) {
	r.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port may take a moment to be free again
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatalf("listen %s: %v", addr, err)
	}
	r.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: r.h}}
	r.srv.Start()
}

func (r *restartable) stop() {
	if r.srv != nil {
		r.srv.Close()
		r.srv = nil
	}
}

func (r *restartable) restart() { r.start(r.addr) }

func (r *restartable) url() string { return "http://" + r.addr }

type spoolEnv struct {
	st     *Store
	remote *restartable
	sp     *Spool
	clk    *clock
	path   string
}

func newSpoolEnv(t *testing.T) *spoolEnv {
	t.Helper()
	e := &spoolEnv{}
	e.st, _, _ = newTestStore(t, StoreOpts{})
	quiet := slog.New(slog.DiscardHandler)
	e.remote = newRestartable(t, NewServer(e.st, ServerOpts{Tokens: map[string]string{testToken: "T01"}, Logger: quiet}))
	e.clk = &clock{t: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	e.path = filepath.Join(t.TempDir(), "spool.db")
	c := NewClient(e.remote.url(), testToken, &http.Client{Timeout: 2 * time.Second})
	var err error
	e.sp, err = OpenSpool(e.path, testSealer(t), c, SpoolOpts{TTL: 72 * time.Hour, Now: e.clk.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.sp.Close() })
	return e
}

func (e *spoolEnv) stored(t *testing.T, id string) bool {
	t.Helper()
	var n int
	if err := e.st.db.QueryRow(`SELECT COUNT(*) FROM applications WHERE id = ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestSpoolKeepsAndSends(t *testing.T) {
	ctx := context.Background()
	e := newSpoolEnv(t)

	r, err := e.sp.Submit(ctx, newbornApp("online"))
	if err != nil || r.Pending || r.Tracking == "" {
		t.Fatalf("online submit = %+v, %v", r, err)
	}

	e.remote.stop()
	r, err = e.sp.Submit(ctx, newbornApp("offline"))
	if err != nil {
		t.Fatal(err)
	}
	want := e.clk.Now().Add(72 * time.Hour)
	if !r.Pending || r.State != StatePending || r.Tracking != "" || !r.SendBy.Equal(want) || r.ApplicationID != "offline" {
		t.Fatalf("offline receipt = %+v", r)
	}
	e.clk.Add(time.Hour)
	again, err := e.sp.Submit(ctx, newbornApp("offline"))
	if err != nil || !again.SendBy.Equal(want) || e.sp.Pending() != 1 {
		t.Fatalf("second offline submit = %+v, %v, pending %d", again, err, e.sp.Pending())
	}
	bad := newbornApp("bad")
	bad.Applicant.IDNumber = ""
	if _, err := e.sp.Submit(ctx, bad); !errors.Is(err, ErrInvalid) || e.sp.Pending() != 1 {
		t.Fatalf("invalid offline submit err = %v, pending %d", err, e.sp.Pending())
	}
	if _, err := e.sp.Progress(ctx, NewTracking(time.Now(), 1)); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Progress while down err = %v", err)
	}
	if _, err := e.sp.TakeTicket(ctx, TicketRequest{}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("TakeTicket while down err = %v", err)
	}
	if err := e.sp.Rate(ctx, Rating{VisitID: "v", Level: 5}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Rate while down err = %v", err)
	}
	assertNoPersonalData(t, e.path)

	sent, expired, err := e.sp.Flush(ctx)
	if !errors.Is(err, ErrUnavailable) || sent != 0 || expired != 0 || e.sp.Pending() != 1 {
		t.Fatalf("flush while down = %d, %d, %v", sent, expired, err)
	}

	e.remote.restart()
	sent, expired, err = e.sp.Flush(ctx)
	if err != nil || sent != 1 || expired != 0 || e.sp.Pending() != 0 {
		t.Fatalf("flush = %d, %d, %v; pending %d", sent, expired, err, e.sp.Pending())
	}
	if !e.stored(t, "offline") {
		t.Fatal("the kept application did not reach the store")
	}
	if sent, expired, err := e.sp.Flush(ctx); sent+expired != 0 || err != nil {
		t.Fatalf("second flush = %d, %d, %v", sent, expired, err)
	}
	if ids, err := e.sp.Popular(ctx, 1); err != nil || len(ids) != 1 {
		t.Fatalf("Popular through spool = %v, %v", ids, err)
	}
}

func TestSpoolExpires(t *testing.T) {
	ctx := context.Background()
	e := newSpoolEnv(t)
	e.remote.stop()
	if _, err := e.sp.Submit(ctx, newbornApp("late")); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(71 * time.Hour)
	if _, err := e.sp.Submit(ctx, newbornApp("in-time")); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Hour + time.Second) // "late" is past its 72 h
	e.remote.restart()
	sent, expired, err := e.sp.Flush(ctx)
	if err != nil || sent != 1 || expired != 1 || e.sp.Pending() != 0 {
		t.Fatalf("flush = sent %d, expired %d, %v", sent, expired, err)
	}
	if e.stored(t, "late") || !e.stored(t, "in-time") {
		t.Fatal("an expired application was sent late, or the fresh one was not sent")
	}
}

// A kept application the backend refuses is dropped and reported, and Flush goes on.
func TestSpoolRefused(t *testing.T) {
	ctx := context.Background()
	e := newSpoolEnv(t)
	e.remote.stop()
	if _, err := e.sp.Submit(ctx, newbornApp("a1")); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Second)
	if _, err := e.sp.Submit(ctx, newbornApp("a2")); err != nil {
		t.Fatal(err)
	}
	// Replace a1's kept copy by one the backend refuses (no consent time), as when a newer
	// backend validates more than the terminal did.
	if _, err := e.sp.db.Exec(`UPDATE spooled SET sealed = ? WHERE id = 'a1'`,
		e.sp.seal.Seal([]byte(`{"id":"a1","item_id":"x","role":"r","applicant":{"name":"n","id_number":"1"}}`), []byte("a1"))); err != nil {
		t.Fatal(err)
	}
	e.remote.restart()
	sent, _, err := e.sp.Flush(ctx)
	if !errors.Is(err, ErrInvalid) || sent != 1 || e.sp.Pending() != 0 {
		t.Fatalf("flush = %d, %v; pending %d", sent, err, e.sp.Pending())
	}
}

func TestSpoolRun(t *testing.T) {
	e := newSpoolEnv(t)
	e.remote.stop()
	if r, err := e.sp.Submit(context.Background(), newbornApp("run")); err != nil || !r.Pending {
		t.Fatalf("submit = %+v, %v", r, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.sp.Run(ctx, 10*time.Millisecond) }()
	time.Sleep(50 * time.Millisecond) // a few flushes fail while down
	e.remote.restart()
	deadline := time.Now().Add(5 * time.Second)
	for e.sp.Pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
	if e.sp.Pending() != 0 || !e.stored(t, "run") {
		t.Fatalf("Run did not send: pending %d", e.sp.Pending())
	}
}
