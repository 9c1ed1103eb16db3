package escpos

import (
	"time"

	"github.com/onestop-station/onestop/drivers/device"
)

// readLoop feeds everything the printer sends through a Demux: replies go
// to the waiting query, ASB frames become status updates and events.
func (p *Printer) readLoop() {
	defer close(p.done)
	var d Demux
	buf := make([]byte, 256)
	for {
		select {
		case <-p.quit:
			return
		default:
		}
		n, err := p.port.Read(buf)
		switch {
		case n > 0:
			p.route(d.Feed(buf[:n]))
		case err == nil && d.Pending() > 0:
			p.route(d.Flush()) // a whole poll interval of silence: no frame is that slow
		}
		if err != nil && !isTimeout(err) {
			p.mu.Lock()
			p.readErr = err
			p.mu.Unlock()
			if !p.pause(errorPause) {
				return
			}
		}
	}
}

func (p *Printer) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.quit:
		return false
	}
}

func (p *Printer) route(frames []Frame) {
	for _, f := range frames {
		switch f.Kind {
		case FrameReply:
			select {
			case p.replies <- f.Bytes[0]:
			default: // nobody asked for this many; the next query drains them anyway
			}
		case FrameASB:
			if st, err := ParseASB(f.Bytes); err == nil {
				p.observe(st)
			}
		}
	}
}

// observe keeps st as the latest status and emits an event for each change
// of paper or cover. Events go out under the lock so that a status from a
// query and one from an ASB frame cannot report their changes out of order.
func (p *Printer) observe(st Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	prev, known := p.last, p.known
	p.last, p.known = st, true
	state := device.Idle
	if !st.Ready() {
		state = device.Error
	}
	emit := func(k device.EventKind) {
		p.events.Emit(device.Event{Kind: k, State: state, Detail: st.String()})
	}
	if paper := st.Paper(); (known && paper != prev.Paper()) || (!known && paper != PaperOK) {
		emit([...]device.EventKind{device.PaperOK, device.PaperNearEnd, device.PaperOut}[paper])
	}
	if (known && st.CoverOpen != prev.CoverOpen) || (!known && st.CoverOpen) {
		if st.CoverOpen {
			emit(device.CoverOpen)
		} else {
			emit(device.CoverClosed)
		}
	}
}
