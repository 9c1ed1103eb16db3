package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onestop-station/onestop/lab/demo"
)

// recoverWithin bounds how long a scenario waits for the pipeline to recover after its fault.
const recoverWithin = 90 * time.Second

// run is one scenario's pipeline and what was measured on it.
type run struct {
	*env
	name, dir string
	res       *Result
	s         *demo.Stack
	cleanup   []func() // after the stack is closed, last first

	faultEnd    time.Time
	servedAtEnd int64 // the twin's readings_served when the fault ended

	// The agent's own accounts, to tell readings it never had (unread) from readings it had and
	// the lab lacks (dropped: the design promises none).
	metrics  string // the agent's metrics address (the same for every restart)
	outbox   string // its outbox file
	errGone  int64  // failed polls of agent processes already ended
	errLast  int64  // failed polls of the running one, as last read
	errFault int64  // failed polls while the rig or the disk was away on purpose
	seqGone  int64  // readings numbered in outbox files since replaced, less the seqs the current file started at
}

// close stops the stack (agent and twin first), then whatever the scenario added.
func (r *run) close() {
	if r.s != nil {
		r.s.Close()
	}
	for i := len(r.cleanup) - 1; i >= 0; i-- {
		r.cleanup[i]()
	}
}

// start runs the usual pipeline — lab (embedded broker unless lab.URL), nominal twin, agent — and
// waits until warm readings are stored.
func (r *run) start(ctx context.Context, lab demo.LabOpts, agent demo.AgentOpts, warm int64) error {
	s, err := demo.StartLab(ctx, r.dir, r.tools, lab)
	if err != nil {
		return err
	}
	r.s = s
	return r.startRig(ctx, agent, warm)
}

// startRig starts the twin and the agent on an already running lab.
func (r *run) startRig(ctx context.Context, agent demo.AgentOpts, warm int64) error {
	if _, err := r.s.StartTwin("nominal"); err != nil {
		return err
	}
	if err := r.startAgent(agent); err != nil {
		return err
	}
	return r.grow(ctx, warm)
}

// grow waits until n more readings are stored.
func (r *run) grow(ctx context.Context, n int64) error {
	now, err := r.s.Store.Count(ctx)
	if err != nil {
		return err
	}
	if _, err := r.s.WaitStored(ctx, now+n, 60*time.Second); err != nil {
		return fmt.Errorf("%w (see agent.log)", err)
	}
	return nil
}

// held is what the lab holds: stored readings and those kept apart as conflicts.
func (r *run) held(ctx context.Context) (int64, error) {
	n, err := r.s.Store.Count(ctx)
	if err != nil {
		return 0, err
	}
	c, err := r.s.Store.ConflictRows(ctx, demo.AgentName)
	return n + int64(len(c)), err
}

// faultEnded marks the end of the fault: recovery is measured from here.
func (r *run) faultEnded() error {
	r.faultEnd = time.Now()
	c, err := r.s.Twin.Counters()
	r.servedAtEnd = c.ReadingsServed
	return err
}

// recover measures recovery (the first reading measured after the fault's end is stored) and
// catch-up (the lab's count reaches what the twin had served by the fault's end, less what the
// promise lets go).
func (r *run) recover(ctx context.Context, allowed int64) error {
	if err := r.waitRecovery(ctx, allowed, false); err != nil {
		return err
	}
	return r.waitRecovery(ctx, allowed, true)
}

// recovered waits only for the first fresh reading (catch-up is measured too if it comes first).
func (r *run) recovered(ctx context.Context) error { return r.waitRecovery(ctx, -1, false) }

// waitRecovery waits for a fresh reading, and with catchUp for the lab's count too; allowed < 0
// leaves catch-up unmeasured.
func (r *run) waitRecovery(ctx context.Context, allowed int64, catchUp bool) error {
	deadline := r.faultEnd.Add(recoverWithin)
	for r.res.Recovery < 0 || catchUp && r.res.CatchUp < 0 {
		if r.res.Recovery < 0 {
			_, _, ok, err := r.s.Store.FirstAfter(ctx, demo.AgentName, demo.RigName, r.faultEnd)
			if err != nil {
				return err
			}
			if ok {
				r.res.Recovery = time.Since(r.faultEnd).Seconds()
			}
		}
		if r.res.CatchUp < 0 && allowed >= 0 {
			n, err := r.held(ctx)
			if err != nil {
				return err
			}
			if n >= r.servedAtEnd-allowed {
				r.res.CatchUp = time.Since(r.faultEnd).Seconds()
			}
		}
		if time.Now().After(deadline) {
			r.res.check(false, "not recovered %v after the fault", recoverWithin)
			return nil
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// settle stops the agent (it drains its outbox), reads the twin's count, the agent's and the
// lab's, and checks the promises every scenario shares: nothing held twice; every reading the
// agent numbered is in the lab; and of the readings the twin served, the agent missed no more
// than allowed (by the scenario: a snapshot on the wire at a kill, polls refused by a full disk)
// plus one snapshot for each poll that failed although the twin had answered (a reply later than
// the agent's timeout: the rig being slow, or this machine too busy to read it in time).
func (r *run) settle(ctx context.Context, allowed int64) (demo.Tally, error) {
	if err := r.stopAgent(); err != nil {
		r.res.check(false, "agent did not stop cleanly: %v", err)
	}
	c, err := r.s.Twin.Counters()
	if err != nil {
		return demo.Tally{}, err
	}
	last, left, err := outboxSeq(r.outbox)
	if err != nil {
		return demo.Tally{}, err
	}
	// The agent exits once the lab acked everything, so this is quick unless its drain timed out.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if n, err := r.held(ctx); err != nil || n >= r.seqGone+last {
			break
		}
		sleep(ctx, 100*time.Millisecond)
	}
	t, err := r.s.Tally(ctx)
	if err != nil {
		return t, err
	}
	m := measured{
		produced: c.ReadingsServed, stored: t.Stored, conflicts: t.Conflicts, dups: t.Duplicates,
		seqGaps: t.SeqGaps, numbered: r.seqGone + last, left: left,
		failedPolls: r.errGone, faultPolls: r.errFault, injected: c.CRCFaults + c.Drops + c.Exceptions,
		allowed: allowed,
	}
	m.judge(r.res)
	return t, nil
}

// measured is what settle counted: the twin's, the agent's and the lab's accounts of one run.
type measured struct {
	produced                int64 // readings the twin served in good frames
	stored, conflicts, dups int64 // the lab's readings, those kept as conflicts, physical duplicates
	seqGaps                 int64 // seqs missing in the lab below the highest it holds
	numbered, left          int64 // readings the agent numbered in its outbox(es); left unacknowledged
	failedPolls             int64 // the agent's failed polls, all processes
	faultPolls              int64 // of which while the rig or disk was away on purpose
	injected                int64 // faults the twin injected instead of serving (CRC, drop, exception)
	allowed                 int64 // readings the scenario lets the agent miss (kills, full disk)
}

// judge fills the result's counts and records every broken promise.
func (m measured) judge(res *Result) {
	res.Produced, res.Stored, res.Conflicts, res.Duplicated = m.produced, m.stored, m.conflicts, m.dups
	held := m.stored + m.conflicts - m.dups
	res.Lost = max(m.produced-held, 0)
	res.Unread = max(m.produced-m.numbered, 0)
	answered := max(m.failedPolls-m.faultPolls-m.injected, 0) // failed, although the twin answered
	res.Allowed = m.allowed + answered*snapshot
	res.check(m.produced > 0, "the twin served nothing")
	res.check(m.dups == 0, "%d readings held twice", m.dups)
	res.check(m.seqGaps == 0, "%d seqs missing in the lab below the highest it holds", m.seqGaps)
	res.check(m.left == 0, "the agent stopped with %d readings not acknowledged", m.left)
	res.check(m.numbered <= held, "%d readings the agent had numbered never reached the lab", m.numbered-held)
	res.check(held <= m.numbered, "the lab holds %d readings more than the agent numbered", held-m.numbered)
	res.check(m.numbered <= m.produced, "the agent numbered %d readings more than the twin served", m.numbered-m.produced)
	res.check(res.Unread <= res.Allowed, "%d served readings never reached the agent, %d allowed", res.Unread, res.Allowed)
	if m.failedPolls > 0 {
		res.note("%d failed polls (%d while the rig or disk was away, %d on faults the twin injected, %d timed out on a reply it sent)",
			m.failedPolls, m.faultPolls, m.injected, answered)
	}
}

// logHas reports whether a child's log file (agent.log, firmware-sim.log, lab.log) contains s.
func (r *run) logHas(name, s string) bool {
	b, _ := os.ReadFile(filepath.Join(r.dir, name))
	return strings.Contains(string(b), s)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
