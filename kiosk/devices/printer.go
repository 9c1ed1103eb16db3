package devices

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/escpos"
)

// printerLoop keeps the printer's state: it asks for the status every StatusEvery, switches
// Automatic Status Back on at every (re)connection so paper and cover changes come at once,
// and turns the port's losses into offline. Events are watched apart from the polls, so a
// loss shows at once even while a status query waits for its timeout.
func (d *Devices) printerLoop(ctx context.Context) {
	poke := make(chan struct{}, 1) // a (re)connection: switch ASB on and ask now
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { d.printerEvents(ctx, poke) })
	tick := time.NewTicker(d.cfg.StatusEvery)
	defer tick.Stop()
	d.connected(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			d.pollPrinter(ctx)
		case <-poke:
			d.connected(ctx)
		}
	}
}

// printerEvents reports the port's losses and the printer's paper and cover events.
func (d *Devices) printerEvents(ctx context.Context, poke chan<- struct{}) {
	portEv, prEv := d.printerPort.Events(), d.printer.Events()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-portEv:
			if !ok {
				portEv = nil
				continue
			}
			switch {
			case ev.Kind == device.Gone:
				d.report(Printer, device.Offline, d.lastPaper(), ev.Err)
			case ev.Kind == device.Back || (ev.Kind == device.StatusChanged && ev.State == device.Idle):
				select {
				case poke <- struct{}{}:
				default: // one is pending already
				}
			}
		case _, ok := <-prEv: // a status query or an ASB frame changed paper or cover
			if !ok {
				prEv = nil
				continue
			}
			if st, ok := d.printer.Last(); ok {
				d.printerSeen(st, nil)
			}
		}
	}
}

// connected switches ASB on (a printer forgets it when powered off) and asks the status.
func (d *Devices) connected(ctx context.Context) {
	if err := d.printer.EnableASB(ctx, escpos.ASBAll); err != nil && ctx.Err() == nil {
		d.log.Debug("devices: printer: enable ASB", "err", err)
	}
	d.pollPrinter(ctx)
}

func (d *Devices) pollPrinter(ctx context.Context) {
	st, err := d.printer.Status(ctx)
	if ctx.Err() != nil {
		return
	}
	d.printerSeen(st, err)
}

// printerSeen reports a status (or the failure to get one).
func (d *Devices) printerSeen(st escpos.Status, err error) {
	if err != nil {
		d.report(Printer, device.Offline, d.lastPaper(), err)
		return
	}
	state := device.Idle
	cause := refusal(st)
	if cause != nil {
		state = device.Error
	}
	d.report(Printer, state, st.Paper(), cause)
}

// refusal is why a receipt would not print in status st, nil when it would.
func refusal(st escpos.Status) error {
	switch {
	case st.PaperOut:
		return escpos.ErrPaperOut
	case st.CoverOpen:
		return escpos.ErrCoverOpen
	case !st.Ready():
		return fmt.Errorf("%w (%v)", escpos.ErrOffline, st)
	}
	return nil
}

// Print prints r if the printer can: with paper out, the cover open or the printer offline it
// prints nothing and returns an error wrapping escpos.ErrPaperOut, ErrCoverOpen or ErrOffline
// (an absent or unreachable printer is ErrOffline too, also wrapping the port's or driver's
// cause). After sending it asks the status again: paper near end or out goes out as a
// DeviceState event, and a printer that is no longer ready gives ErrNotConfirmed wrapping the
// cause, since the receipt may have come out cut short. Print waits for Run to have started.
func (d *Devices) Print(ctx context.Context, r *escpos.Receipt) error {
	if d.printerPort == nil {
		return fmt.Errorf("devices: print: %w: %w", escpos.ErrOffline, ErrNotConfigured)
	}
	if err := d.await(ctx); err != nil {
		return wrap("print", err)
	}
	if err := d.printer.Print(ctx, r); err != nil {
		refused := errors.Is(err, escpos.ErrPaperOut) || errors.Is(err, escpos.ErrCoverOpen) || errors.Is(err, escpos.ErrOffline)
		if st, ok := d.printer.Last(); ok && refused { // Print has just asked: Last is fresh
			d.printerSeen(st, nil)
		} else if offline(err) {
			d.printerSeen(escpos.Status{}, err)
		}
		return printErr("print", err)
	}
	st, err := d.printer.Status(ctx)
	if ctx.Err() == nil {
		d.printerSeen(st, err)
	}
	switch {
	case err != nil:
		return fmt.Errorf("devices: print: %w: status after printing: %w", ErrNotConfirmed, err)
	case refusal(st) != nil:
		return fmt.Errorf("devices: print: %w: %w", ErrNotConfirmed, refusal(st))
	}
	return nil
}

// PrinterStatus asks the printer for its status now (DLE EOT 1-4); an unreachable printer's
// error wraps escpos.ErrOffline. It waits for Run to have started.
func (d *Devices) PrinterStatus(ctx context.Context) (escpos.Status, error) {
	if d.printerPort == nil {
		return escpos.Status{}, fmt.Errorf("devices: printer status: %w: %w", escpos.ErrOffline, ErrNotConfigured)
	}
	if err := d.await(ctx); err != nil {
		return escpos.Status{}, wrap("printer status", err)
	}
	st, err := d.printer.Status(ctx)
	if ctx.Err() == nil {
		d.printerSeen(st, err)
	}
	if err != nil {
		return st, printErr("printer status", err)
	}
	return st, nil
}

// printErr makes an unreachable printer an escpos.ErrOffline, so callers test one sentinel
// for "offline for whatever reason" and the port's or driver's cause stays readable.
func printErr(op string, err error) error {
	if offline(err) || errors.Is(err, escpos.ErrClosed) {
		return fmt.Errorf("devices: %s: %w: %w", op, escpos.ErrOffline, err)
	}
	return wrap(op, err)
}

func wrap(op string, err error) error { return fmt.Errorf("devices: %s: %w", op, err) }
