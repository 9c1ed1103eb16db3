// Package simtest starts device twins for tests: one way, for every twin and every test that
// talks to one (drivers, the agent, kiosk doctor), so a twin that fails to serve fails the test.
// CheckPage checks a twin's control page against its control API.
package simtest

import (
	"context"
	"testing"
	"time"
)

// Twin is what every twin in firmware-sim/sim offers.
type Twin interface {
	Run(ctx context.Context) error
	WaitPath(ctx context.Context, old string) (string, error)
}

// Patience bounds starting and stopping a twin: generous, for a loaded 2-core machine.
const Patience = 15 * time.Second

// Start runs tw until the test ends (then checks that Run returned nil) and returns the path of
// the pseudo-terminal it serves on.
func Start(t testing.TB, tw Twin) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("twin: Run returned %v after cancel, want nil", err)
			}
		case <-time.After(Patience):
			t.Error("twin: Run did not return after cancel")
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, Patience)
	defer wcancel()
	path, err := tw.WaitPath(wctx, "")
	if err != nil {
		select {
		case runErr := <-done:
			done <- runErr // for the cleanup
			t.Fatalf("twin did not start: %v", runErr)
		default:
		}
		t.Fatalf("twin did not serve within %v: %v", Patience, err)
	}
	return path
}
