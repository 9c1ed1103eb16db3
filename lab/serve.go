package main

import (
	"context"
	"errors"
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
	if cfg.Broker.Embedded {
		b, err := startBroker(ctx, cfg)
		if err != nil {
			return err
		}
		defer b.Close()
		slog.Info("lab: embedded broker", "addr", b.Addr(), "users", len(cfg.Users))
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o750); err != nil {
		return err
	}
	st, err := store.Open(cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	in, err := ingest.Start(ctx, ingest.Opts{BrokerURL: cfg.BrokerURL(), Username: cfg.Broker.Username,
		Password: cfg.Broker.Password, Site: cfg.Site, Store: st, Shared: cfg.Broker.Shared})
	if err != nil {
		return err
	}
	defer in.Close()
	if cfg.HTTP != "" {
		ln, err := net.Listen("tcp", cfg.HTTP)
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
		srv := &http.Server{Handler: apiMux(in), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		slog.Info("lab: HTTP API", "url", "http://"+ln.Addr().String()+"/api/agents")
	}
	slog.Info("lab: running", "site", cfg.Site, "db", cfg.DB, "broker", cfg.BrokerURL())
	<-ctx.Done()
	slog.Info("lab: stopping")
	return nil
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

var errNoStation = errors.New("no lab station answering")
