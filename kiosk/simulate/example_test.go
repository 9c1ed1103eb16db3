package simulate_test

import (
	"context"
	"fmt"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/onestop-station/onestop/kiosk/devices"
	"github.com/onestop-station/onestop/kiosk/privacy"
	"github.com/onestop-station/onestop/kiosk/simulate"
)

// `kiosk --simulate`: the twins in-process, the kiosk's devices opened on their links, and the
// kiosk flow reading events. Place a card with
// curl -d '{"name":"zhangsan"}' $CONTROL/idreader/card.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := slog.Default()
	sim, err := simulate.Start(ctx, simulate.Opts{Dir: "/tmp/kiosk-sim", Log: log})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Wait() // after ctx ends
	fmt.Println("control:", sim.ControlURL())

	d := devices.Open(sim.Devices(), log)
	go d.Run(ctx) // Events is closed when it returns
	for ev := range d.Events() {
		switch ev.Kind {
		case devices.CardRead:
			fmt.Println("welcome,", privacy.MaskName(ev.Card.Name.Reveal()))
		case devices.Scanned:
			fmt.Println("scanned", len(ev.Code), "bytes")
		default:
			fmt.Println(ev) // states and errors print without personal data
		}
	}
}
