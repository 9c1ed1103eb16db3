package modbus_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// Serve also runs on a serial port (a twin behind a real USB adapter): the
// port's read timeout lets Serve stop its reader and wait for it.
func TestServeOnSerialPort(t *testing.T) {
	master, path := openPTY(t)
	port := openPort(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- modbus.Serve(ctx, port, newRegs(), modbus.ServerOpts{Unit: 3, Baud: testBaud}) }()

	req := modbus.Request{Unit: 3, Function: modbus.FuncReadHoldingRegisters, Addr: 1, Qty: 2}
	adu, _ := modbus.EncodeRequest(req)
	if _, err := master.Write(adu); err != nil {
		t.Fatal(err)
	}
	want := modbus.EncodeReply(req, []uint16{1001, 1002})
	got := make([]byte, len(want))
	if err := master.SetReadDeadline(time.Now().Add(okTimeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(master, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("reply % X, %v; want % X", got, err, want)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve = %v after cancel", err)
		}
	case <-time.After(okTimeout):
		t.Fatal("Serve did not return after cancel")
	}
}

// After Serve returns, its reader must be gone: bytes that arrive later
// belong to whoever reads the PTY master next (a restarted twin).
func TestServeReleasesPTYMaster(t *testing.T) {
	master, path := openPTY(t)
	port := openPort(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	spy := &readSpy{File: master, reading: make(chan struct{})}
	go func() { done <- modbus.Serve(ctx, spy, newRegs(), modbus.ServerOpts{Unit: 1, Baud: testBaud}) }()
	select { // Serve's reader is in Read: the case where a stale reader could keep the master
	case <-spy.reading:
	case <-time.After(okTimeout):
		t.Fatal("Serve never read")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v after cancel", err)
	}
	if _, err := port.Write([]byte("after")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 5)
	if err := master.SetReadDeadline(time.Now().Add(okTimeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(master, got); err != nil || string(got) != "after" {
		t.Fatalf("read after Serve = %q, %v; a stale reader took the bytes?", got, err)
	}
}

// readSpy is the PTY master with its deadline and poller methods, closing reading when a Read
// starts: a test can then wait for Serve's reader to be in Read instead of sleeping.
type readSpy struct {
	*os.File
	reading chan struct{}
	once    sync.Once
}

func (s *readSpy) Read(p []byte) (int, error) {
	s.once.Do(func() { close(s.reading) })
	return s.File.Read(p)
}
