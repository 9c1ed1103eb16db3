package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/onestop-station/onestop/lab/config"
	"github.com/onestop-station/onestop/lab/demo"
)

// simulate starts a rig twin with cfg.Simulate's scenario on a pseudo-terminal and an agent on
// it, both as child processes under DATA/simulate, so `lab serve --simulate nominal` gives the
// console a rig to run without hardware. The returned stop ends them.
func simulate(ctx context.Context, st *station, cfg config.Config) (stop func(), err error) {
	if st.broker == nil || cfg.Site != demo.Site {
		return nil, errors.New("--simulate needs the embedded broker and site " + demo.Site + " (the demo accounts)")
	}
	dir, err := filepath.Abs(filepath.Join(cfg.DataDir(), "simulate"))
	if err != nil {
		return nil, err
	}
	slog.Info("lab: building agent and firmware-sim for --simulate …")
	tools, err := demo.BuildTools(ctx, filepath.Join(dir, "bin"))
	if err != nil {
		return nil, err
	}
	stack := &demo.Stack{Dir: dir, Tools: tools, URL: st.broker.URL()}
	twin, err := stack.StartTwin(cfg.Simulate)
	if err != nil {
		return nil, err
	}
	agent, err := stack.StartAgent(demo.AgentOpts{})
	if err != nil {
		twin.Kill()
		return nil, err
	}
	slog.Info("lab: simulated rig", "scenario", cfg.Simulate, "agent", demo.AgentName, "dev", demo.RigName,
		"twin_control", twin.Control, "logs", dir)
	return func() {
		agent.Stop(10 * time.Second)
		twin.Kill()
	}, nil
}
