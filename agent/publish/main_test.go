package publish

import (
	"log/slog"
	"os"
	"testing"
)

// TestMain keeps the forwarder's info lines out of test and benchmark output; warnings still show.
func TestMain(m *testing.M) {
	if os.Getenv("ONESTOP_TEST_VERBOSE") == "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}
	os.Exit(m.Run())
}
