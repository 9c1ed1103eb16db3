package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/drivers/serialport"
)

type scannerFlags struct {
	port, dialect, suffix, charset string
	baud, count                    int
	aim, asJSON                    bool
	timeout                        time.Duration
}

func scannerCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f scannerFlags
	fs := newFlags("scanner", "Prints codes as they are scanned: with a trigger dialect it triggers the scanner for each code,\nwithout one (auto-sense) it waits for codes presented to it.", stderr)
	fs.StringVar(&f.port, "port", "", "serial port of the scanner (required)")
	fs.IntVar(&f.baud, "baud", 115200, "serial speed, 8N1")
	fs.StringVar(&f.dialect, "dialect", "none", "trigger commands: honeywell, newland or none (auto-sense / continuous)")
	fs.StringVar(&f.suffix, "suffix", "line", "what ends a code: line (CR, LF or CR LF), cr, crlf, lf, tab, none (idle time only)")
	fs.StringVar(&f.charset, "charset", "auto", "payload encoding: auto (UTF-8, else GBK), utf8, gbk")
	fs.BoolVar(&f.aim, "aim", false, "codes carry an AIM symbology identifier prefix (]Q1 …)")
	fs.IntVar(&f.count, "count", 1, "how many codes to read")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "how long to wait for each code")
	fs.BoolVar(&f.asJSON, "json", false, `one JSON object a line: {"data":…,"symbology":…}`)
	if err := parse(fs, args); err != nil {
		return err
	}
	opts, err := f.opts()
	if err != nil {
		return failure{ExitUsage, err}
	}
	raw, err := serialport.OpenRaw(serialport.Config{Path: f.port, Baud: f.baud})
	if err != nil {
		return fail(ExitNoPort, "%v", err)
	}
	defer raw.Close()
	sc := scanner.New(raw, opts)
	defer sc.Close()
	for i := 0; i < f.count; i++ {
		c, err := scanOne(ctx, sc, opts.Dialect, f.timeout)
		if err != nil {
			return err
		}
		if err := printCode(stdout, c, f.asJSON); err != nil {
			return err
		}
	}
	if !f.asJSON {
		fmt.Fprintf(stdout, "扫码器正常 / 掃碼器正常 / scanner OK: %d codes read\n", f.count)
	}
	return nil
}

func (f scannerFlags) opts() (scanner.Opts, error) {
	o := scanner.DefaultOpts
	var err error
	if o.Dialect, err = scanner.ParseDialect(f.dialect); err != nil {
		return o, err
	}
	if f.suffix != "line" {
		if o.Suffix, err = scanner.ParseSuffix(f.suffix); err != nil {
			return o, err
		}
	}
	if o.Charset, err = scanner.ParseCharset(f.charset); err != nil {
		return o, err
	}
	if f.count < 1 {
		return o, errors.New("--count must be at least 1")
	}
	o.AIM = f.aim
	return o, nil
}

func scanOne(ctx context.Context, sc *scanner.Scanner, d scanner.Dialect, timeout time.Duration) (scanner.Code, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if d != scanner.DialectNone {
		if err := sc.Trigger(ctx); err != nil {
			if errors.Is(err, scanner.ErrNoAck) || errors.Is(err, scanner.ErrRefused) {
				return scanner.Code{}, fail(ExitNoAnswer, "%v (is it a %s scanner on this port?)", err, d)
			}
			return scanner.Code{}, fail(ExitFailed, "%v", err)
		}
	}
	c, err := sc.Scan(ctx)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return c, fail(ExitNothing, "no code within %v", timeout)
	case errors.Is(err, serialport.ErrGone):
		return c, fail(ExitNoPort, "%v", err)
	case err != nil:
		return c, fail(ExitDevice, "%v", err)
	}
	return c, nil
}

func printCode(w io.Writer, c scanner.Code, asJSON bool) error {
	if asJSON {
		return printJSON(w, map[string]string{"data": c.Data, "symbology": c.Symbology.String(), "charset": c.Charset.String()})
	}
	_, err := fmt.Fprintf(w, "%-10s %s\n", c.Symbology, c.Data)
	return err
}
