package flow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/kiosk/backend"
	"github.com/onestop-station/onestop/kiosk/catalogue"
	"github.com/onestop-station/onestop/kiosk/i18n"
)

// Catalogue is what the flow needs of kiosk/catalogue.
type Catalogue interface {
	Item(id string) (*catalogue.Item, bool)
	Licence(id string) (catalogue.Licence, bool)
}

// CodeResolver turns a scanned e-ID / resident code (居民码) into the person it stands for.
// The city platform verifies such codes; nil means the terminal accepts none.
type CodeResolver interface {
	ResolveCode(ctx context.Context, code string) (name, idNumber string, err error)
}

// ErrNotNow is returned for an action the current screen does not take (a stray tap, a card
// put down mid-visit); the visit is unchanged.
var ErrNotNow = errors.New("flow: not on this screen")

// Config is what a Flow needs; Catalogue and Backend are required.
type Config struct {
	Catalogue Catalogue
	Backend   backend.Backend
	Codes     CodeResolver
	Site      string
	Terminal  string
	Lang      i18n.Lang // the language a visit starts in; zh-Hans when empty
	// RetentionDays is what the consent screen promises (the backend's purge enforces it).
	RetentionDays int
	// Audit records an action with non-personal attributes (slog-style key/value pairs).
	Audit func(event string, attrs ...any)
	Now   func() time.Time
}

// Flow runs visits, one at a time.
type Flow struct {
	cfg Config
	mu  sync.Mutex
	v   *Visit
}

// New returns a Flow on the attract screen.
func New(cfg Config) *Flow {
	if cfg.Lang == "" {
		cfg.Lang = i18n.Hans
	}
	if cfg.RetentionDays == 0 {
		cfg.RetentionDays = 180
	}
	if cfg.Audit == nil {
		cfg.Audit = func(string, ...any) {}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f := &Flow{cfg: cfg}
	f.v = f.fresh()
	return f
}

// RetentionDays is the retention the consent screen states.
func (f *Flow) RetentionDays() int { return f.cfg.RetentionDays }

func (f *Flow) fresh() *Visit {
	return &Visit{ID: newID(), Started: f.cfg.Now(), Lang: f.cfg.Lang, Screen: Attract}
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// View returns a copy of the current visit.
func (f *Flow) View() Visit {
	f.mu.Lock()
	defer f.mu.Unlock()
	return copyVisit(f.v)
}

// Wipe ends the visit and forgets everything in it: the next citizen starts from a fresh,
// empty Visit on the attract screen, in the default language and text size.
func (f *Flow) Wipe(reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg.Audit("visit.end", "visit", f.v.ID, "reason", reason, "screen", string(f.v.Screen))
	f.v = f.fresh()
}

// SetLang switches the visit's language.
func (f *Flow) SetLang(l i18n.Lang) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.v.Lang = l
}

// SetElder switches elder mode (larger text, fewer choices) for this visit.
func (f *Flow) SetElder(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.v.Elder = on
}

// ClearNotice drops the message shown to the citizen.
func (f *Flow) ClearNotice() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.v.Notice, f.v.NoticeArg = "", nil
}

func (v *Visit) go_(s Screen) {
	if v.Screen != s {
		v.history = append(v.history, v.Screen)
	}
	v.Screen = s
	v.Notice, v.NoticeArg = "", nil
}

func (v *Visit) notice(key string, args ...any) { v.Notice, v.NoticeArg = key, args }

// Begin leaves the attract screen for the identify screen.
func (f *Flow) Begin() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.v.Screen != Attract && f.v.Screen != Done {
		return ErrNotNow
	}
	if f.v.Screen == Done {
		f.v = f.fresh()
	}
	f.v.go_(Identify)
	f.cfg.Audit("visit.begin", "visit", f.v.ID)
	return nil
}

// Back returns to the previous screen of the main path.
func (f *Flow) Back() {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.v
	switch v.Screen {
	case Receipt, Rating, Done:
		return // a submitted application cannot be taken back from the terminal
	case Choose:
		// Back from the catalogue leaves the visit: nobody may find the last citizen's
		// identity waiting on the attract screen, where the idle timer does not run.
		f.cfg.Audit("visit.end", "visit", v.ID, "reason", "back", "screen", string(v.Screen))
		f.v = f.fresh()
		return
	}
	if n := len(v.history); n > 0 {
		v.Screen = v.history[n-1]
		v.history = v.history[:n-1]
		v.Notice, v.NoticeArg = "", nil
	}
}

// identified records the applicant and moves to the catalogue.
func (f *Flow) identified(id *Identity) error {
	v := f.v
	switch v.Screen {
	case Done:
		f.v = f.fresh()
		v = f.v
	case Attract, Identify, Progress, Ticket:
		if v.Applicant != nil {
			return ErrNotNow
		}
	default:
		return ErrNotNow
	}
	v.Applicant = id
	v.go_(Choose)
	v.notice("identify.ok", "")
	f.cfg.Audit("identify", "visit", v.ID, "method", string(id.Method))
	return nil
}

// CardRead takes a card the reader read. A card arriving mid-visit is ignored (ErrNotNow):
// the reader's latch already keeps a card left on it from being read twice.
func (f *Flow) CardRead(c *idcard.Card) error {
	if c == nil {
		return errors.New("flow: card read: no card")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.identified(&Identity{Name: c.Name.Reveal(), IDNumber: c.IDNumber.Reveal(), Address: c.Address.Reveal(), Method: ByCard})
}

// CardFailed tells the citizen to put the card down again.
func (f *Flow) CardFailed() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.v.notice("identify.again")
}

// StaffIdentifyByNumber records an applicant a staff member checked face to face and whose ID
// number they typed (after their PIN). The name comes from the person's ID-card e-licence: a
// kiosk has no Chinese keyboard. No record: the person is sent to a window.
func (f *Flow) StaffIdentifyByNumber(ctx context.Context, idNumber string) error {
	idNumber = strings.ToUpper(strings.TrimSpace(idNumber))
	if err := idcard.ValidateIDNumber(idNumber); err != nil {
		f.note("role.badid")
		return fmt.Errorf("flow: staff identify: %w", err)
	}
	lics, err := f.cfg.Backend.Licences(ctx, idNumber, []string{"id_card"})
	if err != nil {
		f.note("err.backend")
		return fmt.Errorf("flow: staff identify: %w", err)
	}
	for _, l := range lics {
		if l.Type == "id_card" && l.Fields["name"] != "" {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.identified(&Identity{Name: l.Fields["name"], IDNumber: idNumber, Address: l.Fields["address"], Method: ByStaff})
		}
	}
	f.note("identify.norecord")
	return errors.New("flow: staff identify: no ID-card record for the number")
}

// Scanned handles a code from the scanner: a receipt's progress code anywhere outside the
// middle of an application, or a resident code while identifying.
func (f *Flow) Scanned(ctx context.Context, code string) error {
	if tracking, err := backend.ParseProgressCode(code); err == nil {
		return f.Query(ctx, tracking)
	}
	f.mu.Lock()
	screen, has := f.v.Screen, f.v.Applicant != nil
	f.mu.Unlock()
	switch {
	case screen == Done: // the last visit is over: a code starts the next one, as a card does
	case has || (screen != Attract && screen != Identify):
		return ErrNotNow
	}
	if f.cfg.Codes == nil {
		f.note("identify.badcode")
		return errors.New("flow: scanned code: no resident-code service")
	}
	name, id, err := f.cfg.Codes.ResolveCode(ctx, code)
	if err != nil {
		f.note("identify.badcode")
		return fmt.Errorf("flow: resident code: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.identified(&Identity{Name: name, IDNumber: id, Method: ByCode})
}

func (f *Flow) note(key string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.v.notice(key, args...)
}

// Query shows an application's progress. A citizen mid-application is not interrupted.
func (f *Flow) Query(ctx context.Context, tracking string) error {
	f.mu.Lock()
	switch f.v.Screen {
	case Attract, Identify, Choose, Done, Progress, Ticket: // not over a receipt still to be kept or rated
	default:
		f.mu.Unlock()
		return ErrNotNow
	}
	id := f.v.ID
	f.mu.Unlock()
	p, err := f.cfg.Backend.Progress(ctx, tracking)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.v.ID != id {
		return ErrNotNow // wiped meanwhile
	}
	switch {
	case errors.Is(err, backend.ErrNotFound):
		f.v.notice("progress.notfound")
		return err
	case err != nil:
		f.v.notice("err.backend")
		return fmt.Errorf("flow: progress: %w", err)
	}
	if f.v.Screen == Done {
		f.v = f.fresh()
		id = f.v.ID
	}
	f.v.Progress = &p
	f.v.go_(Progress)
	f.cfg.Audit("progress.query", "visit", id, "tracking", tracking, "state", string(p.State))
	return nil
}
