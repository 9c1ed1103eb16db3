package receipt

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/onestop-station/onestop/drivers/escpos"
)

// TicketInput is what a queue ticket shows.
type TicketInput struct {
	Lang     string // as Input.Lang
	Center   string
	Terminal string
	Number   string        // the queue number, e.g. "A017"; required
	Window   string        // the window or queue, e.g. "A"
	Ahead    int           // people waiting before this number
	Wait     time.Duration // estimated; 0: not printed
	IssuedAt time.Time     // zero: not printed
	ItemName string        // why, in the visit's language; "" for none
	Loc      *time.Location
}

// Ticket lays out a queue ticket: the number large, then window, people ahead, the estimated
// wait and the time it was issued.
func Ticket(in TicketInput) (*escpos.Receipt, error) {
	if in.Number == "" {
		return nil, fmt.Errorf("%w: no queue number", ErrIncomplete)
	}
	lg, loc := lang(in.Lang), in.Loc
	if loc == nil {
		loc = time.Local
	}
	p := newPage()
	if in.Center != "" {
		p.centred(in.Center)
	}
	p.r.Align(escpos.AlignCenter).Line(lTicket.in(lg)).
		Size(4, 4).Bold(true).Line(in.Number).Size(1, 1).Bold(false).Align(escpos.AlignLeft)
	p.rule()
	if in.Window != "" {
		p.field(lWindow.in(lg), in.Window)
	}
	p.field(lAhead.in(lg), strconv.Itoa(in.Ahead)+" "+lPeople.in(lg))
	if in.Wait > 0 {
		p.field(lWait.in(lg), strconv.Itoa(int(math.Ceil(in.Wait.Minutes())))+" "+lMinutes.in(lg))
	}
	if in.ItemName != "" {
		p.field(lItem.in(lg), in.ItemName)
	}
	if !in.IssuedAt.IsZero() {
		p.field(lIssued.in(lg), stamp(in.IssuedAt, loc))
	}
	if in.Terminal != "" {
		p.field(lTerminal.in(lg), in.Terminal)
	}
	p.rule()
	for _, l := range lTicketNote.lines(lg) {
		p.text(l, 0, 0)
	}
	p.end()
	if err := p.r.Err(); err != nil {
		return nil, fmt.Errorf("receipt: ticket: %w", err)
	}
	return p.r, nil
}
