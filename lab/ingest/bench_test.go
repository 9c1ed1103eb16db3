package ingest_test

import (
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/labtest"
)

// BenchmarkIngestEmbedded measures readings/s from an agent's publish through the embedded
// broker into SQLite until the lab's ack, with 100-reading batches and QoS 1 publishes in flight.
// Like the real agent, it keeps a bounded window unacknowledged (64 batches): an unbounded
// firehose only measures how fast the ingest queue overflows.
func BenchmarkIngestEmbedded(b *testing.B) {
	e := labtest.StartEmbeddedBroker(b)
	e.AddAgent("a1", agentPW)
	st := openStoreTB(b)
	in := startIngestTB(b, creds{e.URL, e.LabUser, e.LabPass}, st)
	a := labtest.NewAgent(b, e.URL, site, "a1", agentPW, 1)
	topic := telemetry.DataTopic(site, "a1", "rig")
	var toks []mqtt.Token
	seq := int64(1)
	start := time.Now() // b.Elapsed stops with b.Loop, before the last ack arrives
	const window = 64 * 100
	for b.Loop() {
		for seq > window && !a.Acked(1, seq-window) {
			time.Sleep(100 * time.Microsecond)
		}
		p, _ := telemetry.Encode(labtest.Batch(1, seq, seq+99))
		toks = append(toks, a.Client.Publish(topic, 1, false, p))
		seq += 100
	}
	for _, tok := range toks {
		if !tok.WaitTimeout(wait) || tok.Error() != nil {
			b.Fatalf("publish: %v", tok.Error())
		}
	}
	a.WaitAck(b, 1, seq-1, 5*wait)
	b.ReportMetric(float64(seq-1)/time.Since(start).Seconds(), "readings/s")
	if s := in.Stats(); s.Dropped != 0 {
		b.Logf("%d messages dropped by a full queue and not acknowledged", s.Dropped)
	}
}
