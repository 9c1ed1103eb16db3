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
	"time"

	"github.com/onestop-station/onestop/lab/broker"
	"github.com/onestop-station/onestop/lab/config"
	"github.com/onestop-station/onestop/lab/ingest"
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
	<-ctx.Done()
	slog.Info("lab: stopping")
	return nil
}

// station is a running lab: broker (if embedded), store, ingest and HTTP API.
type station struct {
	broker   *broker.Broker
	store    *store.Store
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
	st.ingest, err = ingest.Start(ctx, ingest.Opts{BrokerURL: url, Username: cfg.Broker.Username,
		Password: cfg.Broker.Password, Site: cfg.Site, Store: st.store, Shared: cfg.Broker.Shared})
	if err != nil {
		return st, err
	}
	if cfg.HTTP != "" {
		ln, err := net.Listen("tcp", cfg.HTTP)
		if err != nil {
			return st, fmt.Errorf("http: %w", err)
		}
		st.httpAddr = ln.Addr().String()
		st.http = &http.Server{Handler: apiMux(st.ingest), ReadHeaderTimeout: 5 * time.Second}
		go st.http.Serve(ln)
		slog.Info("lab: HTTP API", "url", "http://"+st.httpAddr+"/api/agents")
	}
	slog.Info("lab: running", "site", cfg.Site, "db", cfg.DB, "broker", url)
	return st, nil
}

// Close stops the parts in the reverse order of their start.
func (st *station) Close() {
	if st.http != nil {
		st.http.Close()
	}
	if st.ingest != nil {
		st.ingest.Close()
	}
	if st.store != nil {
		st.store.Close()
	}
	if st.broker != nil {
		st.broker.Close()
	}
}

func startBroker(ctx context.Context, cfg config.Config) (*broker.Broker, error) {
	var users []broker.User
	for _, u := range cfg.Users {
		bu, err := broker.NewUser(u.Name, broker.Role(u.Role), "", u.Password)
		if err != nil {
			return nil, err
		}
		users = append(users, bu)
	}
	return broker.Start(ctx, broker.Opts{Addr: cfg.Broker.Listen, Users: users})
}

func apiMux(in *ingest.Ingest) *http.ServeMux {
	mux := http.NewServeMux()
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
