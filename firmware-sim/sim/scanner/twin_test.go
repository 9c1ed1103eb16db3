package scanner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	drv "github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/firmware-sim/sim/simpty"
)

const patience = 10 * time.Second

func TestHostParser(t *testing.T) {
	hw := []byte("xx\x16T\r\x16U\r\x16M\rTRGMOD0.\x16M\rBEPLVL1!\x16Q\r")
	nl := append(append([]byte("zz"), drv.Newland.TriggerOn()...), drv.NewlandCommand("@SCNMOD0")...)
	nl = append(append(nl, drv.NewlandCommand("#FOO1")...), drv.Newland.TriggerOff()...)
	tests := []struct {
		d    drv.Dialect
		in   []byte
		want string
	}{
		{drv.Honeywell, hw, `junk2 on off other:"TRGMOD0\x06." other!:"BEPLVL1\x05!" junk3`},
		{drv.Newland, nl, `junk2 on:"\x02\x010000#SCNTRG1\x06;\x03" other:"\x02\x010000@SCNMOD0\x06;\x03" other!:"\x02\x010000#FOO1\x05;\x03" off:"\x02\x010000#SCNTRG0\x06;\x03"`},
		{drv.DialectNone, hw, "junk33"},
	}
	for _, tt := range tests {
		// A byte at a time and all at once must agree.
		for _, chunk := range []int{1, len(tt.in)} {
			var p hostParser
			var got []string
			for i := 0; i < len(tt.in); i += chunk {
				for _, c := range p.feed(tt.in[i:min(i+chunk, len(tt.in))], tt.d) {
					got = append(got, describe(c))
				}
			}
			if g := strings.Join(merge(got), " "); g != tt.want {
				t.Errorf("%v chunk %d:\ngot  %s\nwant %s", tt.d, chunk, g, tt.want)
			}
		}
	}
}

func describe(c hostCmd) string {
	s := [...]string{"junk", "on", "off", "other"}[c.kind]
	if c.kind == cmdJunk {
		return s + strings.Repeat("+", c.n)
	}
	if c.refused {
		s += "!"
	}
	if c.reply != nil {
		s += fmt.Sprintf(":%q", c.reply)
	}
	return s
}

// merge sums adjacent junk counts, which depend on chunking.
func merge(in []string) []string {
	var out []string
	n := 0
	flush := func() {
		if n > 0 {
			out = append(out, "junk"+strconv.Itoa(n))
			n = 0
		}
	}
	for _, s := range in {
		if strings.HasPrefix(s, "junk") {
			n += len(s) - 4
			continue
		}
		flush()
		out = append(out, s)
	}
	flush()
	return out
}

func TestEncode(t *testing.T) {
	tw, err := New(Opts{AIM: true, Charset: drv.GBK, Suffix: drv.SuffixCR})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := tw.encode(Code{Data: "办", Symbology: "ean13"})
	if !bytes.Equal(got, []byte{']', 'E', '0', 0xB0, 0xEC, '\r'}) {
		t.Errorf("encode = % X", got)
	}
	for _, bad := range []Code{{Data: "emoji 😀"}, {Data: "a\rb"}, {Data: "x", Symbology: "morse"}, {Data: "x", Symbology: "unknown"}} {
		if err := tw.SetNext(bad); err == nil {
			t.Errorf("SetNext(%+v) accepted", bad)
		}
	}
	if _, err := New(Opts{Codes: []Code{{Data: "😀"}}, Charset: drv.GBK}); err == nil {
		t.Error("New accepted a code GBK cannot encode")
	}
}

// The queue cycles; SetNext goes first, once.
func TestQueue(t *testing.T) {
	tw, _ := New(Opts{Codes: []Code{{Data: "a"}, {Data: "b"}}})
	_ = tw.SetNext(Code{Data: "x"})
	var got []string
	for range 4 {
		got = append(got, tw.takeCode().Data)
	}
	if strings.Join(got, "") != "xaba" {
		t.Errorf("order %v", got)
	}
}

func TestHTTP(t *testing.T) {
	tw, _ := New(Opts{Dialect: drv.Newland, Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(tw.Handler())
	defer srv.Close()
	post := func(path, body string) (int, State) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var s State
		_ = json.NewDecoder(resp.Body).Decode(&s)
		return resp.StatusCode, s
	}
	if code, s := post("/code", `{"data":"6901234567892","symbology":"ean13"}`); code != 200 || s.Next.Data != "6901234567892" || s.Dialect != "newland" {
		t.Errorf("POST /code: %d %+v", code, s)
	}
	if code, s := post("/fault", `{"kind":"split","count":2}`); code != 200 || strings.Join(s.Faults, ",") != "split,split" {
		t.Errorf("POST /fault: %d %+v", code, s)
	}
	if code, s := post("/fault", `{"kind":"clear"}`); code != 200 || len(s.Faults) != 0 {
		t.Errorf("clear: %d %+v", code, s)
	}
	for _, bad := range []struct{ path, body string }{
		{"/fault", `{"kind":"melt"}`}, {"/fault", `{"kind":"split","count":-1}`},
		{"/code", `{"data":"x","symbology":"morse"}`}, {"/code", `{"dat":"x"}`},
	} {
		if code, _ := post(bad.path, bad.body); code != 400 {
			t.Errorf("POST %s %s: %d, want 400", bad.path, bad.body, code)
		}
	}
	if code, _ := post("/trigger", ``); code != 200 {
		t.Errorf("POST /trigger: %d", code)
	}
	resp, err := http.Get(srv.URL + "/counters")
	if err != nil {
		t.Fatal(err)
	}
	var k Counters
	if err := json.NewDecoder(resp.Body).Decode(&k); err != nil || k != (Counters{}) {
		t.Errorf("GET /counters: %+v %v", k, err)
	}
	resp.Body.Close()
}

// Over a real PTY: the Newland twin answers a trigger with its ACK and the
// code, and a schedule emits on its own; read with a plain file.
func TestTwinOnPTY(t *testing.T) {
	tw, _ := New(Opts{Dialect: drv.Newland, Suffix: drv.SuffixCR, Codes: []Code{{Data: "N1"}}, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tw.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	wctx, wcancel := context.WithTimeout(ctx, patience)
	defer wcancel()
	path, err := tw.WaitPath(wctx, "")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := simpty.SetNonblock(f); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(drv.Newland.TriggerOn()); err != nil {
		t.Fatal(err)
	}
	want := append(drv.NewlandReply("#SCNTRG1", drv.ACK), "N1\r"...)
	var got []byte
	buf := make([]byte, 64)
	_ = f.SetReadDeadline(time.Now().Add(patience))
	for len(got) < len(want) {
		n, err := f.Read(buf)
		if err != nil {
			t.Fatalf("read: %v after % X", err, got)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got % X\nwant % X", got, want)
	}
}
