package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	simrig "github.com/onestop-station/onestop/firmware-sim/sim/rig"
)

const rigHelp = `usage: firmware-sim rig [flags]

Serves the ride-on car safety rig (docs/rig-modbus.md) as a Modbus RTU slave
on a new pseudo-terminal. stdout, line 1: "rig: serving on /dev/pts/N (link L)",
line 2: "rig: control http://ADDR"; after every hang-up another "serving on"
line. Logs go to stderr. Stop with Ctrl-C.

Flags:
`

const rigControlHelp = `
Control API (loopback, no auth):
  GET  /                a page with the same controls: open the control URL in a browser
  GET  /counters        requests, snapshot_replies, readings_served (= channels x
                        snapshot replies written unharmed), crc_faults, drops,
                        delays, exceptions, hangups
  POST /counters/reset
  POST /fault           {"kind":"crc|drop|slow|exception|hangup|clear",
                         "count":N, "rate":0..1, "delay_ms":N, "code":N, "down_ms":N}
                        count: the next N replies (default 1); rate: that
                        fraction of replies until "clear"; code: exception
                        code (default 6, busy); hangup closes the PTY and
                        reopens under a new path after down_ms
  POST /scenario        {"name":"overvoltage"}
  GET  /scenarios, GET /state
  POST /estop           {"on":true}
  POST /sensor          {"channel":"handheld_temp","open":true}

Example:
  go run ./firmware-sim rig --link /tmp/onestop-rig0 --control 127.0.0.1:8502 &
  mbpoll -m rtu -a 1 -b 115200 -P none -0 -1 -t 3:int16 -r 0 -c 17 /tmp/onestop-rig0
  curl -d '{"kind":"crc","count":3}' http://127.0.0.1:8502/fault
`

type rigFlags struct {
	scenario, link, control string
	baud, unit              int
}

// parseRigFlags reports ok=false with the exit code when the program should
// stop: 0 after --help (printed to stdout), 2 after a usage error (stderr).
func parseRigFlags(args []string, stdout, stderr io.Writer) (f rigFlags, code int, ok bool) {
	fs := newTwinFlags("rig", rigHelp, rigControlHelp, &f.control)
	fs.StringVar(&f.scenario, "scenario", simrig.DefaultScenario,
		"scenario: one of "+strings.Join(simrig.ScenarioNames(), ", ")+", or a path to a .toml file")
	fs.IntVar(&f.baud, "baud", 115200, "line speed the replies are paced at (each byte takes 10 bits of wire time)")
	fs.StringVar(&f.link, "link", "", "keep this symlink pointing at the current /dev/pts path (replaced atomically; removed while hung up)")
	fs.IntVar(&f.unit, "unit", 1, "Modbus unit id, 1..247")
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return f, code, false
	}
	if fs.NArg() > 0 || f.unit < 1 || f.unit > 247 || f.baud <= 0 {
		fmt.Fprintln(stderr, "firmware-sim rig: want --unit 1..247, --baud > 0 and no arguments")
		return f, 2, false
	}
	return f, 0, true
}

func runRig(args []string, stdout, stderr io.Writer) int {
	f, code, ok := parseRigFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	return runUntilSignal("rig", stderr, func(ctx context.Context) error {
		sc, err := simrig.LoadScenario(f.scenario)
		if err != nil {
			return err
		}
		return serveRig(ctx, f, sc, stdout, stderr)
	})
}

func serveRig(ctx context.Context, f rigFlags, sc *simrig.Scenario, stdout, stderr io.Writer) error {
	con, err := newConsole("rig", f.control, f.link, stdout, stderr)
	if err != nil {
		return err
	}
	tw := simrig.New(simrig.Opts{Scenario: sc, Baud: f.baud, Unit: byte(f.unit), Link: f.link,
		Logger: con.logger, OnPath: con.onPath})
	return con.run(ctx, tw.Handler(), tw.Run)
}
