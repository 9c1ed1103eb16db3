package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// cannedServer answers every request with the status and body set last: one server for all
// the iterations of a fuzz target.
type cannedServer struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	body   []byte
}

func newCannedServer(tb testing.TB) *cannedServer {
	s := &cannedServer{status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		status, body := s.status, s.body
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	tb.Cleanup(s.Close)
	return s
}

func (s *cannedServer) answer(status int, body []byte) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

// clientCall is one Client method, with a fresh value of what it decodes (nil: it reads no
// body) and what makes a decoded answer acceptable.
type clientCall struct {
	name string
	out  func() any
	ok   func(v any) bool
	call func(ctx context.Context, c *Client) error
}

// fuzzLimit is the fuzzed client's response limit: a body past it is as huge as one past
// maxResponse, and fuzzing a megabyte (reading, minimising) would crawl.
const fuzzLimit = 4 << 10

var clientCalls = []clientCall{
	{"Licences", func() any { return new(LicenceList) }, nil, func(ctx context.Context, c *Client) error {
		_, err := c.Licences(ctx, DemoZhangSan, nil)
		return err
	}},
	{"Submit", func() any { return new(Receipt) }, nil, func(ctx context.Context, c *Client) error {
		_, err := c.Submit(ctx, newbornApp("fuzz"))
		return err
	}},
	{"Progress", func() any { return new(Progress) }, nil, func(ctx context.Context, c *Client) error {
		_, err := c.Progress(ctx, "TZ202611300000018")
		return err
	}},
	{"Advance", func() any { return new(Progress) }, nil, func(ctx context.Context, c *Client) error {
		_, err := c.Advance(ctx, "TZ202611300000018", StateAccepted, "")
		return err
	}},
	{"TakeTicket", func() any { return new(Ticket) }, nil, func(ctx context.Context, c *Client) error {
		_, err := c.TakeTicket(ctx, TicketRequest{Window: "A"})
		return err
	}},
	{"CallHelper", func() any { return new(HelpCall) }, nil, func(ctx context.Context, c *Client) error {
		_, err := c.CallHelper(ctx, HelpRequest{Screen: "form"})
		return err
	}},
	{"Popular", func() any { return new(PopularList) }, nil, func(ctx context.Context, c *Client) error {
		_, err := c.Popular(ctx, 3)
		return err
	}},
	{"ResolveCode", func() any { return new(ResolvedIdentity) },
		func(v any) bool { r := v.(*ResolvedIdentity); return r.Name != "" && r.IDNumber != "" },
		func(ctx context.Context, c *Client) error {
			_, _, err := c.ResolveCode(ctx, "JMM1:AAAA")
			return err
		}},
	{"Rate", nil, nil, func(ctx context.Context, c *Client) error { return c.Rate(ctx, Rating{VisitID: "v", Level: 5}) }},
	{"Health", nil, nil, func(ctx context.Context, c *Client) error { return c.Health(ctx) }},
}

// wantClientErr is the sentinel a Client must return for an answer (nil: success), following
// docs/kiosk-backend-api.md: an undecodable 2xx body is ErrUnavailable, and so are 5xx, 408
// and 429 (try later); 404 is ErrNotFound, 401 and 403 ErrUnauthorized, other 4xx ErrInvalid.
func wantClientErr(cc clientCall, status int, body []byte) error {
	switch {
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrUnauthorized
	case status >= 500 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests:
		return ErrUnavailable
	case status >= 400:
		return ErrInvalid
	case cc.out == nil:
		return nil
	}
	v := cc.out()
	if err := json.NewDecoder(io.LimitReader(bytes.NewReader(body), fuzzLimit)).Decode(v); err != nil {
		return ErrUnavailable
	}
	if cc.ok != nil && !cc.ok(v) {
		return ErrUnavailable
	}
	return nil
}

// FuzzClientResponse answers every Client call with fuzzed bytes and a fuzzed status, as a
// broken platform, a proxy or a captive portal might. Properties: no panic; the error is the
// sentinel the status calls for; a 2xx answer succeeds only when its body decoded.
func FuzzClientResponse(f *testing.F) {
	receipt, _ := json.Marshal(Receipt{ApplicationID: "a", Tracking: "TZ202611300000018", ItemID: "newborn",
		State: StateSubmitted, SubmittedAt: time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC), ProgressURL: "/progress/TZ202611300000018"})
	progress, _ := json.Marshal(Progress{Tracking: "TZ202611300000018", ItemID: "newborn", State: StateAccepted,
		Steps: []Step{{State: StateSubmitted, At: time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)}}, ApplicantMask: "张*"})
	errBody, _ := json.Marshal(ErrorBody{Error: "backend: invalid request: missing applicant.name", Code: CodeInvalid})
	for _, seed := range []struct {
		status uint16
		body   string
	}{
		{200, string(receipt)}, {200, string(progress)}, {200, `{"licences":[{"type":"id_card","fields":{"a":"b"}}]}`},
		{200, `{"name":"张三","id_number":"110101199003070011"}`}, {200, `{"items":["newborn"]}`},
		{200, `{"number":"A017","window":"A","ahead":4,"wait_ns":720000000000}`}, {200, `{"wait_ns":1e400}`},
		{200, `{"submitted_at":"yesterday"}`}, {200, `null`}, {200, `{} trailing`}, {200, `[`},
		{200, "<html><body>captive portal</body></html>"}, {200, ""}, {204, ""}, {201, `{}`},
		{400, string(errBody)}, {400, "<html>bad</html>"}, {401, ""}, {403, `{"error":"forbidden"}`},
		{404, `{"error":"no such endpoint","code":"not_found"}`}, {408, ""}, {409, `{}`}, {429, "slow down"},
		{500, `{"error":"internal error","code":"internal"}`}, {502, "<html>Bad Gateway</html>"}, {503, ""},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	// Huge: past what the client reads (fuzzLimit), valid JSON or not.
	f.Add(uint16(200), []byte(`{"items":["`+strings.Repeat("x", fuzzLimit)+`"]}`))
	f.Add(uint16(200), append(bytes.Repeat([]byte{' '}, fuzzLimit), receipt...))
	f.Add(uint16(400), append(bytes.Repeat([]byte{' '}, fuzzLimit), errBody...))
	srv := newCannedServer(f)
	c := NewClient(srv.URL, testToken, srv.Client())
	c.limit = fuzzLimit
	f.Fuzz(func(t *testing.T, code uint16, body []byte) {
		status := int(code)
		if status < 200 || status > 599 {
			status = 200 + status%400
		}
		if status/100 == 3 { // redirects are the HTTP library's business
			status += 100
		}
		srv.answer(status, body)
		if status == http.StatusNoContent || status == http.StatusNotModified {
			body = nil // the server sends none
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, cc := range clientCalls {
			err := cc.call(ctx, c)
			want := wantClientErr(cc, status, body)
			switch {
			case want == nil && err != nil:
				t.Fatalf("%s, HTTP %d %.200q: %v, want success", cc.name, status, body, err)
			case want != nil && !errors.Is(err, want):
				t.Fatalf("%s, HTTP %d %.200q: %v, want %v", cc.name, status, body, err, want)
			case err != nil && !strings.HasPrefix(err.Error(), "backend: "):
				t.Fatalf("%s: error %q does not say where it comes from", cc.name, err)
			}
		}
	})
}

// A body past maxResponse is cut, so even valid JSON is not an answer.
func TestClientResponseLimit(t *testing.T) {
	srv := newCannedServer(t)
	c := NewClient(srv.URL, testToken, srv.Client())
	long := `{"items":["` + strings.Repeat("x", maxResponse-len(`{"items":[""]}`)) + `"]}`
	srv.answer(http.StatusOK, []byte(long))
	if ids, err := c.Popular(context.Background(), 1); err != nil || len(ids) != 1 {
		t.Fatalf("a %d-byte answer: %d items, %v", len(long), len(ids), err)
	}
	srv.answer(http.StatusOK, []byte(long+" "))
	if _, err := c.Popular(context.Background(), 1); err != nil {
		t.Fatalf("trailing blank past the limit: %v", err) // the value ended within it
	}
	srv.answer(http.StatusOK, []byte(" "+long))
	if _, err := c.Popular(context.Background(), 1); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("a %d-byte value: err = %v, want ErrUnavailable", len(long)+1, err)
	}
}
