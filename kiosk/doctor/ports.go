package doctor

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/onestop-station/onestop/drivers/serialport"
)

// listPorts is a variable so tests can give a fixed list: pseudo-terminals have no USB details.
var listPorts = serialport.List

func ports(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ports", "Lists serial ports with USB vendor/product ids, serial numbers and /dev/serial/by-id names.", stderr)
	asJSON := fs.Bool("json", false, "one JSON object per port")
	if err := parse(fs, args); err != nil {
		return err
	}
	list, err := listPorts()
	if err != nil {
		return fail(ExitFailed, "list ports: %v", err)
	}
	if *asJSON {
		for _, p := range list {
			if err := printJSON(stdout, map[string]any{"name": p.Name, "by_id": p.ByID, "usb": p.IsUSB,
				"vid": p.VID, "pid": p.PID, "serial": p.SerialNumber, "product": p.Product}); err != nil {
				return err
			}
		}
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PORT\tUSB VID:PID\tSERIAL\tPRODUCT\tBY-ID")
	for _, p := range list {
		usb := "-"
		if p.IsUSB {
			usb = p.VID + ":" + p.PID
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.Name, usb, dash(p.SerialNumber), dash(p.Product), dash(p.ByID))
	}
	w.Flush()
	fmt.Fprintf(stdout, "%d serial ports\n", len(list))
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
