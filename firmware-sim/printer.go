package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	simprinter "github.com/onestop-station/onestop/firmware-sim/sim/printer"
)

func init() {
	twins["printer"] = twin{"80 mm ESC/POS receipt printer, renders receipts to PNG (drivers/escpos)", runPrinter}
}

const printerHelp = `usage: firmware-sim printer [flags]

Serves an 80 mm ESC/POS thermal receipt printer on a new pseudo-terminal.
Each receipt (the paper up to a cut) is rendered at 576 dots wide to
OUT/receipt-NNN.png, with a transcript OUT/receipt-NNN.txt (text lines,
[qr ...], [image ...], [cut ...]). Numbering continues after files already
in OUT. stdout, line 1: "printer: serving on /dev/pts/N (link L)", line 2:
"printer: control http://ADDR"; then one "printer: receipt PATH" line per
receipt. Logs go to stderr. Stop with Ctrl-C.

The printer answers DLE EOT 1-4 (4: 0x12 paper ok, 0x1E near end, 0x7E out)
and, once the host sends GS a n, Automatic Status Back frames on every
change. With paper out, the cover open or a cutter error it is offline and
prints nothing, as a real printer.

Flags:
`

const printerControlHelp = `
Control API (loopback, no auth):
  GET  /                a page with the same controls: open the control URL in a browser
  GET  /state           paper, cover_open, cutter_error, unrecoverable_error,
                        asb_mask, fault_no_reply, fault_garbage, online, path
  GET  /counters        bytes_in, commands, unknown_commands, text_lines,
                        qr_printed, qr_failed, rasters, cuts, receipts,
                        receipts_discarded, dropped_offline, status_queries,
                        status_replies, replies_suppressed, garbage_bytes,
                        asb_frames, write_errors
  POST /counters/reset
  GET  /receipts        [{"n":1,"png":PATH,"txt":PATH,...}] since the twin started
  GET  /receipts/N.png  receipt N's picture; /receipts/N.txt its transcript
  POST /paper           {"state":"ok|near_end|out"}   (technician at the roll)
  POST /cover           {"open":true|false}
  POST /fault           {"kind":"no_reply|garbage|cutter|unrecoverable|clear",
                         "count":N}
                        no_reply: ignore the next N status queries (-1: all
                        until clear); garbage: send noise bytes (XON, XOFF,
                        0x10 0x05, 0xFF 0x80) before the next N replies;
                        cutter: autocutter error until DLE ENQ 1 or clear;
                        unrecoverable: until clear

With --stdin, the same from the terminal, one command a line:
  paper ok|near_end|out   cover open|closed   fault KIND [COUNT]   state   counters

Example:
  go run ./firmware-sim printer --out /tmp/receipts --link /tmp/onestop-printer0 --control 127.0.0.1:8503 &
  curl -d '{"state":"near_end"}' http://127.0.0.1:8503/paper
`

type printerFlags struct {
	out, font, link, control string
	baud                     int
	stdin                    bool
}

func parsePrinterFlags(args []string, stdout, stderr io.Writer) (f printerFlags, code int, ok bool) {
	fs := newTwinFlags("printer", printerHelp, printerControlHelp, &f.control)
	fs.StringVar(&f.out, "out", "receipts", "directory for receipt-NNN.png and receipt-NNN.txt (created if missing)")
	fs.StringVar(&f.font, "font", simprinter.DefaultFont, "TrueType font with Latin and Chinese glyphs (a single-face .ttf, not a .ttc); a missing font is an error")
	fs.IntVar(&f.baud, "baud", 115200, "line speed replies and ASB frames are paced at (10 bits a byte)")
	fs.StringVar(&f.link, "link", "", "keep this symlink pointing at the /dev/pts path (replaced atomically, removed at exit)")
	fs.BoolVar(&f.stdin, "stdin", false, "also read control commands from stdin, one a line (see below)")
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return f, code, false
	}
	if fs.NArg() > 0 || f.baud <= 0 || f.out == "" {
		fmt.Fprintln(stderr, "firmware-sim printer: want --baud > 0, a non-empty --out and no arguments")
		return f, 2, false
	}
	return f, 0, true
}

func runPrinter(args []string, stdout, stderr io.Writer) int {
	f, code, ok := parsePrinterFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	var in io.Reader
	if f.stdin {
		in = os.Stdin
	}
	return runUntilSignal("printer", stderr, func(ctx context.Context) error {
		return servePrinter(ctx, f, in, stdout, stderr)
	})
}

// servePrinter runs the twin; commands come from in when it is not nil.
func servePrinter(ctx context.Context, f printerFlags, in io.Reader, stdout, stderr io.Writer) error {
	con, err := newConsole("printer", f.control, f.link, stdout, stderr)
	if err != nil {
		return err
	}
	tw, err := simprinter.New(simprinter.Opts{OutDir: f.out, Font: f.font, Baud: f.baud, Link: f.link,
		Logger: con.logger, OnPath: con.onPath,
		OnReceipt: func(r simprinter.Receipt) { fmt.Fprintf(con.out, "printer: receipt %s\n", r.PNG) }})
	if err != nil {
		con.close()
		return err
	}
	if in != nil {
		go readCommands(in, tw, con.out)
	}
	return con.run(ctx, tw.Handler(), tw.Run)
}

// readCommands runs until in ends; at exit the process takes it along.
func readCommands(in io.Reader, tw *simprinter.Twin, out io.Writer) {
	s := bufio.NewScanner(in)
	for s.Scan() {
		reply, err := tw.Command(s.Text())
		switch {
		case err != nil:
			fmt.Fprintln(out, "printer:", err)
		case reply != "":
			fmt.Fprintln(out, "printer:", reply)
		}
	}
}
