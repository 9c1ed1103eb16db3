// Package simpty gives device twins a pseudo-terminal that behaves like a serial device:
// raw mode, a slave descriptor held open so the twin's reads survive clients closing the port,
// a symlink kept pointing at the current /dev/pts path (like /dev/serial/by-id), hang-up, and
// reclaiming bytes a client never read (so a twin counts only what was delivered).
package simpty

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Port is one pseudo-terminal: the twin serves on Master; clients open
// Path, the slave side. The twin keeps its own slave descriptor open so
// master reads do not fail with EIO while no client has the port open.
type Port struct {
	Master *os.File
	slave  *os.File
	Path   string
}

// Open makes a new pseudo-terminal in raw mode. Its Master is non-blocking,
// so read and write deadlines work on it (every twin relies on them to stop
// serving and to bound writes nobody reads).
func Open() (*Port, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("open pty: %w", err)
	}
	p := &Port{Master: master, slave: slave, Path: slave.Name()}
	if err := MakeRaw(slave); err != nil {
		p.Close()
		return nil, fmt.Errorf("pty %s: raw mode: %w", p.Path, err)
	}
	if err := SetNonblock(master); err != nil {
		p.Close()
		return nil, fmt.Errorf("pty %s: non-blocking master: %w", p.Path, err)
	}
	return p, nil
}

// SetNonblock puts f back in non-blocking mode, which creack/pty's use of
// File.Fd undoes, so the runtime poller honours f's deadlines again. Tests
// use it on their client end of the port for the same reason.
func SetNonblock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.SetNonblock(int(fd), true) }); err != nil {
		return err
	}
	if serr != nil {
		return serr
	}
	// A file the poller never watched says so here; it still works, blocking.
	if err := f.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, os.ErrNoDeadline) {
		return err
	}
	return nil
}

// MakeRaw switches off echo, line editing and CR/NL translation, which
// would otherwise mangle binary Modbus frames (cfmakeraw). It goes through
// SyscallConn rather than Fd so the descriptor keeps its non-blocking mode.
func MakeRaw(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var terr error
	err = rc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if err != nil {
			terr = err
			return
		}
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8
		t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
		terr = unix.IoctlSetTermios(int(fd), unix.TCSETS, t)
	})
	if err != nil {
		return err
	}
	return terr
}

// Reclaim reads, through the twin's own slave descriptor and without
// blocking, whatever the twin wrote that no client has read, and returns how
// many bytes that was. Call it only once Serve has returned, so nothing new
// is written meanwhile. A non-blocking tty read first waits for bytes still
// on their way from master to slave, so none slip past; it also gives up at
// once while a client's read is in progress, so the input count decides
// whether to try again.
func (p *Port) Reclaim() int {
	rc, err := p.slave.SyscallConn()
	if err != nil {
		return 0
	}
	total := 0
	_ = rc.Control(func(fd uintptr) {
		if unix.SetNonblock(int(fd), true) != nil {
			return
		}
		buf := make([]byte, 256)
		for tries := 0; tries < 100; {
			n, err := unix.Read(int(fd), buf)
			switch {
			case n > 0:
				total += n
			case err == unix.EINTR:
			case err == unix.EAGAIN:
				if left, ierr := unix.IoctlGetInt(int(fd), unix.TIOCINQ); ierr != nil || left == 0 {
					return
				}
				tries++ // a client is reading those bytes right now: let it finish
				time.Sleep(time.Millisecond)
			default:
				return
			}
		}
	})
	return total
}

// Close hangs up: once the master is closed, clients holding the slave get
// EIO and the /dev/pts entry disappears.
func (p *Port) Close() {
	p.Master.Close()
	p.slave.Close()
}

// PointLink makes link a symlink to target, atomically: a client resolving
// it sees the old target or the new one, never no file.
func PointLink(link, target string) error {
	tmp := filepath.Join(filepath.Dir(link), fmt.Sprintf(".%s.tmp%d", filepath.Base(link), os.Getpid()))
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("link %s: %w", link, err)
	}
	if err := os.Rename(tmp, link); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("link %s: %w", link, err)
	}
	return nil
}

// RemoveLink deletes link if it still points at target, as udev removes a
// /dev/serial/by-id link when its device goes away.
func RemoveLink(link, target string) {
	if cur, err := os.Readlink(link); err == nil && cur == target {
		_ = os.Remove(link)
	}
}
