// Package scanner is the digital twin of a serial barcode/QR scanner: it
// emits configured codes on a pseudo-terminal, with the configured suffix,
// an optional AIM identifier, in UTF-8 or GBK, when the host triggers it
// (Honeywell SYN T CR, or Newland ~ SOH 0000 #SCNTRG1 ; ETX, acknowledged as
// the real scanner does), when someone "presents" a code (POST /trigger), or
// on a schedule (Opts.Every). The wire formats come from drivers/scanner.
//
// The codes come from a queue (Opts.Codes, cycled); a technician sets the
// next one while the twin runs (SetNext, POST /code). Faults exercise a
// driver's framing: garbage bytes before a code, a code split by a pause, a
// code without its suffix, an over-long code, and hang-up (the PTY closes and
// comes back under a new path).
//
// Use it in-process with New and Run, or as `go run ./firmware-sim scanner`,
// which adds the HTTP control API of Twin.Handler.
package scanner
