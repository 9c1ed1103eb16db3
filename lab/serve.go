package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/onestop-station/onestop/internal/passhash"
	"github.com/onestop-station/onestop/lab/broker"
	"github.com/onestop-station/onestop/lab/command"
	"github.com/onestop-station/onestop/lab/config"
	"github.com/onestop-station/onestop/lab/console"
	"github.com/onestop-station/onestop/lab/desk"
	"github.com/onestop-station/onestop/lab/ingest"
	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/store"
)

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, rest, err := config.Parse("serve", args, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Errorf("serve: unexpected arguments %q", rest)}
	}
	st, err := startStation(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.Simulate != "" {
		stop, err := simulate(ctx, st, cfg)
		if err != nil {
			return err
		}
		defer stop()
	}
	<-ctx.Done()
	slog.Info("lab: stopping")
	return nil
}

// station is a running lab: broker (if embedded), store, command sender, desk (jobs, runs,
// reports), ingest, and the HTTP console and API.
type station struct {
	broker   *broker.Broker
	store    *store.Store
	cmd      *command.Sender
	desk     *desk.Desk
	ingest   *ingest.Ingest
	http     *http.Server
	httpAddr string // real address, also when the configuration asked for port 0
}

func startStation(ctx context.Context, cfg config.Config) (st *station, err error) {
	st = &station{}
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	url := cfg.BrokerURL()
	if cfg.Broker.Embedded {
		if st.broker, err = startBroker(ctx, cfg); err != nil {
			return st, err
		}
		url = st.broker.URL()
		slog.Info("lab: embedded broker", "addr", st.broker.Addr(), "users", len(cfg.Users))
	}
	if err = os.MkdirAll(filepath.Dir(cfg.DB), 0o750); err != nil {
		return st, err
	}
	if st.store, err = store.Open(cfg.DB); err != nil {
		return st, err
	}
	plans, err := plan.Load(cfg.Plans) // every plan file is checked now, not when a job needs it
	if err != nil {
		return st, err
	}
	if _, err := os.Stat(fontOr(cfg.Console.Font)); err != nil {
		slog.Warn("lab: no report font: releasing a job will fail until it is installed", "font", fontOr(cfg.Console.Font))
	}
	signer, err := report.LoadOrCreateKey(cfg.DataDir())
	if err != nil {
		return st, err
	}
	// Listen before anything is issued: with port 0 the verify URL on reports needs the real one.
	var ln net.Listener
	publicURL := cfg.PublicURL()
	if cfg.HTTP != "" {
		if ln, err = net.Listen("tcp", cfg.HTTP); err != nil {
			return st, fmt.Errorf("http: %w", err)
		}
		st.httpAddr = ln.Addr().String()
		if cfg.Console.PublicURL == "" {
			publicURL = "http://" + st.httpAddr
		}
		defer func() {
			if st.http == nil {
				ln.Close()
			}
		}()
	}
	clientTLS, err := cfg.ClientTLS()
	if err != nil {
		return st, err
	}
	st.cmd, err = command.Dial(command.Opts{BrokerURL: url, Username: cfg.Broker.Username, Password: cfg.Broker.Password,
		TLS: clientTLS, Site: cfg.Site, ClientID: cfg.ClientID("onestop-lab-cmd"), Timeout: 5 * time.Second})
	if err != nil {
		return st, err
	}
	lab := desk.DefaultLab
	if cfg.Console.LabNameZh != "" {
		lab = report.Party{Name: report.Bilingual{Zh: cfg.Console.LabNameZh, En: cfg.Console.LabNameEn}, Address: cfg.Console.LabAddress}
	}
	st.desk, err = desk.New(desk.Opts{Store: st.store, Plans: plans, Sender: st.cmd, Signer: signer, Lab: lab,
		Font: cfg.Console.Font, VerifyBase: publicURL, ReportDir: filepath.Join(cfg.DataDir(), "reports")})
	if err != nil {
		return st, err
	}
	io := ingest.Opts{BrokerURL: url, ClientID: cfg.ClientID("lab"), Username: cfg.Broker.Username,
		Password: cfg.Broker.Password, TLS: clientTLS, Site: cfg.Site, Store: st.store, Shared: cfg.Broker.Shared,
		OnStored: st.desk.Readings}
	if st.broker != nil && !cfg.Broker.Shared {
		io.Embedded = st.broker // in process: no client, no loopback TCP (docs/performance.md)
	}
	st.ingest, err = ingest.Start(ctx, io)
	if err != nil {
		return st, err
	}
	if cfg.HTTP != "" {
		if err := demoConsoleOffLoopback(cfg); err != nil {
			return st, err
		}
		users, err := consoleUsers(cfg.Console.Users)
		if err != nil {
			return st, err
		}
		con, err := console.New(console.Opts{Service: st.desk, Users: users})
		if err != nil {
			return st, err
		}
		st.http = &http.Server{Handler: httpMux(st.ingest, con), ReadHeaderTimeout: 5 * time.Second}
		go st.http.Serve(ln)
		slog.Info("lab: console", "url", "http://"+st.httpAddr+"/", "verify", publicURL+"/verify/{no}")
	}
	slog.Info("lab: running", "site", cfg.Site, "db", cfg.DB, "broker", url)
	return st, nil
}

// Close stops the parts in the reverse order of their start.
func (st *station) Close() {
	if st.http != nil {
		st.http.Close()
	}
	if st.desk != nil {
		st.desk.Close()
	}
	if st.ingest != nil {
		st.ingest.Close()
	}
	if st.cmd != nil {
		st.cmd.Close()
	}
	if st.store != nil {
		st.store.Close()
	}
	if st.broker != nil {
		st.broker.Close()
	}
}

// startBroker starts the embedded broker with the configured accounts, agents bound to the
// station's site unless their entry names another, and the TLS listener if configured.
func startBroker(ctx context.Context, cfg config.Config) (*broker.Broker, error) {
	var users []broker.User
	for _, u := range cfg.Users {
		bu, err := brokerUser(u, cfg.Site)
		if err != nil {
			return nil, err
		}
		users = append(users, bu)
	}
	tlsCfg, err := cfg.ServerTLS()
	if err != nil {
		return nil, err
	}
	return broker.Start(ctx, broker.Opts{Addr: cfg.Broker.Listen, TLSAddr: cfg.Broker.TLSListen, TLS: tlsCfg, Users: users})
}

// brokerUser turns a [[user]] entry into a broker account: a hash as given, or a plain
// password hashed now.
func brokerUser(u config.User, site string) (broker.User, error) {
	if u.Site != "" || u.Role != string(broker.RoleAgent) {
		site = u.Site
	}
	if u.PasswordHash == "" {
		return broker.NewUser(u.Name, broker.Role(u.Role), site, u.Password)
	}
	bu := broker.User{Name: u.Name, Role: broker.Role(u.Role), Site: site, Hash: u.PasswordHash}
	return bu, bu.Validate()
}

// demoConsoleOffLoopback refuses the console's demo passwords when the console is reachable
// from other machines, as the broker refuses its demo passwords.
func demoConsoleOffLoopback(cfg config.Config) error {
	if broker.IsLoopback(cfg.HTTP) {
		return nil
	}
	for _, u := range cfg.Console.Users {
		if slices.Contains(config.DemoConsolePasswords, u.Password) {
			return fmt.Errorf("console: user %q has the demo password and the console listens on %s, not loopback: "+
				"give it a password_hash (go run ./lab hash-password) in [[console.user]]", u.Name, cfg.HTTP)
		}
	}
	return nil
}

// consoleUsers hashes the plain passwords of trial accounts; hashed ones pass as they are.
func consoleUsers(cfg []config.ConsoleUser) ([]console.User, error) {
	var out []console.User
	for _, u := range cfg {
		h := u.PasswordHash
		if h == "" {
			var err error
			if h, err = passhash.Hash(u.Password); err != nil {
				return nil, err
			}
		}
		out = append(out, console.User{Name: u.Name, Role: u.Role, Hash: h})
	}
	return out, nil
}

func fontOr(f string) string {
	if f == "" {
		return report.DefaultFont
	}
	return f
}

// httpMux serves the console (and its API and /verify) with the agents list and health check.
func httpMux(in *ingest.Ingest, con http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/", con)
	mux.Handle("GET /api/agents", ingest.AgentsHandler(in))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if !in.Connected() {
			http.Error(w, "broker connection down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}
