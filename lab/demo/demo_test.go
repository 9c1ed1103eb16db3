package demo

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/drivers/rig"
)

// tools are built once for every test of the package: the agent and the twin run as real processes.
var tools Tools

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "onestop-demo-tools-")
	if err != nil {
		panic(err)
	}
	build := BuildTools
	if raceEnabled {
		build = BuildRaceTools // the agent and the twin run under the race detector too
	}
	tools, err = build(context.Background(), dir)
	if err != nil {
		os.RemoveAll(dir)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startStack starts an embedded-broker lab, the nominal twin and an agent.
func startStack(t *testing.T, lab LabOpts, agent AgentOpts) *Stack {
	t.Helper()
	dir := t.TempDir()
	s, err := StartLab(context.Background(), dir, tools, lab)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.Twin != nil && !s.Twin.Exited() {
			if err := s.Twin.Stop(10 * time.Second); err != nil {
				t.Error(err) // status 66: the race detector found a race in the twin
			}
		}
		s.Close()
		if t.Failed() {
			for _, f := range []string{"agent.log", "firmware-sim.log"} {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				t.Logf("%s:\n%s", f, b)
			}
		}
	})
	if _, err := s.StartTwin("nominal"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartAgent(agent); err != nil {
		t.Fatal(err)
	}
	return s
}

func growBy(t *testing.T, s *Stack, n int64) {
	t.Helper()
	now, err := s.Store.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitStored(context.Background(), now+n, 60*time.Second); err != nil {
		t.Fatal(err)
	}
}

// settle stops the agent (which drains its outbox) and returns the twin's count and the lab's.
func settle(t *testing.T, s *Stack) (produced, stored int64) {
	t.Helper()
	if err := s.Agent.Stop(40 * time.Second); err != nil {
		t.Fatal(err)
	}
	c, err := s.Twin.Counters()
	if err != nil {
		t.Fatal(err)
	}
	s.WaitStored(context.Background(), c.ReadingsServed, 10*time.Second)
	stored, err = s.Store.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.ReadingsServed, stored
}

func noDuplicates(t *testing.T, s *Stack) {
	t.Helper()
	rows, err := s.Store.Readings(context.Background(), AgentName, "", time.Unix(0, 0), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if d := naturalDuplicates(rows); d != 0 {
		t.Errorf("%d readings stored twice", d)
	}
}

func TestDemoNominalStoresEveryReadingOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole scripted sequence (about a minute)")
	}
	data := t.TempDir()
	sum, err := Run(context.Background(), Opts{Tools: &tools, Dir: t.TempDir(), DataDir: data, VerifyBase: "http://lab.test:8080"})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, sum, data, "pass")
	if !sum.OK || sum.Produced == 0 || sum.Produced != sum.Stored || sum.Duplicates != 0 || sum.Lost != 0 {
		t.Errorf("summary %+v", sum)
	}
	if sum.Steps < 2 {
		t.Errorf("ran %d steps", sum.Steps)
	}
	var sawRise bool
	for _, c := range sum.Channels {
		if c.Name == "motor_temp" && c.Max-c.Min > 5 {
			sawRise = true
		}
	}
	if !sawRise {
		t.Errorf("motor temperature did not rise during the drive step: %+v", sum.Channels)
	}
}

func TestBrokerOutageMidStream(t *testing.T) {
	s := startStack(t, LabOpts{}, AgentOpts{})
	growBy(t, s, 200)
	if err := s.Broker.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second) // the agent keeps polling into its outbox meanwhile
	if err := s.Broker.Restart(); err != nil {
		t.Fatal(err)
	}
	growBy(t, s, 200)
	produced, stored := settle(t, s)
	if produced == 0 || produced != stored {
		t.Errorf("produced %d, stored %d", produced, stored)
	}
	noDuplicates(t, s)
	if s.Ingest.Stats().Duplicates == 0 {
		t.Log("no redelivery was needed") // informative: replays are allowed, not required
	}
}

// A power cut of the agent loses nothing it had committed: every seq of its epoch up to the last
// one it assigned is in the lab. A snapshot on the wire at the moment of the kill is the only
// thing the twin counted that the agent never had.
func TestAgentKilledAndRestarted(t *testing.T) {
	s := startStack(t, LabOpts{}, AgentOpts{})
	growBy(t, s, 200)
	s.Agent.Kill()
	time.Sleep(time.Second)
	if _, err := s.StartAgent(AgentOpts{}); err != nil {
		t.Fatal(err)
	}
	growBy(t, s, 200)
	produced, stored := settle(t, s)
	agents, err := s.Store.Agents(context.Background())
	if err != nil || len(agents) != 1 {
		t.Fatalf("agents %+v %v", agents, err)
	}
	epoch := agents[0].Epoch
	wm, err := s.Store.Watermark(context.Background(), AgentName, epoch)
	if err != nil {
		t.Fatal(err)
	}
	if wm != stored {
		t.Errorf("watermark %d but %d stored: a gap in the agent's seqs", wm, stored)
	}
	if lost := produced - stored; lost < 0 || lost > rig.NumChannels { // one snapshot in flight when the power went
		t.Errorf("produced %d, stored %d", produced, stored)
	}
	noDuplicates(t, s)
	if agents[0].State != telemetry.StateOffline {
		t.Errorf("agent state %q after a clean stop", agents[0].State)
	}
}

func TestRigHangupPollingResumes(t *testing.T) {
	s := startStack(t, LabOpts{}, AgentOpts{})
	growBy(t, s, 100)
	if err := s.Twin.Fault(map[string]any{"kind": "hangup", "down_ms": 1500}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	growBy(t, s, 200) // only possible if the agent reopened the port under its new path
	c, err := s.Twin.Counters()
	if err != nil || c.Hangups != 1 {
		t.Fatalf("twin counters %+v %v", c, err)
	}
	produced, stored := settle(t, s)
	if produced != stored {
		t.Errorf("produced %d, stored %d", produced, stored)
	}
	noDuplicates(t, s)
}
