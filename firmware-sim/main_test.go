package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	simrig "github.com/onestop-station/onestop/firmware-sim/sim/rig"
)

func TestDispatch(t *testing.T) {
	var out, errb strings.Builder
	if code := dispatch([]string{"rig", "--help"}, &out, &errb); code != 0 {
		t.Fatalf("rig --help: exit %d, stderr %q", code, errb.String())
	}
	for _, flag := range []string{"-scenario", "-baud", "-link", "-control", "-unit", "POST /fault", "GET  /counters"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("rig --help does not explain %s", flag)
		}
	}
	if code := dispatch([]string{"toaster"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("unknown twin: exit %d, want 2", code)
	}
	if code := dispatch([]string{"rig", "--unit", "0"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("--unit 0: exit %d, want 2", code)
	}
	out.Reset()
	if code := dispatch([]string{"help"}, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "rig") {
		t.Errorf("help: exit %d, %q", code, out.String())
	}
}

// The first stdout line names the PTY, the second the control API.
func TestServeRigPrintsPathAndControl(t *testing.T) {
	sc, err := simrig.LoadScenario("nominal")
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "rig0")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveRig(ctx, rigFlags{scenario: "nominal", link: link, control: "127.0.0.1:0", baud: 115200, unit: 1}, sc, pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		go io.Copy(io.Discard, pr) // the twin may still print while stopping
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serveRig: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("serveRig did not stop")
		}
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatal("no first line")
	}
	first := lines.Text()
	target, _ := os.Readlink(link)
	if !strings.HasPrefix(first, "rig: serving on /dev/") || !strings.Contains(first, "(link "+link+")") || !strings.Contains(first, target) {
		t.Errorf("first line %q (link → %q)", first, target)
	}
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "rig: control http://127.0.0.1:") {
		t.Fatalf("second line %q", lines.Text())
	}
	url := strings.TrimPrefix(lines.Text(), "rig: control ")
	resp, err := http.Get(url + "/counters")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c simrig.Counters
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || c.Channels != 11 {
		t.Errorf("GET /counters: %+v %v", c, err)
	}
}
