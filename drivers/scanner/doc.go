// Package scanner reads serial (RS-232 or USB-CDC) barcode and QR scanners:
// it cuts the byte stream into codes, triggers scans in the Honeywell and
// Newland serial dialects, parses AIM symbology identifiers and decodes UTF-8
// and GBK payloads. Source: the team's device-protocol notes, section 3.
//
// # Framing
//
// A code ends at the configured suffix (CR, CR LF, LF, TAB; SuffixLine, the
// default, takes any of CR, LF, CR LF) or when the line has been quiet for
// Opts.IdleTimeout (100 ms by default; the notes advise 50–100 ms between
// characters), because suffixes can be switched off. The suffix is removed;
// Code.End says which rule ended a code. Quiet means a read that waited came
// back empty, never just the clock, so a busy host does not split codes.
// A code longer than Opts.MaxLen gives one *CodeError wrapping ErrTooLong
// with the first MaxLen bytes; its tail is refused up to the suffix, so it
// never turns into a code of its own. Empty codes are ignored.
// A CR LF cut in two by a pause ends the code at the pause; the LF that
// follows is skipped.
//
// # Trigger dialects
//
//	dialect    start                        stop                         answer
//	honeywell  16 54 0D (SYN T CR)          16 55 0D (SYN U CR)          none
//	newland    7E 01 "0000#SCNTRG1;" 03     7E 01 "0000#SCNTRG0;" 03     02 01 "0000" echo 06 ";" 03
//	none       (auto-sense, continuous or button mode: no host trigger)
//
// Honeywell needs serial trigger mode (menu TRGMOD); its menu commands
// (16 4D 0D + tag + "!"/".") are answered with ACK 06, ENQ 05 or NAK 15.
// Sources: Honeywell 4820 and N86 manuals (trigger and menu pages), enioka
// honeywelloss ActivateTrigger/DeactivateTrigger. Newland needs trigger mode
// (@SCNMOD0); the answer echoes the command and ends in ACK (done), NAK (value
// out of range) or ENQ (no such setting) before ";" ETX. Sources: NLS-HR52
// manual pp. 35 and 234, and Newland SDK code that checks the echo and
// 06 3B 03. A refused command gives ErrRefused, a missing answer ErrNoAck
// after Opts.CommandTimeout.
//
// # Symbology and charset
//
// With Opts.AIM the scanner is expected to prefix every code with its AIM
// (ISO/IEC 15424) identifier, "]" + code character + modifier: ]E0 EAN-13
// (confirmed by jodal/biip), ]C0 Code 128, ]Q1 QR, ]d1 DataMatrix, ]A0 Code 39
// (ZXing's table; marked [?] in the notes). It is parsed into a Symbology and
// removed from Code.Data. Payloads are UTF-8 when valid, else GBK (the notes:
// "may be GBK or UTF-8 depending on scanner setup"); Code.Charset says which.
// Bytes valid in neither give ErrCharset with the raw bytes kept.
//
// # Devices that come and go
//
// On a drivers/serialport Port the scanner passes Gone and Back on to Events
// and Scan fails fast while the device is away, so a kiosk can show it.
package scanner
