package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onestop-station/onestop/lab/demo"
)

func agentKill(ctx context.Context, r *run) error {
	if err := r.start(ctx, demo.LabOpts{}, demo.AgentOpts{}, 100); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(r.Seed), 0x6b696c6c))
	const kills = 5
	lo, hi := r.dur(time.Second, 300*time.Millisecond), r.dur(5*time.Second, 1500*time.Millisecond)
	var at []string
	for i := range kills {
		wait := lo + time.Duration(rng.Int64N(int64(hi-lo)))
		at = append(at, fmt.Sprintf("%.1f", wait.Seconds()))
		sleep(ctx, wait)
		r.killAgent()
		sleep(ctx, time.Duration(rng.Int64N(int64(500*time.Millisecond)))) // dead for a moment
		if err := r.startAgent(demo.AgentOpts{}); err != nil {
			return err
		}
		if i == kills-1 {
			if err := r.faultEnded(); err != nil {
				return err
			}
		}
	}
	if err := r.recover(ctx, kills*snapshot); err != nil {
		return err
	}
	t, err := r.settle(ctx, kills*snapshot)
	if err != nil {
		return err
	}
	r.res.check(len(t.Epochs) == 1, "the outbox was replaced after a kill (%d epochs)", len(t.Epochs))
	r.res.note("killed after %s s (seed %d), one snapshot each may have been on the wire", strings.Join(at, ", "), r.Seed)
	return nil
}

// powerCut is lab/demo's TestOutboxGoneBackInTimeIsAConflictNotALoss as a scenario.
func powerCut(ctx context.Context, r *run) error {
	if err := r.start(ctx, demo.LabOpts{}, demo.AgentOpts{}, r.n(200, 100)); err != nil {
		return err
	}
	if err := r.stopAgent(); err != nil {
		return err
	}
	backup := filepath.Join(r.dir, "outbox-backup.db")
	if err := demo.CopyDB(r.outbox, backup); err != nil {
		return err
	}
	if err := r.startAgent(demo.AgentOpts{}); err != nil {
		return err
	}
	if err := r.grow(ctx, r.n(500, 200)); err != nil { // published and acked under seqs the copy has not handed out
		return err
	}
	r.killAgent()
	if err := r.outboxReplaced(backup); err != nil {
		return err
	}
	if err := demo.CopyDB(backup, r.outbox); err != nil { // the file goes back in time
		return err
	}
	if err := r.startAgent(demo.AgentOpts{}); err != nil {
		return err
	}
	if err := r.faultEnded(); err != nil {
		return err
	}
	if err := r.recover(ctx, snapshot); err != nil {
		return err
	}
	if err := r.grow(ctx, r.n(500, 200)); err != nil { // past the reused seqs
		return err
	}
	t, err := r.settle(ctx, snapshot)
	if err != nil {
		return err
	}
	r.res.check(t.Conflicts > 0, "no conflict kept: the reused seqs went unnoticed")
	a, _ := r.s.Ingest.Agent(demo.AgentName)
	r.res.check(a.Conflicts > 0, "the lab's agents list shows no conflict")
	r.res.note("%d readings under reused seqs kept as conflicts (lab agents shows %d)", t.Conflicts, a.Conflicts)
	return nil
}

func outboxCorrupt(ctx context.Context, r *run) error {
	if err := r.start(ctx, demo.LabOpts{}, demo.AgentOpts{}, r.n(200, 100)); err != nil {
		return err
	}
	if err := r.stopAgent(); err != nil {
		return err
	}
	if err := r.outboxReplaced(""); err != nil {
		return err
	}
	if err := scribble(r.outbox, r.Seed); err != nil {
		return err
	}
	if err := r.startAgent(demo.AgentOpts{}); err != nil {
		return err
	}
	if err := r.faultEnded(); err != nil {
		return err
	}
	if err := r.recover(ctx, 0); err != nil {
		return err
	}
	if err := r.grow(ctx, r.n(200, 100)); err != nil {
		return err
	}
	t, err := r.settle(ctx, 0)
	if err != nil {
		return err
	}
	moved, _ := filepath.Glob(r.outbox + ".corrupt-*")
	r.res.check(len(moved) > 0, "no quarantined outbox.db.corrupt-* file")
	r.res.check(len(t.Epochs) == 2, "%d epochs in the lab, want the old and a new one", len(t.Epochs))
	r.res.check(r.logHas("agent.log", "corrupt file quarantined"), "the agent did not log the quarantine")
	r.res.note("%d epochs in the lab; set aside as %s", len(t.Epochs), filepath.Base(first(moved)))
	return nil
}

// outboxReplaced counts what the stopped agent's outbox numbered before the file is replaced by
// by another (with: the file that takes its place, whose seqs will be numbered again; "" for a
// new file).
func (r *run) outboxReplaced(with string) error {
	last, _, err := outboxSeq(r.outbox)
	if err != nil {
		return err
	}
	var from int64
	if with != "" {
		if from, _, err = outboxSeq(with); err != nil {
			return err
		}
	}
	r.seqGone += last - from
	return nil
}

// scribble overwrites the first 16 KiB of an SQLite file (header and first pages) with random bytes.
func scribble(path string, seed int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	junk := make([]byte, 16<<10)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6a756e6b))
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	if _, err := f.WriteAt(junk, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func twoAgents(ctx context.Context, r *run) error {
	if err := r.start(ctx, demo.LabOpts{}, demo.AgentOpts{}, r.n(200, 100)); err != nil {
		return err
	}
	first := r.s.Agent
	second, err := r.s.StartAgent(demo.AgentOpts{Extra: []string{"--metrics", r.metrics}})
	r.s.Agent = first
	if err != nil {
		return err
	}
	code, err := second.Wait(15 * time.Second)
	if err != nil {
		second.Kill()
		r.res.check(false, "the second agent ran on the same outbox (killed after 15 s)")
	} else {
		r.res.check(code != 0, "the second agent exited with status 0")
		r.res.check(r.logHas("agent.log", "in use by another agent"), "the second agent gave no clear reason")
		r.res.note("second agent refused: exit status %d, %q", code, "outbox in use by another agent")
	}
	if err := r.grow(ctx, r.n(200, 100)); err != nil { // the first streams on
		return err
	}
	_, err = r.settle(ctx, 0)
	return err
}

func first(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return s[0]
}
