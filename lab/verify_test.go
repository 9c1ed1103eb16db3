package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/verdict"
)

// TestVerifyCatchesAnyChange: a signed report verifies; one changed byte anywhere, or no
// signature, makes `lab verify` say NOT VERIFIED and exit 1.
func TestVerifyCatchesAnyChange(t *testing.T) {
	if _, err := os.Stat(report.DefaultFont); err != nil {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" {
			t.Fatalf("report font missing (scripts/test.sh installs fonts-arphic-gbsn00lp): %v", err)
		}
		t.Skip("report font missing")
	}
	dir := t.TempDir()
	signer, err := report.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	pdf, err := report.Render(report.Report{Number: "OS-2026-000001", Issued: day, Tested: [2]time.Time{day, day},
		Rule: verdict.ILACG8, Overall: verdict.Pass},
		report.Opts{VerifyBase: "https://lab.example.cn"})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signer.Sign(pdf)
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, report.PubKeyFile)
	check := func(name string, body []byte) (int, string) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"verify", "--key", key, p}, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := check("good.pdf", signed); code != 0 || !strings.Contains(out, "genuine: report OS-2026-000001") {
		t.Fatalf("genuine report: exit %d: %s", code, out)
	}
	for _, at := range []int{0, len(signed) / 3, len(signed) / 2, len(signed) - 20, len(signed) - 2} {
		bad := bytes.Clone(signed)
		bad[at] ^= 0x01
		if code, out := check("bad.pdf", bad); code != 1 || !strings.Contains(out, "NOT VERIFIED") {
			t.Errorf("byte %d changed: exit %d: %s", at, code, out)
		}
	}
	if code, out := check("unsigned.pdf", pdf); code != 1 || !strings.Contains(out, "no lab signature") {
		t.Errorf("unsigned: exit %d: %s", code, out)
	}
}
