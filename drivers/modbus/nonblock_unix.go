//go:build unix

package modbus

import "syscall"

// setNonblock puts a descriptor the runtime poller already watches back in
// non-blocking mode, so read deadlines work again.
func setNonblock(sc syscall.Conn) error {
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), true) }); err != nil {
		return err
	}
	return serr
}
