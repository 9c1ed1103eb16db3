// Package escpos drives an 80 mm ESC/POS thermal receipt printer over a serial
// port: it encodes receipts (GB18030 text, sizes, native or raster QR codes,
// raster images, cuts), and reads the printer's status (DLE EOT and Automatic
// Status Back) out of one mixed reply stream.
//
// The command bytes follow the team's device-protocol notes, section 2 (ESC/POS),
// which cite python-escpos, escpos-php and the Epson / Citizen / Bixolon
// manual pages named below.
//
//	command                bytes                         reference (section, manual page)
//	initialise             1B 40           ESC @         2.1; python-escpos HW_INIT
//	Chinese mode on / off  1C 26 / 1C 2E   FS & / FS .   2.1; escpos-php textChinese
//	print mode             1B 21 n         ESC !         2.1; escpos-php selectPrintMode
//	character size         1D 21 n         GS !          2.1; n = (w-1)<<4 | (h-1)
//	bold                   1B 45 n         ESC E         2.1
//	underline              1B 2D n         ESC -         2.1
//	alignment              1B 61 n         ESC a         2.1; 0 left, 1 centre, 2 right
//	print and feed n lines 1B 64 n         ESC d         2.1
//	cut, function A        1D 56 00 / 01   GS V          2.1; full / partial
//	cut, function B        1D 56 41 n / 42 n             2.1; feed n, then full / partial
//	QR model               1D 28 6B 04 00 31 41 n 00     2.2; Epson function 165
//	QR module size         1D 28 6B 03 00 31 43 n        2.2; function 167, n 1..16
//	QR error level         1D 28 6B 03 00 31 45 n        2.2; function 169, 0x30 L .. 0x33 H
//	QR store data          1D 28 6B pL pH 31 50 30 d...  2.2; function 180, pL+256·pH = k+3
//	QR print               1D 28 6B 03 00 31 51 30       2.2; function 181
//	raster image           1D 76 30 m xL xH yL yH d...   2.3; x in bytes, MSB leftmost, 1 black
//	real-time status       10 04 n         DLE EOT n     2.4; Bixolon SRP-350 manual p. 9,
//	                                                     Citizen CBM1000 manual p. 67
//	Automatic Status Back  1D 61 n         GS a n        2.4; Epson TM-U220 manual p. 82-83,
//	                                                     TM-L60II technical reference
//	telling replies apart  bit patterns                  2.4; Citizen CT-S310 appendix p. 310
//
// A [Receipt] builds the bytes; a [Printer] sends them over a [Port] (a
// drivers/serialport Port) after checking paper and cover, and reports paper
// and cover changes as device events. The status stream is split by a [Demux]:
// a DLE EOT reply is one byte 0xx1xx10, an ASB frame is four bytes starting
// 0xx1xx00 followed by three 0xx0xxxx, and anything else (XON/XOFF, noise) is
// set aside without losing the frames around it.
//
// Its twin for tests and demos is firmware-sim/sim/printer
// (`go run ./firmware-sim printer`), which renders each receipt to a PNG.
package escpos
