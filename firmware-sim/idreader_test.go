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

	"github.com/onestop-station/onestop/firmware-sim/sim/idreader"
)

func TestIDReaderHelp(t *testing.T) {
	var out, errb strings.Builder
	if code := dispatch([]string{"idreader", "--help"}, &out, &errb); code != 0 {
		t.Fatalf("idreader --help: exit %d, stderr %q", code, errb.String())
	}
	for _, s := range []string{"-card", "-baud", "-link", "-control", "GET  /state", "GET  /counters",
		"POST /card", "POST /fault", "POST /sam", "GET  /cards", "read_failure", "latch", "zhangsan"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("idreader --help does not explain %s", s)
		}
	}
	if code := dispatch([]string{"idreader", "--baud", "0"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("--baud 0: exit %d, want 2", code)
	}
	if code := dispatch([]string{"idreader", "--card", "nobody", "--control", "off"}, io.Discard, io.Discard); code != 1 {
		t.Errorf("unknown card: exit %d, want 1", code)
	}
	out.Reset()
	if dispatch([]string{"help"}, &out, io.Discard); !strings.Contains(out.String(), "idreader") {
		t.Errorf("help does not list idreader: %q", out.String())
	}
}

// The first stdout line names the PTY, the second the control API, which works.
func TestServeIDReaderPrintsPathAndControl(t *testing.T) {
	link := filepath.Join(t.TempDir(), "idreader0")
	url, _ := startServing(t, "idreader", link, func(ctx context.Context, stdout io.Writer) error {
		return serveIDReader(ctx, idreaderFlags{card: "zhangsan", link: link, control: "127.0.0.1:0", baud: 115200}, stdout, io.Discard)
	})
	target, _ := os.Readlink(link)
	resp, err := http.Post(url+"/card", "application/json", strings.NewReader(`{"name":"mary-sample"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s idreader.State
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || s.Card != "mary-sample" || !s.Present || s.Path != target {
		t.Errorf("POST /card: %+v %v", s, err)
	}
	page, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer page.Body.Close()
	if ct := page.Header.Get("Content-Type"); page.StatusCode != 200 || !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET /: %d %s", page.StatusCode, ct)
	}
}
