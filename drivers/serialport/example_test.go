package serialport_test

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/onestop-station/onestop/drivers/serialport"
)

// A kiosk's QR scanner, found by its by-id link, read in a loop that survives
// the cable being pulled. (Needs the hardware, so it has no Output.)
func Example() {
	p := serialport.New(serialport.Config{
		Path:        "/dev/serial/by-id/usb-Newland_Auto-ID_NLS-FR40-if00",
		Baud:        9600,
		ReadTimeout: 200 * time.Millisecond,
	}, "scanner")
	defer p.Close()

	go func() {
		for ev := range p.Events() { // Gone, Back, StatusChanged
			slog.Info("scanner", "event", ev.Kind, "state", ev.State, "detail", ev.Detail)
		}
	}()

	buf := make([]byte, 256)
	for range 100 {
		n, err := p.Read(buf)
		switch {
		case errors.Is(err, serialport.ErrGone), errors.Is(err, serialport.ErrOffline):
			time.Sleep(100 * time.Millisecond) // the port reopens by itself
		case err != nil:
			fmt.Println(err)
			return
		case n > 0:
			fmt.Printf("scanned %d bytes\n", n)
		}
	}
}

// Which serial ports are plugged in, with their USB identity.
func ExampleList() {
	ports, err := serialport.List()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range ports {
		fmt.Println(p.Name, p.ByID, p.VID, p.PID, p.SerialNumber)
	}
}
