package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/onestop-station/onestop/internal/syncbuf"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const (
	testToken  = "tok-terminal-01"
	staffToken = "tok-staff"
)

type testEnv struct {
	st    *Store
	clk   *clock
	srv   *httptest.Server
	c     *Client // terminal T01
	staff *Client
	log   *syncbuf.Buffer
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	e := &testEnv{log: &syncbuf.Buffer{}}
	logger := slog.New(slog.NewTextHandler(e.log, nil))
	e.st, e.clk, _ = newTestStore(t, StoreOpts{Logger: logger})
	if err := e.st.SeedLicences(context.Background(), DemoSeed); err != nil {
		t.Fatal(err)
	}
	h := NewServer(e.st, ServerOpts{Tokens: map[string]string{testToken: "T01", "tok-2": "T02"},
		StaffToken: staffToken, Location: shanghai, Logger: logger})
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	e.c = NewClient(e.srv.URL, testToken, e.srv.Client())
	e.staff = NewClient(e.srv.URL, staffToken, e.srv.Client())
	return e
}

func TestClientRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	c := e.c

	ls, err := c.Licences(ctx, DemoZhangSan, []string{"birth_medical_cert"})
	if err != nil || len(ls) != 1 || ls[0].Fields["child_name"] != "张小宝" {
		t.Fatalf("Licences = %+v, %v", ls, err)
	}
	if _, err := c.Licences(ctx, "", nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "holder_id") {
		t.Fatalf("Licences(empty) err = %v", err)
	}

	a := newbornApp("app-1")
	a.Terminal = "spoofed"
	r, err := c.Submit(ctx, a)
	if err != nil || ValidTracking(r.Tracking) != nil || r.State != StateSubmitted {
		t.Fatalf("Submit = %+v, %v", r, err)
	}
	r2, err := c.Submit(ctx, a)
	if err != nil || !r2.SubmittedAt.Equal(r.SubmittedAt) || r2.Tracking != r.Tracking {
		t.Fatalf("retry = %+v, %v", r2, err)
	}
	bad := newbornApp("app-2")
	bad.Applicant.Name = ""
	if _, err := c.Submit(ctx, bad); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "applicant.name") {
		t.Fatalf("invalid submit err = %v", err)
	}

	p, err := c.Progress(ctx, r.Tracking)
	if err != nil || p.State != StateSubmitted || len(p.Steps) != 1 || p.ApplicantMask != "张*" {
		t.Fatalf("Progress = %+v, %v", p, err)
	}
	if _, err := c.Progress(ctx, NewTracking(time.Now(), 777)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown progress err = %v", err)
	}
	if _, err := c.Progress(ctx, "TZ../../x"); !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNotFound) {
		t.Fatalf("odd tracking err = %v", err)
	}

	if _, err := c.Advance(ctx, r.Tracking, StateAccepted, ""); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("terminal advancing err = %v", err)
	}
	p, err = e.staff.Advance(ctx, r.Tracking, StateAccepted, "受理")
	if err != nil || p.State != StateAccepted || p.Steps[1].Note != "受理" {
		t.Fatalf("Advance = %+v, %v", p, err)
	}
	if _, err := e.staff.Advance(ctx, r.Tracking, StateCompleted, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad transition err = %v", err)
	}

	tk, err := c.TakeTicket(ctx, TicketRequest{Window: "A", ItemID: "newborn", Tracking: r.Tracking})
	if err != nil || tk.Number != "A001" {
		t.Fatalf("TakeTicket = %+v, %v", tk, err)
	}
	tk2, _ := c.TakeTicket(ctx, TicketRequest{})
	if tk2.Number != "A002" || tk2.Ahead != 1 || tk2.Wait != 3*time.Minute {
		t.Fatalf("second ticket = %+v", tk2)
	}

	h, err := c.CallHelper(ctx, HelpRequest{Screen: "form", ItemID: "newborn"})
	if err != nil || h.ID == "" || h.ETA != 2*time.Minute {
		t.Fatalf("CallHelper = %+v, %v", h, err)
	}

	if err := c.Rate(ctx, Rating{VisitID: "visit-1", Tracking: r.Tracking, Level: 5}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rate(ctx, Rating{VisitID: "visit-1", Level: 4}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("second rating err = %v", err)
	}
	var term string
	e.st.db.QueryRow(`SELECT terminal FROM ratings WHERE visit_id = 'visit-1'`).Scan(&term)
	if term != "T01" {
		t.Fatalf("rating terminal = %q, want the token's T01", term)
	}
	e.st.db.QueryRow(`SELECT terminal FROM applications WHERE id = 'app-1'`).Scan(&term)
	if term != "T01" {
		t.Fatalf("application terminal = %q, want the token's T01", term)
	}

	ids, err := c.Popular(ctx, 3)
	if err != nil || len(ids) != 1 || ids[0] != "newborn" {
		t.Fatalf("Popular = %v, %v", ids, err)
	}
	if _, err := c.Popular(ctx, -2); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Popular(-2) err = %v", err)
	}
	if err := c.Health(ctx); err != nil {
		t.Fatal(err)
	}

	// Nothing personal reached the log.
	logs := e.log.String()
	for _, v := range []string{"张三", DemoZhangSan, "13800000011", "张小宝"} {
		if strings.Contains(logs, v) {
			t.Errorf("log holds %q:\n%s", v, logs)
		}
	}
	if !strings.Contains(logs, "/v1/applications") {
		t.Fatalf("no request log at all:\n%s", logs)
	}
}

func do(t *testing.T, method, url, token, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestServerAuthAndErrors(t *testing.T) {
	e := newTestEnv(t)
	u := e.srv.URL
	for _, tc := range []struct {
		method, path, token, body string
		status                    int
		code                      string
	}{
		{"GET", "/v1/popular", "", "", 401, CodeUnauthorized},
		{"GET", "/v1/popular", "nope", "", 401, CodeUnauthorized},
		{"GET", "/v1/popular", testToken + "x", "", 401, CodeUnauthorized},
		{"GET", "/v1/popular", staffToken, "", 401, CodeUnauthorized},
		{"POST", "/v1/applications/TZ202611270000016/advance", testToken, `{"to":"accepted"}`, 401, CodeUnauthorized},
		{"GET", "/v1/popular?n=x", testToken, "", 400, CodeInvalid},
		{"GET", "/v1/nothing", testToken, "", 404, CodeNotFound},
		{"POST", "/v1/ratings", testToken, `{"visit_id":"v","level":3,"extra":1}`, 400, CodeInvalid},
		{"POST", "/v1/ratings", testToken, `{"visit_id":"v","level":3}{}`, 400, CodeInvalid},
		{"POST", "/v1/ratings", testToken, `{"visit_id":"v","level":"3"}`, 400, CodeInvalid},
		{"POST", "/v1/ratings", testToken, `{"visit_id":"` + strings.Repeat("x", maxBody) + `"}`, 400, CodeInvalid},
		{"POST", "/v1/ratings", testToken, `{"visit_id":"v","level":3}`, 204, ""},
		{"GET", "/v1/applications/TZ202611270000016", testToken, "", 404, CodeNotFound},
		{"GET", "/v1/health", "", "", 200, ""},
	} {
		resp, b := do(t, tc.method, u+tc.path, tc.token, tc.body)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d (%s)", tc.method, tc.path, resp.StatusCode, tc.status, b)
			continue
		}
		if tc.code == "" {
			continue
		}
		var eb ErrorBody
		if err := json.Unmarshal(b, &eb); err != nil || eb.Code != tc.code || eb.Error == "" {
			t.Errorf("%s %s: body %s, want code %s", tc.method, tc.path, b, tc.code)
		}
	}
	if _, err := NewClient(u, "wrong", nil).Popular(context.Background(), 1); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("wrong token err = %v", err)
	}
	// Advance with the staff token over raw HTTP, and an unknown field in it.
	resp, b := do(t, "POST", u+"/v1/applications/TZ202611270000016/advance", staffToken, `{"to":"accepted","who":"x"}`)
	if resp.StatusCode != 400 {
		t.Fatalf("advance with unknown field: %d %s", resp.StatusCode, b)
	}
}

func TestProgressPage(t *testing.T) {
	e := newTestEnv(t)
	r, err := e.c.Submit(context.Background(), newbornApp("app-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.staff.Advance(context.Background(), r.Tracking, StateAccepted, "<b>ok</b>"); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", e.srv.URL+"/progress/"+r.Tracking, "", "")
	page := string(b)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("page status %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{r.Tracking, "张*", "已受理", "Accepted", "已提交", "2026-11-27 10:00", "&lt;b&gt;ok&lt;/b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"张三", DemoZhangSan, "<b>ok</b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	if resp, b := do(t, "GET", e.srv.URL+"/progress/"+NewTracking(time.Now(), 5), "", ""); resp.StatusCode != 404 ||
		!strings.Contains(string(b), "未找到") {
		t.Errorf("unknown: %d", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", e.srv.URL+"/progress/TZ1", "", ""); resp.StatusCode != 400 {
		t.Errorf("bad tracking: %d", resp.StatusCode)
	}
	// The receipt's URL, once a public base is set, leads back to this tracking number.
	if tr, err := ParseProgressCode(r.ProgressURL); err != nil || tr != r.Tracking {
		t.Errorf("receipt URL %q parses to %q, %v", r.ProgressURL, tr, err)
	}
}

func TestClientUnavailable(t *testing.T) {
	ctx := context.Background()
	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL
	down.Close()
	c := NewClient(url, testToken, nil)
	if _, err := c.Submit(ctx, newbornApp("a")); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("down server err = %v", err)
	}
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusInternalServerError, CodeInternal, "internal error")
	}))
	defer broken.Close()
	if _, err := NewClient(broken.URL, testToken, nil).Popular(ctx, 1); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("500 err = %v", err)
	}
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html>captive portal</html>")
	}))
	defer html.Close()
	if _, err := NewClient(html.URL, testToken, nil).Popular(ctx, 1); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("HTML answer err = %v", err)
	}
}

func TestMatchToken(t *testing.T) {
	toks := hashTokens(map[string]string{"a": "T1", "b": "T2", "": "empty"})
	for hdr, want := range map[string]string{"Bearer a": "T1", "Bearer b": "T2", "Bearer ": "", "a": "", "Bearer c": "", "bearer a": ""} {
		got, ok := match(toks, hdr)
		if got != want || ok != (want != "") {
			t.Errorf("match(%q) = %q, %v", hdr, got, ok)
		}
	}
}

// FuzzDecodeApplication feeds request bodies to the server's decoder. Properties: a body is
// either refused with errBody or decoded into a value whose JSON form is canonical (encoding
// it and decoding that again gives the same JSON), and an accepted body is never over the
// size limit.
func FuzzDecodeApplication(f *testing.F) {
	good, _ := json.Marshal(newbornApp("seed"))
	for _, s := range []string{string(good), `{}`, `{"id":"x"} `, `{"id":1}`, `{"x":1}`, `[]`, `{"fields":{"a":"b"}}{`, `null`,
		`{"consent_at":"2026-11-27T10:00:00+08:00","subject":{"name":"n"}}`} {
		f.Add([]byte(s))
	}
	f.Add(append([]byte(`{}`), bytes.Repeat([]byte(" "), maxBody)...))
	f.Fuzz(func(t *testing.T, body []byte) {
		var a Application
		err := decodeBody(bytes.NewReader(body), &a)
		if err != nil {
			if !errors.Is(err, errBody) {
				t.Fatalf("error %v does not wrap errBody", err)
			}
			return
		}
		if len(body) > maxBody {
			t.Fatalf("accepted a %d-byte body", len(body))
		}
		first, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("accepted value does not encode: %v", err)
		}
		var b Application
		if err := decodeBody(bytes.NewReader(first), &b); err != nil {
			t.Fatalf("own encoding %s refused: %v", first, err)
		}
		second, _ := json.Marshal(b)
		if !bytes.Equal(first, second) {
			t.Fatalf("not a round trip:\n%s\n%s", first, second)
		}
	})
}

func TestDecodeBodyLimit(t *testing.T) {
	var a Application
	exact := append([]byte(`{"id":"`), bytes.Repeat([]byte("x"), maxBody-len(`{"id":""}`))...)
	exact = append(exact, `"}`...)
	if err := decodeBody(bytes.NewReader(exact), &a); err != nil || len(exact) != maxBody {
		t.Fatalf("a %d-byte body refused: %v", len(exact), err)
	}
	for _, body := range [][]byte{append(exact, ' '), append([]byte(`{} `), bytes.Repeat([]byte(" "), maxBody)...)} {
		if err := decodeBody(bytes.NewReader(body), &a); !errors.Is(err, errBody) || !strings.Contains(err.Error(), "larger") {
			t.Fatalf("a %d-byte body: err = %v", len(body), err)
		}
	}
}
