// Package receipt lays out what the kiosk prints on its 80 mm ESC/POS printer: the receipt of
// an application (受理回执, or the slip of one saved offline) and the queue ticket. It builds
// escpos.Receipt values — GB18030 text, a QR code drawn by the printer itself (GS ( k), a
// partial cut — that kiosk/devices prints.
//
// Personal data: the applicant's name and ID number go in clear and come out masked by
// kiosk/privacy ("张*", "110***********0011"); nothing else personal is printed.
//
// Languages: every caption is printed in Simplified Chinese, followed by English for a visit in
// English; a zh-Hant visit gets the Simplified captions too (see label for why).
package receipt

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/kiosk/privacy"
)

// ErrIncomplete: the input lacks something a receipt must show; the error names it.
var ErrIncomplete = errors.New("receipt: incomplete input")

// Line is one material of the item's checklist.
type Line struct {
	Name    string // the material, in the visit's language
	Covered bool   // 免提交: an electronic licence covers it
	Source  string // Covered: where the licence came from (the store or the issuer)
	Bring   string // not Covered: what to bring ("原件及复印件一份"); "" prints just the name
}

// Input is what an application's receipt shows.
type Input struct {
	Lang     string // "zh-Hans", "zh-Hant" or "en"; anything else prints as zh-Hans
	Center   string // e.g. "滕州市政务服务中心"
	Terminal string // the terminal's name or number
	ItemName string // in the visit's language
	// ItemNameZh is the item's Simplified Chinese name, printed beside ItemName when the
	// visit is in English or Traditional Chinese: staff at the window read it, and every
	// printer font draws it. "" prints ItemName alone.
	ItemNameZh string

	ApplicantName, ApplicantID string // CLEAR values: Build masks them; never printed whole

	Tracking    string    // the backend's tracking number; required unless Pending
	SubmittedAt time.Time // when it was submitted (or saved, when Pending)
	PromisedBy  time.Time // the promised completion date; zero: not printed
	ProgressURL string    // the QR code's content; "" prints no code

	// Pending: the backend was unreachable, the application is kept on the terminal and sent
	// by SendBy. The receipt says so plainly and shows AppRef instead of a tracking number.
	Pending bool
	SendBy  time.Time
	AppRef  string // the terminal's application reference; required when Pending

	Materials []Line
	NextSteps []string // in the visit's language
	Ticket    string   // queue number, if the visit continues at a window

	Loc *time.Location // for the times printed; nil: time.Local
}

// Build lays out the receipt of in. Errors wrap ErrIncomplete, or come from the encoder
// (a ProgressURL too long for a QR code on the paper).
func Build(in Input) (*escpos.Receipt, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	lg, loc := lang(in.Lang), in.Loc
	if loc == nil {
		loc = time.Local
	}
	p := newPage()
	if in.Center != "" {
		p.r.Align(escpos.AlignCenter).Bold(true)
		p.centred(in.Center)
		p.r.Bold(false)
	}
	if in.Pending {
		p.title(lSaved, lg)
	} else {
		p.title(lReceipt, lg)
	}
	p.rule()
	p.field(lItem.in(lg), itemName(in, lg))
	if in.ApplicantName != "" {
		p.field(lApplicant.in(lg), privacy.MaskName(in.ApplicantName))
	}
	if in.ApplicantID != "" {
		p.field(lIDNumber.in(lg), privacy.MaskIDNumber(in.ApplicantID))
	}
	if in.Pending {
		p.pending(in, lg, loc)
	} else {
		p.r.Bold(true)
		p.field(lTracking.in(lg), in.Tracking)
		p.r.Bold(false)
		p.field(lSubmitted.in(lg), stamp(in.SubmittedAt, loc))
		if !in.PromisedBy.IsZero() {
			p.field(lPromised.in(lg), day(in.PromisedBy, loc))
		}
	}
	if in.Ticket != "" {
		p.r.Bold(true)
		p.field(lTicket.in(lg), in.Ticket)
		p.r.Bold(false)
	}
	p.materials(in.Materials, lg)
	p.nextSteps(in.NextSteps, lg)
	if in.ProgressURL != "" {
		p.rule()
		p.r.Align(escpos.AlignCenter).QR(in.ProgressURL, escpos.DefaultQROpts).Align(escpos.AlignLeft)
		if in.Pending {
			p.centred(lScanSaved.lines(lg)...)
		} else {
			p.centred(lScan.lines(lg)...)
		}
	}
	if in.Terminal != "" {
		p.rule()
		p.field(lTerminal.in(lg), in.Terminal)
	}
	p.end()
	if err := p.r.Err(); err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	return p.r, nil
}

func (in Input) check() error {
	missing := func(what string) error { return fmt.Errorf("%w: no %s", ErrIncomplete, what) }
	switch {
	case in.ItemName == "":
		return missing("item name")
	case in.SubmittedAt.IsZero():
		return missing("submission time")
	case in.Pending && in.AppRef == "":
		return missing("application reference for a pending application")
	case !in.Pending && in.Tracking == "":
		return missing("tracking number")
	}
	return nil
}

func itemName(in Input, lg string) string {
	if lg != Hans && in.ItemNameZh != "" && in.ItemNameZh != in.ItemName {
		return in.ItemNameZh + " / " + in.ItemName
	}
	return in.ItemName
}

// pending says plainly that the application has not been sent, and shows its reference.
func (p page) pending(in Input, lg string, loc *time.Location) {
	p.r.Bold(true)
	p.field(lAppRef.in(lg), in.AppRef)
	p.r.Bold(false)
	p.field(lSaved2.in(lg), stamp(in.SubmittedAt, loc))
	if !in.SendBy.IsZero() {
		p.field(lSendBy.in(lg), stamp(in.SendBy, loc))
	}
	p.rule()
	p.r.Bold(true)
	for _, l := range lPending1.lines(lg) {
		p.text(l, 0, 0)
	}
	p.r.Bold(false)
	for _, lb := range []label{lPending2, lPending3} {
		for _, l := range lb.lines(lg) {
			p.text(l, 0, 0)
		}
	}
}

func (p page) materials(ms []Line, lg string) {
	if len(ms) == 0 {
		return
	}
	p.rule()
	p.r.Bold(true).Line(lMaterials.in(lg)).Bold(false)
	for _, m := range ms {
		if m.Covered {
			p.text("["+lCovered.in(lg)+"] "+m.Name, 0, 2)
			if m.Source != "" {
				p.text(lSource.in(lg)+": "+m.Source, 2, 4)
			}
			continue
		}
		s := "[" + lBring.in(lg) + "] " + m.Name
		if m.Bring != "" {
			s += " - " + m.Bring
		}
		p.text(s, 0, 2)
	}
}

func (p page) nextSteps(steps []string, lg string) {
	if len(steps) == 0 {
		return
	}
	p.rule()
	p.r.Bold(true).Line(lNextSteps.in(lg)).Bold(false)
	for i, s := range steps {
		n := strconv.Itoa(i+1) + ". "
		p.text(n+s, 0, width(n))
	}
}
