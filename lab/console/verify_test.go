package console_test

import (
	"bytes"
	"errors"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/lab/console"
)

func ptr[T any](v T) *T { return &v }

func TestVerifyPage(t *testing.T) {
	e := newEnv(t)
	issued := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v     console.Verification
		words []string
	}{
		{console.Verification{Known: true, HashOK: ptr(true), Status: "valid", Issued: issued, Customer: "滕州童车有限公司", Product: "电动童车 TC-1", Overall: "合格 pass",
			Message: console.Text{Zh: "本报告由本实验室签发，内容未被修改。", En: "This lab issued this report; it has not been changed."}},
			[]string{"有效", "Valid", "滕州童车有限公司", "电动童车 TC-1", "合格 pass", "本报告由本实验室签发", "二维码校验码与签发记录一致", `data-status="valid"`}},
		{console.Verification{Known: true, HashOK: ptr(true), Status: "superseded", SupersededBy: "R2026-0002", Issued: issued},
			[]string{"已被取代", "Superseded", `href="/verify/R2026-0002"`, "R2026-0002"}},
		{console.Verification{Known: true, Status: "withdrawn", Issued: issued, Message: console.Text{Zh: "该报告已撤回：探头超期", En: "This report was withdrawn: probe overdue"}},
			[]string{"已撤回", "Withdrawn", "探头超期", `data-status="withdrawn"`}},
		{console.Verification{Status: "unknown", Message: console.Text{Zh: "本实验室没有签发此编号的报告。", En: "No report with this number."}},
			[]string{"未知", "Unknown", "没有签发此编号"}},
		{console.Verification{Known: true, HashOK: ptr(false), Status: "altered", Issued: issued},
			[]string{"已被篡改", "Altered", "二维码校验码与签发记录不符"}},
	} {
		e.fake.verify = tc.v
		w := e.do(nil, req{method: "GET", path: "/verify/R2026-0001?h=0123456789abcdef"})
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %v", tc.v.Status, w.Code, w.Header())
		}
		if w.Header().Get("Content-Security-Policy") != "default-src 'self'" {
			t.Errorf("%s: no CSP", tc.v.Status)
		}
		page := w.Body.String()
		for _, s := range tc.words {
			if !strings.Contains(page, s) {
				t.Errorf("%s: page lacks %q", tc.v.Status, s)
			}
		}
		if strings.Contains(page, "<script") {
			t.Errorf("%s: page has a script", tc.v.Status)
		}
		if !strings.Contains(page, `action="/verify/R2026-0001?h=0123456789abcdef"`) {
			t.Errorf("%s: upload form loses the hash", tc.v.Status)
		}
		if c := e.fake.lastVerify(); c.no != "R2026-0001" || c.h != "0123456789abcdef" || c.pdf != nil {
			t.Errorf("Verify called with %+v", c)
		}
	}
}

func TestVerifyPageErrors(t *testing.T) {
	e := newEnv(t)
	calls := func() int { e.fake.mu.Lock(); defer e.fake.mu.Unlock(); return len(e.fake.vCalls) }
	for _, p := range []string{"/verify/bad%20no", "/verify/R1?h=%3Cscript%3E", "/verify/" + strings.Repeat("9", 65)} {
		w := e.do(nil, req{method: "GET", path: p})
		if w.Code != 400 || !strings.Contains(w.Body.String(), "格式错误") || strings.Contains(w.Body.String(), "<script>") {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
	if calls() != 0 {
		t.Error("malformed requests reached Verify")
	}
	e.fake.vErr = errors.New("database locked")
	w := e.do(nil, req{method: "GET", path: "/verify/R1"})
	if w.Code != 500 || strings.Contains(w.Body.String(), "locked") || !strings.Contains(w.Body.String(), "暂时无法核验") {
		t.Errorf("service failure: %d %s", w.Code, w.Body)
	}
	e.fake.vErr = console.ErrNotFound
	w = e.do(nil, req{method: "GET", path: "/verify/R1"})
	if w.Code != 404 || !strings.Contains(w.Body.String(), "未知") {
		t.Errorf("not found: %d", w.Code)
	}
}

func multipartBody(t testing.TB, field string, file []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("note", "ignored")
	fw, err := mw.CreateFormFile(field, "report.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func TestVerifyUpload(t *testing.T) {
	e := newEnv(t)
	file := []byte("%PDF-1.7 the issued report\x00\xff")
	e.fake.verify = console.Verification{Known: true, Status: "valid", HashOK: ptr(true), FileOK: ptr(true)}

	body, ct := multipartBody(t, "file", file)
	w := e.do(nil, req{method: "POST", path: "/verify/R1?h=abcdef", body: body, ctype: ct})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "逐字节一致") || !strings.Contains(w.Body.String(), `id="verify-file"`) {
		t.Fatalf("multipart: %d %s", w.Code, w.Body)
	}
	if c := e.fake.lastVerify(); c.no != "R1" || c.h != "abcdef" || !bytes.Equal(c.pdf, file) {
		t.Errorf("Verify called with %q %q %q", c.no, c.h, c.pdf)
	}

	e.fake.verify = console.Verification{Known: true, Status: "altered", FileOK: ptr(false)}
	w = e.do(nil, req{method: "POST", path: "/verify/R1", body: file, ctype: "application/pdf"})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "不是签发的报告") || !strings.Contains(w.Body.String(), "已被篡改") {
		t.Fatalf("raw: %d %s", w.Code, w.Body)
	}
	if c := e.fake.lastVerify(); c.h != "" || !bytes.Equal(c.pdf, file) {
		t.Errorf("Verify called with %q %q", c.h, c.pdf)
	}

	before := len(e.fake.vCalls)
	big := bytes.Repeat([]byte("x"), console.MaxUpload+1)
	bigForm, bigCT := multipartBody(t, "file", big)
	noFile, noFileCT := multipartBody(t, "other", file)
	for _, tc := range []struct {
		name   string
		body   []byte
		ctype  string
		status int
	}{
		{"raw too big", big, "application/pdf", 413},
		{"form too big", bigForm, bigCT, 413},
		{"empty", nil, "application/pdf", 400},
		{"no file field", noFile, noFileCT, 400},
		{"bad multipart", []byte("garbage"), "multipart/form-data; boundary=xyz", 400},
		{"no boundary", []byte("garbage"), "multipart/form-data", 400},
		{"text", []byte("hello"), "text/plain", 415},
	} {
		w := e.do(nil, req{method: "POST", path: "/verify/R1", body: tc.body, ctype: tc.ctype})
		if w.Code != tc.status || !strings.Contains(w.Body.String(), `id="verify-error"`) {
			t.Errorf("%s: %d, want %d", tc.name, w.Code, tc.status)
		}
	}
	if len(e.fake.vCalls) != before {
		t.Error("refused uploads reached Verify")
	}
	// Exactly the limit is accepted.
	w = e.do(nil, req{method: "POST", path: "/verify/R1", body: big[:console.MaxUpload], ctype: "application/pdf"})
	if w.Code != 200 {
		t.Errorf("10 MB: %d", w.Code)
	}
}

func TestVerifyJSON(t *testing.T) {
	e := newEnv(t)
	e.fake.verify = console.Verification{Known: true, Status: "superseded", SupersededBy: "R2", HashOK: ptr(true)}
	w := e.do(nil, req{method: "GET", path: "/api/verify/R1?h=00ff"})
	var v console.Verification
	decode(t, w, &v)
	if w.Code != 200 || v.Number != "R1" || v.Status != "superseded" || v.SupersededBy != "R2" || v.HashOK == nil || !*v.HashOK || v.FileOK != nil {
		t.Errorf("%d %+v", w.Code, v)
	}
	if c := e.fake.lastVerify(); c.h != "00ff" || c.pdf != nil {
		t.Errorf("Verify called with %+v", c)
	}
	wantError(t, e.do(nil, req{method: "GET", path: "/api/verify/R%201"}), 400, "invalid")
}
