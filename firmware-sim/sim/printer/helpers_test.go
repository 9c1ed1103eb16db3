package printer

import (
	"bytes"
	"encoding/hex"
	"image"
	"image/png"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
)

// hostBuf stands in for the host end of the line: what the twin sends.
type hostBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (h *hostBuf) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.b.Write(p)
}

// take returns and forgets what was sent so far.
func (h *hostBuf) take() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := append([]byte(nil), h.b.Bytes()...)
	h.b.Reset()
	return out
}

// newTestTwin returns a twin that is not running: tests feed its
// interpreter directly and read what it sends from the returned buffer.
func newTestTwin(t testing.TB) (*Twin, *hostBuf) {
	t.Helper()
	if _, err := os.Stat(DefaultFont); err != nil {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" { // scripts/test.sh installs them: missing is a failure there
			t.Fatalf("pinned font missing (apt-get install fonts-arphic-gbsn00lp): %v", err)
		}
		t.Skipf("pinned font missing (apt-get install fonts-arphic-gbsn00lp): %v", err)
	}
	tw, err := New(Opts{OutDir: t.TempDir(), Baud: 1 << 30, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	h := &hostBuf{}
	tw.setWriter(h)
	return tw, h
}

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readPNG(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func transcript(t testing.TB, r Receipt) string {
	t.Helper()
	b, err := os.ReadFile(r.Text)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
