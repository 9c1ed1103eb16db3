//go:build cgo

package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// asMain names the environment variable that makes the test binary run as the kiosk program,
// with the arguments it holds (separated by \x1f), on the main goroutine.
const asMain = "ONESTOP_KIOSK_AS_MAIN"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(asMain); ok {
		os.Exit(run(context.Background(), strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestTourSavesEveryScreenAndLeaksNothing runs `kiosk tour` for real: the Fyne app in a window
// (under Xvfb in scripts/test.sh), the three twins on pseudo-terminals, the embedded backend.
// Then it reads back what the run left: every screenshot, the printed receipts, and every byte
// of the databases and logs, which must not hold the test card's personal data in clear.
func TestTourSavesEveryScreenAndLeaksNothing(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" {
			t.Fatal("no DISPLAY: scripts/test.sh runs the suite under xvfb-run")
		}
		t.Skip("no DISPLAY (run under xvfb-run)")
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// Fyne's window loop must own the process's main thread, which a test function never has:
	// the test runs this same binary again as the kiosk program (see TestMain).
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), asMain+"="+strings.Join([]string{"tour", "--quick", "--out", out}, "\x1f"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("kiosk tour: %v\n%s", err, tailOf(stderr.String(), 3000))
	}
	t.Logf("kiosk tour: %s in %v", strings.TrimSpace(stdout.String()), time.Since(start).Round(time.Second))
	shots, _ := filepath.Glob(filepath.Join(out, "*.png"))
	if want := 15 * 3; len(shots) != want {
		t.Errorf("%d screenshots, want %d", len(shots), want)
	}
	// Every screen of each pass, at the size of its screen: wider content would have grown the
	// window past the panel.
	sizes := map[string][2]int{"zh-Hans-": {1080, 1920}, "en-elder-": {1080, 1920}, "landscape-zh-Hans-": {1920, 1080}}
	for pass, size := range sizes {
		for _, name := range []string{"01-attract", "02-card-read", "03-catalogue", "04-consent", "05-checklist",
			"06-form-keypad", "07-review", "08-receipt", "09-rating", "10-helper-call", "11-progress", "12-ticket",
			"13-idle-warning", "14-admin", "15-paper-out"} {
			p := filepath.Join(out, pass+name+".png")
			f, err := os.Open(p)
			if err != nil {
				t.Errorf("missing %s", filepath.Base(p))
				continue
			}
			cfg, err := png.DecodeConfig(f)
			f.Close()
			if err != nil || cfg.Width != size[0] || cfg.Height != size[1] {
				t.Errorf("%s: %dx%d %v, want %dx%d", filepath.Base(p), cfg.Width, cfg.Height, err, size[0], size[1])
			}
		}
	}
	// Receipts came out of the printer twin; what it printed holds masked values only.
	txts, _ := filepath.Glob(filepath.Join(out, "data", "sim", "receipts", "*.txt"))
	if len(txts) < 3 {
		t.Errorf("%d receipts printed, want one per pass at least (3)", len(txts))
	}
	leaks(t, filepath.Join(out, "data"))
}

// leaks fails for any file under dir holding a test person's name or number in clear, in
// UTF-8, GB18030 or UTF-16 (what a receipt, a database or a log could carry).
func leaks(t *testing.T, dir string) {
	t.Helper()
	secrets := []string{"张三", "110101199003070011", "张小宝", "13800000011", "6217000000000000011", "示例路1号"}
	var needles [][]byte
	for _, s := range secrets {
		needles = append(needles, []byte(s))
		if g, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s)); err == nil {
			needles = append(needles, g)
		}
		if u, err := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(s)); err == nil {
			needles = append(needles, u)
		}
	}
	n := 0
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || info.Mode()&os.ModeType != 0 {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for i, nd := range needles {
			if bytes.Contains(b, nd) {
				t.Errorf("%s holds %q in clear", path, secrets[i/3])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Errorf("only %d files under %s: expected databases, logs and receipts", n, dir)
	}
}

func tailOf(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
