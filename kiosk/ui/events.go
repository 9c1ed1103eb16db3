package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/kiosk/devices"
)

func (k *Kiosk) now() time.Time { return time.Now() }

// Follow feeds device events into the kiosk until ctx ends or events closes. Call it in its
// own goroutine: flow actions that wait on the backend run here, never on the UI goroutine.
func (k *Kiosk) Follow(ctx context.Context, events <-chan devices.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			k.HandleEvent(ctx, ev)
		}
	}
}

// HandleEvent applies one device event: a card identifies, a scan queries progress or
// identifies, a device state sets or clears its banner. It blocks while the flow talks to the
// backend, so call it off the UI goroutine.
func (k *Kiosk) HandleEvent(ctx context.Context, ev devices.Event) {
	switch ev.Kind {
	case devices.CardRead:
		k.touch()
		err := k.o.Flow.CardRead(ev.Card)
		if err != nil {
			k.o.Log.Info("ui: card not taken", "err", err)
		} else if k.o.Popular != nil {
			// The screen answers the card at once; the ranking follows when the backend answers.
			fyne.DoAndWait(k.render)
			if ids := k.o.Popular(ctx); len(ids) > 0 {
				fyne.DoAndWait(func() { k.popular = ids })
			}
		}
	case devices.CardError:
		k.touch()
		k.o.Flow.CardFailed()
	case devices.Scanned:
		k.touch()
		if err := k.o.Flow.Scanned(ctx, ev.Code); err != nil {
			k.o.Log.Info("ui: scan not taken", "err", err)
		}
	case devices.DeviceState:
		key := bannerKey(ev)
		fyne.DoAndWait(func() {
			if key == "" {
				delete(k.banners, ev.Device)
			} else {
				k.banners[ev.Device] = key
			}
		})
	}
	fyne.DoAndWait(k.render)
}

// bannerKey is the banner a device state calls for, "" for none.
func bannerKey(ev devices.Event) string {
	switch ev.Device {
	case devices.Printer:
		switch {
		case ev.Paper == escpos.PaperEmpty:
			return "dev.paperout"
		case ev.State == device.Offline || ev.State == device.Error:
			return "dev.printer"
		case ev.Paper == escpos.PaperLow:
			return "dev.paperlow"
		}
	case devices.Reader:
		if ev.State == device.Offline || ev.State == device.Error {
			return "dev.reader"
		}
	case devices.Scanner:
		if ev.State == device.Offline || ev.State == device.Error {
			return "dev.scanner"
		}
	}
	return ""
}

// SetOffline shows or clears the network banner (the backend spool has pending submissions).
func (k *Kiosk) SetOffline(on bool) {
	fyne.Do(func() {
		_, was := k.banners["network"]
		if on == was {
			return // no change: a redraw would scroll the citizen's page back to the top
		}
		if on {
			k.banners["network"] = "dev.offline"
		} else {
			delete(k.banners, "network")
		}
		k.render()
	})
}
