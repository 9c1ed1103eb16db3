package terminal

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLastProgressURLFromATranscript(t *testing.T) {
	p := filepath.Join(t.TempDir(), "receipt-001.txt")
	body := "受理回执\n[qr module 6 level M: http://127.0.0.1:8090/progress/TZ202611300000018]\n[cut partial]\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, ok := lastProgressURL(p); !ok || got != "http://127.0.0.1:8090/progress/TZ202611300000018" {
		t.Errorf("lastProgressURL = %q, %v", got, ok)
	}
	if err := os.WriteFile(p, []byte("[qr module 6 level M: http://x/progress/TZ202611300000017]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := lastProgressURL(p); ok {
		t.Error("a tracking number with a wrong check character was taken")
	}
}
