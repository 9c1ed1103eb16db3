package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Tools are the agent and firmware-sim programs the demo starts as child processes: the lab
// never links agent code (DESIGN.md), and a real process is what an outage test must kill.
type Tools struct {
	Agent, FirmwareSim string
}

// BuildTools compiles ./agent and ./firmware-sim of the module that holds the working directory
// into dir. Without a go command it looks for installed binaries beside the running program.
func BuildTools(ctx context.Context, dir string) (Tools, error) { return buildTools(ctx, dir, false) }

// BuildRaceTools is BuildTools with the race detector in the children: a race there makes the
// child exit with status 66, which Proc.Stop reports. Tests built with -race use it.
func BuildRaceTools(ctx context.Context, dir string) (Tools, error) {
	return buildTools(ctx, dir, true)
}

func buildTools(ctx context.Context, dir string, race bool) (Tools, error) {
	t := Tools{Agent: filepath.Join(dir, "agent"), FirmwareSim: filepath.Join(dir, "firmware-sim")}
	root, ok := moduleRoot(ctx)
	if !ok {
		return installedTools()
	}
	args := []string{"-o", dir + string(filepath.Separator)}
	cgo := "CGO_ENABLED=0"
	if race {
		args, cgo = append(args, "-race"), "CGO_ENABLED=1"
	}
	if err := goBuild(ctx, root, cgo, append(args, "./agent", "./firmware-sim")...); err != nil {
		return Tools{}, fmt.Errorf("demo: build agent and firmware-sim: %w", err)
	}
	return t, nil
}

// BuildBenchAgent compiles ./agent with the "bench" tag, which adds its synthetic rigs (see
// agent/synthetic.go), into dir and returns the binary's path. It needs the source tree.
func BuildBenchAgent(ctx context.Context, dir string) (string, error) {
	root, ok := moduleRoot(ctx)
	if !ok {
		return "", errors.New("demo: the bench build of the agent needs the source tree (go env GOMOD)")
	}
	bin := filepath.Join(dir, "agent-bench")
	if err := goBuild(ctx, root, "CGO_ENABLED=0", "-tags", "bench", "-o", bin, "./agent"); err != nil {
		return "", fmt.Errorf("demo: build agent -tags bench: %w", err)
	}
	return bin, nil
}

// moduleRoot is the folder of the module that holds the working directory, if there is a go
// command and a module.
func moduleRoot(ctx context.Context) (string, bool) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", false
	}
	return filepath.Dir(gomod), true
}

// goBuild runs go build with args in root, with env added to the environment.
func goBuild(ctx context.Context, root, env string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", append([]string{"build"}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v\n%s", err, out)
	}
	return nil
}

func installedTools() (Tools, error) {
	self, err := os.Executable()
	if err != nil {
		return Tools{}, err
	}
	dir := filepath.Dir(self)
	t := Tools{Agent: filepath.Join(dir, "agent"), FirmwareSim: filepath.Join(dir, "firmware-sim")}
	for _, p := range []string{t.Agent, t.FirmwareSim} {
		if _, err := os.Stat(p); err != nil {
			return Tools{}, fmt.Errorf("demo: no go command and no %s beside %s", filepath.Base(p), self)
		}
	}
	return t, nil
}

// Proc is a child process whose stdout lines are kept for the caller and whose stderr goes to a log file.
type Proc struct {
	Name  string
	cmd   *exec.Cmd
	lines chan string
	done  chan struct{}
	err   error
	once  sync.Once
}

// StartProc starts bin with args; stderr is appended to logPath.
func StartProc(name, bin string, args []string, logPath string) (*Proc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Ctrl-C on the demo reaches us, not the children
	out, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("demo: start %s: %w", name, err)
	}
	p := &Proc{Name: name, cmd: cmd, lines: make(chan string, 64), done: make(chan struct{})}
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			select {
			case p.lines <- s.Text():
			default: // nobody is reading: later lines are only informative
			}
		}
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// WaitLine returns the first stdout line containing substr.
func (p *Proc) WaitLine(substr string, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case l := <-p.lines:
			if strings.Contains(l, substr) {
				return l, nil
			}
		case <-p.done:
			return "", fmt.Errorf("demo: %s exited before printing %q: %v", p.Name, substr, p.err)
		case <-t.C:
			return "", fmt.Errorf("demo: %s printed no %q within %v", p.Name, substr, timeout)
		}
	}
}

// Stop sends SIGTERM and waits up to grace for a clean exit, then kills.
func (p *Proc) Stop(grace time.Duration) error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		var ee *exec.ExitError
		if errors.As(p.err, &ee) && ee.ExitCode() > 0 {
			return fmt.Errorf("demo: %s exited with status %d", p.Name, ee.ExitCode())
		}
		return nil
	case <-time.After(grace):
		p.Kill()
		return fmt.Errorf("demo: %s did not stop within %v; killed", p.Name, grace)
	}
}

// Kill ends the process at once with SIGKILL, as a power cut would, and waits for it.
func (p *Proc) Kill() {
	p.once.Do(func() { p.cmd.Process.Kill() })
	<-p.done
}

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits up to timeout for the process to end by itself and returns its exit status (-1
// when a signal ended it); an error says it is still running.
func (p *Proc) Wait(timeout time.Duration) (int, error) {
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode(), nil
	case <-time.After(timeout):
		return 0, fmt.Errorf("demo: %s still running after %v", p.Name, timeout)
	}
}
