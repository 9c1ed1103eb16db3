// Package printer is the twin of an 80 mm ESC/POS receipt printer: it reads
// the ESC/POS byte stream on a pseudo-terminal, renders each receipt (the
// paper between two cuts) to a PNG at 576 dots wide with a text transcript,
// and answers DLE EOT status queries and Automatic Status Back from a paper,
// cover and error state that a technician or a test changes while it runs.
//
// What it interprets (device-protocols.md section 2): ESC @, FS & / FS .
// (GB18030 text in Chinese mode, code page 437 otherwise), ESC !, GS !,
// ESC E / ESC G (bold, drawn as double strike), ESC -, ESC a, ESC d, ESC J,
// ESC 2 / ESC 3, LF, GS V (every function; partial cuts get a dotted mark,
// full cuts a dashed one), GS ( k for QR (model, module size, error level,
// store, print; drawn with go-qrcode), GS v 0 raster images, DLE EOT 1-4,
// DLE ENQ, GS a (ASB) and GS r. Every other command it knows by length is
// skipped whole; an unknown ESC, GS or FS command is skipped as two bytes.
// A malformed stream never panics the twin (see FuzzInterpret).
//
// Like a real printer, it prints nothing while offline (paper out, cover
// open, cutter or unrecoverable error): the data is dropped and counted.
// Status bytes follow the tables of section 2.4: DLE EOT 4 answers 0x12 ok,
// 0x1E near end and 0x7E out; ASB frames go out on every change of an
// enabled status class and once when ASB is switched on.
//
// Text is drawn with one pinned TrueType font (DefaultFont, Debian's
// fonts-arphic-gbsn00lp) at 24 dots, single-byte characters 12 dots wide
// and Chinese ones 24, so the output does not depend on installed fonts.
package printer
