package idcard_test

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/drivers/serialport"
	"github.com/onestop-station/onestop/firmware-sim/sim/idreader"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
)

// testOpts are generous: success must not depend on a quiet machine. Fault tests that wait for
// a timeout use faultOpts to stay quick.
var (
	testOpts = idcard.Opts{
		StatusTimeout: 3 * time.Second, SAMIDTimeout: 3 * time.Second, FindTimeout: 3 * time.Second,
		SelectTimeout: 3 * time.Second, ReadTimeout: 5 * time.Second, FingerprintTimeout: 5 * time.Second,
		AddressTimeout: 3 * time.Second, ByteGap: time.Second, PollInterval: 20 * time.Millisecond,
	}
	faultOpts = idcard.Opts{
		StatusTimeout: time.Second, SAMIDTimeout: time.Second, FindTimeout: time.Second,
		SelectTimeout: time.Second, ReadTimeout: time.Second, FingerprintTimeout: time.Second,
		AddressTimeout: time.Second, ByteGap: 500 * time.Millisecond, PollInterval: 20 * time.Millisecond,
	}
)

// startTwin runs the twin on a real PTY and opens it through drivers/serialport, as the kiosk
// will.
func startTwin(t *testing.T, card string) (*idreader.Twin, *serialport.Port) {
	t.Helper()
	tw, err := idreader.New(idreader.Opts{Card: card, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	path := simtest.Start(t, tw)
	port := serialport.New(serialport.Config{Path: path}, "idreader")
	t.Cleanup(func() { port.Close() })
	if err := port.Open(); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return tw, port
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func loaded(t *testing.T, name string) *idreader.LoadedCard {
	t.Helper()
	c, err := idreader.LoadCard(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sameCard compares every field; want carries the fingerprints, which a basic read lacks.
func sameCard(t *testing.T, name string, got, want *idcard.Card, withFP bool) {
	t.Helper()
	w := *want
	if !withFP {
		w.Fingerprint = idcard.Secret[[]byte]{}
	}
	if !reflect.DeepEqual(*got, w) {
		t.Errorf("%s: read card differs from the twin's:\n got  %s\n want %s", name, dump(got), dump(&w))
	}
}

// dump renders the fields for a failing test only (synthetic people).
func dump(c *idcard.Card) string {
	v := reflect.ValueOf(*c)
	s := ""
	for i := range v.NumField() {
		f := v.Field(i)
		if b, ok := f.Interface().([]byte); ok {
			s += v.Type().Field(i).Name + "=[" + string(rune('0'+len(b)%10)) + "…] "
			continue
		}
		s += v.Type().Field(i).Name + "=" + reflectString(f) + " "
	}
	return s
}

func reflectString(v reflect.Value) string {
	if st, ok := v.Interface().(interface{ String() string }); ok {
		return st.String()
	}
	if v.Kind() == reflect.String {
		return v.String()
	}
	return v.Type().String()
}

func TestEveryCardTypeOverPTY(t *testing.T) {
	tw, port := startTwin(t, "")
	r := idcard.New(port, testOpts)
	ctx := testCtx(t)
	for _, name := range idreader.CardNames() {
		if err := tw.PlaceCard(name); err != nil {
			t.Fatal(err)
		}
		c, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := loaded(t, name)
		sameCard(t, name, c, want.Card, false)
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if c.Photo.Len() != idcard.PhotoLen {
			t.Errorf("%s: photo %d bytes", name, c.Photo.Len())
		}
		tw.LiftCard()
	}
	// The twin counts a reply after writing it, so the count may trail the driver a little.
	waitFor(t, "the twin to count every read", func() bool { return tw.Counters().CardsRead == int64(len(idreader.CardNames())) })
}

// 30 10 answers 1297, 1809 or 2321 bytes for 0, 1 or 2 templates.
func TestFingerprintVariantsOverPTY(t *testing.T) {
	tw, port := startTwin(t, "")
	r := idcard.New(port, testOpts)
	ctx := testCtx(t)
	for name, fp := range map[string]int{"zhangsan": 0, "wangwu": 512, "lisi": 1024} {
		tw.PlaceCard(name)
		if err := r.FindCard(ctx); err != nil {
			t.Fatal(err)
		}
		if err := r.SelectCard(ctx); err != nil {
			t.Fatal(err)
		}
		c, err := r.ReadFingerprint(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Fingerprint.Len() != fp {
			t.Errorf("%s: %d fingerprint bytes, want %d", name, c.Fingerprint.Len(), fp)
		}
		sameCard(t, name, c, loaded(t, name).Card, true)
		tw.LiftCard()
	}
}

func TestAppendedAddressOverPTY(t *testing.T) {
	tw, port := startTwin(t, "lisi")
	r := idcard.New(port, testOpts)
	ctx := testCtx(t)
	if _, err := r.Read(ctx); err != nil {
		t.Fatal(err)
	}
	addr, err := r.ReadAddress(ctx)
	if err != nil || addr != loaded(t, "lisi").File.AppendedAddress {
		t.Errorf("address: %v (%d characters)", err, len([]rune(addr)))
	}
	tw.PlaceCard("zhangsan")
	if _, err := r.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if addr, err := r.ReadAddress(ctx); err != nil || addr != "" {
		t.Errorf("no appended address (0x91): %q, %v", addr, err)
	}
}

func TestSAMOverPTY(t *testing.T) {
	tw, port := startTwin(t, "zhangsan")
	r := idcard.New(port, testOpts)
	ctx := testCtx(t)
	if err := r.SAMStatus(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.ResetSAM(ctx); err != nil {
		t.Fatal(err)
	}
	id, err := r.SAMID(ctx)
	if err != nil || id.String() != "05.01-20120913-0017473839-1345567837" {
		t.Errorf("SAM ID %s, %v", id, err)
	}
	if h := r.Health(ctx); !h.OK() || h.Detail != "SAM ok" {
		t.Errorf("health %v", h)
	}
	tw.SetSAM(false)
	if err := r.SAMStatus(ctx); !errors.Is(err, idcard.ErrSAMSelfTest) || err.Error() != "idcard: SAM status: SAM self-test failed (SW3 0x60)" {
		t.Errorf("failed SAM: %v", err)
	}
	if err := r.FindCard(ctx); !errors.Is(err, idcard.ErrSAMSelfTest) {
		t.Errorf("find with a failed SAM: %v", err)
	}
	if h := r.Health(ctx); h.OK() || h.State.String() != "error" {
		t.Errorf("health %v", h)
	}
}

// The RF order and the empty reader: no card, select before find, read before select.
func TestCardStatesOverPTY(t *testing.T) {
	tw, port := startTwin(t, "")
	r := idcard.New(port, testOpts)
	ctx := testCtx(t)
	if err := r.FindCard(ctx); !errors.Is(err, idcard.ErrNoCard) || err.Error() != "idcard: find card: no card (SW3 0x80)" {
		t.Errorf("empty reader: %v", err)
	}
	tw.PlaceCard("zhangsan")
	if err := r.SelectCard(ctx); !errors.Is(err, idcard.ErrSelectFailed) {
		t.Errorf("select before find: %v", err)
	}
	if _, err := r.ReadBasic(ctx); !errors.Is(err, idcard.ErrReadFailed) {
		t.Errorf("read before select: %v", err)
	}
}

// WaitCard returns a placement once; the next call waits until the card is lifted and put back.
func TestWaitCardLatchOverPTY(t *testing.T) {
	tw, port := startTwin(t, "")
	r := idcard.New(port, testOpts)
	ctx := testCtx(t)
	got := make(chan error, 1)
	go func() {
		c, err := r.WaitCard(ctx)
		if err == nil && c.Name.Reveal() != "张三" {
			err = errors.New("wrong card")
		}
		got <- err
	}()
	waitFor(t, "a few empty polls", func() bool { return tw.Counters().NoCard >= 2 })
	tw.PlaceCard("zhangsan")
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if !tw.State().Latched {
		t.Error("twin not latched after the read")
	}
	// Still on the reader: a second wait must not return.
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if c, err := r.WaitCard(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second WaitCard without a lift: %v, %v", c, err)
	}
	tw.LiftCard()
	tw.PlaceCard("")
	c, err := r.WaitCard(ctx)
	if err != nil || c.Name.Reveal() != "张三" {
		t.Fatalf("after lift and replace: %v", err)
	}
	waitFor(t, "two reads counted", func() bool { return tw.Counters().CardsRead == 2 })
}

// A module that does not latch: WaitCard still waits for a lift itself.
func TestWaitCardLatchInDriver(t *testing.T) {
	tw, port := startTwin(t, "zhangsan")
	r := idcard.New(port, testOpts)
	ctx := testCtx(t)
	if _, err := r.WaitCard(ctx); err != nil {
		t.Fatal(err)
	}
	tw.PlaceCard("zhangsan") // the twin forgets its latch, like a module without one
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := r.WaitCard(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a card never lifted was returned twice: %v", err)
	}
	tw.LiftCard()
	if err := r.FindCard(ctx); !errors.Is(err, idcard.ErrNoCard) {
		t.Fatalf("lifted: %v", err)
	}
	tw.PlaceCard("")
	if _, err := r.WaitCard(ctx); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
