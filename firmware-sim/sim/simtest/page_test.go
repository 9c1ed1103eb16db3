package simtest

import (
	"net/http"
	"os/exec"
	"slices"
	"testing"

	"github.com/onestop-station/onestop/firmware-sim/sim/simhttp"
)

func TestCheckPageFindsMissingEndpoints(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", simhttp.Page("test", `
<button data-post="/there" data-body='{}'>there</button>
<button data-post="/missing">missing</button>
<script>twin.api('GET', '/items/{n}'); twin.api('GET', '/post-only'); twin.href('/gone/{n}.png', {n: 2});</script>`))
	ok := func(w http.ResponseWriter, r *http.Request) {}
	mux.HandleFunc("GET /state", ok)
	mux.HandleFunc("GET /counters", ok)
	mux.HandleFunc("POST /counters/reset", ok)
	mux.HandleFunc("POST /there", ok)
	mux.HandleFunc("POST /post-only", ok)
	mux.HandleFunc("GET /items/{n}", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no item "+r.PathValue("n"), http.StatusNotFound) // a route, the item missing
	})

	page, err := getPage(mux)
	if err != nil {
		t.Fatal(err)
	}
	calls, err := pageCalls(page)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /counters", "GET /gone/1.png", "GET /items/1", "GET /post-only", "GET /state",
		"POST /counters/reset", "POST /missing", "POST /there"}
	if !slices.Equal(calls, want) {
		t.Errorf("calls %v\nwant  %v", calls, want)
	}
	bad := unrouted(mux, calls)
	wantBad := []string{"GET /gone/1.png: 404", "GET /post-only: 405", "POST /missing: 404"}
	if !slices.Equal(bad, wantBad) {
		t.Errorf("unrouted %v, want %v", bad, wantBad)
	}
}

func TestCheckPageRefusesUncheckedFetch(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", simhttp.Page("test", `<script>fetch('/elsewhere');</script>`))
	page, err := getPage(mux)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pageCalls(page); err == nil {
		t.Error("a page with its own fetch passed")
	}
}

// errorsTB records Errorf calls, to see a check fail.
type errorsTB struct {
	testing.TB
	errs []string
}

func (e *errorsTB) Errorf(format string, args ...any) { e.errs = append(e.errs, format) }

func TestCheckScriptsFindsSyntaxErrors(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	rec := &errorsTB{TB: t}
	checkScripts(rec, `<script>const ok = 1;</script><script>twin.onState((s) => { ;</script>`)
	if len(rec.errs) != 1 {
		t.Errorf("%d errors for one broken script, want 1", len(rec.errs))
	}
}
