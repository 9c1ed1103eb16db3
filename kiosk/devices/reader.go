package devices

import (
	"context"
	"errors"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/idcard"
)

// readerLoop checks the SAM, then waits for cards with idcard.Reader.WaitCard, which reads a
// card once per placement: the module latches a card it has read until it is lifted, so a card
// left on the reader is not read again into the next visit. After any failure the SAM is
// checked again before waiting for cards, which is also how offline turns back into idle.
//
// One late reply does not make the reader offline: a busy machine can miss a find card's 100 ms
// (seen under the race detector in CI, where the banner "reader unavailable" then flickered).
// The reader is reported offline after two failed SAM checks in a row, about 0.5 s apart.
func (d *Devices) readerLoop(ctx context.Context) {
	healthy, misses := false, 0
	for ctx.Err() == nil {
		if !healthy {
			err := d.reader.SAMStatus(ctx)
			if ctx.Err() != nil {
				return
			}
			if err != nil && offline(err) {
				if misses++; misses < 2 {
					device.Sleep(ctx, retryPause)
					continue
				}
			}
			d.report(Reader, readerState(err), 0, err)
			if err != nil {
				device.Sleep(ctx, retryPause)
				continue
			}
			healthy, misses = true, 0
		}
		card, err := d.reader.WaitCard(ctx)
		switch {
		case err == nil:
			d.log.Info("devices: card read", "card", card) // a Card logs its type only
			d.out.push(Event{Kind: CardRead, Device: Reader, Card: card})
			continue
		case ctx.Err() != nil:
			return
		case samFault(err):
			d.report(Reader, readerState(err), 0, err)
		case offline(err):
			// Gone or only late: the SAM checks that follow tell which.
		default: // the card, not the reader: read failure, select failure, a damaged frame
			d.log.Warn("devices: card not read", "err", err)
			d.out.push(Event{Kind: CardError, Device: Reader, Err: err})
		}
		healthy = false
		device.Sleep(ctx, retryPause)
	}
}

// readerState is the reader's state after err from a SAM status check or a card wait.
func readerState(err error) device.State {
	switch {
	case err == nil:
		return device.Idle
	case offline(err):
		return device.Offline
	}
	return device.Error
}

// samFault reports whether the SAM module itself reported a failure (a technician's job).
func samFault(err error) bool {
	var st *idcard.StatusError
	return errors.As(err, &st) && st.SW3.SAMFault()
}
