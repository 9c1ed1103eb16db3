package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/onestop-station/onestop/bench/internal/probe"
	"github.com/onestop-station/onestop/lab/broker"
	"github.com/onestop-station/onestop/lab/ingest"
	"github.com/onestop-station/onestop/lab/store"
)

// workerArg, as the first argument, makes this program a lab worker instead of the bench.
const workerArg = "lab-worker"

// Accounts of both brokers; loopback only, so the embedded broker accepts them.
const (
	site      = "bench"
	labUser   = "lab"
	labPass   = "lab-bench-pw"
	agentPass = "agent-bench-pw"
)

func agentName(i int) string { return fmt.Sprintf("agent%d", i) }

// maybeWorker runs a lab worker and exits when this process was started as one.
func maybeWorker() {
	if len(os.Args) < 2 || os.Args[1] != workerArg {
		return
	}
	if err := runWorker(os.Args[2:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ingest worker:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runWorker is the lab side of one row: lab/store + lab/ingest, and the embedded broker when no
// broker URL is given, reached in process (ingest.Opts.Embedded) as `lab serve` runs them. Once subscribed it prints
// "ready BROKER_URL HTTP_ADDR"; HTTP_ADDR serves the ingest's /api/agents (its Stats). It stops on
// SIGTERM or when stdin closes (the bench died).
func runWorker(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(workerArg, flag.ContinueOnError)
	db := fs.String("db", "", "SQLite file of the lab store")
	url := fs.String("broker", "", "broker URL; empty: run the embedded broker")
	agents := fs.Int("agents", 1, "agent accounts of the embedded broker")
	group := fs.String("share-group", "", "share the data topics in this $share group")
	clientID := fs.String("client-id", "lab-"+site, "MQTT client id")
	profile := fs.String("cpuprofile", "", "write a CPU profile of this worker here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	stopProfile, err := probe.StartCPUProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); stop() }()

	st, err := store.Open(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	opts := ingest.Opts{BrokerURL: *url, Username: labUser, Password: labPass,
		Site: site, ClientID: *clientID, Store: st, ShareGroup: *group}
	if *url == "" {
		b, err := startEmbedded(ctx, *agents)
		if err != nil {
			return err
		}
		defer b.Close()
		*url = b.URL()
		opts.Embedded = b // in process, as lab serve reaches its own broker
	}
	in, err := ingest.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer in.Close()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := in.WaitReady(wctx); err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: ingest.AgentsHandler(in), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	defer srv.Close()
	fmt.Fprintf(stdout, "ready %s %s\n", *url, l.Addr())
	<-ctx.Done()
	return nil
}

func startEmbedded(ctx context.Context, agents int) (*broker.Broker, error) {
	lab, err := broker.NewUser(labUser, broker.RoleLab, "", labPass)
	if err != nil {
		return nil, err
	}
	users := []broker.User{lab}
	for i := range agents {
		u, err := broker.NewUser(agentName(i), broker.RoleAgent, site, agentPass)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return broker.Start(ctx, broker.Opts{Addr: "127.0.0.1:0", Users: users})
}

// worker is a lab worker child process as the bench sees it.
type worker struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	url      string // its broker's
	httpAddr string
	exited   chan struct{}
}

// startWorker starts a copy of this program as a lab worker and waits for its "ready" line.
// Its stderr goes to logPath.
func startWorker(logPath string, args ...string) (*worker, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{workerArg}, args...)...)
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start lab worker: %w", err)
	}
	w := &worker{cmd: cmd, stdin: stdin, exited: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ready ") {
				ready <- sc.Text()
			}
		}
	}()
	go func() { cmd.Wait(); logf.Close(); close(w.exited) }()
	select {
	case line := <-ready:
		f := strings.Fields(line)
		w.url, w.httpAddr = f[1], f[2]
		return w, nil
	case <-w.exited:
		b, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("lab worker exited at start: %s", strings.TrimSpace(string(b)))
	case <-time.After(60 * time.Second):
		w.stop()
		return nil, errors.New("lab worker: not ready in 60 s")
	}
}

func (w *worker) pid() int { return w.cmd.Process.Pid }

// stop asks the worker to finish (its CPU profile is written then) and kills it if it takes long.
func (w *worker) stop() {
	w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.exited:
	case <-time.After(15 * time.Second):
		w.cmd.Process.Kill()
		<-w.exited
	}
	w.stdin.Close()
}
