// Command agent is the lab device agent: it polls the test rigs on their serial lines, keeps
// every reading in a SQLite outbox, streams them to the lab over MQTT and runs the lab's commands.
//
//	go run ./agent --config agent.toml
//	go run ./agent --broker tcp://127.0.0.1:1883 --rig rig0=/dev/serial/by-id/usb-rig
//
// On SIGINT or SIGTERM it stops polling, then keeps forwarding until the lab has acknowledged
// every reading or DrainTimeout passes; what is left stays in the outbox for the next start.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/onestop-station/onestop/agent/command"
	"github.com/onestop-station/onestop/agent/config"
	"github.com/onestop-station/onestop/agent/metrics"
	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/poll"
	"github.com/onestop-station/onestop/agent/publish"
	"github.com/onestop-station/onestop/agent/telemetry"
)

// Version is reported in the agent's status message.
const Version = "0.1.0"

// DrainTimeout bounds how long a stopping agent waits for the lab to acknowledge what it holds.
const DrainTimeout = 15 * time.Second

// synthetic starts generated rigs for the end-to-end benchmark; nil except in a build with the
// "bench" tag (synthetic.go).
var synthetic func(ctx context.Context, ob *outbox.Outbox, notify func(), m *metrics.Metrics, polls *sync.WaitGroup) error

func main() {
	cfg, err := config.Parse(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := profiled(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(1)
	}
}

// profiled runs the agent, under a CPU profile written to cfg.CPUProfile when one is asked for.
func profiled(ctx context.Context, cfg config.Config) error {
	if cfg.CPUProfile == "" {
		return run(ctx, cfg)
	}
	f, err := os.Create(cfg.CPUProfile)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return run(ctx, cfg)
}

func run(ctx context.Context, cfg config.Config) error {
	brokerTLS, err := cfg.Broker.TLS()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Outbox.Path), 0o750); err != nil {
		return err
	}
	ob, err := outbox.Open(cfg.Outbox.Path)
	if err != nil {
		return err
	}
	defer ob.Close()
	m := metrics.New()
	disp := command.New()
	pub := publish.New(ob, publish.Opts{
		Site: cfg.Site, Agent: cfg.AgentID, Version: Version,
		BrokerURL: cfg.Broker.URL, Username: cfg.Broker.Username, Password: cfg.Broker.Password, TLS: brokerTLS,
		BatchMax: cfg.Publish.BatchMax, ReplayRate: cfg.Publish.ReplayRate,
		AckTimeout: cfg.Publish.AckTimeout.Duration, WaitTimeout: cfg.Publish.WaitTimeout.Duration,
		Metrics: m, OnCommand: disp.Handle,
	})
	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	var polls sync.WaitGroup
	for _, r := range cfg.Rigs {
		p := poll.New(poll.Opts{
			Name: r.Name, Port: r.Port, Baud: r.Baud, Unit: byte(r.Unit),
			Interval: r.PollInterval.Duration, Timeout: r.Timeout.Duration,
			Out: ob, Notify: pub.Notify, Metrics: m,
			OnMeta: func(dev string, meta telemetry.Meta) {
				if err := pub.SetMeta(dev, meta); err != nil {
					slog.Error("agent: meta", "rig", dev, "err", err)
				}
			},
		})
		disp.Register(r.Name, p.Do)
		polls.Add(1)
		go func() { defer polls.Done(); p.Run(pollCtx) }()
	}
	if synthetic != nil {
		if err := synthetic(pollCtx, ob, pub.Notify, m, &polls); err != nil {
			return err
		}
	}
	pubCtx, stopPub := context.WithCancel(context.Background())
	defer stopPub()
	pubDone := make(chan error, 1)
	go func() { pubDone <- pub.Run(pubCtx) }()
	var metricsDone sync.WaitGroup
	if cfg.Metrics.Addr != "" {
		metricsDone.Add(1)
		go func() {
			defer metricsDone.Done()
			if err := m.Serve(pubCtx, cfg.Metrics.Addr, nil); err != nil {
				slog.Error("agent: metrics", "err", err)
			}
		}()
	}
	slog.Info("agent: running", "site", cfg.Site, "agent", cfg.AgentID, "epoch", ob.Epoch(), "rigs", len(cfg.Rigs), "broker", cfg.Broker.URL)

	<-ctx.Done()
	slog.Info("agent: stopping: polls first, then waiting for the lab to acknowledge the outbox")
	stopPolling()
	polls.Wait()
	drain(ob)
	stopPub()
	err = <-pubDone
	metricsDone.Wait()
	return err
}

// drain waits until the outbox is empty (every reading acknowledged) or DrainTimeout passes.
func drain(ob *outbox.Outbox) {
	deadline := time.Now().Add(DrainTimeout)
	for time.Now().Before(deadline) {
		n, err := ob.Depth(context.Background())
		if err != nil || n == 0 {
			slog.Info("agent: outbox drained", "err", err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	n, _ := ob.Depth(context.Background())
	slog.Warn("agent: stopping with readings not yet acknowledged; they stay in the outbox", "readings", n)
}
