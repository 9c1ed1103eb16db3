package ingest

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Stats are the Ingest's counters since Start.
type Stats struct {
	Batches     int64 `json:"batches"`      // data messages stored (new or duplicate)
	Readings    int64 `json:"readings"`     // readings newly stored
	Duplicates  int64 `json:"duplicates"`   // readings received again and not stored again
	Conflicts   int64 `json:"conflicts"`    // readings under a key stored with other content (kept apart)
	BadPayloads int64 `json:"bad_payloads"` // messages dropped for breaking the contract
	Dropped     int64 `json:"dropped"`      // messages dropped because a queue was full
	StoreErrors int64 `json:"store_errors"` // messages the database refused
	Acks        int64 `json:"acks"`         // acks handed to the MQTT client
	AckErrors   int64 `json:"ack_errors"`
	Statuses    int64 `json:"statuses"`
	Metas       int64 `json:"metas"`

	Lagging       int     `json:"lagging"`         // agents lagging now (AgentInfo.Lagging)
	LagThresholdS float64 `json:"lag_threshold_s"` // Opts.LagThreshold
}

type counters struct {
	batches, readings, duplicates, conflicts, bad, dropped, storeErrors, acks, ackErrors, statuses, metas atomic.Int64
}

// Stats returns a snapshot of the counters.
func (in *Ingest) Stats() Stats {
	c := &in.stats
	return Stats{
		Batches: c.batches.Load(), Readings: c.readings.Load(), Duplicates: c.duplicates.Load(),
		Conflicts:   c.conflicts.Load(),
		BadPayloads: c.bad.Load(), Dropped: c.dropped.Load(), StoreErrors: c.storeErrors.Load(),
		Acks: c.acks.Load(), AckErrors: c.ackErrors.Load(), Statuses: c.statuses.Load(), Metas: c.metas.Load(),
		Lagging: in.laggingAgents(), LagThresholdS: in.opts.lagThreshold().Seconds(),
	}
}

func (in *Ingest) laggingAgents() int {
	now, thr, n := time.Now(), in.opts.lagThreshold(), 0
	in.agents.mu.Lock()
	defer in.agents.mu.Unlock()
	for _, a := range in.agents.m {
		if a.withLag(now, thr).Lagging {
			n++
		}
	}
	return n
}

// logLimiter lets one warning a second through, so a misbehaving agent cannot flood the log; the
// next line that passes says how many were held back.
type logLimiter struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (l *logLimiter) warn(log *slog.Logger, msg string, args ...any) {
	l.log(log, slog.LevelWarn, msg, args...)
}

func (l *logLimiter) error(log *slog.Logger, msg string, args ...any) {
	l.log(log, slog.LevelError, msg, args...)
}

func (l *logLimiter) log(log *slog.Logger, level slog.Level, msg string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	if now.Sub(l.last) < time.Second {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	n := l.suppressed
	l.last, l.suppressed = now, 0
	l.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	log.Log(context.Background(), level, msg, args...)
}
