package backend

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/kiosk/seal"
)

// sealedCode makes a code around any content, as only the key holder could.
func sealedCode(s *seal.Sealer, content, aad string) string {
	return ResidentCodePrefix + base64.RawURLEncoding.EncodeToString(s.Seal([]byte(content), []byte(aad)))
}

// assertNoPerson fails when err's text carries the demo person.
func assertNoPerson(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, v := range []string{"张三", DemoZhangSan, DemoZhangSan[:17]} {
		if strings.Contains(err.Error(), v) {
			t.Errorf("error %q holds personal data", err)
		}
	}
}

func TestResidentCodeRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, clk, _ := newTestStore(t, StoreOpts{})
	code, err := st.IssueResidentCode(ctx, "张三", DemoZhangSan, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	body, ok := strings.CutPrefix(code, "JMM1:")
	if !ok || strings.ContainsAny(body, "=+/") || strings.Contains(code, DemoZhangSan) {
		t.Fatalf("code %q: want JMM1: and unpadded base64url, no number in clear", code)
	}
	sealed, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := testSealer(t).Open(sealed, []byte("resident-code"))
	if err != nil {
		t.Fatalf("not sealed with the store's key and aad resident-code: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(plain, &claims); err != nil {
		t.Fatal(err)
	}
	wantExp := clk.Now().Add(10 * time.Minute).Unix()
	if claims["n"] != "张三" || claims["id"] != DemoZhangSan || claims["exp"] != float64(wantExp) || len(claims) != 3 {
		t.Fatalf("claims = %v, want n, id and exp %d", claims, wantExp)
	}

	name, id, err := st.ResolveCode(ctx, code+"\r\n") // as a scanner sends it
	if err != nil || name != "张三" || id != DemoZhangSan {
		t.Fatalf("ResolveCode = %q, %q, %v", name, id, err)
	}
	if again, _ := st.IssueResidentCode(ctx, "张三", DemoZhangSan, 10*time.Minute); again == code {
		t.Error("two codes are equal: the nonce is not fresh")
	}

	clk.Add(10*time.Minute - time.Second)
	if _, _, err := st.ResolveCode(ctx, code); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	clk.Add(time.Second)
	_, _, err = st.ResolveCode(ctx, code)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("at expiry: err = %v, want ErrInvalid (expired)", err)
	}
	assertNoPerson(t, err)
}

func TestResidentCodeDefaultTTL(t *testing.T) {
	ctx := context.Background()
	for _, ttl := range []time.Duration{0, -time.Hour} {
		st, clk, _ := newTestStore(t, StoreOpts{})
		code, err := st.IssueResidentCode(ctx, "张三", DemoZhangSan, ttl)
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(5*time.Minute - time.Second)
		if _, _, err := st.ResolveCode(ctx, code); err != nil {
			t.Fatalf("ttl %v, 4m59s later: %v", ttl, err)
		}
		clk.Add(time.Second)
		if _, _, err := st.ResolveCode(ctx, code); !errors.Is(err, ErrInvalid) {
			t.Fatalf("ttl %v, 5 min later: err = %v, want ErrInvalid", ttl, err)
		}
	}
}

func TestIssueResidentCodeRefuses(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newTestStore(t, StoreOpts{})
	bad := DemoZhangSan[:17] + "2" // wrong check digit
	for name, tc := range map[string]struct{ name, id string }{
		"check digit":   {"张三", bad},
		"short":         {"张三", "11010119900307"},
		"empty number":  {"张三", ""},
		"empty name":    {"  ", DemoZhangSan},
		"control":       {"张\x00三", DemoZhangSan},
		"not UTF-8":     {"张\xff", DemoZhangSan},
		"long name":     {strings.Repeat("张", 50), DemoZhangSan},
		"future birth":  {"张三", "110101209901010011"},
		"no such place": {"张三", "990101199003070011"},
	} {
		code, err := st.IssueResidentCode(ctx, tc.name, tc.id, time.Minute)
		if !errors.Is(err, ErrInvalid) || code != "" {
			t.Errorf("%s: code %q, err %v; want ErrInvalid", name, code, err)
		}
		assertNoPerson(t, err)
		if err != nil && strings.Contains(err.Error(), bad) {
			t.Errorf("%s: error %q holds the number", name, err)
		}
	}
	if _, err := st.IssueResidentCode(ctx, "张三", bad, time.Minute); !errors.Is(err, idcard.ErrIDChecksum) {
		t.Errorf("check digit: err = %v, want it to wrap idcard.ErrIDChecksum", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := st.IssueResidentCode(cancelled, "张三", DemoZhangSan, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestResolveCodeRefuses(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newTestStore(t, StoreOpts{})
	good, err := st.IssueResidentCode(ctx, "张三", DemoZhangSan, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := newTestStore(t, StoreOpts{})
	other.seal, _ = seal.New(bytes.Repeat([]byte{0x17}, seal.KeySize))
	foreign, err := other.IssueResidentCode(ctx, "张三", DemoZhangSan, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s := testSealer(t)
	exp := time.Now().Add(time.Hour).Unix()
	claims := func(n, id string, exp int64) string {
		b, _ := json.Marshal(residentClaims{Name: n, IDNumber: id, Expires: exp})
		return string(b)
	}
	body := good[len(ResidentCodePrefix):]
	flipped := []byte(body)
	flipped[len(flipped)/2] ^= 'A' ^ 'B'
	if flipped[len(flipped)/2] == body[len(body)/2] {
		t.Fatal("flip did nothing")
	}
	for name, code := range map[string]string{
		"empty":           "",
		"prefix only":     ResidentCodePrefix,
		"other prefix":    "JMM2:" + body,
		"lower prefix":    "jmm1:" + body,
		"no prefix":       body,
		"not base64":      ResidentCodePrefix + "!!!!",
		"padded":          good + "==",
		"std alphabet":    ResidentCodePrefix + "ab+/cd",
		"flipped":         ResidentCodePrefix + string(flipped),
		"cut":             good[:len(good)-4],
		"other key":       foreign,
		"other aad":       sealedCode(s, claims("张三", DemoZhangSan, exp), "app-1"),
		"bad number":      sealedCode(s, claims("张三", DemoZhangSan[:17]+"2", exp), "resident-code"),
		"no name":         sealedCode(s, claims("", DemoZhangSan, exp), "resident-code"),
		"no expiry":       sealedCode(s, claims("张三", DemoZhangSan, 0), "resident-code"),
		"long expired":    sealedCode(s, claims("张三", DemoZhangSan, 1), "resident-code"),
		"not JSON":        sealedCode(s, "张三 "+DemoZhangSan, "resident-code"),
		"unknown field":   sealedCode(s, `{"n":"张三","id":"`+DemoZhangSan+`","exp":9999999999,"admin":true}`, "resident-code"),
		"exp as a string": sealedCode(s, `{"n":"张三","id":"`+DemoZhangSan+`","exp":"9999999999"}`, "resident-code"),
		"huge":            ResidentCodePrefix + strings.Repeat("A", 1<<20),
	} {
		n, id, err := st.ResolveCode(ctx, code)
		if !errors.Is(err, ErrInvalid) || n != "" || id != "" {
			t.Errorf("%s: %q, %q, %v; want ErrInvalid", name, n, id, err)
		}
		assertNoPerson(t, err)
	}
	if _, _, err := st.ResolveCode(ctx, good); err != nil {
		t.Fatal(err)
	}
}

func TestResolveCodeOverHTTP(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	code, err := e.st.IssueResidentCode(ctx, "张三", DemoZhangSan, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	name, id, err := e.c.ResolveCode(ctx, code)
	if err != nil || name != "张三" || id != DemoZhangSan {
		t.Fatalf("Client.ResolveCode = %q, %q, %v", name, id, err)
	}

	resp, b := do(t, "POST", e.srv.URL+"/v1/identity/resolve", testToken, `{"code":"`+code+`"}`)
	var got map[string]string
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &got) != nil ||
		len(got) != 2 || got["name"] != "张三" || got["id_number"] != DemoZhangSan {
		t.Fatalf("HTTP %d %s", resp.StatusCode, b)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("identity answered without Cache-Control: no-store")
	}
	for name, tc := range map[string]struct {
		token, body string
		status      int
		code        string
	}{
		"no token":      {"", `{"code":"` + code + `"}`, http.StatusUnauthorized, CodeUnauthorized},
		"staff token":   {staffToken, `{"code":"` + code + `"}`, http.StatusUnauthorized, CodeUnauthorized},
		"bad code":      {testToken, `{"code":"JMM1:AAAA"}`, http.StatusBadRequest, CodeInvalid},
		"empty code":    {testToken, `{}`, http.StatusBadRequest, CodeInvalid},
		"unknown field": {testToken, `{"code":"x","name":"y"}`, http.StatusBadRequest, CodeInvalid},
		"GET":           {testToken, ``, http.StatusNotFound, CodeNotFound},
	} {
		method := "POST"
		if name == "GET" {
			method = "GET"
		}
		resp, b := do(t, method, e.srv.URL+"/v1/identity/resolve", tc.token, tc.body)
		var eb ErrorBody
		_ = json.Unmarshal(b, &eb)
		if resp.StatusCode != tc.status || eb.Code != tc.code {
			t.Errorf("%s: HTTP %d %s; want %d %q", name, resp.StatusCode, b, tc.status, tc.code)
		}
	}

	e.clk.Add(time.Hour)
	if _, _, err := e.c.ResolveCode(ctx, code); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired over HTTP: err = %v", err)
	}
	if _, _, err := NewClient(e.srv.URL, "wrong", e.srv.Client()).ResolveCode(ctx, code); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("wrong token: err = %v", err)
	}
	if logs := e.log.String(); strings.Contains(logs, "张三") || strings.Contains(logs, DemoZhangSan) ||
		strings.Contains(logs, code) || !strings.Contains(logs, "/v1/identity/resolve") {
		t.Errorf("log holds personal data or the code, or no request line:\n%s", logs)
	}
}

// A platform answering 200 without the person is not this API.
func TestClientResolveCodeEmptyAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"name":"张三"}`)
	}))
	defer srv.Close()
	if _, _, err := NewClient(srv.URL, testToken, srv.Client()).ResolveCode(context.Background(), "JMM1:x"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

func TestSpoolResolveCode(t *testing.T) {
	ctx := context.Background()
	e := newSpoolEnv(t)
	code, err := e.st.IssueResidentCode(ctx, "张三", DemoZhangSan, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if name, id, err := e.sp.ResolveCode(ctx, code); err != nil || name != "张三" || id != DemoZhangSan {
		t.Fatalf("Spool.ResolveCode = %q, %q, %v", name, id, err)
	}
	if _, _, err := e.sp.ResolveCode(ctx, "JMM1:AAAA"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad code through the spool: %v", err)
	}
	e.remote.stop()
	if _, _, err := e.sp.ResolveCode(ctx, code); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("remote down: err = %v, want ErrUnavailable", err)
	}
	if e.sp.Pending() != 0 {
		t.Error("a resolve was kept")
	}

	// A remote without resident codes: only the Backend methods.
	plain := struct{ Backend }{e.st}
	sp, err := OpenSpool(filepath.Join(t.TempDir(), "s.db"), testSealer(t), plain, SpoolOpts{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if _, _, err := sp.ResolveCode(ctx, code); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("remote without codes: err = %v, want errors.ErrUnsupported", err)
	}
}

// FuzzResolveCode: any input resolves to a valid ID number or fails with ErrInvalid, without
// personal data in the error; a code issued for (name, id) resolves to exactly them.
func FuzzResolveCode(f *testing.F) {
	ctx := context.Background()
	st, _, _ := newTestStore(f, StoreOpts{})
	good, err := st.IssueResidentCode(ctx, "张三", DemoZhangSan, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	s := testSealer(f)
	f.Add(good, "张三", DemoZhangSan)
	f.Add(sealedCode(s, `{"n":"李四","id":"`+DemoLiSi+`","exp":99999999999}`, "resident-code"), "李四", DemoLiSi)
	f.Add(sealedCode(s, `{"n":"x","id":"1","exp":99999999999}`, "resident-code"), "陈小明", DemoChenXiaoming)
	f.Add(sealedCode(s, `{"n":"x","id":"`+DemoWangWu+`","exp":1}`, "resident-code"), "王五", "450102198806150031x")
	for _, c := range []string{"", "JMM1:", "JMM1:AAAA", "JMM1:" + strings.Repeat("_", 64), good[:len(good)-1], " " + good + "\n"} {
		f.Add(c, "", "")
	}
	f.Fuzz(func(t *testing.T, code, name, idNumber string) {
		n, id, err := st.ResolveCode(ctx, code)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
		} else if n == "" || idcard.ValidateIDNumber(id) != nil {
			t.Fatalf("resolved to an empty name or an invalid ID number")
		}

		issued, err := st.IssueResidentCode(ctx, name, idNumber, time.Minute)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("issue error %v does not wrap ErrInvalid", err)
			}
			if len(idNumber) == 18 && strings.Contains(err.Error(), idNumber) {
				t.Fatalf("issue error %q holds the ID number", err)
			}
			return
		}
		n, id, err = st.ResolveCode(ctx, issued)
		if err != nil || n != name || id != idNumber {
			t.Fatalf("round trip: %q, %q, %v", n, id, err)
		}
	})
}

// The demo's resident codes name DemoSeed's people as their licences do.
func TestDemoResidents(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newTestStore(t, StoreOpts{})
	names := map[string]string{} // holder → name on the id_card or residence_permit
	for _, r := range DemoSeed {
		if r.Licence.Type == "id_card" || r.Licence.Type == "residence_permit" {
			names[r.HolderID] = r.Licence.Fields["name"]
		}
	}
	cards := map[string]bool{}
	for _, p := range DemoResidents {
		if names[p.IDNumber] != p.Name || p.Name == "" {
			t.Errorf("%s: not a DemoSeed person", p.Card)
		}
		if cards[p.Card] || p.Card == "" || strings.ContainsAny(p.Card, " /.") {
			t.Errorf("card %q: empty, repeated or not a bare file name", p.Card)
		}
		cards[p.Card] = true
		code, err := st.IssueResidentCode(ctx, p.Name, p.IDNumber, 24*time.Hour)
		if err != nil {
			t.Fatalf("%s: %v", p.Card, err)
		}
		if n, id, err := st.ResolveCode(ctx, code); err != nil || n != p.Name || id != p.IDNumber {
			t.Errorf("%s: resolves to %q, %q, %v", p.Card, n, id, err)
		}
	}
	if len(cards) != len(names) {
		t.Errorf("%d demo residents for %d seeded people", len(cards), len(names))
	}
}
