package simhttp

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPost(t *testing.T) {
	type state struct {
		On bool `json:"on"`
	}
	var s state
	h := func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			On bool `json:"on"`
		}
		Post(w, r, &body, func() error {
			if r.URL.Path == "/refuse" {
				return errors.New("not now")
			}
			s.On = body.On
			return nil
		}, func() state { return s })
	}
	for _, c := range []struct {
		path, body string
		code       int
		reply      string
	}{
		{"/", `{"on":true}`, 200, "{\n  \"on\": true\n}\n"},
		{"/", `{"of":true}`, 400, "bad JSON body"}, // a misspelt field is refused, not ignored
		{"/refuse", `{"on":false}`, 400, "not now"},
	} {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest("POST", c.path, strings.NewReader(c.body)))
		if rec.Code != c.code || !strings.Contains(rec.Body.String(), c.reply) {
			t.Errorf("%s %s: %d %q", c.path, c.body, rec.Code, rec.Body.String())
		}
	}
}
