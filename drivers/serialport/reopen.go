package serialport

import (
	"errors"
	"fmt"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
)

// acquire returns the open connection, opening it if the backoff allows.
// The connection is used outside the lock, since a Read may block for ever;
// gen identifies it when reporting a failure.
func (p *Port) acquire(op string) (*Raw, uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return nil, 0, &PortError{Op: op, Path: p.cfg.target(), Err: ErrClosed}
	case p.raw != nil:
		return p.raw, p.gen, nil
	case time.Now().Before(p.retryAt):
		return nil, 0, &PortError{Op: op, Path: p.cfg.target(), Err: ErrOffline}
	}
	if err := p.openLocked(); err != nil {
		return nil, 0, &PortError{Op: op, Path: p.cfg.target(), Err: fmt.Errorf("%w: %w", ErrOffline, err)}
	}
	return p.raw, p.gen, nil
}

// openLocked resolves the path again (the link may point elsewhere now) and
// opens it. Opening a tty with O_NDELAY does not block, so holding the lock
// is fine, and it keeps two callers from opening the device twice.
func (p *Port) openLocked() error {
	p.attempts++
	path, err := Resolve(p.cfg)
	var r *Raw
	if err == nil {
		r, err = openPath(path, p.cfg, p.readTimeout)
	}
	if err != nil {
		p.retryLaterLocked(err)
		if p.attempts == 1 { // Closed -> Offline; later failures change no state
			p.events.Emit(device.Event{Kind: device.StatusChanged, State: device.Offline, Detail: p.cfg.target(), Err: err})
		}
		return err
	}
	p.raw, p.path, p.lastErr = r, path, nil
	p.gen++
	p.backoff = p.cfg.MinBackoff
	kind := device.StatusChanged
	if p.opens > 0 {
		kind = device.Back
	}
	p.opens++
	p.events.Emit(device.Event{Kind: kind, State: device.Idle, Detail: path})
	return nil
}

// retryLaterLocked sets the next reopen time and doubles the wait for the one after.
func (p *Port) retryLaterLocked(cause error) {
	p.lastErr = cause
	p.retryAt = time.Now().Add(p.backoff)
	p.backoff = min(2*p.backoff, p.cfg.MaxBackoff)
}

// failed looks at an error from connection gen: if the device is gone it
// drops the connection, goes Offline and emits Gone. Other errors (a bad
// timeout value, a transient failure) leave the connection as it is.
func (p *Port) failed(gen uint64, err error) error {
	if errors.Is(err, ErrClosed) {
		return p.closedUnderneath(err)
	}
	if !errors.Is(err, ErrGone) {
		return err
	}
	p.mu.Lock()
	var old *Raw
	// Another goroutine may have seen the same loss first, or Close may have
	// run; only the first report for the current connection acts.
	if !p.closed && gen == p.gen && p.raw != nil {
		old, p.raw = p.raw, nil
		p.gen++
		p.backoff = p.cfg.MinBackoff
		p.retryLaterLocked(err)
		p.events.Emit(device.Event{Kind: device.Gone, State: device.Offline, Detail: old.Path(), Err: err})
	}
	p.mu.Unlock()
	if old != nil {
		old.Close() // outside the lock: it waits for Reads still in progress on old
	}
	return err
}

// errDroppedElsewhere is the cause given to a call whose connection another
// call dropped after seeing the device vanish.
var errDroppedElsewhere = errors.New("connection dropped after a concurrent call saw the device vanish")

// closedUnderneath tells the two reasons a connection can close under a call
// apart: the owner closed the Port (ErrClosed stands), or another call found
// the device gone and dropped it (then this call lost the device too, and
// must not report ErrClosed, which would end a driver's read loop).
func (p *Port) closedUnderneath(err error) error {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	var pe *PortError
	if closed || !errors.As(err, &pe) {
		return err
	}
	return &PortError{Op: pe.Op, Path: pe.Path, Err: fmtGone(errDroppedElsewhere)}
}

func (p *Port) addWriter(d int) {
	p.mu.Lock()
	p.writers += d
	p.mu.Unlock()
}
