// Package serialport opens the serial devices of a kiosk or test rig by path,
// by /dev/serial/by-id link or by USB VID/PID/serial number, and keeps them
// open across unplugging; it is the only package that imports go.bug.st/serial.
//
// Two ways in:
//
//   - [OpenRaw] opens once, like serial.Open, for tools and tests.
//   - [New] returns a [Port] that opens lazily, notices when the device
//     vanishes, reports [device.Gone] and [device.Back] on [Port.Events] and
//     reopens with exponential backoff. Drivers (ID card reader, printer,
//     scanner, Modbus) take a Port as their io.ReadWriter.
//
// # Paths
//
// Config.Path may be a symlink: a /dev/serial/by-id name, or a link a device
// twin in firmware-sim keeps pointing at its current pseudo-terminal. It is
// resolved again at every (re)open, because after a replug the link target
// changes (ttyUSB0 becomes ttyUSB1). With Config.Match set the port is found
// among [List] by USB VID/PID/serial instead.
//
// # Read timeouts
//
// As in go.bug.st/serial, a Read whose timeout expires returns (0, nil), not an
// error; callers loop. Port and Raw can therefore replace a serial.Port.
//
// # Vanishing devices (measured on Linux, go.bug.st/serial v1.8.0)
//
// When the far end of a pseudo-terminal is closed (the same thing the kernel
// does to a USB serial tty on unplug: a hang-up), the read(2) on our side
// returns 0 bytes with no error, and go.bug.st/serial turns that into a
// *serial.PortError with code PortClosed, immediately and on every later
// Read; a Write fails with EIO; the /dev/pts node disappears. So a PortClosed
// on a port we did not close ourselves means "gone". Errors EIO, ENXIO,
// ENODEV and EBADF mean gone too. As a safety net, a Read that returns
// (0, nil) three times in a row each well before its timeout is treated as a
// hang-up as well.
package serialport
