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

// labProc is `lab serve` as a child process: embedded broker, ingest and store in one process
// that a scenario can SIGKILL, restarted on the same port and database.
type labProc struct {
	bin, addr, DB, log string
	p                  *demo.Proc
	starts             int
}

func (r *run) startLabProc(ctx context.Context) (*labProc, error) {
	bin, err := r.buildLab(ctx)
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	l := &labProc{bin: bin, addr: addr, DB: filepath.Join(r.dir, "lab.db"), log: filepath.Join(r.dir, "lab.log")}
	return l, l.Start(ctx)
}

// URL is the lab's embedded broker.
func (l *labProc) URL() string { return "tcp://" + l.addr }

// Start runs `lab serve` and waits until its ingest has subscribed (its log says so once more
// than before), so readings published from then on are taken.
func (l *labProc) Start(ctx context.Context) error {
	const ready = "ingest: connected and subscribed"
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The default accounts (lab/lab-secret, agent1/agent1-secret) are demo's, allowed on loopback.
		p, err := demo.StartProc("lab", l.bin, []string{"serve", "--db", l.DB, "--listen", l.addr, "--http", "off"}, l.log)
		if err != nil {
			return err
		}
		for !p.Exited() && strings.Count(readFile(l.log), ready) <= l.starts && time.Now().Before(deadline) {
			if err := sleep(ctx, 20*time.Millisecond); err != nil {
				p.Kill()
				return err
			}
		}
		if !p.Exited() && strings.Count(readFile(l.log), ready) > l.starts {
			l.p = p
			l.starts++
			return nil
		}
		p.Kill()
		if time.Now().After(deadline) {
			return fmt.Errorf("chaos: lab serve did not become ready (see %s)", l.log)
		}
		sleep(ctx, 200*time.Millisecond) // e.g. the port still held
	}
}

// Kill ends the lab with SIGKILL, mid-transaction if it was in one.
func (l *labProc) Kill() {
	if l.p != nil {
		l.p.Kill()
		l.p = nil
	}
}

// Stop ends the lab with SIGTERM.
func (l *labProc) Stop() {
	if l.p != nil {
		l.p.Stop(10 * time.Second)
		l.p = nil
	}
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
