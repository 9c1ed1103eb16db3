//go:build linux

package serialport

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
)

func TestPortOpenByPathRoundTrip(t *testing.T) {
	d := newFakeDevice(t)
	p := New(Config{Path: d.Path, Baud: 115200, ReadTimeout: 100 * time.Millisecond}, "printer")
	defer p.Close()
	if s := p.State(); s != device.Closed {
		t.Errorf("State before first use = %v, want closed", s)
	}
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	d.Slave.Close()
	if ev := expectEvent(t, p, device.StatusChanged); ev.State != device.Idle || ev.Device != "printer" || ev.Detail != d.Path {
		t.Errorf("open event = %v", ev)
	}
	if p.State() != device.Idle || p.Path() != d.Path {
		t.Errorf("State %v, Path %q", p.State(), p.Path())
	}
	if h := p.Health(); !h.OK() || h.Detail != d.Path+" 115200 8N1" {
		t.Errorf("Health = %v", h)
	}

	d.send(t, allBytes())
	if got := readN(t, p, 256); !bytes.Equal(got, allBytes()) {
		t.Errorf("port read % x", got)
	}
	if _, err := p.Write(allBytes()); err != nil {
		t.Fatal(err)
	}
	if got := d.readMaster(t, 256); !bytes.Equal(got, allBytes()) {
		t.Errorf("device read % x", got)
	}
	if err := p.ResetInputBuffer(); err != nil {
		t.Errorf("ResetInputBuffer: %v", err)
	}
}

func TestPortReadTimeout(t *testing.T) {
	d := newFakeDevice(t)
	p := New(Config{Path: d.Path, ReadTimeout: 30 * time.Millisecond}, "scanner")
	defer p.Close()
	for range fastZeroLimit + 1 { // lazily opened by the first Read
		if n, err := p.Read(make([]byte, 8)); n != 0 || err != nil {
			t.Fatalf("Read = %d, %v; want 0, nil on timeout", n, err)
		}
	}
	d.Slave.Close()
	if err := p.SetReadTimeout(0); err != nil {
		t.Fatal(err)
	}
	if n, err := p.Read(make([]byte, 8)); n != 0 || err != nil {
		t.Fatalf("polling Read = %d, %v", n, err)
	}
}

// The device twin case: the port follows a symlink; the device hangs up,
// comes back on another PTY, the link is repointed, and the port reopens.
func TestPortHangUpAndBack(t *testing.T) {
	d1 := newFakeDevice(t)
	link := filepath.Join(t.TempDir(), "rig")
	if err := os.Symlink(d1.Path, link); err != nil {
		t.Fatal(err)
	}
	p := New(Config{Path: link, MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}, "rig")
	defer p.Close()
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	d1.Slave.Close()
	expectEvent(t, p, device.StatusChanged)
	if p.Path() != d1.Path {
		t.Fatalf("Path() = %q, want %q", p.Path(), d1.Path)
	}

	readErr := make(chan error, 1)
	go func() { _, err := p.Read(make([]byte, 8)); readErr <- err }()
	d1.unplug()
	var err error
	select {
	case err = <-readErr:
	case <-time.After(patience):
		t.Fatal("blocked Read did not notice the hang-up")
	}
	if !errors.Is(err, ErrGone) || !isPortError(err, d1.Path) || !strings.Contains(err.Error(), "device gone") {
		t.Fatalf("Read err = %v; want a *PortError for %s wrapping ErrGone", err, d1.Path)
	}
	if ev := expectEvent(t, p, device.Gone); ev.State != device.Offline || !errors.Is(ev.Err, ErrGone) || ev.Detail != d1.Path {
		t.Errorf("Gone event = %v", ev)
	}
	if s := p.State(); s != device.Offline {
		t.Errorf("State = %v, want offline", s)
	}
	// The dead pts number may be reused by any new PTY on the machine: take
	// the link away so the port cannot reopen onto a stranger's terminal.
	os.Remove(link)
	if _, err := p.Write([]byte("x")); !errors.Is(err, ErrOffline) {
		t.Errorf("Write while away: %v; want ErrOffline", err)
	}

	d2 := newFakeDevice(t)
	if err := os.Symlink(d2.Path, link); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the port to reopen", func() bool { return p.Open() == nil })
	d2.Slave.Close()
	if ev := expectEvent(t, p, device.Back); ev.State != device.Idle || ev.Detail != d2.Path {
		t.Errorf("Back event = %v", ev)
	}
	if p.State() != device.Idle || p.Path() != d2.Path {
		t.Errorf("after reopen: State %v, Path %q; want idle, %q", p.State(), p.Path(), d2.Path)
	}
	d2.send(t, []byte("hello"))
	if got := readN(t, p, 5); string(got) != "hello" {
		t.Errorf("read %q after reopen", got)
	}
	if _, err := p.Write([]byte("world")); err != nil {
		t.Fatal(err)
	}
	if got := d2.readMaster(t, 5); string(got) != "world" {
		t.Errorf("device read %q after reopen", got)
	}
}

func TestPortWriteNoticesHangUp(t *testing.T) {
	d := newFakeDevice(t)
	p := New(Config{Path: d.Path, MinBackoff: time.Hour}, "printer")
	defer p.Close()
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	d.unplug()
	_, err := p.Write([]byte("receipt"))
	if !errors.Is(err, ErrGone) || !isPortError(err, d.Path) {
		t.Fatalf("Write err = %v; want ErrGone for %s", err, d.Path)
	}
	expectEvent(t, p, device.Gone)
	// Within the backoff: refused at once, with the configured name.
	_, err = p.Read(make([]byte, 1))
	if !errors.Is(err, ErrOffline) || err.Error() != "serialport: read "+d.Path+": device offline" {
		t.Errorf("Read err = %v", err)
	}
	if h := p.Health(); h.State != device.Offline || !strings.Contains(h.Detail, "next try in") {
		t.Errorf("Health = %v", h)
	}
}

// A Write in progress makes the port Busy. Nobody drains the device side at
// first, so a large Write blocks once the PTY buffer is full.
func TestPortBusyDuringWrite(t *testing.T) {
	d := newFakeDevice(t)
	p := New(Config{Path: d.Path}, "printer")
	defer p.Close()
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	d.Slave.Close()
	const size = 1 << 20
	done := make(chan error, 1)
	go func() {
		n, err := p.Write(make([]byte, size))
		if err == nil && n != size {
			err = io.ErrShortWrite
		}
		done <- err
	}()
	waitFor(t, "state busy", func() bool { return p.State() == device.Busy })
	d.readMaster(t, size)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := p.State(); s != device.Idle {
		t.Errorf("State after the write = %v, want idle", s)
	}
}

func TestPortCloseDuringBlockedRead(t *testing.T) {
	d := newFakeDevice(t)
	defer d.unplug()
	p := New(Config{Path: d.Path}, "scanner") // no read timeout: Read blocks
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := p.Read(make([]byte, 8)); done <- err }()
	time.Sleep(10 * time.Millisecond) // only biases toward closing mid-Read; both orders must pass
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Read err = %v; want ErrClosed", err)
		}
	case <-time.After(patience):
		t.Fatal("Read still blocked after Close")
	}
	var last device.Event
	for ev := range p.Events() { // must end: Close closes the channel
		last = ev
	}
	if last.Kind != device.StatusChanged || last.State != device.Closed {
		t.Errorf("last event = %v, want status-changed (closed)", last)
	}
	if p.State() != device.Closed || p.Close() != nil {
		t.Errorf("after Close: State %v", p.State())
	}
	if _, err := p.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
}

func TestPortBackoffGrows(t *testing.T) {
	p := New(Config{Path: filepath.Join(t.TempDir(), "absent"), MinBackoff: 10 * time.Millisecond, MaxBackoff: 80 * time.Millisecond}, "x")
	defer p.Close()
	var waits []time.Duration
	for range 5 {
		waitFor(t, "the backoff deadline", func() bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			return !time.Now().Before(p.retryAt)
		})
		p.mu.Lock()
		waits = append(waits, p.backoff) // the wait the coming failure applies
		p.mu.Unlock()
		err := p.Open()
		if !errors.Is(err, ErrOffline) || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Open err = %v; want ErrOffline wrapping fs.ErrNotExist", err)
		}
	}
	want := []time.Duration{10, 20, 40, 80, 80}
	for i := range want {
		want[i] *= time.Millisecond
	}
	if !slices.Equal(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	if p.State() != device.Offline || p.attempts != 5 {
		t.Errorf("State %v after %d attempts", p.State(), p.attempts)
	}
}

// Before the backoff deadline nothing touches the device.
func TestPortOfflineFailsFastWithoutTrying(t *testing.T) {
	p := New(Config{Path: filepath.Join(t.TempDir(), "absent"), MinBackoff: time.Hour}, "x")
	defer p.Close()
	if err := p.Open(); !errors.Is(err, ErrOffline) {
		t.Fatalf("first Open: %v", err)
	}
	ev := expectEvent(t, p, device.StatusChanged)
	if ev.State != device.Offline || !errors.Is(ev.Err, fs.ErrNotExist) {
		t.Errorf("failed open event = %v", ev)
	}
	for range 3 {
		if _, err := p.Read(make([]byte, 1)); !errors.Is(err, ErrOffline) {
			t.Fatalf("Read: %v", err)
		}
	}
	if p.attempts != 1 {
		t.Errorf("%d open attempts, want 1", p.attempts)
	}
}

// A Write that finds the device gone drops the connection under a Read
// blocked on it; that Read must report ErrGone, not ErrClosed, or a driver
// loop would take it for its owner's Close and stop.
func TestPortConnectionDroppedUnderBlockedRead(t *testing.T) {
	d := newFakeDevice(t)
	defer d.unplug()
	p := New(Config{Path: d.Path, MinBackoff: time.Hour}, "reader")
	defer p.Close()
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := p.Read(make([]byte, 8)); done <- err }()
	time.Sleep(10 * time.Millisecond) // only biases toward a Read in progress; both orders must pass

	p.mu.Lock()
	gen := p.gen
	p.mu.Unlock()
	p.failed(gen, classify("write", d.Path, errHangUp, false)) // what a Write seeing EIO does

	select {
	case err := <-done:
		if !errors.Is(err, ErrGone) && !errors.Is(err, ErrOffline) || errors.Is(err, ErrClosed) {
			t.Errorf("Read err = %v; want ErrGone (or ErrOffline if it started late)", err)
		}
	case <-time.After(patience):
		t.Fatal("Read still blocked after its connection was dropped")
	}
	if s := p.State(); s != device.Offline {
		t.Errorf("State = %v, want offline", s)
	}
}
