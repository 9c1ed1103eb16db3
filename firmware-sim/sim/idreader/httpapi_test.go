package idreader

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
	tw, err := New(Opts{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(tw.Handler())
	defer srv.Close()
	post := func(path, body string, wantCode int) State {
		t.Helper()
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != wantCode {
			t.Fatalf("POST %s %s: %d %s", path, body, resp.StatusCode, raw)
		}
		var s State
		if wantCode == 200 {
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	if s := post("/card", `{"name":"lisi"}`, 200); !s.Present || s.Card != "lisi" || s.Latched {
		t.Errorf("placed: %+v", s)
	}
	tw.mod.latch()
	if s := post("/card", `{"present":false}`, 200); s.Present || s.Latched {
		t.Errorf("lifted: %+v", s)
	}
	if s := post("/card", `{"present":true}`, 200); !s.Present || s.Card != "lisi" {
		t.Errorf("put back: %+v", s)
	}
	if s := post("/sam", `{"ok":false}`, 200); s.SAMOK {
		t.Errorf("SAM: %+v", s)
	}
	if s := post("/fault", `{"kind":"slow","delay_ms":500,"count":2,"on":"find"}`, 200); s.Faults["slow"] != 2 {
		t.Errorf("fault: %+v", s)
	}
	if s := post("/fault", `{"kind":"no_reply","sticky":true}`, 200); s.Faults["no_reply"] != -1 {
		t.Errorf("sticky fault: %+v", s)
	}
	if s := post("/fault", `{"kind":"clear"}`, 200); len(s.Faults) != 0 {
		t.Errorf("clear: %+v", s)
	}
	post("/fault", `{"kind":"melt"}`, 400)
	post("/card", `{"name":"../../etc/passwd"}`, 400)
	post("/card", `{}`, 400)
	post("/card", `{"nam":"lisi"}`, 400)
	post("/counters/reset", ``, 200)

	resp, err := http.Get(srv.URL + "/cards")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var cards []cardInfo
	if err := json.Unmarshal(raw, &cards); err != nil || len(cards) != len(CardNames()) {
		t.Fatalf("GET /cards: %s %v", raw, err)
	}
	lc, _ := LoadCard("lisi")
	if strings.Contains(string(raw), lc.Card.Name.Reveal()) || strings.Contains(string(raw), lc.Card.IDNumber.Reveal()) {
		t.Error("GET /cards shows personal data")
	}
	for _, path := range []string{"/state", "/counters"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("GET %s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
}

func TestControlPage(t *testing.T) {
	tw, err := New(Opts{})
	if err != nil {
		t.Fatal(err)
	}
	simtest.CheckPage(t, tw.Handler(), "GET /cards", "POST /card", "POST /sam", "POST /fault", "POST /counters/reset")
}
