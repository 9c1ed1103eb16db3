package broker

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:1883": true, "127.3.2.1:0": true, "[::1]:1883": true, "localhost:1883": true,
		"0.0.0.0:1883": false, ":1883": false, "[::]:8883": false, "192.168.1.10:1883": false,
		"lab-station:1883": false, "127.0.0.1": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func mustUser(t *testing.T, name string, role Role, pw string) User {
	t.Helper()
	u, err := NewUser(name, role, "", pw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestWellKnownPasswordRefusedOffLoopback(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	lab := mustUser(t, "lab", RoleLab, DefaultLabPassword)
	agent := mustUser(t, "agent1", RoleAgent, DefaultAgentPassword)
	renamed := mustUser(t, "bench-3", RoleAgent, DefaultAgentPassword) // a file giving the same password
	strong := mustUser(t, "bench-4", RoleAgent, "a long password of its own")
	tlsCfg := selfSignedTLS(t)
	cases := []struct {
		name  string
		opts  Opts
		users []User
		who   string
	}{
		{"lab default on all interfaces", Opts{Addr: "0.0.0.0:0"}, []User{strong, lab}, `"lab"`},
		{"agent default on all interfaces", Opts{Addr: ":0"}, []User{agent}, `"agent1"`},
		{"default password under another name", Opts{Addr: "[::]:0"}, []User{strong, renamed}, `"bench-3"`},
		{"TLS listener off loopback", Opts{Addr: "127.0.0.1:0", TLSAddr: "0.0.0.0:0", TLS: tlsCfg}, []User{lab}, `"lab"`},
	}
	for _, c := range cases {
		c.opts.Users, c.opts.Logger = c.users, quiet
		b, err := Start(context.Background(), c.opts)
		if err == nil {
			b.Close()
			t.Errorf("%s: started", c.name)
			continue
		}
		msg := err.Error()
		if !errors.Is(err, ErrDefaultPassword) || !strings.Contains(msg, c.who) || !strings.Contains(msg, "password_hash") {
			t.Errorf("%s: error %q does not name the account %s and password_hash", c.name, msg, c.who)
		}
	}
	b, err := Start(context.Background(), Opts{Addr: "127.0.0.1:0", TLSAddr: "[::1]:0", TLS: tlsCfg,
		Users: []User{lab, agent}, Logger: quiet})
	if err != nil {
		t.Fatalf("defaults on loopback refused: %v", err)
	}
	b.Close()

	// A running broker reachable from the network takes no default password later either.
	open := &Broker{opts: Opts{Addr: "0.0.0.0:1883"}, users: &users{m: map[string]User{}}}
	if err := open.AddUser(renamed); !errors.Is(err, ErrDefaultPassword) {
		t.Errorf("AddUser with a default password off loopback: %v", err)
	}
	if err := open.AddUser(strong); err != nil {
		t.Errorf("AddUser with its own password: %v", err)
	}
}
