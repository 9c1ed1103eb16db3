package broker

import (
	"errors"
	"fmt"
	"net"
)

// Passwords of the accounts that the lab's and the agent's defaults and the demo ship with. They
// are public, so they may only guard a broker that nobody else can reach.
const (
	DefaultLabPassword   = "lab-secret"
	DefaultAgentPassword = "agent1-secret"
)

// WellKnownPasswords are refused for every account when the broker listens on anything but
// loopback.
var WellKnownPasswords = []string{DefaultLabPassword, DefaultAgentPassword}

// ErrDefaultPassword marks an account with a well-known password on a broker others can reach.
var ErrDefaultPassword = errors.New("well-known default password on a broker reachable from the network")

// checkWellKnown refuses u if it has a well-known password and b listens beyond loopback.
func (b *Broker) checkWellKnown(u User) error {
	var open []string
	for _, a := range []string{b.opts.Addr, b.opts.TLSAddr} {
		if a != "" && !IsLoopback(a) {
			open = append(open, a)
		}
	}
	if len(open) == 0 {
		return nil
	}
	for _, pw := range WellKnownPasswords {
		if checkPassword(u.Hash, pw) {
			return fmt.Errorf("broker: account %q: %w (%q, listening on %v): give it its own password "+
				"as password_hash in its [[user]] entry (go run ./lab hash-password prints one), "+
				"or listen on 127.0.0.1 only", u.Name, ErrDefaultPassword, pw, open[0])
		}
	}
	return nil
}

// IsLoopback reports whether a listen address host:port can be reached from this machine only.
// An empty host ("":1883) or a name other than localhost listens on more than loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
