package doctor

import (
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	drv "github.com/onestop-station/onestop/drivers/scanner"
	simscanner "github.com/onestop-station/onestop/firmware-sim/sim/scanner"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
)

// startScanner runs the scanner twin on a pseudo-terminal and returns the link to open.
func startScanner(t *testing.T, o simscanner.Opts) string {
	t.Helper()
	o.Link = filepath.Join(t.TempDir(), "scanner")
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	tw, err := simscanner.New(o)
	if err != nil {
		t.Fatal(err)
	}
	simtest.Start(t, tw)
	return o.Link
}

func TestScannerReadsTriggeredCodes(t *testing.T) {
	link := startScanner(t, simscanner.Opts{Dialect: drv.Newland, AIM: true, Charset: drv.GBK,
		Codes: []simscanner.Code{{Data: "办成一件事 https://x.cn/q?id=1", Symbology: "qr"}, {Data: "6901234567892", Symbology: "ean13"}}})
	code, out, errOut := run("scanner", "--port", link, "--dialect", "newland", "--aim", "--count", "2", "--json", "--timeout", "10s")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []map[string]string{
		{"data": "办成一件事 https://x.cn/q?id=1", "symbology": "qr", "charset": "gbk"},
		{"data": "6901234567892", "symbology": "ean13"},
	}
	if len(lines) != 2 {
		t.Fatalf("output:\n%s", out)
	}
	for i, l := range lines {
		var got map[string]string
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, l)
		}
		for k, v := range want[i] {
			if got[k] != v {
				t.Errorf("line %d: %s = %q, want %q", i, k, got[k], v)
			}
		}
	}
}

func TestScannerFailures(t *testing.T) {
	silent := startScanner(t, simscanner.Opts{Dialect: drv.DialectNone})
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"no ack from a scanner without that dialect", []string{"--port", silent, "--dialect", "newland", "--timeout", "3s"}, ExitNoAnswer},
		{"nothing presented in time", []string{"--port", silent, "--timeout", "300ms"}, ExitNothing},
		{"no such port", []string{"--port", filepath.Join(t.TempDir(), "nothing")}, ExitNoPort},
		{"bad dialect", []string{"--port", silent, "--dialect", "zebra"}, ExitUsage},
	}
	for _, c := range cases {
		code, _, errOut := run(append([]string{"scanner"}, c.args...)...)
		if code != c.want || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%s: exit %d, want %d; stderr %q", c.name, code, c.want, errOut)
		}
	}
}
