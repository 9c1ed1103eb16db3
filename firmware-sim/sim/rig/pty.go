package rig

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// port is one pseudo-terminal: the twin serves on master; clients open
// path, the slave side. The twin keeps its own slave descriptor open so
// master reads do not fail with EIO while no client has the port open.
type port struct {
	master *os.File
	slave  *os.File
	path   string
}

func openPort() (*port, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("open pty: %w", err)
	}
	p := &port{master: master, slave: slave, path: slave.Name()}
	if err := makeRaw(slave); err != nil {
		p.close()
		return nil, fmt.Errorf("pty %s: raw mode: %w", p.path, err)
	}
	return p, nil
}

// makeRaw switches off echo, line editing and CR/NL translation, which
// would otherwise mangle binary Modbus frames (cfmakeraw). It goes through
// SyscallConn rather than Fd so the descriptor keeps its non-blocking mode.
func makeRaw(f *os.File) error {
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

// reclaim reads, through the twin's own slave descriptor and without
// blocking, whatever the twin wrote that no client has read, and returns how
// many bytes that was. Call it only once Serve has returned, so nothing new
// is written meanwhile. A non-blocking tty read first waits for bytes still
// on their way from master to slave, so none slip past; it also gives up at
// once while a client's read is in progress, so the input count decides
// whether to try again.
func (p *port) reclaim() int {
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

// close hangs up: once the master is closed, clients holding the slave get
// EIO and the /dev/pts entry disappears.
func (p *port) close() {
	p.master.Close()
	p.slave.Close()
}

// pointLink makes link a symlink to target, atomically: a client resolving
// it sees the old target or the new one, never no file.
func pointLink(link, target string) error {
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

// removeLink deletes link if it still points at target, as udev removes a
// /dev/serial/by-id link when its device goes away.
func removeLink(link, target string) {
	if cur, err := os.Readlink(link); err == nil && cur == target {
		_ = os.Remove(link)
	}
}
