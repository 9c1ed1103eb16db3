package console_test

import (
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

func TestStatic(t *testing.T) {
	e := newEnv(t)
	for path, ctype := range map[string]string{
		"/":                   "text/html; charset=utf-8",
		"/static/console.js":  "text/javascript; charset=utf-8",
		"/static/console.css": "text/css; charset=utf-8",
		"/static/verify.css":  "text/css; charset=utf-8",
	} {
		w := e.do(nil, req{method: "GET", path: path})
		if w.Code != 200 || w.Header().Get("Content-Type") != ctype || w.Body.Len() == 0 {
			t.Errorf("%s: %d %q", path, w.Code, w.Header().Get("Content-Type"))
		}
		for k, v := range map[string]string{
			"Content-Security-Policy": "default-src 'self'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
		} {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s: %s = %q", path, k, got)
			}
		}
	}
	for _, path := range []string{"/static/", "/static/nope.js", "/index.html", "/static/../console.go"} {
		if w := e.do(nil, req{method: "GET", path: path}); w.Code == http.StatusOK {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
	if w := e.do(nil, req{method: "GET", path: "/static/"}); w.Code != http.StatusNotFound {
		t.Errorf("directory listing: %d", w.Code)
	}
	// The API's errors carry the headers too.
	if w := e.do(nil, req{method: "GET", path: "/api/jobs"}); w.Header().Get("X-Frame-Options") != "DENY" {
		t.Error("API answer without security headers")
	}
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The page must work under default-src 'self': no inline script, no inline handler, no inline
// style, nothing from elsewhere.
func TestPageFitsCSP(t *testing.T) {
	html := read(t, "static/index.html")
	tmpl := read(t, "templates/verify.html")
	js := read(t, "static/console.js")
	css := read(t, "static/console.css") + read(t, "static/verify.css")

	scriptTag := regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`)
	for name, page := range map[string]string{"index.html": html, "verify.html": tmpl} {
		for _, m := range scriptTag.FindAllStringSubmatch(page, -1) {
			if strings.TrimSpace(m[2]) != "" || !strings.Contains(m[1], `src="/static/`) {
				t.Errorf("%s: inline or foreign script %q", name, m[0])
			}
		}
		if strings.Contains(strings.ToLower(page), "<style") || regexp.MustCompile(`\sstyle=`).MatchString(page) {
			t.Errorf("%s: inline style", name)
		}
	}
	handler := regexp.MustCompile(`(?i)\son[a-z]+\s*=\s*["'{]`)
	for name, src := range map[string]string{"index.html": html, "verify.html": tmpl, "console.js": js} {
		if m := handler.FindString(src); m != "" {
			t.Errorf("%s: inline event handler %q", name, m)
		}
		if strings.Contains(strings.ToLower(src), "javascript:") {
			t.Errorf("%s: javascript: URL", name)
		}
	}
	for name, src := range map[string]string{"index.html": html, "verify.html": tmpl, "console.js": js, "css": css} {
		if m := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`).FindString(src); m != "" {
			t.Errorf("%s: external URL %q", name, m)
		}
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute('style'", "setAttribute('on"} {
		if strings.Contains(js, bad) {
			t.Errorf("console.js uses %s", bad)
		}
	}
}

// Every element the script looks up by id is in the page.
func TestPageIDs(t *testing.T) {
	html := read(t, "static/index.html")
	js := read(t, "static/console.js")
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`\sid="([^"]+)"`).FindAllStringSubmatch(html, -1) {
		if ids[m[1]] {
			t.Errorf("id %q twice", m[1])
		}
		ids[m[1]] = true
	}
	used := regexp.MustCompile(`(?:\$\(|setError\()['"\x60]#([a-z][a-z0-9-]*)['"\x60 \[]`).FindAllStringSubmatch(js, -1)
	if len(used) < 20 {
		t.Fatalf("only %d ids found in the script", len(used))
	}
	for _, m := range used {
		if !ids[m[1]] {
			t.Errorf("console.js uses #%s, which index.html lacks", m[1])
		}
	}
	for _, a := range []string{"start", "submit", "release", "invalidate", "reissue"} {
		if !ids["job-"+a] {
			t.Errorf("no #job-%s", a)
		}
	}
	// The ids and field names a browser test relies on.
	for _, want := range []string{"login-name", "login-password", "login-submit", "new-job", "progress", "live-readings", "results", "chart", "agents", "logout"} {
		if !ids[want] {
			t.Errorf("no #%s", want)
		}
	}
	for _, name := range []string{"customer.name", "customer.uscc", "product.type", "product.model", "product.batch", "product.rated_voltage_v",
		"product.rated_power_w", "product.mass_kg", "product.age_group", "sample_id", "received", "location", "mode", "agent", "dev", "reviewer", "rule"} {
		if !strings.Contains(html, `name="`+name+`"`) {
			t.Errorf("new job form lacks %s", name)
		}
	}
}

// The script parses (when Node.js is at hand to say so).
func TestScriptSyntax(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node")
	}
	if out, err := exec.Command(node, "--check", "static/console.js").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
