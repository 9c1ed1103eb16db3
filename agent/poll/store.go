package poll

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/onestop-station/onestop/agent/metrics"
	"github.com/onestop-station/onestop/agent/outbox"
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
		snaps := [][]telemetry.Reading{rs}
	drain:
		for len(snaps) < storeQueue {
			select {
			case more, ok := <-s.queue:
				if !ok {
					break drain
				}
				snaps = append(snaps, more)
			default:
				break drain
			}
		}
		s.write(snaps)
	}
}

// write appends the snapshots as one Append. If the outbox refuses a reading as invalid, it tries
// them one by one, so one bad snapshot does not take the others with it.
func (s *Storer) write(snaps [][]telemetry.Reading) {
	rs := snaps[0]
	if len(snaps) > 1 {
		rs = slices.Concat(snaps...)
	}
	err := s.append(rs, len(snaps))
	if errors.Is(err, outbox.ErrInvalid) && len(snaps) > 1 {
		for _, one := range snaps {
			s.report(s.append(one, 1), one, 1)
		}
		return
	}
	s.report(err, rs, len(snaps))
}

// append stores rs, the readings of snaps snapshots.
func (s *Storer) append(rs []telemetry.Reading, snaps int) error {
	// Not tied to the poller's cancellation: the rig has sent these readings, so they are
	// stored even while the agent stops.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _, err := s.out.Append(ctx, s.name, rs)
	return err
}

// report counts a write and says so when it failed.
func (s *Storer) report(err error, rs []telemetry.Reading, snaps int) {
	if err != nil {
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
