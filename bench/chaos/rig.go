package main

import (
	"context"
	"os"
	"time"

	"github.com/onestop-station/onestop/lab/demo"
)

func rigUnplug(ctx context.Context, r *run) error {
	if err := r.start(ctx, demo.LabOpts{}, demo.AgentOpts{}, r.n(200, 100)); err != nil {
		return err
	}
	old, _ := os.Readlink(r.s.Twin.Link)
	down := r.dur(5*time.Second, 2*time.Second)
	var now string
	// Polls fail while the port is away and until the agent has reopened it: none had a reply.
	err := r.during(func() error {
		if err := r.s.Twin.Fault(map[string]any{"kind": "hangup", "down_ms": down.Milliseconds()}); err != nil {
			return err
		}
		if _, err := r.s.Twin.WaitLine("serving on", down+15*time.Second); err != nil {
			return err
		}
		if err := r.faultEnded(); err != nil {
			return err
		}
		now, _ = os.Readlink(r.s.Twin.Link)
		return r.recovered(ctx)
	})
	if err != nil {
		return err
	}
	if err := r.recover(ctx, 0); err != nil {
		return err
	}
	if _, err := r.settle(ctx, 0); err != nil {
		return err
	}
	c, err := r.s.Twin.Counters()
	if err != nil {
		return err
	}
	r.res.check(c.Hangups == 1, "the twin counted %d hang-ups", c.Hangups)
	r.res.check(now != old, "the rig came back under the same path %s", now)
	r.res.note("hung up %v; back as %s (was %s)", down, now, old)
	return nil
}

func serialCorrupt(ctx context.Context, r *run) error {
	if err := r.start(ctx, demo.LabOpts{}, demo.AgentOpts{}, r.n(200, 100)); err != nil {
		return err
	}
	window := r.dur(30*time.Second, 5*time.Second)
	if err := r.s.Twin.Fault(map[string]any{"kind": "crc", "rate": 0.05}); err != nil {
		return err
	}
	sleep(ctx, window)
	if err := r.s.Twin.Fault(map[string]any{"kind": "clear"}); err != nil {
		return err
	}
	if err := r.faultEnded(); err != nil {
		return err
	}
	if err := r.recover(ctx, 0); err != nil {
		return err
	}
	if _, err := r.settle(ctx, 0); err != nil {
		return err
	}
	c, err := r.s.Twin.Counters()
	if err != nil {
		return err
	}
	r.res.check(c.CRCFaults > 0, "no reply was corrupted")
	r.res.note("%d of %d replies corrupted over %v, none stored; produced counts good frames only",
		c.CRCFaults, c.Requests, window)
	return nil
}

// rigSlow: late inside the timeout, late beyond it, silent, with a second of normal replies
// between phases so that a reply held back 800 ms is never answered by a dropped request. A reply
// past the timeout fails its poll and is dropped as stale input when it arrives, although the
// twin counted it served: settle allows one snapshot per such poll, and no more.
func rigSlow(ctx context.Context, r *run) error {
	if err := r.start(ctx, demo.LabOpts{}, demo.AgentOpts{}, r.n(200, 100)); err != nil {
		return err
	}
	phase := r.dur(10*time.Second, 2*time.Second)
	tw := r.s.Twin
	var late int64
	for _, f := range []map[string]any{
		{"kind": "slow", "rate": 1, "delay_ms": 150},
		{"kind": "slow", "rate": 0.3, "delay_ms": 800},
		{"kind": "drop", "rate": 1},
	} {
		before, err := tw.Counters()
		if err != nil {
			return err
		}
		if err := tw.Fault(f); err != nil {
			return err
		}
		sleep(ctx, phase)
		if err := tw.Fault(map[string]any{"kind": "clear"}); err != nil {
			return err
		}
		if f["kind"] == "drop" {
			break
		}
		sleep(ctx, time.Second)
		after, err := tw.Counters()
		if err != nil {
			return err
		}
		if f["delay_ms"] == 800 {
			late = after.Delays - before.Delays
		}
	}
	if err := r.faultEnded(); err != nil {
		return err
	}
	if err := r.recover(ctx, 0); err != nil {
		return err
	}
	if _, err := r.settle(ctx, 0); err != nil {
		return err
	}
	c, err := tw.Counters()
	if err != nil {
		return err
	}
	r.res.check(c.Drops > 0, "the silent phase dropped no reply")
	r.res.note("%d replies delayed (%d of them 800 ms, past the timeout), %d never sent", c.Delays, late, c.Drops)
	return nil
}
