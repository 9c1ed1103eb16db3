package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/publish"
	"github.com/onestop-station/onestop/agent/telemetry"
)

// perSnapshot is a rig snapshot's size: the readings one poll of the safety rig gives.
const perSnapshot = 11

var channels = [perSnapshot]string{"motor_temp", "motor_current", "supply_voltage", "speed",
	"brake_force", "battery_temp", "battery_voltage", "insulation", "leakage", "tilt", "load"}

// agent is one synthetic agent: a real outbox (its own file) and publisher, fed by a goroutine
// that appends snapshots as a rig poller would, each sample time taken at the Append.
type agent struct {
	ob       *outbox.Outbox
	pub      *publish.Publisher
	appended atomic.Int64 // readings committed to the outbox
	ran      chan error   // the publisher's Run result
}

// fleet is the load: k agents and their feeders.
type fleet struct {
	agents      []*agent
	cancelFeed  context.CancelFunc
	cancelPub   context.CancelFunc
	feeders     sync.WaitGroup
	feedErrMu   sync.Mutex
	feedErr     error
	stopPubOnce sync.Once
}

// startFleet opens k outboxes in dir, connects their publishers to url and starts feeding each
// at rate/k readings a second (rate 0: as fast as Append returns).
func startFleet(dir, url string, k int, rate float64) (*fleet, error) {
	f := &fleet{}
	pubCtx, cancelPub := context.WithCancel(context.Background())
	f.cancelPub = cancelPub
	for i := range k {
		ob, err := outbox.Open(filepath.Join(dir, fmt.Sprintf("outbox-%d.db", i)))
		if err != nil {
			f.stop()
			return nil, err
		}
		a := &agent{ob: ob, ran: make(chan error, 1)}
		// The agent program's publish defaults (agent/config): batch_max 500, replay 2 000/s, ack timeout 10 s.
		a.pub = publish.New(ob, publish.Opts{Site: site, Agent: agentName(i), Version: "bench",
			BrokerURL: url, Username: agentName(i), Password: agentPass})
		go func() { a.ran <- a.pub.Run(pubCtx) }()
		f.agents = append(f.agents, a)
	}
	feedCtx, cancelFeed := context.WithCancel(context.Background())
	f.cancelFeed = cancelFeed
	for _, a := range f.agents {
		f.feeders.Add(1)
		go func() {
			defer f.feeders.Done()
			if err := a.feed(feedCtx, rate/float64(k)); err != nil && !errors.Is(err, context.Canceled) {
				f.feedErrMu.Lock()
				f.feedErr = errors.Join(f.feedErr, err)
				f.feedErrMu.Unlock()
			}
		}()
	}
	return f, nil
}

// feed appends snapshots at rate readings/s (0: back to back) until ctx ends. Behind schedule it
// appends back to back to catch up, so an Append slower than the rate shows as offered/s.
func (a *agent) feed(ctx context.Context, rate float64) error {
	start := time.Now()
	var snaps int64
	rs := make([]telemetry.Reading, perSnapshot)
	for ctx.Err() == nil {
		if rate > 0 {
			due := start.Add(time.Duration(float64(snaps*perSnapshot) / rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(d):
				}
			}
		}
		now := time.Now().UnixNano()
		for j := range rs {
			rs[j] = telemetry.Reading{Ch: channels[j], T: now, V: float64(snaps%1000) / 10, U: "x", Q: "good"}
		}
		if _, _, err := a.ob.Append(ctx, "rig", rs); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		a.pub.Notify()
		a.appended.Add(perSnapshot)
		snaps++
	}
	return nil
}

// appended is what every agent's feeder has committed so far.
func (f *fleet) appended() int64 {
	var n int64
	for _, a := range f.agents {
		n += a.appended.Load()
	}
	return n
}

// depth is the readings waiting for the lab's ack in every outbox.
func (f *fleet) depth(ctx context.Context) (int64, error) {
	var n int64
	for _, a := range f.agents {
		d, err := a.ob.Depth(ctx)
		if err != nil {
			return 0, err
		}
		n += d
	}
	return n, nil
}

// stopFeeding stops the feeders and returns their first error.
func (f *fleet) stopFeeding() error {
	if f.cancelFeed != nil {
		f.cancelFeed()
	}
	f.feeders.Wait()
	f.feedErrMu.Lock()
	defer f.feedErrMu.Unlock()
	return f.feedErr
}

// stop stops feeding, then the publishers (they publish "offline" and disconnect), then closes
// the outboxes.
func (f *fleet) stop() {
	f.stopFeeding()
	agentLogLevel.Set(slog.LevelError + 4)
	defer agentLogLevel.Set(slog.LevelWarn)
	f.stopPubOnce.Do(func() {
		f.cancelPub()
		for _, a := range f.agents {
			<-a.ran
			a.ob.Close()
		}
	})
}
