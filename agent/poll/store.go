package poll

import (
	"context"
	"log/slog"
	"time"

	"github.com/onestop-station/onestop/agent/metrics"
	"github.com/onestop-station/onestop/agent/telemetry"
)

// storeQueue is how many snapshots may wait for the outbox before the rig's polling waits.
const storeQueue = 16

// Storer writes one rig's snapshots to the outbox on its own goroutine, in the order they were
// taken, so the rig's polling does not wait for the disk. Snapshots that queued while the last
// write was committing go out as ONE Append: their readings get contiguous seqs and travel as one
// message, so the busier the outbox, the larger (and cheaper per reading) each write. Nothing waits
// for a batch to fill: a snapshot alone is written at once.
type Storer struct {
	name   string
	out    Appender
	m      *metrics.Metrics
	notify func()
	queue  chan []telemetry.Reading
	done   chan struct{}
}

// NewStorer starts the storing goroutine of rig name. notify is called after each write.
func NewStorer(name string, out Appender, m *metrics.Metrics, notify func()) *Storer {
	s := &Storer{name: name, out: out, m: m, notify: notify,
		queue: make(chan []telemetry.Reading, storeQueue), done: make(chan struct{})}
	go s.run()
	return s
}

// Put queues one snapshot; it waits only while storeQueue snapshots are already waiting.
func (s *Storer) Put(rs []telemetry.Reading) { s.queue <- rs }

// Close writes what is queued and stops. Put must not be called after.
func (s *Storer) Close() {
	close(s.queue)
	<-s.done
}

func (s *Storer) run() {
	defer close(s.done)
	for rs := range s.queue {
		snaps := 1
	drain:
		for snaps < storeQueue {
			select {
			case more, ok := <-s.queue:
				if !ok {
					break drain
				}
				rs = append(rs, more...)
				snaps++
			default:
				break drain
			}
		}
		s.write(rs, snaps)
	}
}

// write appends the readings of snaps snapshots.
func (s *Storer) write(rs []telemetry.Reading, snaps int) {
	// Not tied to the poller's cancellation: the rig has sent these readings, so they are
	// stored even while the agent stops.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, _, err := s.out.Append(ctx, s.name, rs); err != nil {
		// The outbox is the agent's disk: nothing sensible to do but say so loudly and go on.
		slog.Error("poll: outbox append failed; readings lost", "rig", s.name, "readings", len(rs), "err", err)
		s.m.Polls.WithLabelValues(s.name, "error").Add(float64(snaps))
		s.m.LoseReadings(len(rs)) // reported to the lab with the lag: a gap it shows
		return
	}
	s.m.Polls.WithLabelValues(s.name, "ok").Add(float64(snaps))
	s.m.Appended.Add(float64(len(rs)))
	s.notify()
}
