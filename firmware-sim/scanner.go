package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	drv "github.com/onestop-station/onestop/drivers/scanner"
	simscanner "github.com/onestop-station/onestop/firmware-sim/sim/scanner"
)

func init() {
	twins["scanner"] = twin{"serial barcode/QR scanner, Honeywell or Newland trigger, AIM ids, UTF-8/GBK (drivers/scanner)", runScanner}
}

const scannerHelp = `usage: firmware-sim scanner [flags]

Serves a serial barcode/QR scanner on a new pseudo-terminal. It emits codes
from its queue (--code, cycled) with the configured suffix, optional AIM
identifier and charset: when the host triggers it in the dialect's command
(honeywell: 16 54 0D start, 16 55 0D stop, no answer; newland:
~<SOH>0000#SCNTRG1;<ETX> start, #SCNTRG0 stop, each answered
<STX><SOH>0000#SCNTRG1<ACK>;<ETX>), when a code is presented (POST /trigger),
and every --every if set. stdout, line 1: "scanner: serving on /dev/pts/N
(link L)", line 2: "scanner: control http://ADDR"; after every hang-up another
"serving on" line. Logs go to stderr. Stop with Ctrl-C.

Flags:
`

const scannerControlHelp = `
Control API (loopback, no auth):
  GET  /                a page with the same controls: open the control URL in a browser
  GET  /state           path, settings, the next code, faults pending
  GET  /counters        triggers, stops, codes, bytes, replies, refused,
                        unknown_bytes, faults, hangups, write_errors
  POST /counters/reset
  POST /code            {"data":"…","symbology":"qr"}  the next code (then
                        the queue resumes); symbology names: qr, datamatrix,
                        pdf417, aztec, hanxin, code128, gs1-128, ean13, ean8,
                        code39, code93, codabar, itf, databar, other
  POST /trigger         emit the next code now (someone presents a code)
  POST /fault           {"kind":"garbage|split|nosuffix|oversize|hangup|clear",
                         "count":N, "pause_ms":N, "bytes":N, "down_ms":N}
                        garbage: FF FE 80 FF 13 00, a pause (default 300 ms),
                        then the code; split: half the code, a pause, the
                        rest; nosuffix: the code without suffix; oversize:
                        bytes x 'A' (default 5000) + suffix; count: the next N
                        codes (default 1); hangup closes the PTY and reopens
                        under a new path after down_ms

Example:
  go run ./firmware-sim scanner --dialect newland --suffix cr --aim --charset gbk \
      --code '办成一件事 https://x.cn/q?id=1' --link /tmp/onestop-scanner0 --control 127.0.0.1:8503 &
  go run ./kiosk doctor scanner --port /tmp/onestop-scanner0 --count 3
  curl -d '{"data":"6901234567892","symbology":"ean13"}' http://127.0.0.1:8503/code
  curl -d '{"kind":"garbage"}' http://127.0.0.1:8503/fault
`

type scannerFlags struct {
	dialect, suffix, charset, link, control string
	codes                                   []string
	aim                                     bool
	every, decodeDelay                      time.Duration
	baud                                    int
}

// codeFlag collects repeated --code flags; "symbology:data" picks the
// symbology ("ean13:6901234567892"), plain data is QR.
type codeFlag struct{ codes *[]string }

func (c codeFlag) String() string {
	if c.codes == nil {
		return ""
	}
	return strings.Join(*c.codes, ", ")
}

func (c codeFlag) Set(s string) error {
	*c.codes = append(*c.codes, s)
	return nil
}

func parseScannerFlags(args []string, stdout, stderr io.Writer) (f scannerFlags, code int, ok bool) {
	fs := newTwinFlags("scanner", scannerHelp, scannerControlHelp, &f.control)
	fs.StringVar(&f.dialect, "dialect", "honeywell", "trigger commands obeyed: honeywell, newland or none (auto-sense: codes only on --every or POST /trigger)")
	fs.StringVar(&f.suffix, "suffix", "crlf", "terminator after each code: cr, crlf, lf, tab or none")
	fs.BoolVar(&f.aim, "aim", false, `prefix each code with its AIM identifier ("]Q1" QR, "]E0" EAN-13, ...)`)
	fs.StringVar(&f.charset, "charset", "utf8", "payload encoding: utf8 or gbk")
	fs.Var(codeFlag{&f.codes}, "code", `a code for the queue; repeat for more, emitted in turn and cycled. "ean13:6901234567892" sets the symbology, plain text is QR (default `+fmt.Sprintf("%q", simscanner.DefaultCode.Data)+")")
	fs.DurationVar(&f.every, "every", 0, "also emit a code on this schedule, e.g. 2s (0: only on trigger)")
	fs.DurationVar(&f.decodeDelay, "decode-delay", 30*time.Millisecond, "time from a trigger command to the code, as an imager takes")
	fs.IntVar(&f.baud, "baud", 115200, "line speed the output is paced at (each byte takes 10 bits of wire time)")
	fs.StringVar(&f.link, "link", "", "keep this symlink pointing at the current /dev/pts path (replaced atomically; removed while hung up)")
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return f, code, false
	}
	if fs.NArg() > 0 || f.baud <= 0 || f.every < 0 {
		fmt.Fprintln(stderr, "firmware-sim scanner: want --baud > 0, --every >= 0 and no arguments")
		return f, 2, false
	}
	return f, 0, true
}

// scannerOpts turns the flags into twin options; errors name the flag.
func (f scannerFlags) opts() (simscanner.Opts, error) {
	var o simscanner.Opts
	var err error
	if o.Dialect, err = drv.ParseDialect(f.dialect); err != nil {
		return o, fmt.Errorf("--dialect: %w", err)
	}
	if o.Suffix, err = drv.ParseSuffix(f.suffix); err != nil || o.Suffix == drv.SuffixLine {
		return o, fmt.Errorf("--suffix %q: want cr, crlf, lf, tab or none", f.suffix)
	}
	if o.Charset, err = drv.ParseCharset(f.charset); err != nil || o.Charset == drv.CharsetAuto {
		return o, fmt.Errorf("--charset %q: want utf8 or gbk", f.charset)
	}
	for _, c := range f.codes {
		code := simscanner.Code{Data: c}
		if sym, data, ok := strings.Cut(c, ":"); ok {
			if _, err := drv.ParseSymbology(sym); err == nil {
				code = simscanner.Code{Data: data, Symbology: sym}
			}
		}
		o.Codes = append(o.Codes, code)
	}
	o.AIM, o.Every, o.DecodeDelay, o.Baud, o.Link = f.aim, f.every, f.decodeDelay, f.baud, f.link
	return o, nil
}

func runScanner(args []string, stdout, stderr io.Writer) int {
	f, code, ok := parseScannerFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	return runUntilSignal("scanner", stderr, func(ctx context.Context) error {
		return serveScanner(ctx, f, stdout, stderr)
	})
}

func serveScanner(ctx context.Context, f scannerFlags, stdout, stderr io.Writer) error {
	o, err := f.opts()
	if err != nil {
		return err
	}
	con, err := newConsole("scanner", f.control, f.link, stdout, stderr)
	if err != nil {
		return err
	}
	o.Logger, o.OnPath = con.logger, con.onPath
	tw, err := simscanner.New(o)
	if err != nil {
		con.close()
		return err
	}
	return con.run(ctx, tw.Handler(), tw.Run)
}
