package flow_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/firmware-sim/sim/idreader"
	"github.com/onestop-station/onestop/kiosk/backend"
	"github.com/onestop-station/onestop/kiosk/catalogue"
	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/seal"
)

// bench is a flow over the real embedded catalogue and a real SQLite store seeded with the
// demo e-licences; asked records which holders the store was asked about, and when.
type bench struct {
	f     *flow.Flow
	store *backend.Store
	cat   *catalogue.Catalogue
	audit *auditLog
	spy   *spy
}

type auditLog struct {
	mu     sync.Mutex
	events []string
}

func (a *auditLog) record(ev string, attrs ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, ev+" "+strings.TrimSpace(fmt.Sprintln(attrs...)))
}

// spy passes everything to the store and counts licence queries.
type spy struct {
	backend.Backend
	mu       sync.Mutex
	licences []string
}

func (s *spy) Licences(ctx context.Context, holder string, types []string) ([]backend.Licence, error) {
	s.mu.Lock()
	s.licences = append(s.licences, holder)
	s.mu.Unlock()
	return s.Backend.Licences(ctx, holder, types)
}

func newBench(t *testing.T) *bench {
	t.Helper()
	cat, err := catalogue.Load("")
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i + 1)
	}
	s, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := backend.OpenStore(filepath.Join(t.TempDir(), "backend.db"), s, backend.StoreOpts{
		PublicURL: "http://127.0.0.1:8090",
		PromisedDays: func(id string) int {
			if it, ok := cat.Item(id); ok {
				return it.PromisedDays
			}
			return 5
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SeedLicences(context.Background(), backend.DemoSeed); err != nil {
		t.Fatal(err)
	}
	b := &bench{store: st, cat: cat, audit: &auditLog{}, spy: &spy{Backend: st}}
	b.f = flow.New(flow.Config{Catalogue: cat, Backend: b.spy, Site: "tengzhou", Terminal: "T01", Audit: b.audit.record})
	return b
}

func card(t *testing.T, name string) *idcard.Card {
	t.Helper()
	c, err := idreader.LoadCard(name)
	if err != nil {
		t.Fatal(err)
	}
	return c.Card
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func screen(t *testing.T, f *flow.Flow, want flow.Screen) flow.Visit {
	t.Helper()
	v := f.View()
	if v.Screen != want {
		t.Fatalf("screen %s, want %s (notice %q)", v.Screen, want, v.Notice)
	}
	return v
}

func TestNewbornFromCardToRating(t *testing.T) {
	b := newBench(t)
	ctx := context.Background()
	f := b.f
	must(t, f.CardRead(card(t, "zhangsan")))
	v := screen(t, f, flow.Choose)
	if name, id := v.ApplicantMasked(); name != "张*" || id != "110***********0011" {
		t.Errorf("masked applicant %q %q", name, id)
	}
	must(t, f.ChooseItem("newborn"))
	v = screen(t, f, flow.Consent)
	if len(v.Materials) != 0 || len(b.spy.licences) != 0 {
		t.Fatal("licences were asked for before consent")
	}
	must(t, f.Agree(ctx))
	v = screen(t, f, flow.Checklist)
	covered, total := v.Covered()
	if covered < 4 || total < covered {
		t.Errorf("covered %d of %d, want ≥ 4 (ID card, hukou, marriage, birth certificate)", covered, total)
	}
	for _, m := range v.Materials {
		if m.Covered && m.Source == "" {
			t.Errorf("material %s covered without a source", m.ID)
		}
	}
	must(t, f.ChecklistNext())
	v = screen(t, f, flow.Form)
	for _, fl := range v.Item.Fields {
		if fl.Required && v.Fields[fl.ID] == "" {
			t.Errorf("required field %s not prefilled", fl.ID)
		}
	}
	must(t, f.FormNext())
	screen(t, f, flow.Review)
	r, err := f.Submit(ctx)
	must(t, err)
	if backend.ValidTracking(r.Tracking) != nil || r.Pending {
		t.Fatalf("receipt %+v", r)
	}
	if tr, err := backend.ParseProgressCode(r.ProgressURL); err != nil || tr != r.Tracking {
		t.Errorf("progress URL %q → %q, %v", r.ProgressURL, tr, err)
	}
	screen(t, f, flow.Receipt)
	f.ReceiptPrinted(r.ApplicationID, nil)
	must(t, f.ToRating())
	must(t, f.Rate(ctx, 5))
	v = screen(t, f, flow.Done)
	if v.Rating != 5 {
		t.Errorf("rating %d", v.Rating)
	}
	if err := f.Rate(ctx, 4); !errors.Is(err, flow.ErrNotNow) {
		t.Errorf("second rating: %v", err)
	}
	p, err := b.store.Progress(ctx, r.Tracking)
	must(t, err)
	if p.ItemID != "newborn" || p.State != backend.StateSubmitted || p.ApplicantMask != "张*" {
		t.Errorf("progress %+v", p)
	}
	// The audit trail tells what happened without saying who.
	all := strings.Join(b.audit.events, "\n")
	for _, want := range []string{"identify", "consent.given", "submit", "rate"} {
		if !strings.Contains(all, want) {
			t.Errorf("audit has no %s:\n%s", want, all)
		}
	}
	for _, secret := range []string{"张三", "110101199003070011", "张小宝", "13800000011"} {
		if strings.Contains(all, secret) {
			t.Errorf("audit holds %q", secret)
		}
	}
}

func TestCardMidVisitIsIgnoredAndWipeForgets(t *testing.T) {
	b := newBench(t)
	f := b.f
	must(t, f.CardRead(card(t, "zhangsan")))
	must(t, f.ChooseItem("newborn"))
	if err := f.CardRead(card(t, "lisi")); !errors.Is(err, flow.ErrNotNow) {
		t.Fatalf("second card mid-visit: %v", err)
	}
	if name, _ := f.View().ApplicantMasked(); name != "张*" {
		t.Fatalf("applicant changed to %q", name)
	}
	must(t, f.Agree(context.Background()))
	old := f.View().ID
	f.Wipe("idle")
	v := f.View()
	if v.Screen != flow.Attract || v.Applicant != nil || v.Item != nil || v.Fields != nil || v.Materials != nil ||
		v.Subject != nil || v.Receipt != nil || v.ID == old || v.Elder || v.Lang != "zh-Hans" {
		t.Errorf("after wipe: %+v", v)
	}
	// The next citizen's card starts a new visit.
	must(t, f.CardRead(card(t, "lisi")))
	if name, _ := f.View().ApplicantMasked(); name != "李*" {
		t.Errorf("next applicant %q", name)
	}
}

func TestDeclineGoesToTheWindowWithoutAskingTheStore(t *testing.T) {
	b := newBench(t)
	must(t, b.f.CardRead(card(t, "zhangsan")))
	must(t, b.f.ChooseItem("newborn"))
	must(t, b.f.Decline())
	screen(t, b.f, flow.Ticket)
	if len(b.spy.licences) != 0 {
		t.Error("the store was asked after a refusal")
	}
	tk, err := b.f.TakeTicket(context.Background(), true)
	must(t, err)
	if tk.Number == "" || !strings.HasPrefix(tk.Number, "A") {
		t.Errorf("ticket %+v", tk)
	}
}

func TestActingForADeceasedPersonNeedsAValidNumber(t *testing.T) {
	b := newBench(t)
	f := b.f
	must(t, f.CardRead(card(t, "lisi")))
	must(t, f.ChooseItem("after_death"))
	v := screen(t, f, flow.Who)
	if v.Role != catalogue.RoleDeceased {
		t.Fatalf("role %s", v.Role)
	}
	if err := f.SetSubject("110101199003070012", "配偶"); err == nil {
		t.Fatal("a number with a bad check digit was taken")
	}
	if f.View().Notice != "role.badid" {
		t.Errorf("notice %q", f.View().Notice)
	}
	if err := f.SetSubject("310104196508120021", ""); err == nil {
		t.Fatal("the applicant's own number was taken as the deceased's")
	}
	must(t, f.SetSubject("110101199003070011", "配偶"))
	screen(t, f, flow.Consent)
	ctx := context.Background()
	must(t, f.Agree(ctx))
	if got := b.spy.licences; len(got) != 2 || got[0] != "310104196508120021" || got[1] != "110101199003070011" {
		t.Errorf("licence queries %v, want the applicant's then the subject's", got)
	}
	// Through to the receipt: the deceased's name is left to the window (no Chinese keyboard).
	must(t, f.ChecklistNext())
	must(t, f.SetField("death_date", "20261101"))
	must(t, f.SetField("relation", "配偶"))
	must(t, f.SetField("deceased_id_number", "110101199003070011"))
	if v := f.View(); v.Fields["death_date"] != "2026-11-01" {
		t.Errorf("date typed as digits became %q", v.Fields["death_date"])
	}
	must(t, f.FormNext())
	r, err := f.Submit(ctx)
	must(t, err)
	v = screen(t, f, flow.Receipt)
	if r.Tracking == "" || v.Ticket == nil || v.Ticket.Window != "A" {
		t.Errorf("receipt %+v ticket %+v: a window item gets a queue ticket", r, v.Ticket)
	}
}

func TestFormValidation(t *testing.T) {
	b := newBench(t)
	f := b.f
	must(t, f.CardRead(card(t, "zhangsan")))
	must(t, f.ChooseItem("newborn"))
	must(t, f.Agree(context.Background()))
	must(t, f.ChecklistNext())
	must(t, f.SetField("phone", "1380000"))
	if got := f.View().FieldErr["phone"]; got != "form.bad" {
		t.Errorf("short phone: %q", got)
	}
	if err := f.FormNext(); err == nil {
		t.Fatal("form with a bad phone went on")
	}
	screen(t, f, flow.Form)
	must(t, f.SetField("phone", "13912345678"))
	must(t, f.FormNext())
	screen(t, f, flow.Review)
	f.Back()
	screen(t, f, flow.Form)
}

func TestProgressByScanningTheReceipt(t *testing.T) {
	b := newBench(t)
	ctx := context.Background()
	f := b.f
	must(t, f.CardRead(card(t, "zhangsan")))
	must(t, f.ChooseItem("newborn"))
	must(t, f.Agree(ctx))
	must(t, f.ChecklistNext())
	must(t, f.FormNext())
	r, err := f.Submit(ctx)
	must(t, err)
	f.Wipe("finish")
	must(t, b.store.Advance(ctx, r.Tracking, backend.StateAccepted, ""))
	must(t, f.Scanned(ctx, r.ProgressURL))
	v := screen(t, f, flow.Progress)
	if v.Progress.Tracking != r.Tracking || v.Progress.State != backend.StateAccepted || v.Applicant != nil {
		t.Errorf("progress %+v", v.Progress)
	}
	f.Wipe("finish")
	if err := f.Scanned(ctx, "hello"); err == nil || f.View().Notice != "identify.badcode" {
		t.Errorf("unknown code: %v, notice %q", err, f.View().Notice)
	}
	bad := r.Tracking[:len(r.Tracking)-1] + "0"
	if bad == r.Tracking {
		bad = r.Tracking[:len(r.Tracking)-1] + "1"
	}
	if err := f.Scanned(ctx, "http://127.0.0.1:8090/progress/"+bad); err == nil {
		t.Error("a tracking number with a wrong check character was queried")
	}
}

func TestIdle(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	i := flow.NewIdle(90*time.Second, 30*time.Second, t0)
	for _, c := range []struct {
		after  time.Duration
		screen flow.Screen
		want   flow.IdleState
		left   int
	}{
		{60 * time.Second, flow.Choose, flow.Active, 0},
		{95 * time.Second, flow.Choose, flow.Warning, 25},
		{95 * time.Second, flow.Attract, flow.Active, 0},
		{95 * time.Second, flow.Form, flow.Active, 0}, // forms get twice the time
		{121 * time.Second, flow.Choose, flow.Expired, 0},
		{10 * time.Second, flow.Done, flow.Active, 0},
		{16 * time.Second, flow.Done, flow.Expired, 0}, // after the thank-you: back to attract, no warning
	} {
		st, left := i.Check(t0.Add(c.after), c.screen)
		if st != c.want || left != c.left {
			t.Errorf("after %v on %s: %v %d, want %v %d", c.after, c.screen, st, left, c.want, c.left)
		}
	}
	i.Touch(t0.Add(100 * time.Second))
	if st, _ := i.Check(t0.Add(121*time.Second), flow.Choose); st != flow.Active {
		t.Errorf("touched during the warning: %v", st)
	}
}

// TestOfflineSubmissionIsKeptAndSaidPlainly: the terminal talks to the center's backend over
// HTTP through the spool; the backend becomes unreachable after consent; the submission is
// kept, the receipt says pending with a send-by time, and the backend gets it when it is back.
func TestOfflineSubmissionIsKeptAndSaidPlainly(t *testing.T) {
	b := newBench(t)
	ctx := context.Background()
	api := backend.NewServer(b.store, backend.ServerOpts{Tokens: map[string]string{"tok": "T01"},
		Logger: slog.New(slog.DiscardHandler)})
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() { // what a terminal sees when the center's link is cut: no answer
			hj, _ := w.(http.Hijacker)
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
			}
			return
		}
		api.ServeHTTP(w, r)
	}))
	defer srv.Close()
	key := make([]byte, 32)
	key[0] = 9
	s, err := seal.New(key)
	must(t, err)
	spool, err := backend.OpenSpool(filepath.Join(t.TempDir(), "spool.db"), s, backend.NewClient(srv.URL, "tok", nil),
		backend.SpoolOpts{TTL: time.Hour, Logger: slog.New(slog.DiscardHandler)})
	must(t, err)
	defer spool.Close()
	f := flow.New(flow.Config{Catalogue: b.cat, Backend: spool, Terminal: "T01"})
	must(t, f.CardRead(card(t, "zhangsan")))
	must(t, f.ChooseItem("newborn"))
	must(t, f.Agree(ctx))
	if c, _ := f.View().Covered(); c < 4 {
		t.Fatalf("licences over HTTP: %d covered", c)
	}
	must(t, f.ChecklistNext())
	must(t, f.FormNext())
	down.Store(true)
	r, err := f.Submit(ctx)
	must(t, err)
	v := screen(t, f, flow.Receipt)
	if !r.Pending || r.Tracking != "" || r.SendBy.IsZero() || !v.Receipt.Pending || spool.Pending() != 1 {
		t.Fatalf("offline receipt %+v, pending %d", r, spool.Pending())
	}
	if ids, _ := b.store.Popular(ctx, 5); len(ids) != 0 {
		t.Fatalf("the store has an application before the spool sent it: %v", ids)
	}
	down.Store(false)
	sent, expired, err := spool.Flush(ctx)
	must(t, err)
	if sent != 1 || expired != 0 || spool.Pending() != 0 {
		t.Fatalf("flush: sent %d expired %d pending %d", sent, expired, spool.Pending())
	}
	if ids, _ := b.store.Popular(ctx, 5); len(ids) != 1 || ids[0] != "newborn" {
		t.Errorf("after the flush the store has %v", ids)
	}
}

// TestResidentCodeIdentifies: a resident code (居民码) on the scanner identifies like a card; a
// tampered or expired one does not.
func TestResidentCodeIdentifies(t *testing.T) {
	b := newBench(t)
	ctx := context.Background()
	f := flow.New(flow.Config{Catalogue: b.cat, Backend: b.store, Codes: b.store, Terminal: "T01", Audit: b.audit.record})
	code, err := b.store.IssueResidentCode(ctx, "李四", "310104196508120021", time.Minute)
	must(t, err)
	bad := code[:len(code)-2] + "AA"
	if bad == code {
		bad = code[:len(code)-2] + "BB"
	}
	if err := f.Scanned(ctx, bad); err == nil || f.View().Applicant != nil || f.View().Notice != "identify.badcode" {
		t.Fatalf("tampered code: %v, notice %q", err, f.View().Notice)
	}
	must(t, f.Scanned(ctx, code))
	v := screen(t, f, flow.Choose)
	if name, id := v.ApplicantMasked(); name != "李*" || id != "310***********0021" || v.Applicant.Method != flow.ByCode {
		t.Errorf("identified as %q %q by %s", name, id, v.Applicant.Method)
	}
	if !strings.Contains(strings.Join(b.audit.events, "\n"), "method code") || strings.Contains(strings.Join(b.audit.events, "\n"), "李四") {
		t.Errorf("audit: %v", b.audit.events)
	}
}

// TestBackAndDeclineForget: back from the catalogue ends the visit; declining after going back
// drops what consent had fetched.
func TestBackAndDeclineForget(t *testing.T) {
	b := newBench(t)
	f := b.f
	must(t, f.CardRead(card(t, "zhangsan")))
	f.Back()
	if v := f.View(); v.Screen != flow.Attract || v.Applicant != nil {
		t.Fatalf("back from the catalogue: %s, applicant kept %v", v.Screen, v.Applicant != nil)
	}
	must(t, f.CardRead(card(t, "zhangsan")))
	must(t, f.ChooseItem("newborn"))
	must(t, f.Agree(context.Background()))
	f.Back()
	screen(t, f, flow.Consent)
	must(t, f.Decline())
	if v := f.View(); v.Materials != nil || v.Fields != nil || !v.ConsentAt.IsZero() {
		t.Errorf("after declining: materials %d, fields %v, consent %v", len(v.Materials), v.Fields, v.ConsentAt)
	}
}

func TestStaffIdentifyNeedsARecord(t *testing.T) {
	b := newBench(t)
	// A well-formed number nobody in the store holds.
	c, err := idcard.CheckDigit("11010119800101001")
	must(t, err)
	nobody := "11010119800101001" + string(c)
	if err := b.f.StaffIdentifyByNumber(context.Background(), nobody); err == nil || b.f.View().Applicant != nil {
		t.Fatal("identified without an ID-card record")
	}
	if n := b.f.View().Notice; n != "identify.norecord" {
		t.Errorf("notice %q, want identify.norecord", n)
	}
	must(t, b.f.StaffIdentifyByNumber(context.Background(), "310104196508120021"))
	if name, _ := b.f.View().ApplicantMasked(); name != "李*" {
		t.Errorf("name from the ID-card e-licence: %q", name)
	}
}
