package device

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStateString(t *testing.T) {
	want := map[State]string{Closed: "closed", Idle: "idle", Busy: "busy", Offline: "offline", Error: "error", State(9): "State(9)", State(-1): "State(-1)"}
	for s, w := range want {
		if got := s.String(); got != w {
			t.Errorf("State(%d).String() = %q, want %q", int(s), got, w)
		}
	}
	var h Health
	if h.State != Closed || h.OK() {
		t.Errorf("zero Health = %v, OK %v; want closed, not OK", h, h.OK())
	}
	if got := (Health{State: Busy, Detail: "printing"}).String(); got != "busy: printing" {
		t.Errorf("Health.String() = %q", got)
	}
}

func TestEventKindString(t *testing.T) {
	want := map[EventKind]string{
		Data: "data", StatusChanged: "status-changed", Gone: "gone", Back: "back",
		PaperNearEnd: "paper-near-end", PaperOut: "paper-out", PaperOK: "paper-ok",
		CoverOpen: "cover-open", CoverClosed: "cover-closed",
		CardPresent: "card-present", CardRemoved: "card-removed",
		EventKind(0): "EventKind(0)", EventKind(99): "EventKind(99)",
	}
	for k, w := range want {
		if got := k.String(); got != w {
			t.Errorf("EventKind(%d).String() = %q, want %q", int(k), got, w)
		}
	}
}

func TestEventStringHidesData(t *testing.T) {
	ev := Event{Device: "reader", Kind: Data, State: Idle, Data: []byte("110101199003077777")}
	s := ev.String()
	if strings.Contains(s, "1101") || !strings.Contains(s, "18 bytes") {
		t.Errorf("Event.String() = %q; must give the length, never the data", s)
	}
	ev = Event{Device: "scanner", Kind: Gone, State: Offline, Detail: "/dev/ttyACM0", Err: errors.New("input/output error")}
	if got, want := ev.String(), "scanner: gone (offline) /dev/ttyACM0: input/output error"; got != want {
		t.Errorf("Event.String() = %q, want %q", got, want)
	}
}

func TestCapabilities(t *testing.T) {
	tests := []struct {
		c    Capabilities
		want string
	}{
		{0, "none"},
		{CapInput, "input"},
		{CapOutput | CapPaperNearEnd | CapCutter, "output|paper-near-end|cutter"},
		{CapHealthCheck | 1<<20, "health-check|0x100000"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("Capabilities(%#x).String() = %q, want %q", uint32(tt.c), got, tt.want)
		}
	}
	c := CapOutput | CapPaperSensor
	if !c.Has(CapOutput) || !c.Has(CapOutput|CapPaperSensor) || c.Has(CapOutput|CapCutter) {
		t.Errorf("Has is wrong for %v", c)
	}
	if len(capNames) != 9 || CapHealthCheck != 1<<8 {
		t.Errorf("capNames out of step with the flags")
	}
}

func TestEmitterFillsAndDelivers(t *testing.T) {
	e := NewEmitter("printer", 4)
	before := time.Now()
	e.Emit(Event{Kind: PaperNearEnd, State: Idle})
	ev := <-e.Events()
	if ev.Device != "printer" || ev.Kind != PaperNearEnd || ev.Time.Before(before) {
		t.Errorf("got %+v; want Device and Time filled in", ev)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	e.Emit(Event{Device: "other", Time: at, Kind: Back})
	if ev := <-e.Events(); ev.Device != "other" || !ev.Time.Equal(at) {
		t.Errorf("got %+v; want the caller's Device and Time kept", ev)
	}
}

func TestEmitterDropsOldestWhenFull(t *testing.T) {
	e := NewEmitter("scanner", 2)
	e.Emit(Event{Kind: Data, Detail: "1"})
	e.Emit(Event{Kind: Gone, Detail: "2"})
	e.Emit(Event{Kind: Back, Detail: "3"}) // must not block
	if got := e.Dropped(); got != 1 {
		t.Fatalf("Dropped() = %d, want 1", got)
	}
	e.Close()
	var got []string
	for ev := range e.Events() {
		got = append(got, ev.Detail)
	}
	if strings.Join(got, ",") != "2,3" {
		t.Errorf("kept %v, want the newest two [2 3]", got)
	}
}

func TestEmitterClose(t *testing.T) {
	e := NewEmitter("x", 0)
	if cap(e.ch) != DefaultEmitterSize {
		t.Errorf("size 0 gave capacity %d, want %d", cap(e.ch), DefaultEmitterSize)
	}
	e.Close()
	e.Close()
	e.Emit(Event{Kind: Data}) // ignored, must not panic
	if _, ok := <-e.Events(); ok {
		t.Error("channel still open after Close")
	}
	if e.Dropped() != 0 {
		t.Errorf("Dropped() = %d after emitting to a closed Emitter; closing is not dropping", e.Dropped())
	}
}

// Many senders racing a Close must neither panic nor block.
func TestEmitterConcurrentClose(t *testing.T) {
	e := NewEmitter("x", 1)
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 1000 {
				e.Emit(Event{Kind: Data})
			}
		}()
	}
	e.Close()
	for range 8 {
		<-done
	}
}

func TestSleep(t *testing.T) {
	if !Sleep(context.Background(), time.Millisecond) {
		t.Error("a whole wait reported as cut short")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Sleep(ctx, time.Hour) {
		t.Error("a wait on an ended context reported as whole")
	}
}
