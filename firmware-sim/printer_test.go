package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	simprinter "github.com/onestop-station/onestop/firmware-sim/sim/printer"
)

func TestPrinterHelpAndFlags(t *testing.T) {
	var out, errb strings.Builder
	if code := dispatch([]string{"printer", "--help"}, &out, &errb); code != 0 {
		t.Fatalf("printer --help: exit %d, stderr %q", code, errb.String())
	}
	for _, s := range []string{"-out", "-font", "-link", "-control", "-baud", "-stdin", "GET  /state", "GET  /counters",
		"GET  /receipts", "POST /paper", "POST /cover", "POST /fault", "no_reply", "garbage", "0x1E", "receipt-NNN.png"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("printer --help does not explain %s", s)
		}
	}
	if code := dispatch([]string{"printer", "--baud", "0"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("--baud 0: exit %d, want 2", code)
	}
	errb.Reset()
	if code := dispatch([]string{"printer", "--font", "/nonexistent.ttf", "--out", t.TempDir(), "--control", "off"}, io.Discard, &errb); code != 1 ||
		!strings.Contains(errb.String(), "font /nonexistent.ttf") {
		t.Errorf("missing font: exit %d, %q", code, errb.String())
	}
}

// stdout: the PTY, then the control API; stdin commands change the paper.
func TestServePrinterLines(t *testing.T) {
	if _, err := os.Stat(simprinter.DefaultFont); err != nil {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" { // scripts/test.sh installs them: missing is a failure there
			t.Fatalf("pinned font missing: %v", err)
		}
		t.Skipf("pinned font missing: %v", err)
	}
	link := filepath.Join(t.TempDir(), "printer0")
	cmdR, cmdW := io.Pipe()
	f := printerFlags{out: t.TempDir(), font: simprinter.DefaultFont, link: link, control: "127.0.0.1:0", baud: 115200}
	url, lines := startServing(t, "printer", link, func(ctx context.Context, stdout io.Writer) error {
		return servePrinter(ctx, f, cmdR, stdout, io.Discard)
	}, func() { cmdW.Close() })
	if _, err := io.WriteString(cmdW, "paper near_end\n"); err != nil {
		t.Fatal(err)
	}
	if !lines.Scan() || !strings.Contains(lines.Text(), `"paper":"near_end"`) {
		t.Fatalf("stdin command answer %q", lines.Text())
	}
	resp, err := http.Get(url + "/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Paper  string `json:"paper"`
		Online bool   `json:"online"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.Paper != "near_end" || !st.Online {
		t.Errorf("GET /state: %+v %v", st, err)
	}
}
