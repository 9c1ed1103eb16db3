// Package idreader is the digital twin of a GA 467 SAM(V) ID card reader: it answers the
// frames of drivers/idcard (whose codec it uses) on a pseudo-terminal at the reader's baud
// rate, so the driver, the kiosk and technicians can work without hardware.
//
// It models what the reference (/work/shared/reference/device-protocols.md, section 1)
// says a reader does: a SAM that passes or fails its self-test (0x60); a card that is absent,
// present, or latched — after a successful read, find card answers 0x80 until the card is
// lifted and put back; the find → select → read order (0x81, 0x41 when skipped); the three
// fingerprint reply lengths (1297, 1809, 2321 bytes); the appended address or its absence
// (0x91); and host frames with a bad checksum (0x10) or an unknown command (0x21).
//
// Cards come from cards/*.toml (embedded; see cards/README.md): synthetic people with valid
// GB 11643 numbers, one per card type. Faults are armed while the twin runs: a flipped
// checksum, a truncated frame, read failure 0x41, a slow card, no reply. Replies are paced
// at the baud rate (10 bits per byte). Use it in-process with New and Run, or as
// `go run ./firmware-sim idreader`, which adds the HTTP control API of Twin.Handler.
package idreader
