package rig

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
)

func TestControlAPI(t *testing.T) {
	tw, c := client(t, Opts{Clock: newFakeClock().Now})
	srv := httptest.NewServer(tw.Handler())
	defer srv.Close()

	post := func(path, body string) (int, string) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	getJSON := func(path string, v any) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}

	snapshot(t, c)
	if code, body := post("/fault", `{"kind":"exception","count":1,"code":6}`); code != 200 {
		t.Fatalf("POST /fault: %d %s", code, body)
	}
	if got := exceptionCode(readSnap(c)); got != 6 {
		t.Errorf("after POST /fault: exception %v, want 6", got)
	}
	var cn Counters
	eventually(t, "counters", func() bool { getJSON("/counters", &cn); return cn.SnapshotReplies == 1 })
	if cn.Requests != 2 || cn.Exceptions != 1 || cn.ReadingsServed != numChannels {
		t.Errorf("GET /counters: %+v", cn)
	}

	if code, body := post("/scenario", `{"name":"overvoltage"}`); code != 200 {
		t.Fatalf("POST /scenario: %d %s", code, body)
	}
	var st State
	getJSON("/state", &st)
	if st.Scenario != "overvoltage" || st.Alarms&alOverVoltage == 0 || st.Path == "" {
		t.Errorf("GET /state: %+v", st)
	}
	if code, _ := post("/estop", `{"on":true}`); code != 200 || !tw.State().EStop {
		t.Errorf("POST /estop: %d", code)
	}
	if code, _ := post("/sensor", `{"channel":"ambient_temp","open":true}`); code != 200 {
		t.Errorf("POST /sensor: %d", code)
	}
	if code, _ := post("/counters/reset", ``); code != 200 || tw.Counters().Requests != 0 {
		t.Errorf("POST /counters/reset: %d", code)
	}

	for _, bad := range []struct{ path, body string }{
		{"/fault", `{"kind":"melt"}`},
		{"/fault", `{"kind":"slow"}`},
		{"/fault", `not json`},
		{"/scenario", `{"name":"../../etc/passwd.toml"}`},
		{"/scenario", `{"name":"nope"}`},
		{"/sensor", `{"channel":"nope","open":true}`},
	} {
		if code, _ := post(bad.path, bad.body); code != http.StatusBadRequest {
			t.Errorf("POST %s %s: %d, want 400", bad.path, bad.body, code)
		}
	}
	var names []string
	getJSON("/scenarios", &names)
	if len(names) != 4 {
		t.Errorf("GET /scenarios: %v", names)
	}
}

func TestControlPage(t *testing.T) {
	simtest.CheckPage(t, New(Opts{}).Handler(), "GET /scenarios", "POST /scenario", "POST /estop",
		"POST /sensor", "POST /fault", "POST /counters/reset")
}
