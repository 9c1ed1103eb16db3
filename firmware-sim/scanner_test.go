package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	simscanner "github.com/onestop-station/onestop/firmware-sim/sim/scanner"
)

func TestScannerHelpAndFlags(t *testing.T) {
	var out, errb strings.Builder
	if code := dispatch([]string{"scanner", "--help"}, &out, &errb); code != 0 {
		t.Fatalf("scanner --help: exit %d, stderr %q", code, errb.String())
	}
	for _, s := range []string{"-dialect", "-suffix", "-aim", "-charset", "-code", "-every", "-link", "-control", "-baud",
		"GET  /state", "GET  /counters", "POST /code", "POST /trigger", "POST /fault", "16 54 0D", "SCNTRG1"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("scanner --help does not explain %s", s)
		}
	}
	out.Reset()
	if code := dispatch([]string{"help"}, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "scanner") {
		t.Errorf("help lists no scanner: %q", out.String())
	}
	for _, args := range [][]string{{"--baud", "0"}, {"--every", "-1s"}, {"extra"}, {"--nope"}} {
		if code := dispatch(append([]string{"scanner"}, args...), io.Discard, io.Discard); code != 2 {
			t.Errorf("scanner %v: exit %d, want 2", args, code)
		}
	}
	for _, args := range [][]string{{"--dialect", "zebra"}, {"--suffix", "line"}, {"--charset", "auto"}, {"--charset", "gbk", "--code", "😀"}} {
		errb.Reset()
		if code := dispatch(append([]string{"scanner", "--control", "off"}, args...), io.Discard, &errb); code != 1 || errb.Len() == 0 {
			t.Errorf("scanner %v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

func TestScannerCodeFlag(t *testing.T) {
	f, _, ok := parseScannerFlags([]string{"--code", "ean13:6901234567892", "--code", "https://x.cn/q?id=1", "--code", "no:symbology"}, io.Discard, io.Discard)
	if !ok {
		t.Fatal("flags refused")
	}
	o, err := f.opts()
	if err != nil {
		t.Fatal(err)
	}
	want := []simscanner.Code{{Data: "6901234567892", Symbology: "ean13"}, {Data: "https://x.cn/q?id=1"}, {Data: "no:symbology"}}
	if len(o.Codes) != 3 || o.Codes[0] != want[0] || o.Codes[1] != want[1] || o.Codes[2] != want[2] {
		t.Errorf("codes %+v", o.Codes)
	}
}

// The first stdout line names the PTY, the second the control API.
func TestServeScannerPrintsPathAndControl(t *testing.T) {
	link := filepath.Join(t.TempDir(), "scanner0")
	f := scannerFlags{dialect: "newland", suffix: "cr", charset: "gbk", link: link, control: "127.0.0.1:0", baud: 115200}
	url, _ := startServing(t, "scanner", link, func(ctx context.Context, stdout io.Writer) error {
		return serveScanner(ctx, f, stdout, io.Discard)
	})
	resp, err := http.Get(url + "/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s simscanner.State
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || s.Dialect != "newland" || s.Charset != "gbk" || s.Next != simscanner.DefaultCode {
		t.Errorf("GET /state: %+v %v", s, err)
	}
}
