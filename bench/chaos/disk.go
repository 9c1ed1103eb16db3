package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/onestop-station/onestop/lab/demo"
)

// diskFull puts the agent's outbox on a small tmpfs and fills it. Mounting needs root (CI runs
// as root); elsewhere the scenario is skipped and says why. The agent has no row cap to try
// instead: outbox.Opts.MaxRows exists, but the agent does not set it.
func diskFull(ctx context.Context, r *run) error {
	mnt := filepath.Join(r.dir, "disk")
	if err := os.MkdirAll(mnt, 0o700); err != nil {
		return err
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", mnt).CombinedOutput(); err != nil {
		r.res.Verdict = Skip
		r.res.note("cannot mount a tmpfs here (%v: %s); needs root", err, strings.TrimSpace(string(out)))
		return nil
	}
	r.cleanup = append(r.cleanup, func() { exec.Command("umount", "-l", mnt).Run() })
	r.outbox = filepath.Join(mnt, "outbox.db")
	if err := r.start(ctx, demo.LabOpts{}, demo.AgentOpts{}, 100); err != nil {
		return err
	}
	before, err := r.s.Twin.Counters()
	if err != nil {
		return err
	}
	window := r.dur(15*time.Second, 3*time.Second)
	full := time.Now()
	var allowed int64
	// Polls fail while the disk is full (the outbox refuses their readings): the allowance below
	// covers them.
	err = r.during(func() error {
		filler := filepath.Join(mnt, "filler")
		if err := fill(filler); err != nil {
			return err
		}
		sleep(ctx, window)
		if err := os.Remove(filler); err != nil {
			return err
		}
		if err := r.faultEnded(); err != nil {
			return err
		}
		// Polled while the disk was full: the agent could not keep them. One more snapshot may
		// have been read before the fill and refused after it.
		allowed = r.servedAtEnd - before.ReadingsServed + snapshot
		return r.recovered(ctx)
	})
	if err != nil {
		return err
	}
	if err := r.recover(ctx, allowed); err != nil {
		return err
	}
	if err := r.grow(ctx, 100); err != nil {
		return err
	}
	if _, err := r.settle(ctx, allowed); err != nil {
		return err
	}
	hole, err := r.longestHole(ctx, full.Add(-time.Second), r.faultEnd.Add(time.Second))
	if err != nil {
		return err
	}
	r.res.check(r.logHas("agent.log", "outbox append failed"), "no \"outbox append failed\" error in the agent's log")
	shown := r.lostShown(ctx)
	r.res.check(shown > 0 && shown <= r.res.Lost,
		"the lab shows %d readings lost by the agent, want 1..%d (what it measured as dropped)", shown, r.res.Lost)
	r.res.check(hole >= window/2, "the lab's series shows no hole (longest %v in a %v outage)", hole, window)
	r.res.note("disk full %v: %d readings dropped, logged as \"outbox append failed; readings lost\", %d of them counted by the agent and shown by the lab (/api/agents lost); the lab's series has a %.1f s hole",
		window, r.res.Lost, shown, hole.Seconds())
	return nil
}

// lostShown waits (up to 15 s: the agent reports every 5 s) until the lab shows readings the
// agent could not keep, and returns how many.
func (r *run) lostShown(ctx context.Context) int64 {
	deadline := time.Now().Add(15 * time.Second)
	for {
		info, _ := r.s.Ingest.Agent(demo.AgentName)
		if info.Lost > 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return info.Lost
		}
		sleep(ctx, 200*time.Millisecond)
	}
}

// fill writes zeros to path until the file system is full.
func fill(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, size := range []int{1 << 20, 4 << 10, 1} {
		buf := make([]byte, size)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					return fmt.Errorf("chaos: fill %s: %w", path, err)
				}
				break
			}
		}
	}
	return nil
}

// longestHole is the longest time between two consecutive snapshots the lab stored of the rig
// in [from, to].
func (r *run) longestHole(ctx context.Context, from, to time.Time) (time.Duration, error) {
	rows, err := r.s.Store.Readings(ctx, demo.AgentName, demo.RigName, from, to)
	if err != nil {
		return 0, err
	}
	ts := make([]int64, 0, len(rows))
	for _, row := range rows {
		ts = append(ts, row.Reading.T)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	var hole int64
	for i := 1; i < len(ts); i++ {
		hole = max(hole, ts[i]-ts[i-1])
	}
	return time.Duration(hole), nil
}
