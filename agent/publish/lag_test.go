package publish

import (
	"context"
	"testing"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// An agent whose readings wait for the lab says so: its retained status carries the depth and the
// oldest reading's age, and /metrics has both; once the lab has stored everything both go to 0.
func TestLagReportedInStatusAndMetrics(t *testing.T) {
	b := startBroker(t, "")
	lab := startLab(t, b.url())
	lab.setSilent(true) // nothing is acknowledged: the readings stay in the outbox
	got := make(chan telemetry.Status, 64)
	tok := lab.client.Subscribe(telemetry.StatusTopic("s1", "a1"), 1, func(_ mqttClient, m mqttMessage) {
		if s, err := telemetry.DecodeStatus(m.Payload()); err == nil {
			select {
			case got <- s:
			default:
			}
		}
	})
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe status: %v", tok.Error())
	}

	ob := openOutbox(t)
	sampled := time.Now().Add(-30 * time.Second)
	rs := []telemetry.Reading{
		{Ch: "speed", T: sampled.UnixNano(), V: 5.5, U: "km/h", Q: "good"},
		{Ch: "motor_temp", T: sampled.UnixNano(), V: 41.5, U: "°C", Q: "good"},
	}
	if _, _, err := ob.Append(context.Background(), "rig0", rs); err != nil {
		t.Fatal(err)
	}
	p := runPublisher(t, ob, b.url(), func(o *Opts) { o.LagEvery = 200 * time.Millisecond; o.AckTimeout = time.Second })
	p.opts.Metrics.LoseReadings(11) // what a poller does when the outbox refuses a snapshot (full disk)

	s := waitLag(t, got, func(s telemetry.Status) bool { return s.Depth == 2 })
	if s.Lost != 11 {
		t.Errorf("lag status lost = %d, want the 11 readings the outbox refused", s.Lost)
	}
	if n := sample(t, p, "onestop_agent_readings_lost_total"); n != 11 {
		t.Errorf("lost counter %v, want 11", n)
	}
	if s.State != telemetry.StateOnline || s.Epoch != ob.Epoch() {
		t.Errorf("lag status %+v: want online, epoch %d", s, ob.Epoch())
	}
	if s.OldestMs < 30_000 || s.OldestMs > 60_000 {
		t.Errorf("oldest_ms %d, want the 30 s age of the waiting readings", s.OldestMs)
	}
	if age := sample(t, p, "onestop_agent_outbox_oldest_age_seconds"); age < 30 || age > 60 {
		t.Errorf("oldest age gauge %v s, want about 30", age)
	}
	if d := sample(t, p, "onestop_agent_outbox_depth"); d != 2 {
		t.Errorf("depth gauge %v, want 2", d)
	}

	lab.setSilent(false) // the ack timeout replays them and the lab acknowledges
	waitLag(t, got, func(s telemetry.Status) bool { return s.Depth == 0 && s.OldestMs == 0 })
	waitFor(t, "the gauges to drop to 0", 10*time.Second, func() bool {
		return sample(t, p, "onestop_agent_outbox_oldest_age_seconds") == 0 && sample(t, p, "onestop_agent_outbox_depth") == 0
	})
}

// waitLag returns the first status with a lag report that satisfies ok.
func waitLag(t *testing.T, got chan telemetry.Status, ok func(telemetry.Status) bool) telemetry.Status {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case s := <-got:
			if s.HasLag() && ok(s) {
				return s
			}
		case <-timeout:
			t.Fatal("no status with the expected lag report")
			return telemetry.Status{}
		}
	}
}
