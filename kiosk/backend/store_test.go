package backend

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/onestop-station/onestop/kiosk/seal"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var shanghai = time.FixedZone("CST", 8*3600)

func testSealer(t testing.TB) *seal.Sealer {
	t.Helper()
	s, err := seal.New(bytes.Repeat([]byte{0x42}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newTestStore opens a store in a temp dir on Friday 2026-11-27 10:00 in Shanghai.
func newTestStore(t testing.TB, opts StoreOpts) (*Store, *clock, string) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, shanghai)}
	opts.Now, opts.Location = c.Now, shanghai
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.PublicURL == "" {
		opts.PublicURL = "https://zwfw.example.gov.cn"
	}
	path := filepath.Join(t.TempDir(), "backend.db")
	st, err := OpenStore(path, testSealer(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, c, path
}

func newbornApp(id string) Application {
	return Application{
		ID: id, Site: "tengzhou-01", Terminal: "T01", ItemID: "newborn", Role: "parent",
		Applicant: Person{Name: "张三", IDNumber: DemoZhangSan},
		Subject:   &Person{Name: "张小宝", Relation: "child"},
		Fields: map[string]string{"child_name": "张小宝", "phone": "13800000011",
			"bank_account": "6217000000000000011", "address": "山东省滕州市荆河街道示例社区1号"},
		Materials: []MaterialState{{ID: "household_register", Covered: true, Licence: "household_register", Source: demoSource}},
		ConsentAt: time.Date(2026, 11, 27, 9, 58, 0, 0, time.UTC),
		CreatedAt: time.Date(2026, 11, 27, 9, 59, 0, 0, time.UTC),
	}
}

func TestSubmitIdempotentAndPromised(t *testing.T) {
	ctx := context.Background()
	st, c, _ := newTestStore(t, StoreOpts{PromisedDays: func(item string) int {
		if item == "newborn" {
			return 3
		}
		return 0
	}})
	r1, err := st.Submit(ctx, newbornApp("app-1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidTracking(r1.Tracking); err != nil {
		t.Fatal(err)
	}
	if r1.Tracking != NewTracking(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), 1) {
		t.Fatalf("first tracking of the day = %s", r1.Tracking)
	}
	// Friday + 3 working days = Wednesday, same clock time.
	if want := time.Date(2026, 12, 2, 10, 0, 0, 0, shanghai); !r1.PromisedBy.Equal(want) {
		t.Fatalf("PromisedBy = %v, want %v", r1.PromisedBy, want)
	}
	if r1.ProgressURL != "https://zwfw.example.gov.cn/progress/"+r1.Tracking || r1.State != StateSubmitted {
		t.Fatalf("receipt = %+v", r1)
	}
	c.Add(time.Minute)
	r2, err := st.Submit(ctx, newbornApp("app-1"))
	if err != nil || r2 != r1 {
		t.Fatalf("retry = %+v, %v; want the first receipt %+v", r2, err, r1)
	}
	a := newbornApp("app-2")
	a.ItemID = "other"
	r3, err := st.Submit(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if r3.Tracking == r1.Tracking || r3.Tracking[10:16] != "000002" {
		t.Fatalf("second tracking = %s", r3.Tracking)
	}
	// Default 5 working days from Friday 10:01 → next Friday.
	if want := time.Date(2026, 12, 4, 10, 1, 0, 0, shanghai); !r3.PromisedBy.Equal(want) {
		t.Fatalf("default PromisedBy = %v, want %v", r3.PromisedBy, want)
	}
	// A new local day restarts the sequence.
	c.Add(14 * time.Hour) // Saturday 00:01 in Shanghai, still Friday in UTC
	r4, err := st.Submit(ctx, newbornApp("app-3"))
	if err != nil || r4.Tracking[2:16] != "20261128000001" {
		t.Fatalf("next day tracking = %s, %v", r4.Tracking, err)
	}
}

func TestSubmitInvalid(t *testing.T) {
	st, _, _ := newTestStore(t, StoreOpts{})
	for name, mut := range map[string]func(*Application){
		"no id":       func(a *Application) { a.ID = "" },
		"no item":     func(a *Application) { a.ItemID = "" },
		"no name":     func(a *Application) { a.Applicant.Name = " " },
		"no number":   func(a *Application) { a.Applicant.IDNumber = "" },
		"no consent":  func(a *Application) { a.ConsentAt = time.Time{} },
		"nameless":    func(a *Application) { a.Subject = &Person{} },
		"long id":     func(a *Application) { a.ID = string(bytes.Repeat([]byte("x"), 65)) },
		"no role set": func(a *Application) { a.Role = "" },
	} {
		a := newbornApp("app-x")
		mut(&a)
		if _, err := st.Submit(context.Background(), a); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestProgressAndAdvance(t *testing.T) {
	ctx := context.Background()
	st, c, _ := newTestStore(t, StoreOpts{})
	r, err := st.Submit(ctx, newbornApp("app-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Progress(ctx, NewTracking(time.Now(), 999)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown tracking: %v", err)
	}
	if _, err := st.Progress(ctx, "TZ1"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("malformed tracking: %v", err)
	}
	if err := st.Advance(ctx, r.Tracking, StateCompleted, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("submitted→completed allowed: %v", err)
	}
	for _, to := range []State{StateAccepted, StateReview, StateReturned, StateReview, StateCompleted} {
		c.Add(time.Hour)
		if err := st.Advance(ctx, r.Tracking, to, "step "+string(to)); err != nil {
			t.Fatalf("advance to %s: %v", to, err)
		}
	}
	if err := st.Advance(ctx, r.Tracking, StateReview, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("completed→review allowed: %v", err)
	}
	if err := st.Advance(ctx, NewTracking(time.Now(), 999), StateAccepted, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("advance unknown: %v", err)
	}
	p, err := st.Progress(ctx, r.Tracking)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != StateCompleted || p.ApplicantMask != "张*" || p.ItemID != "newborn" || len(p.Steps) != 6 {
		t.Fatalf("progress = %+v", p)
	}
	if p.Steps[0].State != StateSubmitted || p.Steps[3].State != StateReturned || p.Steps[5].Note != "step completed" ||
		!p.Steps[5].At.After(p.Steps[4].At) {
		t.Fatalf("steps = %+v", p.Steps)
	}
}

func TestPurge(t *testing.T) {
	ctx := context.Background()
	st, c, _ := newTestStore(t, StoreOpts{})
	done, _ := st.Submit(ctx, newbornApp("done"))
	open, _ := st.Submit(ctx, newbornApp("open"))
	for _, to := range []State{StateAccepted, StateReview, StateCompleted} {
		if err := st.Advance(ctx, done.Tracking, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	c.Add(200 * 24 * time.Hour)
	if n, err := st.Purge(ctx, c.Now().Add(-300*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("purge too early = %d, %v", n, err)
	}
	if a, _, f, err := st.Applicant(ctx, done.Tracking); err != nil || a.IDNumber != DemoZhangSan || f["phone"] != "13800000011" {
		t.Fatalf("Applicant before purge = %v, %v", f, err)
	}
	n, err := st.Purge(ctx, c.Now().Add(-180*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("purge = %d, %v; want 1", n, err)
	}
	if _, _, _, err := st.Applicant(ctx, done.Tracking); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Applicant after purge: %v", err)
	}
	if _, _, _, err := st.Applicant(ctx, open.Tracking); err != nil {
		t.Fatalf("an open application lost its data: %v", err)
	}
	if p, err := st.Progress(ctx, done.Tracking); err != nil || p.State != StateCompleted {
		t.Fatalf("progress after purge = %+v, %v", p, err)
	}
	if n, _ := st.Purge(ctx, c.Now()); n != 0 {
		t.Fatalf("second purge = %d", n)
	}
	if ids, _ := st.Popular(ctx, 5); len(ids) != 1 || ids[0] != "newborn" {
		t.Fatalf("popular after purge = %v", ids)
	}
}

func TestTickets(t *testing.T) {
	ctx := context.Background()
	st, c, _ := newTestStore(t, StoreOpts{ServiceTime: 10 * time.Minute, Windows: 2})
	var got []Ticket
	for i := 0; i < 3; i++ {
		tk, err := st.TakeTicket(ctx, TicketRequest{Terminal: "T01"})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tk)
	}
	if got[0].Number != "A001" || got[2].Number != "A003" || got[2].Ahead != 2 || got[2].Wait != 10*time.Minute {
		t.Fatalf("tickets = %+v", got)
	}
	b, _ := st.TakeTicket(ctx, TicketRequest{Terminal: "T01", Window: "b"})
	if b.Number != "B001" || b.Ahead != 0 || b.Wait != 0 {
		t.Fatalf("window B = %+v", b)
	}
	if err := st.CallTicket(ctx, "A001"); err != nil {
		t.Fatal(err)
	}
	if err := st.CallTicket(ctx, "A404"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("call unknown: %v", err)
	}
	a4, _ := st.TakeTicket(ctx, TicketRequest{Terminal: "T02"})
	if a4.Number != "A004" || a4.Ahead != 2 {
		t.Fatalf("after one called = %+v", a4)
	}
	p, _ := st.TakeTicket(ctx, TicketRequest{Terminal: "T02", Priority: true})
	if p.Number != "A005" || p.Ahead != 0 {
		t.Fatalf("priority = %+v", p)
	}
	if _, err := st.TakeTicket(ctx, TicketRequest{Window: "AB"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad window: %v", err)
	}
	c.Add(24 * time.Hour)
	if n, _ := st.TakeTicket(ctx, TicketRequest{}); n.Number != "A001" {
		t.Fatalf("next day = %+v", n)
	}
}

func TestHelpersRatingsPopular(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newTestStore(t, StoreOpts{})
	h1, err := st.CallHelper(ctx, HelpRequest{Terminal: "T01", Screen: "form"})
	if err != nil || h1.Position != 0 || h1.ETA != 2*time.Minute || h1.ID == "" {
		t.Fatalf("first call = %+v, %v", h1, err)
	}
	h2, _ := st.CallHelper(ctx, HelpRequest{Terminal: "T02", Screen: "materials"})
	if h2.Position != 1 || h2.ETA != 5*time.Minute {
		t.Fatalf("second call = %+v", h2)
	}
	if err := st.HelperDone(ctx, h1.ID); err != nil {
		t.Fatal(err)
	}
	if h3, _ := st.CallHelper(ctx, HelpRequest{Terminal: "T03"}); h3.Position != 1 {
		t.Fatalf("after done = %+v", h3)
	}
	if _, err := st.CallHelper(ctx, HelpRequest{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no terminal: %v", err)
	}

	for _, lv := range []int{0, 6, -1} {
		if err := st.Rate(ctx, Rating{VisitID: "v", Terminal: "T01", Level: lv}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("level %d: %v", lv, err)
		}
	}
	if err := st.Rate(ctx, Rating{VisitID: "v1", Terminal: "T01", Level: 5}); err != nil {
		t.Fatal(err)
	}
	if err := st.Rate(ctx, Rating{VisitID: "v1", Terminal: "T01", Level: 1}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("second rating: %v", err)
	}

	for i, item := range []string{"b", "a", "c", "c", "b", "c"} {
		a := newbornApp("p" + string(rune('0'+i)))
		a.ItemID = item
		if _, err := st.Submit(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := st.Popular(ctx, 10)
	if err != nil || len(ids) != 3 || ids[0] != "c" || ids[1] != "b" || ids[2] != "a" {
		t.Fatalf("popular = %v, %v", ids, err)
	}
	if ids, _ := st.Popular(ctx, 1); len(ids) != 1 || ids[0] != "c" {
		t.Fatalf("popular(1) = %v", ids)
	}
	if _, err := st.Popular(ctx, -1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("popular(-1): %v", err)
	}
}

func TestLicences(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newTestStore(t, StoreOpts{})
	if err := st.SeedLicences(ctx, DemoSeed); err != nil {
		t.Fatal(err)
	}
	if err := st.SeedLicences(ctx, DemoSeed); err != nil { // reseeding replaces
		t.Fatal(err)
	}
	all, err := st.Licences(ctx, DemoZhangSan, nil)
	if err != nil || len(all) != 7 {
		t.Fatalf("张三's licences = %d, %v", len(all), err)
	}
	got, err := st.Licences(ctx, DemoZhangSan, []string{"birth_medical_cert", "social_security_card", "death_cert"})
	if err != nil || len(got) != 2 {
		t.Fatalf("filtered = %+v, %v", got, err)
	}
	bm := got[0]
	if bm.Type != "birth_medical_cert" || bm.Fields["child_name"] != "张小宝" || bm.Fields["hukou_with"] != "随父" ||
		bm.Source != demoSource || bm.Number == "" {
		t.Fatalf("birth cert = %+v", bm)
	}
	if got[1].Fields["bank_account"] != "6217000000000000011" {
		t.Fatalf("social security = %+v", got[1])
	}
	if l, _ := st.Licences(ctx, DemoWangWu, []string{"disability_cert"}); len(l) != 1 {
		t.Fatalf("王五 disability = %+v", l)
	}
	if l, _ := st.Licences(ctx, DemoChenXiaoming, nil); len(l) != 1 || l[0].Type != "residence_permit" {
		t.Fatalf("陈小明 = %+v", l)
	}
	if l, err := st.Licences(ctx, "000000000000000000", nil); err != nil || l == nil || len(l) != 0 {
		t.Fatalf("unknown holder = %#v, %v", l, err)
	}
	if _, err := st.Licences(ctx, "", nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty holder: %v", err)
	}
	// A store opened with another key cannot read the licences.
	other, _ := seal.New(bytes.Repeat([]byte{1}, seal.KeySize))
	st2 := &Store{db: st.db, seal: other, opts: st.opts}
	if l, err := st2.Licences(ctx, DemoZhangSan, nil); err != nil || len(l) != 0 {
		t.Fatalf("other key finds = %v, %v (the blind index should differ)", l, err)
	}
}

func TestConcurrentSubmitsGetDistinctTracking(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newTestStore(t, StoreOpts{})
	var wg sync.WaitGroup
	seen := make(chan string, 40)
	for i := 0; i < 40; i++ {
		wg.Go(func() {
			r, err := st.Submit(ctx, newbornApp("c"+string(rune('A'+i%20))))
			if err != nil {
				t.Error(err)
				return
			}
			seen <- r.Tracking + "/" + r.ApplicationID
		})
	}
	wg.Wait()
	close(seen)
	byID := map[string]string{}
	byTracking := map[string]string{}
	for s := range seen {
		tr, id := s[:17], s[18:]
		if prev, ok := byID[id]; ok && prev != tr {
			t.Fatalf("application %s got two tracking numbers %s, %s", id, prev, tr)
		}
		if prev, ok := byTracking[tr]; ok && prev != id {
			t.Fatalf("tracking %s given to %s and %s", tr, prev, id)
		}
		byID[id], byTracking[tr] = tr, id
	}
	if len(byID) != 20 {
		t.Fatalf("%d distinct applications, want 20", len(byID))
	}
}

// WAL and secure_delete are what the privacy promises rest on.

func TestPragmasApplied(t *testing.T) {
	st, _, _ := newTestStore(t, StoreOpts{})
	var sd int
	var jm string
	if err := st.db.QueryRow(`PRAGMA secure_delete`).Scan(&sd); err != nil || sd != 1 {
		t.Fatalf("secure_delete = %d, %v", sd, err)
	}
	if err := st.db.QueryRow(`PRAGMA journal_mode`).Scan(&jm); err != nil || jm != "wal" {
		t.Fatalf("journal_mode = %q, %v", jm, err)
	}
}
