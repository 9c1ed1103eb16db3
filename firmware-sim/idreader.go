package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/onestop-station/onestop/firmware-sim/sim/idreader"
)

func init() {
	twins["idreader"] = twin{"ID card reader, GA 467 SAM(V) serial protocol (drivers/idcard)", runIDReader}
}

const idreaderHelp = `usage: firmware-sim idreader [flags]

Serves a GA 467 SAM(V) ID card reader (resident ID cards, HK/Macau/Taiwan residence permits,
foreign permanent resident cards) on a new pseudo-terminal, 8N1. stdout, line 1:
"idreader: serving on /dev/pts/N (link L)", line 2: "idreader: control http://ADDR".
Logs go to stderr. Stop with Ctrl-C. Every card is a synthetic person.

Flags:
`

const idreaderControlHelp = `
Control API (loopback, no auth):
  GET  /                a page with the same controls: open the control URL in a browser
  GET  /state           path, sam_ok, card, present, found, selected, latched, faults_pending
  GET  /counters        requests, bad_requests, replies, finds, no_card, selects, cards_read,
                        addresses, sam_requests, and one counter per fault kind
  POST /counters/reset
  GET  /cards           the embedded cards (name, type, fingerprints, appended address)
  POST /card            {"name":"lisi"}      place a card (any card on the reader is taken off)
                        {"present":false}    lift the card: releases the latch
                        {"present":true}     put the last card back
  POST /sam             {"ok":false}         SAM self-test fails: SW3 0x60 to everything
  POST /fault           {"kind":"checksum|truncated|read_failure|slow|no_reply|clear",
                         "count":N, "sticky":true, "delay_ms":N,
                         "on":"any|sam|find|select|read|address"}
                        count: the next N replies to "on" commands (default 1); sticky: all of
                        them until "clear"; on defaults to "read" for read_failure (SW3 0x41)
                        and "any" otherwise; slow needs delay_ms

The latch: after a successful read, find card answers 0x80 (no card) until the card is
lifted and put back, as real readers do.

Example:
  go run ./firmware-sim idreader --card zhangsan --link /tmp/onestop-idreader --control 127.0.0.1:8503 &
  curl -d '{"name":"lisi"}' http://127.0.0.1:8503/card
  curl -d '{"present":false}' http://127.0.0.1:8503/card
  curl -d '{"kind":"read_failure"}' http://127.0.0.1:8503/fault
`

type idreaderFlags struct {
	card, link, control string
	baud                int
}

func parseIDReaderFlags(args []string, stdout, stderr io.Writer) (f idreaderFlags, code int, ok bool) {
	fs := newTwinFlags("idreader", idreaderHelp, idreaderControlHelp, &f.control)
	fs.StringVar(&f.card, "card", "", `card on the reader at start: one of `+strings.Join(idreader.CardNames(), ", ")+`; "" = empty reader`)
	fs.IntVar(&f.baud, "baud", 115200, "line speed the replies are paced at (each byte takes 10 bits of wire time); the reader's default is 115200")
	fs.StringVar(&f.link, "link", "", "keep this symlink pointing at the /dev/pts path (removed at exit)")
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return f, code, false
	}
	if fs.NArg() > 0 || f.baud <= 0 {
		fmt.Fprintln(stderr, "firmware-sim idreader: want --baud > 0 and no arguments")
		return f, 2, false
	}
	return f, 0, true
}

func runIDReader(args []string, stdout, stderr io.Writer) int {
	f, code, ok := parseIDReaderFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	return runUntilSignal("idreader", stderr, func(ctx context.Context) error {
		return serveIDReader(ctx, f, stdout, stderr)
	})
}

func serveIDReader(ctx context.Context, f idreaderFlags, stdout, stderr io.Writer) error {
	con, err := newConsole("idreader", f.control, f.link, stdout, stderr)
	if err != nil {
		return err
	}
	tw, err := idreader.New(idreader.Opts{Card: f.card, Baud: f.baud, Link: f.link,
		Logger: con.logger, OnPath: con.onPath})
	if err != nil {
		con.close()
		return err
	}
	return con.run(ctx, tw.Handler(), tw.Run)
}
