package simtest

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// How a control page (simhttp.Page) names the paths it calls: data-post
// attributes, twin.api('METHOD', '/path') and twin.href('/path/{n}')
// calls, and static src/href attributes.
var (
	postAttr = regexp.MustCompile(`data-post="([^"]*)"`)
	apiCall  = regexp.MustCompile(`api\(\s*'([A-Z]+)'\s*,\s*'([^']*)'`)
	hrefCall = regexp.MustCompile(`href\(\s*'([^']*)'`)
	linkAttr = regexp.MustCompile(`(?:src|href|action)="(/[^"]*)"`)
	param    = regexp.MustCompile(`\{\w+\}`)
	script   = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
)

// getPage answers GET / from h: the page, if it is HTML.
func getPage(h http.Handler) (string, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusOK {
		return "", fmt.Errorf("GET /: %d %s", rec.Code, rec.Body)
	}
	if mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type")); mt != "text/html" {
		return "", fmt.Errorf("GET /: Content-Type %q, want text/html", rec.Header().Get("Content-Type"))
	}
	return rec.Body.String(), nil
}

// pageCalls returns the calls page makes, as "METHOD /path" with {params}
// filled with 1, sorted, without repeats.
func pageCalls(page string) ([]string, error) {
	// Every call must go through twin.api, whose one fetch is in the shared
	// script: a second fetch would be a call this check cannot see.
	if n := strings.Count(page, "fetch("); n != 1 {
		return nil, fmt.Errorf("GET /: page has %d fetch( calls, want only the one in twin.api", n)
	}
	var calls []string
	for _, m := range postAttr.FindAllStringSubmatch(page, -1) {
		calls = append(calls, "POST "+m[1])
	}
	for _, m := range apiCall.FindAllStringSubmatch(page, -1) {
		calls = append(calls, m[1]+" "+m[2])
	}
	for _, m := range hrefCall.FindAllStringSubmatch(page, -1) {
		calls = append(calls, "GET "+m[1])
	}
	for _, m := range linkAttr.FindAllStringSubmatch(page, -1) {
		calls = append(calls, "GET "+m[1])
	}
	for i, c := range calls {
		calls[i] = param.ReplaceAllString(c, "1")
	}
	slices.Sort(calls)
	return slices.Compact(calls), nil
}

// unrouted returns the calls h has no route for: 405, or a 404 with the
// ServeMux's own body (a handler's 404 for a missing thing, like a receipt
// not printed yet, is a route that exists). POST bodies are a JSON object
// with an unknown field, so JSON endpoints refuse them and change nothing.
func unrouted(h http.Handler, calls []string) []string {
	var bad []string
	for _, c := range calls {
		method, path, _ := strings.Cut(c, " ")
		var req *http.Request
		if method == "POST" {
			req = httptest.NewRequest(method, path, strings.NewReader(`{"page_check":true}`))
		} else {
			req = httptest.NewRequest(method, path, nil)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusMethodNotAllowed ||
			rec.Code == http.StatusNotFound && rec.Body.String() == "404 page not found\n" {
			bad = append(bad, fmt.Sprintf("%s: %d", c, rec.Code))
		}
	}
	return bad
}

// checkScripts has node parse every script of page, when node is installed:
// a syntax error would leave the page without controls, and no Go test
// runs the script.
func checkScripts(t testing.TB, page string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Log("node not installed: the page's scripts are not syntax-checked")
		return
	}
	dir := t.TempDir()
	for i, m := range script.FindAllStringSubmatch(page, -1) {
		file := filepath.Join(dir, fmt.Sprintf("script%d.js", i))
		if err := os.WriteFile(file, []byte(m[1]), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), Patience)
		out, err := exec.CommandContext(ctx, node, "--check", file).CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("control page script %d does not parse: %v\n%s", i, err, out)
		}
	}
}

// CheckPage checks a twin's control page: GET / on h is an HTML page whose
// scripts parse, every path it calls has a route in h for that method, and
// it calls each of want ("POST /card") besides GET /state and GET /counters,
// which every page polls.
func CheckPage(t testing.TB, h http.Handler, want ...string) {
	t.Helper()
	page, err := getPage(h)
	if err != nil {
		t.Fatal(err)
	}
	checkScripts(t, page)
	calls, err := pageCalls(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range unrouted(h, calls) {
		t.Errorf("control page calls %s: the handler has no such endpoint", c)
	}
	for _, w := range append([]string{"GET /state", "GET /counters"}, want...) {
		if !slices.Contains(calls, w) {
			t.Errorf("control page does not call %s (it calls %v)", w, calls)
		}
	}
}
