package metrics

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestServeExposesCounters(t *testing.T) {
	m := New()
	m.Polls.WithLabelValues("rig0", "ok").Add(3)
	m.OutboxDepth.Set(42)
	m.OldestAge.Set(12.5)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx, "127.0.0.1:0", ready) }()
	addr := <-ready
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`onestop_agent_polls_total{result="ok",rig="rig0"} 3`, "onestop_agent_outbox_depth 42", "onestop_agent_outbox_oldest_age_seconds 12.5", "onestop_agent_readings_acked_total 0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve returned %v", err)
	}
}
