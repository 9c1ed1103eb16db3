package scanner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	drv "github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/firmware-sim/sim/simpty"
)

// Garbage is what the garbage fault sends: bytes valid in neither UTF-8 nor
// GBK (FF is no GBK lead byte), with no suffix, as line noise would.
var Garbage = []byte{0xFF, 0xFE, 0x80, 0xFF, 0x13, 0x00}

// encode renders c as it goes on the wire: AIM identifier, payload in the
// configured charset, suffix.
func (t *Twin) encode(c Code) ([]byte, error) {
	var out []byte
	sym, err := symbologyOf(c)
	if err != nil {
		return nil, err
	}
	if t.opts.AIM {
		out = append(out, sym.AIM()...)
	}
	payload := []byte(c.Data)
	if t.opts.Charset == drv.GBK {
		if payload, err = drv.EncodeGBK(c.Data); err != nil {
			return nil, fmt.Errorf("scanner twin: %w", err)
		}
	}
	if bytes.Contains(payload, t.opts.Suffix.Bytes()) && t.opts.Suffix != drv.SuffixNone {
		return nil, fmt.Errorf("scanner twin: code %q contains its own suffix %s", c.Data, t.opts.Suffix)
	}
	out = append(out, payload...)
	return append(out, t.opts.Suffix.Bytes()...), nil
}

func symbologyOf(c Code) (drv.Symbology, error) {
	if c.Symbology == "" {
		return drv.QR, nil
	}
	s, err := drv.ParseSymbology(c.Symbology)
	if err == nil && s == drv.Unknown {
		err = fmt.Errorf("scanner twin: symbology %q has no AIM identifier", c.Symbology)
	}
	return s, err
}

// emit sends the next code, shaped by the next armed fault.
func (t *Twin) emit(ctx context.Context, m *os.File) {
	c := t.takeCode()
	wire, err := t.encode(c)
	if err != nil { // SetNext and New check codes, so only a bug gets here
		t.opts.Logger.Error("scanner twin: encode", "err", err)
		return
	}
	f, faulty := t.takeFault()
	if faulty {
		t.count(func(k *Counters) { k.Faults++ })
		wire = t.applyFault(ctx, m, f, wire)
	}
	if len(wire) > 0 {
		t.write(m, wire)
	}
	t.count(func(k *Counters) { k.Codes++ })
}

// applyFault sends what comes before the code (garbage, a first half) and
// returns what is left to send.
func (t *Twin) applyFault(ctx context.Context, m *os.File, f Fault, wire []byte) []byte {
	suffix := t.opts.Suffix.Bytes()
	switch f.Kind {
	case FaultGarbage:
		t.write(m, Garbage)
		simpty.SleepCtx(ctx, f.Pause)
	case FaultSplit:
		half := len(wire) / 2
		t.write(m, wire[:half])
		simpty.SleepCtx(ctx, f.Pause)
		return wire[half:]
	case FaultNoSuffix:
		return wire[:len(wire)-len(suffix)]
	case FaultOversize:
		return append(bytes.Repeat([]byte{'A'}, f.Bytes), suffix...)
	}
	return wire
}

// pauseFor is the default pause of garbage and split faults: long enough for
// a driver's idle timeout (100 ms by default) to end a code in between.
const pauseFor = 300 * time.Millisecond
