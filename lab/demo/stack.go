package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/broker"
	"github.com/onestop-station/onestop/lab/command"
	"github.com/onestop-station/onestop/lab/ingest"
	"github.com/onestop-station/onestop/lab/store"
)

// Demo accounts of the embedded broker.
const (
	Site      = "tengzhou"
	AgentName = "agent1"
	AgentPass = "agent1-secret"
	LabUser   = "lab"
	LabPass   = "lab-secret"
	RigName   = "rig0"
)

// Stack is a whole pre-test pipeline on one machine: broker, lab ingest and store, command
// sender, and — started separately — a rig twin and an agent as child processes.
type Stack struct {
	Dir    string
	Tools  Tools
	Broker *broker.Broker // nil when an external broker is used
	URL    string         // broker URL every client uses
	Store  *store.Store
	Ingest *ingest.Ingest
	Cmd    *command.Sender
	Twin   *Twin
	Agent  *Proc
}

// LabOpts say which broker to use: empty URL starts the embedded one on a free loopback port.
type LabOpts struct {
	URL, LabUser, LabPass string
	OnStored              func(agent, dev string, b telemetry.Batch) // see ingest.Opts
}

// StartLab starts the broker (unless opts.URL is set), the store in dir and the ingest.
func StartLab(ctx context.Context, dir string, tools Tools, opts LabOpts) (*Stack, error) {
	s := &Stack{Dir: dir, Tools: tools, URL: opts.URL}
	if opts.URL == "" {
		lab, err := broker.NewUser(LabUser, broker.RoleLab, "", LabPass)
		if err != nil {
			return nil, err
		}
		agent, err := broker.NewUser(AgentName, broker.RoleAgent, Site, AgentPass)
		if err != nil {
			return nil, err
		}
		s.Broker, err = broker.Start(ctx, broker.Opts{Addr: "127.0.0.1:0", Users: []broker.User{lab, agent}, Logger: quietLogger()})
		if err != nil {
			return nil, err
		}
		s.URL = s.Broker.URL()
		opts.LabUser, opts.LabPass = LabUser, LabPass
	}
	var err error
	if s.Store, err = store.Open(filepath.Join(dir, "lab.db")); err != nil {
		s.Close()
		return nil, err
	}
	io := ingest.Opts{BrokerURL: s.URL, Username: opts.LabUser, Password: opts.LabPass,
		Site: Site, Store: s.Store, Logger: quietLogger(), OnStored: opts.OnStored}
	if s.Broker != nil {
		io.Embedded = s.Broker // as `lab serve` does with its embedded broker
	}
	s.Ingest, err = ingest.Start(ctx, io)
	if err != nil {
		s.Close()
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.Ingest.WaitReady(wctx); err != nil {
		s.Close()
		return nil, err
	}
	s.Cmd, err = command.Dial(command.Opts{BrokerURL: s.URL, Username: opts.LabUser, Password: opts.LabPass, Site: Site, Timeout: 5 * time.Second})
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Twin is a running firmware-sim rig.
type Twin struct {
	*Proc
	Link    string // symlink the twin keeps pointing at its current pseudo-terminal
	Control string // base URL of its control API
}

// StartTwin starts the rig twin with a scenario; the agent opens it through Link.
func (s *Stack) StartTwin(scenario string) (*Twin, error) {
	link := filepath.Join(s.Dir, RigName)
	p, err := StartProc("firmware-sim", s.Tools.FirmwareSim,
		[]string{"rig", "--scenario", scenario, "--link", link, "--control", "127.0.0.1:0"},
		filepath.Join(s.Dir, "firmware-sim.log"))
	if err != nil {
		return nil, err
	}
	if _, err := p.WaitLine("serving on", 15*time.Second); err != nil {
		p.Kill()
		return nil, err
	}
	l, err := p.WaitLine("control http://", 5*time.Second)
	if err != nil {
		p.Kill()
		return nil, err
	}
	s.Twin = &Twin{Proc: p, Link: link, Control: strings.TrimSpace(l[strings.Index(l, "http://"):])}
	return s.Twin, nil
}

// Counters are the twin's own counts (see firmware-sim rig --help).
type Counters struct {
	Requests        int64 `json:"requests"`
	SnapshotReplies int64 `json:"snapshot_replies"`
	ReadingsServed  int64 `json:"readings_served"`
	CRCFaults       int64 `json:"crc_faults"`
	Drops           int64 `json:"drops"`
	Delays          int64 `json:"delays"`
	Exceptions      int64 `json:"exceptions"`
	Hangups         int64 `json:"hangups"`
}

// Counters reads the twin's counters.
func (t *Twin) Counters() (Counters, error) {
	var c Counters
	err := t.call(http.MethodGet, "/counters", nil, &c)
	return c, err
}

// Fault injects a fault, e.g. {"kind":"hangup","down_ms":2000}.
func (t *Twin) Fault(f map[string]any) error { return t.call(http.MethodPost, "/fault", f, nil) }

func (t *Twin) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, t.Control+path, body)
	if err != nil {
		return err
	}
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("demo: twin %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("demo: twin %s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// AgentOpts tune the agent child process.
type AgentOpts struct {
	Poll       time.Duration // default 100ms
	AckTimeout time.Duration // default the agent's
	Extra      []string      // more flags
}

// StartAgent starts the agent on the twin's link, with its outbox in the stack's folder (so a
// restarted agent finds the same outbox).
func (s *Stack) StartAgent(o AgentOpts) (*Proc, error) {
	if o.Poll == 0 {
		o.Poll = 100 * time.Millisecond
	}
	args := []string{"--broker", s.URL, "--username", AgentName, "--password", AgentPass, "--site", Site,
		"--agent", AgentName, "--rig", RigName + "=" + s.Twin.Link, "--outbox", s.OutboxPath(),
		"--metrics", "off", "--poll", o.Poll.String()}
	args = append(args, o.Extra...)
	p, err := StartProc("agent", s.Tools.Agent, args, filepath.Join(s.Dir, "agent.log"))
	if err != nil {
		return nil, err
	}
	s.Agent = p
	return p, nil
}

// WaitStored waits until the lab holds at least n readings; it returns the count it saw last.
func (s *Stack) WaitStored(ctx context.Context, n int64, timeout time.Duration) (int64, error) {
	deadline := time.Now().Add(timeout)
	for {
		got, err := s.Store.Count(ctx)
		if err != nil || got >= n {
			return got, err
		}
		if time.Now().After(deadline) {
			return got, fmt.Errorf("demo: %d of %d readings stored after %v", got, n, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Close stops everything the stack started, children first.
func (s *Stack) Close() {
	if s.Agent != nil && !s.Agent.Exited() {
		s.Agent.Stop(20 * time.Second)
	}
	if s.Twin != nil && !s.Twin.Exited() {
		s.Twin.Stop(5 * time.Second)
	}
	if s.Cmd != nil {
		s.Cmd.Close()
	}
	if s.Ingest != nil {
		s.Ingest.Close()
	}
	if s.Store != nil {
		s.Store.Close()
	}
	if s.Broker != nil {
		s.Broker.Close()
	}
}

// Sensor opens (or closes again) a channel's sensor on the twin: the rig then reports it faulty.
func (t *Twin) Sensor(channel string, open bool) error {
	return t.call(http.MethodPost, "/sensor", map[string]any{"channel": channel, "open": open}, nil)
}
