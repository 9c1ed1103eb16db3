package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrUnauthorized: the server refused the client's token (a configuration error).
var ErrUnauthorized = errors.New("unauthorized")

// maxResponse bounds the responses a Client reads.
const maxResponse = 1 << 20

// Client is a Backend over the HTTP JSON API (docs/kiosk-backend-api.md). It is safe for
// concurrent use.
type Client struct {
	base  string
	token string
	hc    *http.Client
	limit int64 // bytes of a response read at most: maxResponse (tests lower it)
}

var _ Backend = (*Client)(nil)

// NewClient returns a client of the API at baseURL (e.g. "http://10.0.0.2:8090") that
// authenticates with token. A nil hc means a client with a 10-second timeout.
func NewClient(baseURL, token string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), token: token, hc: hc, limit: maxResponse}
}

// do sends in (when not nil) as JSON and decodes the answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("backend: %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("backend: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("backend: %s %s: %w: %w", method, path, ErrUnavailable, err)
	}
	lr := io.LimitReader(resp.Body, c.limit)
	defer func() {
		// Read the rest (within the limit): a body closed before its end closes the
		// connection, and the next call would open another.
		_, _ = io.Copy(io.Discard, lr)
		resp.Body.Close()
	}()
	if resp.StatusCode/100 != 2 {
		return statusError(method, path, resp.StatusCode, lr)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(lr).Decode(out); err != nil {
		// A proxy's HTML page or a cut connection: the backend is not there as it should be.
		return fmt.Errorf("backend: %s %s: %w: response: %w", method, path, ErrUnavailable, err)
	}
	return nil
}

// statusError maps an error status to the sentinel errors, with the server's message.
func statusError(method, path string, status int, body io.Reader) error {
	var eb ErrorBody
	if err := json.NewDecoder(body).Decode(&eb); err != nil || eb.Error == "" {
		eb.Error = http.StatusText(status)
	}
	var sentinel error
	switch {
	case status == http.StatusNotFound:
		sentinel = ErrNotFound
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		sentinel = ErrUnauthorized
	case status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout:
		sentinel = ErrUnavailable
	default:
		sentinel = ErrInvalid
	}
	return fmt.Errorf("backend: %s %s: %w (HTTP %d: %s)", method, path, sentinel, status, eb.Error)
}

// Licences asks for a holder's e-licences.
func (c *Client) Licences(ctx context.Context, holderID string, types []string) ([]Licence, error) {
	var out LicenceList
	if err := c.do(ctx, http.MethodPost, "/v1/licences/query", LicenceQuery{HolderID: holderID, Types: types}, &out); err != nil {
		return nil, err
	}
	return out.Licences, nil
}

// Submit sends an application; retrying with the same Application.ID is harmless.
func (c *Client) Submit(ctx context.Context, a Application) (Receipt, error) {
	var r Receipt
	err := c.do(ctx, http.MethodPost, "/v1/applications", a, &r)
	return r, err
}

// Progress asks for an application's state.
func (c *Client) Progress(ctx context.Context, tracking string) (Progress, error) {
	var p Progress
	err := c.do(ctx, http.MethodGet, "/v1/applications/"+url.PathEscape(tracking), nil, &p)
	return p, err
}

// Advance moves an application on (staff token only) and returns its new progress.
func (c *Client) Advance(ctx context.Context, tracking string, to State, note string) (Progress, error) {
	var p Progress
	err := c.do(ctx, http.MethodPost, "/v1/applications/"+url.PathEscape(tracking)+"/advance",
		AdvanceRequest{To: to, Note: note}, &p)
	return p, err
}

// TakeTicket asks for a queue number.
func (c *Client) TakeTicket(ctx context.Context, r TicketRequest) (Ticket, error) {
	var t Ticket
	err := c.do(ctx, http.MethodPost, "/v1/tickets", r, &t)
	return t, err
}

// CallHelper calls a helper to the terminal.
func (c *Client) CallHelper(ctx context.Context, r HelpRequest) (HelpCall, error) {
	var h HelpCall
	err := c.do(ctx, http.MethodPost, "/v1/helpers", r, &h)
	return h, err
}

// Rate sends a rating.
func (c *Client) Rate(ctx context.Context, r Rating) error {
	return c.do(ctx, http.MethodPost, "/v1/ratings", r, nil)
}

// Popular asks for the most applied-for items.
func (c *Client) Popular(ctx context.Context, n int) ([]string, error) {
	var out PopularList
	if err := c.do(ctx, http.MethodGet, "/v1/popular?n="+strconv.Itoa(n), nil, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// Health checks the server answers and its database too.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/v1/health", nil, nil)
}
