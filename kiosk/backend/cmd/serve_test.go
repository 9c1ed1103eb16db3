package backendcmd

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"github.com/onestop-station/onestop/internal/syncbuf"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/kiosk/backend"
	"github.com/onestop-station/onestop/kiosk/seal"
)

func TestHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Serve(context.Background(), []string{"--help"}, &out, &errb); code != ExitOK {
		t.Fatalf("--help exit %d: %s", code, errb.String())
	}
	for _, f := range []string{"--listen", "--db", "--key-file", KeyEnv, "--token", "--staff-token",
		"--public-url", "--seed-demo", "--retention", "--gen-key"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("help does not explain %s", f)
		}
	}
}

func TestRefusals(t *testing.T) {
	t.Setenv(KeyEnv, "")
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		args []string
		code int
		msg  string
	}{
		"demo token off loopback": {[]string{"--listen", "0.0.0.0:0"}, ExitUsage, "loopback"},
		"bad token":               {[]string{"--token", "T01"}, ExitUsage, "TERMINAL=TOKEN"},
		"staff is terminal":       {[]string{"--token", "T01=x", "--staff-token", "x"}, ExitUsage, "differ"},
		"bad retention":           {[]string{"--retention", "soon"}, ExitUsage, "retention"},
		"no key":                  {[]string{"--db", filepath.Join(dir, "a.db")}, ExitError, KeyEnv},
		"stray argument":          {[]string{"serve"}, ExitUsage, "unexpected"},
	} {
		var out, errb bytes.Buffer
		code := Serve(context.Background(), tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", name, code, errb.String(), tc.code, tc.msg)
		}
	}
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "kiosk.key")
	var out, errb bytes.Buffer
	if code := Serve(context.Background(), []string{"--gen-key", keyFile}, &out, &errb); code != ExitOK {
		t.Fatalf("--gen-key exit %d: %s", code, errb.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan int)
	go func() {
		done <- Serve(ctx, []string{"--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "b.db"), "--key-file", keyFile,
			"--seed-demo", "--staff-token", "staff", "--public-url", "https://zwfw.example.gov.cn", "--retention", "30d"},
			stdout, stderr)
	}()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if base == "" {
		t.Fatalf("no listening line; stderr:\n%s", stderr.String())
	}
	c := backend.NewClient(base, DemoToken, nil)
	if err := c.Health(ctx); err != nil {
		t.Fatal(err)
	}
	ls, err := c.Licences(ctx, backend.DemoZhangSan, []string{"birth_medical_cert"})
	if err != nil || len(ls) != 1 {
		t.Fatalf("demo licences = %v, %v", ls, err)
	}
	r, err := c.Submit(ctx, backend.Application{ID: "a1", ItemID: "newborn", Role: "parent",
		Applicant: backend.Person{Name: "张三", IDNumber: backend.DemoZhangSan}, ConsentAt: time.Now()})
	if err != nil || !strings.HasPrefix(r.ProgressURL, "https://zwfw.example.gov.cn/progress/TZ") {
		t.Fatalf("receipt = %+v, %v", r, err)
	}
	if _, err := backend.NewClient(base, "staff", nil).Advance(ctx, r.Tracking, backend.StateAccepted, ""); err != nil {
		t.Fatal(err)
	}
	// --seed-demo prints a day-long resident code per demo card, by card file name only.
	codes := regexp.MustCompile(`(?m)^demo resident code (\w+): (JMM1:\S+)$`).FindAllStringSubmatch(stdout.String(), -1)
	if len(codes) != len(backend.DemoResidents) {
		t.Fatalf("%d demo resident codes, want %d:\n%s", len(codes), len(backend.DemoResidents), stdout.String())
	}
	for i, m := range codes {
		p := backend.DemoResidents[i]
		name, id, err := c.ResolveCode(ctx, m[2])
		if m[1] != p.Card || err != nil || name != p.Name || id != p.IDNumber {
			t.Errorf("code %s resolves to %q, %q, %v; want %s's person", m[1], name, id, err, p.Card)
		}
		if exp := demoCodeExpiry(t, keyFile, m[2]); exp.Sub(time.Now()) < 23*time.Hour || exp.Sub(time.Now()) > 25*time.Hour {
			t.Errorf("code %s expires at %v, want in 24 h", m[1], exp)
		}
		if strings.Contains(stdout.String(), p.Name) || strings.Contains(stdout.String(), p.IDNumber) {
			t.Errorf("stdout holds %s's name or number", p.Card)
		}
	}
	if !strings.Contains(stderr.String(), "demo token") {
		t.Errorf("no warning about the demo token:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "张三") || strings.Contains(stderr.String(), backend.DemoZhangSan) {
		t.Errorf("personal data in the log:\n%s", stderr.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not stop when its context ended")
	}
}

// demoCodeExpiry opens a resident code with the server's key and returns its expiry.
func demoCodeExpiry(t *testing.T, keyFile, code string) time.Time {
	t.Helper()
	key, err := seal.LoadKey(keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(code, backend.ResidentCodePrefix))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.Open(sealed, []byte("resident-code"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(plain, &c); err != nil {
		t.Fatal(err)
	}
	return time.Unix(c.Exp, 0)
}
