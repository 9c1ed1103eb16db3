package printer

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// DLE EOT answers of device-protocols.md 2.4 for each condition.
func TestStatusReplies(t *testing.T) {
	tests := []struct {
		set  func(*Twin) error
		want string // replies to DLE EOT 1..4
	}{
		{func(*Twin) error { return nil }, "12 12 12 12"},
		{func(t *Twin) error { return t.SetPaper(PaperNearEnd) }, "12 12 12 1E"},
		{func(t *Twin) error { return t.SetPaper(PaperOut) }, "1A 32 12 7E"},
		{func(t *Twin) error { return t.SetCover(true) }, "1A 16 12 12"},
		{func(t *Twin) error { return t.InjectFault(Fault{Kind: "cutter"}) }, "1A 52 1A 12"},
		{func(t *Twin) error { return t.InjectFault(Fault{Kind: "unrecoverable"}) }, "1A 52 32 12"},
	}
	for _, tt := range tests {
		tw, host := newTestTwin(t)
		if err := tt.set(tw); err != nil {
			t.Fatal(err)
		}
		tw.in.feed(hx(t, "10 04 01 10 04 02 10 04 03 10 04 04 10 04 05"))
		if got := host.take(); !bytes.Equal(got, hx(t, tt.want)) {
			t.Errorf("%+v: % X, want %s", tw.State(), got, tt.want)
		}
	}
}

// ASB: the current status when switched on, then a frame per change of an
// enabled class, none for a disabled one.
func TestASB(t *testing.T) {
	tw, host := newTestTwin(t)
	tw.in.feed(hx(t, "1D 61 08")) // paper sensor class only
	if got := host.take(); !bytes.Equal(got, hx(t, "10 00 00 00")) {
		t.Errorf("on enable: % X", got)
	}
	steps := []struct {
		do   func() error
		want string
	}{
		{func() error { return tw.SetPaper(PaperNearEnd) }, "10 00 03 00"},
		{func() error { return tw.SetPaper(PaperNearEnd) }, ""}, // no change
		{func() error { return tw.SetCover(true) }, ""},         // online class not enabled
		{func() error { return tw.SetPaper(PaperOut) }, "38 00 0F 00"},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatal(err)
		}
		if got := host.take(); !bytes.Equal(got, hx(t, s.want)) {
			t.Errorf("step %d: % X, want %s", i, got, s.want)
		}
	}
	tw.in.feed(hx(t, "1D 61 0F"))
	host.take()
	_ = tw.InjectFault(Fault{Kind: "cutter"})
	if got := host.take(); !bytes.Equal(got, hx(t, "38 08 0F 00")) {
		t.Errorf("cutter error: % X", got)
	}
	tw.in.feed(hx(t, "10 05 01")) // DLE ENQ 1 recovers the cutter
	if got := host.take(); !bytes.Equal(got, hx(t, "38 00 0F 00")) {
		t.Errorf("recovered: % X", got)
	}
	tw.in.feed(hx(t, "1D 61 00"))
	_ = tw.SetPaper(PaperOK)
	if got := host.take(); len(got) != 0 {
		t.Errorf("ASB off, still sent % X", got)
	}
	if c := tw.Counters(); c.ASBFrames != 6 {
		t.Errorf("asb_frames %d", c.ASBFrames)
	}
}

func TestFaultsOnReplies(t *testing.T) {
	tw, host := newTestTwin(t)
	_ = tw.InjectFault(Fault{Kind: "no_reply", Count: 2})
	tw.in.feed(hx(t, "10 04 01 10 04 01 10 04 01"))
	if got := host.take(); !bytes.Equal(got, hx(t, "12")) {
		t.Errorf("no_reply 2: % X", got)
	}
	_ = tw.InjectFault(Fault{Kind: "garbage"})
	tw.in.feed(hx(t, "10 04 04 10 04 04"))
	if got := host.take(); !bytes.Equal(got, append(append([]byte(nil), garbage...), 0x12, 0x12)) {
		t.Errorf("garbage: % X", got)
	}
	_ = tw.InjectFault(Fault{Kind: "no_reply", Count: -1})
	_ = tw.InjectFault(Fault{Kind: "clear"})
	tw.in.feed(hx(t, "10 04 01 1D 72 01"))
	if got := host.take(); !bytes.Equal(got, hx(t, "12 00")) {
		t.Errorf("after clear: % X", got)
	}
	if err := tw.InjectFault(Fault{Kind: "melt"}); err == nil {
		t.Error("unknown fault accepted")
	}
}

func TestControlAPI(t *testing.T) {
	tw, _ := newTestTwin(t)
	srv := httptest.NewServer(tw.Handler())
	defer srv.Close()
	post := func(path, body string) (int, State) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st State
		_ = json.NewDecoder(resp.Body).Decode(&st)
		return resp.StatusCode, st
	}
	if code, st := post("/paper", `{"state":"near_end"}`); code != 200 || st.Paper != PaperNearEnd || !st.Online {
		t.Errorf("POST /paper: %d %+v", code, st)
	}
	if code, st := post("/cover", `{"open":true}`); code != 200 || !st.CoverOpen || st.Online {
		t.Errorf("POST /cover: %d %+v", code, st)
	}
	if code, st := post("/fault", `{"kind":"no_reply","count":3}`); code != 200 || st.NoReply != 3 {
		t.Errorf("POST /fault: %d %+v", code, st)
	}
	for path, body := range map[string]string{"/paper": `{"state":"empty"}`, "/fault": `{"kind":"x"}`, "/cover": `{"opened":1}`} {
		if code, _ := post(path, body); code != 400 {
			t.Errorf("POST %s %s: %d", path, body, code)
		}
	}
	tw.in.feed(hx(t, "1D 56 00"))
	for _, path := range []string{"/state", "/counters", "/receipts"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, resp, err)
		}
		var v any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Errorf("GET %s: %v", path, err)
		}
		resp.Body.Close()
	}
}

func TestCommandLines(t *testing.T) {
	tw, _ := newTestTwin(t)
	for _, line := range []string{"paper out", "cover open", "fault garbage 2", "state", "counters", ""} {
		if _, err := tw.Command(line); err != nil {
			t.Errorf("%q: %v", line, err)
		}
	}
	if st := tw.State(); st.Paper != PaperOut || !st.CoverOpen || st.Garbage != 2 {
		t.Errorf("state %+v", st)
	}
	for _, line := range []string{"paper gone", "cover ajar", "fault garbage x", "eject"} {
		if _, err := tw.Command(line); err == nil {
			t.Errorf("%q accepted", line)
		}
	}
}

func TestMissingFontIsAClearError(t *testing.T) {
	_, err := New(Opts{OutDir: t.TempDir(), Font: "/nonexistent/font.ttf"})
	if err == nil || !strings.Contains(err.Error(), "font /nonexistent/font.ttf") || !strings.Contains(err.Error(), "fonts-arphic-gbsn00lp") {
		t.Errorf("got %v", err)
	}
	if _, err := New(Opts{}); err == nil {
		t.Error("no output directory accepted")
	}
}
