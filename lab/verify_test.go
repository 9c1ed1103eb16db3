package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/store"
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

	// With the station's register (DATA/lab.db): in force, superseded by a reissue, withdrawn,
	// or a genuinely signed file that is not the one issued under its number.
	withDB := func(body []byte) (int, string) {
		p := filepath.Join(dir, "r.pdf")
		os.WriteFile(p, body, 0o644)
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"verify", "--data", dir, p}, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := withDB(signed); code != 0 || !strings.Contains(out, "register not checked") {
		t.Errorf("no register yet: exit %d: %s", code, out)
	}
	st, err := store.Open(filepath.Join(dir, "lab.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	sum := sha256.Sum256(signed)
	row := store.ReportRow{Number: "OS-2026-000001", Job: "J1", Hash: "h", FileSHA256: hex.EncodeToString(sum[:]),
		Issued: day, Content: []byte("{}"), PDF: signed}
	if err := st.AddReport(ctx, row, ""); err != nil {
		t.Fatal(err)
	}
	if code, out := withDB(signed); code != 0 || !strings.Contains(out, "in force") {
		t.Errorf("in force: exit %d: %s", code, out)
	}
	other, err := signer.Sign(append(bytes.Clone(pdf), '\n')) // signed by the lab, same number, another file
	if err != nil {
		t.Fatal(err)
	}
	if code, out := withDB(other); code != 1 || !strings.Contains(out, "not the file the lab issued") {
		t.Errorf("another signed file under the number: exit %d: %s", code, out)
	}
	row2 := row
	row2.Number = "OS-2026-000002"
	if err := st.AddReport(ctx, row2, row.Number); err != nil {
		t.Fatal(err)
	}
	if code, out := withDB(signed); code != 1 || !strings.Contains(out, "SUPERSEDED") || !strings.Contains(out, row2.Number) {
		t.Errorf("superseded: exit %d: %s", code, out)
	}
	if err := st.WithdrawReports(ctx, "J1", "job J1 invalidated"); err != nil {
		t.Fatal(err)
	}
	if code, out := withDB(signed); code != 1 || !strings.Contains(out, "WITHDRAWN") {
		t.Errorf("withdrawn: exit %d: %s", code, out)
	}
}
