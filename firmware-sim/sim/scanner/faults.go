package scanner

import (
	"fmt"
	"time"
)

// FaultKind names a fault.
type FaultKind string

const (
	FaultGarbage  FaultKind = "garbage"  // Garbage, a pause, then the code
	FaultSplit    FaultKind = "split"    // the code's first half, a pause, the rest
	FaultNoSuffix FaultKind = "nosuffix" // the code without its suffix
	FaultOversize FaultKind = "oversize" // Bytes bytes of 'A' instead of the code
	FaultHangup   FaultKind = "hangup"   // close the PTY, back under a new path after Down
	FaultClear    FaultKind = "clear"    // disarm all faults
)

// Fault is armed for the next Count emissions (a hang-up happens at once).
type Fault struct {
	Kind  FaultKind
	Count int           // emissions affected; 0: 1
	Pause time.Duration // garbage and split; 0: 300 ms
	Bytes int           // oversize length; 0: 5000
	Down  time.Duration // hangup: time away
}

func (f *Fault) check() error {
	switch f.Kind {
	case FaultGarbage, FaultSplit, FaultNoSuffix, FaultOversize, FaultHangup, FaultClear:
	default:
		return fmt.Errorf("unknown fault %q (want garbage, split, nosuffix, oversize, hangup or clear)", f.Kind)
	}
	if f.Count < 0 || f.Bytes < 0 || f.Pause < 0 || f.Down < 0 {
		return fmt.Errorf("fault %s: negative count, bytes or time", f.Kind)
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Pause == 0 {
		f.Pause = pauseFor
	}
	if f.Bytes == 0 {
		f.Bytes = 5000
	}
	return nil
}

// InjectFault arms f (a hang-up happens at once, while Run runs).
func (t *Twin) InjectFault(f Fault) error {
	if err := f.check(); err != nil {
		return fmt.Errorf("scanner twin: %w", err)
	}
	switch f.Kind {
	case FaultClear:
		t.mu.Lock()
		t.faults = nil
		t.mu.Unlock()
		return nil
	case FaultHangup:
		select {
		case t.hangup <- f.Down:
			return nil
		default:
			return fmt.Errorf("scanner twin: a hang-up is already pending")
		}
	}
	t.mu.Lock()
	t.faults = append(t.faults, f)
	t.mu.Unlock()
	return nil
}

// takeFault returns the fault for this emission, if one is armed.
func (t *Twin) takeFault() (Fault, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.faults) == 0 {
		return Fault{}, false
	}
	f := t.faults[0]
	t.faults[0].Count--
	if t.faults[0].Count <= 0 {
		t.faults = t.faults[1:]
	}
	return f, true
}
