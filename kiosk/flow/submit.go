package flow

import (
	"context"
	"fmt"

	"github.com/onestop-station/onestop/kiosk/backend"
)

// Submit sends the application. An item that cannot be finished at the terminal is submitted
// too (the window then needs no typing) and gets a queue ticket for its window. When the
// backend is a Spool and the network is down, the receipt is Pending and the screen says so.
func (f *Flow) Submit(ctx context.Context) (backend.Receipt, error) {
	f.mu.Lock()
	v := f.v
	if v.Screen != Review {
		f.mu.Unlock()
		return backend.Receipt{}, ErrNotNow
	}
	a := backend.Application{
		ID: newID() + newID(), Site: f.cfg.Site, Terminal: f.cfg.Terminal,
		ItemID: v.Item.ID, Role: string(v.Role),
		Applicant: backend.Person{Name: v.Applicant.Name, IDNumber: v.Applicant.IDNumber},
		Fields:    copyMap(v.Fields), Window: !v.Item.AtTerminal,
		ConsentAt: v.ConsentAt, CreatedAt: f.cfg.Now(),
	}
	if v.Subject != nil {
		s := *v.Subject
		a.Subject = &s
	}
	for _, m := range v.Materials {
		a.Materials = append(a.Materials, backend.MaterialState{ID: m.ID, Covered: m.Covered, Licence: m.Licence, Source: m.Source})
	}
	visit, item, window := v.ID, v.Item, v.Item.Window
	f.mu.Unlock()

	r, err := f.cfg.Backend.Submit(ctx, a)
	if err != nil {
		f.note("err.backend")
		return backend.Receipt{}, fmt.Errorf("flow: submit: %w", err)
	}
	var t *backend.Ticket
	if !item.AtTerminal && !r.Pending {
		tk, err := f.cfg.Backend.TakeTicket(ctx, backend.TicketRequest{Site: f.cfg.Site, Terminal: f.cfg.Terminal,
			Window: window, ItemID: item.ID, Tracking: r.Tracking})
		if err == nil {
			t = &tk
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.v.ID != visit || f.v.Screen != Review {
		return r, nil // wiped while sending: the application stands, the screen is gone
	}
	f.v.Receipt, f.v.Ticket = &r, t
	f.v.go_(Receipt)
	f.cfg.Audit("submit", "visit", visit, "item", item.ID, "tracking", r.Tracking, "pending", r.Pending,
		"window", !item.AtTerminal)
	return r, nil
}

// ReceiptPrinted records whether the receipt of application appID came out of the printer;
// when it did not, the receipt screen shows it as a QR code to scan instead.
func (f *Flow) ReceiptPrinted(appID string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.v.Screen != Receipt || f.v.Receipt == nil || f.v.Receipt.ApplicationID != appID {
		return
	}
	f.v.Printed, f.v.PrintErr = err == nil, err
	f.cfg.Audit("receipt.print", "visit", f.v.ID, "printed", err == nil)
}

// ToRating leaves the receipt for the rating screen.
func (f *Flow) ToRating() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.v.Screen {
	case Receipt, Progress, Ticket:
		f.v.go_(Rating)
		return nil
	}
	return ErrNotNow
}

// Rate records the 好差评 rating (5 非常满意 … 1 非常不满意) and ends the visit's path.
func (f *Flow) Rate(ctx context.Context, level int) error {
	f.mu.Lock()
	v := f.v
	if v.Screen != Rating || v.Rating != 0 {
		f.mu.Unlock()
		return ErrNotNow
	}
	if level < 1 || level > 5 {
		f.mu.Unlock()
		return fmt.Errorf("flow: rate: level %d not in 1..5", level)
	}
	r := backend.Rating{VisitID: v.ID, Terminal: f.cfg.Terminal, Level: level, At: f.cfg.Now()}
	if v.Item != nil {
		r.ItemID = v.Item.ID
	}
	if v.Receipt != nil {
		r.Tracking = v.Receipt.Tracking
	}
	visit := v.ID
	f.mu.Unlock()
	err := f.cfg.Backend.Rate(ctx, r)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.v.ID != visit {
		return ErrNotNow
	}
	f.cfg.Audit("rate", "visit", visit, "level", level, "stored", err == nil)
	f.v.Rating = level
	f.v.go_(Done)
	f.v.notice("rate.thanks")
	if err != nil {
		return fmt.Errorf("flow: rate: %w", err)
	}
	return nil
}

// ShowTicket opens the queue-ticket screen (from attract, or after a declined consent).
func (f *Flow) ShowTicket() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.v.Screen {
	case Attract, Identify, Choose, Done, Progress:
		if f.v.Screen == Done {
			f.v = f.fresh()
		}
		f.v.go_(Ticket)
		return nil
	case Ticket:
		return nil
	}
	return ErrNotNow
}

// TakeTicket issues a queue number for the visit's window (the item's, or "A").
func (f *Flow) TakeTicket(ctx context.Context, priority bool) (backend.Ticket, error) {
	f.mu.Lock()
	v := f.v
	if v.Screen != Ticket {
		f.mu.Unlock()
		return backend.Ticket{}, ErrNotNow
	}
	req := backend.TicketRequest{Site: f.cfg.Site, Terminal: f.cfg.Terminal, Window: "A", Priority: priority}
	if v.Item != nil {
		req.ItemID = v.Item.ID
		if v.Item.Window != "" {
			req.Window = v.Item.Window
		}
	}
	visit := v.ID
	f.mu.Unlock()
	t, err := f.cfg.Backend.TakeTicket(ctx, req)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.v.notice("err.backend")
		return t, fmt.Errorf("flow: ticket: %w", err)
	}
	if f.v.ID == visit {
		f.v.Ticket = &t
	}
	f.cfg.Audit("ticket", "visit", visit, "number", t.Number, "ahead", t.Ahead)
	return t, nil
}

// CallHelper calls a certified helper to the terminal, from any screen; the screen stays.
func (f *Flow) CallHelper(ctx context.Context) (backend.HelpCall, error) {
	f.mu.Lock()
	req := backend.HelpRequest{Site: f.cfg.Site, Terminal: f.cfg.Terminal, Screen: string(f.v.Screen)}
	if f.v.Item != nil {
		req.ItemID = f.v.Item.ID
	}
	visit := f.v.ID
	f.mu.Unlock()
	h, err := f.cfg.Backend.CallHelper(ctx, req)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg.Audit("helper.call", "visit", visit, "screen", req.Screen, "ok", err == nil)
	if err != nil {
		f.v.notice("err.backend")
		return h, fmt.Errorf("flow: call helper: %w", err)
	}
	if f.v.ID == visit {
		f.v.Help = &h
		f.v.notice("help.called", h.Position, int(h.ETA.Minutes()+0.5))
	}
	return h, nil
}
