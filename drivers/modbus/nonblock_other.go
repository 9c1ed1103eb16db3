//go:build !unix

package modbus

import "syscall"

// setNonblock is a no-op where descriptors have no blocking mode to undo.
func setNonblock(syscall.Conn) error { return nil }
