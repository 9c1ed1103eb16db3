package console_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/onestop-station/onestop/lab/console"
)

// FuzzLogin posts arbitrary bodies to /api/login: never a 5xx, and a session only for the
// right password.
func FuzzLogin(f *testing.F) {
	for _, s := range []string{
		`{"name":"ana","password":"ana-pw"}`, `{"name":"ana","password":"x"}`, `{"name":"","password":""}`,
		`{"name":"ana"}`, `{}`, `[]`, `null`, `"x"`, `{"name":1}`, `{"name":"ana","password":"ana-pw"} {}`,
		`{"name":"\u0000","password":"\ud800"}`, "\xff\xfe", ``,
	} {
		f.Add(s, "application/json")
	}
	f.Add(`name=ana`, "application/x-www-form-urlencoded")
	f.Add(`{}`, "application/json; charset=\"")
	e := newEnv(f)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, body, ctype string) {
		// A fresh address each time, so the limit does not hide the password check.
		i := n.Add(1)
		w := e.doT(t, nil, req{method: "POST", path: "/api/login", body: []byte(body), ctype: ctype,
			addr: fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255)})
		if w.Code >= 500 {
			t.Fatalf("%d for %q: %s", w.Code, body, w.Body)
		}
		if w.Code == http.StatusOK && body != `{"name":"ana","password":"ana-pw"}` {
			// Only a body meaning exactly ana's (or another user's) credentials may log in.
			var me console.Me
			decode(t, w, &me)
			if me.Name == "" {
				t.Fatalf("logged in as nobody with %q", body)
			}
		}
	})
}

// FuzzVerifyUpload posts arbitrary uploads to the public page: never a 5xx.
func FuzzVerifyUpload(f *testing.F) {
	good, ct := multipartBody(f, "file", []byte("%PDF-1.7"))
	f.Add(good, ct)
	f.Add([]byte("%PDF-1.7"), "application/pdf")
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--x--\r\n"), "multipart/form-data; boundary=x")
	f.Add([]byte("--x\r\n\r\n"), "multipart/form-data; boundary=x")
	f.Add([]byte(""), "")
	e := newEnv(f)
	e.fake.verify = console.Verification{Known: true, Status: "valid"}
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		w := e.doT(t, nil, req{method: "POST", path: "/verify/R1", body: body, ctype: ctype})
		if w.Code >= 500 {
			t.Fatalf("%d: %s", w.Code, w.Body)
		}
	})
}
