package simhttp

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
)

// The skeleton every twin's control page shares: header, message line, the
// twin's own markup, and the raw state and counters every twin serves.
// Style and script are inlined, so the page needs nothing but the twin.
var (
	//go:embed page/page.html
	pageHTML string
	//go:embed page/page.css
	pageCSS string
	//go:embed page/page.js
	pageJS string
)

var pageTmpl = template.Must(template.New("page").Parse(pageHTML))

// Page returns the handler of a twin's control page (mount it on "GET /{$}",
// not "GET /", or every unknown path would answer with the page). body is
// the twin's own markup and script: controls marked with data-post (see
// page/page.js), calls made with twin.api, so tests can read every path the
// page uses (see simtest.CheckPage).
func Page(title string, body string) http.Handler {
	var b bytes.Buffer
	err := pageTmpl.Execute(&b, struct {
		Title string
		CSS   template.CSS
		JS    template.JS
		Body  template.HTML
	}{title, template.CSS(pageCSS), template.JS(pageJS), template.HTML(body)})
	if err != nil {
		// The template and its inputs are compiled in: a failure is a bug
		// that the first test of any twin's page catches.
		panic("simhttp: page template: " + err.Error())
	}
	page := b.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(page)
	})
}
