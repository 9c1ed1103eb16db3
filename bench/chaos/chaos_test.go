package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onestop-station/onestop/lab/demo"
)

// TestShortScenarios runs three of the short scenarios end to end against the real agent and
// twin (built with the race detector when the test is), as `go run ./bench/chaos --short` would.
func TestShortScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the pipeline three times (about 40 s)")
	}
	build := demo.BuildTools
	if raceEnabled {
		build = demo.BuildRaceTools // a race in a child makes it exit 66: the agent's stop fails the scenario
	}
	tools, err := build(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	e, err := newEnv(context.Background(), Opts{Short: true, Seed: 1, Tools: &tools, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		e.Close()
		if t.Failed() {
			t.Logf("progress:\n%s", log.String())
		}
	}()
	picked, err := pick("agent-kill,rig-unplug,two-agents")
	if err != nil {
		t.Fatal(err)
	}
	results := e.RunAll(context.Background(), picked)
	if len(results) != 3 {
		t.Fatalf("%d results", len(results))
	}
	var table strings.Builder
	printTable(&table, results)
	t.Logf("\n%s", table.String())
	for _, r := range results {
		if r.Verdict != Pass {
			t.Errorf("%s: %s: %s", r.Scenario, r.Verdict, r.Note)
			for _, f := range []string{"agent.log", "firmware-sim.log"} {
				b, _ := os.ReadFile(filepath.Join(r.Dir, f))
				t.Logf("%s %s:\n%s", r.Scenario, f, b)
			}
			os.RemoveAll(r.Dir)
		}
		if r.Produced == 0 || r.Stored == 0 {
			t.Errorf("%s: produced %d, stored %d", r.Scenario, r.Produced, r.Stored)
		}
	}
}

// TestJudge: every broken promise fails the scenario, and what the agent may miss is bounded by
// what the scenario allows plus one snapshot per poll that failed although the twin answered.
func TestJudge(t *testing.T) {
	good := measured{produced: 1100, stored: 1089, numbered: 1089, failedPolls: 3, injected: 2}
	cases := []struct {
		name string
		edit func(*measured)
		fail string // "" when the result must pass
	}{
		{"one timeout excuses one snapshot", func(*measured) {}, ""},
		{"kill allowance", func(m *measured) { m.stored, m.numbered, m.failedPolls, m.allowed = 1078, 1078, 2, 22 }, ""},
		{"conflicts are held", func(m *measured) { m.stored, m.conflicts = 1000, 89 }, ""},
		{"a reading stored twice", func(m *measured) { m.stored, m.numbered, m.dups = 1090, 1090, 1 }, "held twice"},
		{"numbered but not stored", func(m *measured) { m.stored = 1078 }, "never reached the lab"},
		{"a seq gap", func(m *measured) { m.seqGaps = 11 }, "seqs missing"},
		{"left in the outbox", func(m *measured) { m.left = 11 }, "not acknowledged"},
		{"served but never read, unexcused", func(m *measured) { m.failedPolls = 2 }, "never reached the agent"},
		{"failed polls while the rig was away excuse nothing", func(m *measured) { m.faultPolls = 1 }, "never reached the agent"},
		{"the lab holds more than the agent numbered", func(m *measured) { m.stored = 1100 }, "more than the agent numbered"},
		{"the agent numbered more than the twin served", func(m *measured) { m.stored, m.numbered = 1111, 1111 }, "more than the twin served"},
		{"nothing served", func(m *measured) { *m = measured{} }, "served nothing"},
	}
	for _, c := range cases {
		m := good
		c.edit(&m)
		var r Result
		m.judge(&r)
		r.decide()
		switch {
		case c.fail == "" && r.Verdict != Pass:
			t.Errorf("%s: %s %s", c.name, r.Verdict, r.Note)
		case c.fail != "" && (r.Verdict != Fail || !strings.Contains(r.Note, c.fail)):
			t.Errorf("%s: %s %q, want FAIL with %q", c.name, r.Verdict, r.Note, c.fail)
		}
	}
}

func TestPollErrorsIn(t *testing.T) {
	page := `# HELP onestop_agent_polls_total Rig snapshots attempted, by rig and result.
# TYPE onestop_agent_polls_total counter
onestop_agent_polls_total{result="error",rig="rig0"} 7
onestop_agent_polls_total{result="ok",rig="rig0"} 1234
onestop_agent_polls_total{result="error",rig="rig1"} 2
onestop_agent_serial_errors_total{rig="rig0"} 99
`
	n, err := pollErrorsIn(strings.NewReader(page))
	if err != nil || n != 9 {
		t.Errorf("pollErrorsIn = %d, %v; want 9", n, err)
	}
}

func TestPick(t *testing.T) {
	got, err := pick("two-agents, broker-down")
	if err != nil || len(got) != 2 || got[0].Name != "broker-down" || got[1].Name != "two-agents" {
		t.Errorf("pick = %v, %v", got, err)
	}
	if _, err := pick("no-such"); err == nil {
		t.Error("an unknown scenario was accepted")
	}
}
