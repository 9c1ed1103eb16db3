package simhttp

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPage(t *testing.T) {
	h := Page("孪生 <twin>", `<button data-post="/x">x</button>`)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	body := rec.Body.String()
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{"<title>孪生 &lt;twin&gt;</title>", `<button data-post="/x">x</button>`,
		"const twin =", ".card {", `id="state-json"`, `id="counters-json"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Self-contained: nothing loaded from elsewhere.
	for _, ext := range []string{"http://", "https://", "<link", "src=\"//"} {
		if strings.Contains(body, ext) {
			t.Errorf("page refers to an external asset (%q)", ext)
		}
	}
}
