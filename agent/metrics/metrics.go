// Package metrics holds the agent's Prometheus counters and serves them as /metrics.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the agent's counters. The zero value is not usable; use New.
type Metrics struct {
	Registry     *prometheus.Registry
	Polls        *prometheus.CounterVec // by rig, result ok|error
	SerialErrors *prometheus.CounterVec // by rig
	OutboxDepth  prometheus.Gauge
	OldestAge    prometheus.Gauge // seconds since the oldest reading still waiting for the lab's ack was sampled
	Appended     prometheus.Counter
	Published    prometheus.Counter     // readings handed to the broker (live and replay)
	Replayed     prometheus.Counter     // of which replayed
	Acked        prometheus.Counter     // readings the lab acknowledged and the outbox deleted
	Rewinds      *prometheus.CounterVec // forwarder restarts from the last ack, by why: connected|ack_timeout
	Commands     *prometheus.CounterVec // by name, ok true|false
	Connected    prometheus.Gauge
	// Lost counts readings the rig sent that the agent could not keep (the outbox refused them:
	// a full disk). LoseReadings adds to it; the lag status reports the total to the lab.
	Lost prometheus.Counter
	lost atomic.Int64
}

// LoseReadings records n readings measured but not kept.
func (m *Metrics) LoseReadings(n int) {
	m.Lost.Add(float64(n))
	m.lost.Add(int64(n))
}

// LostReadings is the total LoseReadings recorded since New.
func (m *Metrics) LostReadings() int64 { return m.lost.Load() }

// New registers every counter in a fresh registry.
func New() *Metrics {
	m := &Metrics{
		Registry:     prometheus.NewRegistry(),
		Polls:        prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onestop_agent_polls_total", Help: "Rig snapshots attempted, by rig and result."}, []string{"rig", "result"}),
		SerialErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onestop_agent_serial_errors_total", Help: "Serial or Modbus errors, by rig."}, []string{"rig"}),
		OutboxDepth:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "onestop_agent_outbox_depth", Help: "Readings waiting in the outbox for the lab's ack."}),
		OldestAge:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "onestop_agent_outbox_oldest_age_seconds", Help: "Age of the oldest reading waiting in the outbox for the lab's ack; 0 when none waits."}),
		Appended:     prometheus.NewCounter(prometheus.CounterOpts{Name: "onestop_agent_readings_appended_total", Help: "Readings written to the outbox."}),
		Published:    prometheus.NewCounter(prometheus.CounterOpts{Name: "onestop_agent_readings_published_total", Help: "Readings the broker accepted (live and replay)."}),
		Replayed:     prometheus.NewCounter(prometheus.CounterOpts{Name: "onestop_agent_readings_replayed_total", Help: "Readings published again, flagged replay."}),
		Acked:        prometheus.NewCounter(prometheus.CounterOpts{Name: "onestop_agent_readings_acked_total", Help: "Readings the lab acknowledged as stored."}),
		Rewinds:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onestop_agent_rewinds_total", Help: "Times the forwarder went back to the last acknowledged reading, by why."}, []string{"why"}),
		Commands:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onestop_agent_commands_total", Help: "Remote commands answered, by name and ok."}, []string{"name", "ok"}),
		Connected:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "onestop_agent_broker_connected", Help: "1 while connected to the broker."}),
		Lost:         prometheus.NewCounter(prometheus.CounterOpts{Name: "onestop_agent_readings_lost_total", Help: "Readings the rig sent that the outbox could not keep (e.g. a full disk)."}),
	}
	m.Registry.MustRegister(m.Polls, m.SerialErrors, m.OutboxDepth, m.OldestAge, m.Appended, m.Published, m.Replayed, m.Acked, m.Rewinds, m.Commands, m.Connected, m.Lost)
	return m
}

// Serve answers /metrics on addr until ctx is done. The bound address is sent on ready (may be nil).
func (m *Metrics) Serve(ctx context.Context, addr string, ready chan<- string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	slog.Info("metrics: serving", "addr", "http://"+ln.Addr().String()+"/metrics")
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
