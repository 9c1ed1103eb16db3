package simpty

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// PathWatch holds the path a twin serves on now, so tests and scripts can
// wait for the port to appear, or to come back elsewhere after a hang-up.
// The zero value is ready; OnSet, if set, hears every change (it must not
// block: it runs on the twin's serving goroutine).
type PathWatch struct {
	OnSet func(path string)

	mu      sync.Mutex
	path    string
	changed chan struct{} // closed and replaced by Set, waking every Wait
}

// Set records the path now served; "" while there is none.
func (w *PathWatch) Set(path string) {
	w.mu.Lock()
	w.path = path
	if w.changed != nil {
		close(w.changed)
	}
	w.changed = make(chan struct{})
	w.mu.Unlock()
	if w.OnSet != nil {
		w.OnSet(path)
	}
}

// Path is the path served now; "" before the first Set and while hung up.
func (w *PathWatch) Path() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.path
}

// Wait blocks until a path other than old is served (old "" waits for the
// first) and returns it.
func (w *PathWatch) Wait(ctx context.Context, old string) (string, error) {
	for {
		w.mu.Lock()
		if w.changed == nil {
			w.changed = make(chan struct{})
		}
		p, ch := w.path, w.changed
		w.mu.Unlock()
		if p != "" && p != old {
			return p, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return "", fmt.Errorf("wait for port: %w", ctx.Err())
		}
	}
}

// SleepCtx waits d, as a device's down time or wire time, and reports false
// if ctx ended first (so the caller stops rather than carry on).
func SleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}
