package devices

import (
	"context"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/drivers/serialport"
)

// quietPort hides the serialport Port's Events from the scanner driver, so that the scanner
// loop alone reads them (the driver would pass on only Gone and Back, not the first open).
type quietPort struct{ p *serialport.Port }

func (q quietPort) Read(b []byte) (int, error)           { return q.p.Read(b) }
func (q quietPort) Write(b []byte) (int, error)          { return q.p.Write(b) }
func (q quietPort) SetReadTimeout(d time.Duration) error { return q.p.SetReadTimeout(d) }

// scanCodes turns codes into Scanned events; damaged ones are logged by the driver.
func (d *Devices) scanCodes(ctx context.Context) {
	_ = d.scanner.Run(ctx, func(c scanner.Code) {
		d.out.push(Event{Kind: Scanned, Device: Scanner, Code: c.Data, At: c.At})
	})
}

// scannerStates reports the scanner port's first open, losses and returns as DeviceState
// events, and drains the driver's own events (codes come through Run instead).
func (d *Devices) scannerStates(ctx context.Context) {
	portEv, drvEv := d.scannerPort.Events(), d.scanner.Events()
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
			case ev.Kind == device.Gone || (ev.Kind == device.StatusChanged && ev.State == device.Offline):
				d.report(Scanner, device.Offline, 0, ev.Err)
			case ev.Kind == device.Back || (ev.Kind == device.StatusChanged && ev.State == device.Idle):
				d.report(Scanner, device.Idle, 0, nil)
			}
		case _, ok := <-drvEv:
			if !ok {
				drvEv = nil
			}
		}
	}
}

// TriggerScan starts a scan, for scanners in a trigger dialect (Honeywell, Newland); it waits
// for Run to have started. Codes arrive as Scanned events.
func (d *Devices) TriggerScan(ctx context.Context) error {
	if d.scannerPort == nil {
		return wrap("trigger scan", ErrNotConfigured)
	}
	if err := d.await(ctx); err != nil {
		return wrap("trigger scan", err)
	}
	if err := d.scanner.Trigger(ctx); err != nil {
		return wrap("trigger scan", err)
	}
	return nil
}
