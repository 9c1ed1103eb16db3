package modbus_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"go.bug.st/serial"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// Tests run at 115200 baud: t3.5 is 1.75 ms, so pacing costs little.
const testBaud = 115200

// regs is a slave's register map: 256 holding and 256 input registers.
type regs struct {
	mu      sync.Mutex
	holding [256]uint16
	input   [256]uint16
	writes  int
}

func newRegs() *regs {
	r := &regs{}
	for i := range r.holding {
		r.holding[i] = uint16(1000 + i)
		r.input[i] = uint16(2000 + i)
	}
	return r
}

func (r *regs) ReadRegisters(fn byte, addr, qty uint16) ([]uint16, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	table := r.holding[:]
	if fn == modbus.FuncReadInputRegisters {
		table = r.input[:]
	}
	if int(addr)+int(qty) > len(table) {
		return nil, &modbus.Exception{Function: fn, Code: modbus.IllegalDataAddress}
	}
	return append([]uint16(nil), table[addr:int(addr)+int(qty)]...), nil
}

func (r *regs) WriteRegisters(addr uint16, values []uint16) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if int(addr)+len(values) > len(r.holding) {
		return &modbus.Exception{Function: modbus.FuncWriteMultipleRegisters, Code: modbus.IllegalDataAddress}
	}
	copy(r.holding[addr:], values)
	r.writes++
	return nil
}

func (r *regs) get(addr int) uint16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.holding[addr]
}

// openPTY returns a pseudo-terminal: the master plays the device's side of
// the line, the slave path is what a master program opens. The slave file
// stays open until cleanup so the master never reads EIO when a master
// program (mbpoll) closes its end.
func openPTY(t testing.TB) (master *os.File, slavePath string) {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Fatalf("twin or pseudo-terminal did not start: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s.Name()
}

// startSlave runs Serve on a fresh PTY and returns the path to open. Cleanup
// cancels Serve and checks it returned nil.
func startSlave(t testing.TB, h modbus.Handler, opts modbus.ServerOpts) string {
	t.Helper()
	master, path := openPTY(t)
	if opts.Baud == 0 {
		opts.Baud = testBaud
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- modbus.Serve(ctx, master, h, opts) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve returned %v after cancel, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return after cancel")
		}
	})
	return path
}

// openPort opens the PTY slave as a serial port, as the agent would open a
// USB adapter.
func openPort(t testing.TB, path string) serial.Port {
	t.Helper()
	p, err := serial.Open(path, &serial.Mode{BaudRate: testBaud})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// newClient returns a Client over a serial port on a slave running h.
func newClient(t testing.TB, h modbus.Handler, sopts modbus.ServerOpts, timeout time.Duration) (*modbus.Client, serial.Port) {
	t.Helper()
	p := openPort(t, startSlave(t, h, sopts))
	return modbus.NewClient(p, modbus.ClientOpts{Baud: testBaud, Timeout: timeout}), p
}

// readRaw collects what arrives on p until n bytes or timeout.
func readRaw(t testing.TB, p serial.Port, n int, timeout time.Duration) []byte {
	t.Helper()
	var got []byte
	buf := make([]byte, 300)
	deadline := time.Now().Add(timeout)
	for len(got) < n && time.Now().Before(deadline) {
		if err := p.SetReadTimeout(20 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		k, err := p.Read(buf)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		got = append(got, buf[:k]...)
	}
	return got
}
