package printer

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
)

func TestControlPage(t *testing.T) {
	tw, _ := newTestTwin(t)
	simtest.CheckPage(t, tw.Handler(), "POST /paper", "POST /cover", "POST /fault",
		"GET /receipts", "GET /receipts/1.png", "GET /receipts/1.txt")
}

func TestReceiptFiles(t *testing.T) {
	tw, _ := newTestTwin(t)
	// A file in the output directory the twin did not write this run: never served.
	if err := os.WriteFile(filepath.Join(tw.opts.OutDir, "secret.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tw.in.feed(append([]byte("hello receipt\n"), hx(t, "1D 56 00")...))
	srv := httptest.NewServer(tw.Handler())
	defer srv.Close()
	get := func(path string) (int, string, []byte) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}
	rc := tw.Receipts()[0]
	code, ctype, body := get("/receipts/1.png")
	want, _ := os.ReadFile(rc.PNG)
	if code != 200 || ctype != "image/png" || !bytes.Equal(body, want) {
		t.Errorf("GET /receipts/1.png: %d %s, %d bytes (want %d)", code, ctype, len(body), len(want))
	}
	code, ctype, body = get("/receipts/1.txt")
	if code != 200 || ctype != "text/plain; charset=utf-8" || !bytes.Contains(body, []byte("hello receipt")) {
		t.Errorf("GET /receipts/1.txt: %d %s %q", code, ctype, body)
	}
	for path, wantCode := range map[string]int{
		"/receipts/2.png":                  404, // not printed
		"/receipts/0.png":                  400,
		"/receipts/01.png":                 400,
		"/receipts/1.svg":                  400,
		"/receipts/secret.txt":             400,
		"/receipts/..%2Fsecret.txt":        400,
		"/receipts/1.png%2F..%2F..":        400,
		"/receipts/..%2F..%2Fetc%2Fpasswd": 400,
	} {
		if code, _, body := get(path); code != wantCode {
			t.Errorf("GET %s: %d %q, want %d", path, code, body, wantCode)
		}
	}
}
