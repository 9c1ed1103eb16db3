package device_test

import (
	"fmt"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
)

// A driver owns an Emitter and hands out its channel; a caller reads events
// and keeps the latest Health for the kiosk status message.
func Example() {
	em := device.NewEmitter("printer", 8)
	caps := device.CapOutput | device.CapPaperNearEnd | device.CapPowerReporting

	// Driver side.
	t := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	em.Emit(device.Event{Time: t, Kind: device.PaperNearEnd, State: device.Idle})
	em.Emit(device.Event{Time: t, Kind: device.Gone, State: device.Offline, Detail: "/dev/ttyUSB0"})
	em.Close()

	// Caller side.
	fmt.Println("capabilities:", caps)
	var h device.Health
	for ev := range em.Events() {
		fmt.Println(ev)
		h = device.Health{State: ev.State, Detail: ev.Kind.String(), CheckedAt: ev.Time}
	}
	fmt.Println("health:", h, "ok:", h.OK())
	// Output:
	// capabilities: output|power-reporting|paper-near-end
	// printer: paper-near-end (idle)
	// printer: gone (offline) /dev/ttyUSB0
	// health: offline: gone ok: false
}
