package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/onestop-station/onestop/lab/demo"
)

// Opts configure a chaos run.
type Opts struct {
	Short bool      // shorter outages, fewer readings
	Seed  int64     // random kill points
	Keep  bool      // keep every working folder, not only failed ones
	Log   io.Writer // progress lines; nil discards
	Tools *demo.Tools
}

// env is what every scenario shares: the built programs and a root folder.
type env struct {
	Opts
	root   string
	tools  demo.Tools
	labBin string // built on first use (lab-kill)
}

func newEnv(ctx context.Context, o Opts) (*env, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	root, err := os.MkdirTemp("", "onestop-chaos-")
	if err != nil {
		return nil, err
	}
	e := &env{Opts: o, root: root}
	if o.Tools != nil {
		e.tools = *o.Tools
		return e, nil
	}
	e.say("building agent and firmware-sim …")
	if e.tools, err = demo.BuildTools(ctx, root); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	return e, nil
}

// Close removes the root folder unless something in it is worth reading.
func (e *env) Close() {
	entries, _ := os.ReadDir(e.root)
	for _, d := range entries {
		if d.IsDir() {
			return // a kept scenario folder
		}
	}
	os.RemoveAll(e.root)
}

func (e *env) say(format string, a ...any) {
	fmt.Fprintf(e.Log, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
}

// dur picks the full or the short length of an outage.
func (e *env) dur(full, short time.Duration) time.Duration {
	if e.Short {
		return short
	}
	return full
}

// n picks the full or the short count of readings.
func (e *env) n(full, short int64) int64 {
	if e.Short {
		return short
	}
	return full
}

// RunAll runs the scenarios one after the other; a scenario that cannot even start is a FAIL
// with the error as its note.
func (e *env) RunAll(ctx context.Context, list []Scenario) []Result {
	var out []Result
	for _, sc := range list {
		if ctx.Err() != nil {
			break
		}
		e.say("%s: %s", sc.Name, sc.Fault)
		start := time.Now()
		r := e.runOne(ctx, sc)
		r.Seconds = time.Since(start).Round(100 * time.Millisecond).Seconds()
		e.say("%s: %s (%.0fs) %s", sc.Name, r.Verdict, r.Seconds, r.Note)
		out = append(out, r)
	}
	return out
}

func (e *env) runOne(ctx context.Context, sc Scenario) (res Result) {
	dir := filepath.Join(e.root, sc.Name)
	res = Result{Scenario: sc.Name, Promise: sc.Promise, Recovery: -1, CatchUp: -1}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return res.fail(err.Error())
	}
	defer func() {
		if res.Verdict == Fail || e.Keep {
			res.Dir = dir
			e.say("%s: logs and databases kept in %s", sc.Name, dir)
			return
		}
		os.RemoveAll(dir)
	}()
	r := &run{env: e, name: sc.Name, dir: dir, res: &res}
	defer r.close()
	if err := sc.Run(ctx, r); err != nil {
		res.Checks = append(res.Checks, err.Error())
	}
	res.decide()
	return res
}

// buildLab compiles ./lab once, for the scenario that kills the lab process.
func (e *env) buildLab(ctx context.Context) (string, error) {
	if e.labBin != "" {
		return e.labBin, nil
	}
	if e.Tools != nil { // prebuilt tools: look for lab beside them
		p := filepath.Join(filepath.Dir(e.tools.Agent), "lab")
		if _, err := os.Stat(p); err == nil {
			e.labBin = p
			return p, nil
		}
	}
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		return "", fmt.Errorf("chaos: no go module to build ./lab from (%v)", err)
	}
	bin := filepath.Join(e.root, "lab")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./lab")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("chaos: build lab: %v\n%s", err, out)
	}
	e.labBin = bin
	return bin, nil
}
