package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onestop-station/onestop/lab/config"
)

// The console's demo passwords are refused when the console listens beyond loopback; a config
// file that lists no console users keeps them (for trials on one machine).
func TestConsoleDemoPasswordsRefusedOffLoopback(t *testing.T) {
	cfg := config.Default()
	cfg.DB = filepath.Join(t.TempDir(), "lab.db")
	cfg.Broker.Listen = "127.0.0.1:0"
	cfg.HTTP = "0.0.0.0:0"
	st, err := startStation(context.Background(), cfg)
	if err == nil {
		st.Close()
		t.Fatal("the console started on 0.0.0.0 with operator-secret")
	}
	if !strings.Contains(err.Error(), "demo password") || !strings.Contains(err.Error(), "hash-password") {
		t.Errorf("error does not say what to do: %v", err)
	}
	if err := demoConsoleOffLoopback(cfg); err == nil {
		t.Error("demoConsoleOffLoopback accepted the demo password on 0.0.0.0")
	}
	cfg.HTTP = "127.0.0.1:0"
	if err := demoConsoleOffLoopback(cfg); err != nil {
		t.Errorf("loopback refused: %v", err)
	}
}
