package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

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
	url, _ := startServing(t, "rig", link, func(ctx context.Context, stdout io.Writer) error {
		return serveRig(ctx, rigFlags{scenario: "nominal", link: link, control: "127.0.0.1:0", baud: 115200, unit: 1}, sc, stdout, io.Discard)
	})
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

// Every twin's help and the command's usage point people at the control page.
func TestHelpNamesControlPage(t *testing.T) {
	for name := range twins {
		var out strings.Builder
		if code := dispatch([]string{name, "--help"}, &out, io.Discard); code != 0 {
			t.Fatalf("%s --help: exit %d", name, code)
		}
		if !strings.Contains(out.String(), "GET  /                a page") || !strings.Contains(out.String(), "browser") {
			t.Errorf("%s --help does not name the control page", name)
		}
	}
	var out strings.Builder
	dispatch([]string{"help"}, &out, io.Discard)
	if !strings.Contains(out.String(), "open it in a browser") {
		t.Errorf("help does not name the control page: %q", out.String())
	}
}
