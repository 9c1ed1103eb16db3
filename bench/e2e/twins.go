package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	simrig "github.com/onestop-station/onestop/firmware-sim/sim/rig"
)

// twinsEnv makes this program a twin host instead of the bench: many rig twins in one process
// share one Go runtime, so the load source costs far less than a firmware-sim per rig, and it
// runs apart from the lab so the lab's CPU is the lab's alone.
const twinsEnv = "ONESTOP_E2E_TWINS"

// maybeServeTwins serves the twins and exits when twinsEnv is set ("N DIR"); otherwise it returns.
func maybeServeTwins() {
	spec := os.Getenv(twinsEnv)
	if spec == "" {
		return
	}
	n, dir, ok := strings.Cut(spec, " ")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 1 {
		fmt.Fprintf(os.Stderr, "e2e twins: %s=%q: want \"N DIR\"\n", twinsEnv, spec)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := serveTwins(ctx, count, dir, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "e2e twins:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// serveTwins runs n twins linked as dir/rig0..; it prints "ready" once all serve, then answers
// each stdin line with the readings served so far by all twins. It stops at EOF or ctx's end.
func serveTwins(ctx context.Context, n int, dir string, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	twins := make([]*simrig.Twin, n)
	errc := make(chan error, n)
	for i := range twins {
		twins[i] = simrig.New(simrig.Opts{Link: rigLink(dir, i), Logger: logger})
		go func(t *simrig.Twin) { errc <- t.Run(ctx) }(twins[i])
	}
	for _, t := range twins {
		if _, err := t.WaitPath(ctx, ""); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "ready")
	lines := make(chan struct{})
	go func() {
		s := bufio.NewScanner(in)
		for s.Scan() {
			lines <- struct{}{}
		}
		close(lines)
	}()
	for {
		select {
		case <-ctx.Done():
			return waitTwins(errc, n)
		case err := <-errc:
			return fmt.Errorf("a twin stopped: %v", err)
		case _, ok := <-lines:
			if !ok {
				cancel()
				return waitTwins(errc, n)
			}
			var served int64
			for _, t := range twins {
				served += t.Counters().ReadingsServed
			}
			fmt.Fprintln(out, served)
		}
	}
}

func waitTwins(errc chan error, n int) error {
	for range n {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

func rigLink(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("rig%d", i)) }

// twinHost is the twin host child process as the bench sees it.
type twinHost struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startTwinHost(n int, dir string) (*twinHost, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d %s", twinsEnv, n, dir))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("e2e: start twin host: %w", err)
	}
	h := &twinHost{cmd: cmd, in: in, out: bufio.NewScanner(outp)}
	if !h.out.Scan() || h.out.Text() != "ready" {
		h.stop()
		return nil, fmt.Errorf("e2e: twin host with %d twins did not get ready", n)
	}
	return h, nil
}

// offered asks the host for the readings its twins have served so far.
func (h *twinHost) offered(context.Context) (int64, error) {
	if _, err := fmt.Fprintln(h.in, "?"); err != nil {
		return 0, fmt.Errorf("e2e: ask twin host: %w", err)
	}
	if !h.out.Scan() {
		return 0, fmt.Errorf("e2e: twin host gave no count: %v", h.out.Err())
	}
	return strconv.ParseInt(h.out.Text(), 10, 64)
}

func (h *twinHost) pid() int { return h.cmd.Process.Pid }

func (h *twinHost) stop() {
	h.in.Close()
	done := make(chan struct{})
	go func() { h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		h.cmd.Process.Kill()
		<-done
	}
}
