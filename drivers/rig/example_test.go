package rig_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.bug.st/serial"

	"github.com/onestop-station/onestop/drivers/modbus"
	"github.com/onestop-station/onestop/drivers/rig"
	simrig "github.com/onestop-station/onestop/firmware-sim/sim/rig"
)

// Example reads a rig's identity and one snapshot. The rig here is the twin
// on a pseudo-terminal; on site the port is a drivers/serialport port on the
// rig's RS-485 adapter (this example opens it with go.bug.st/serial, which
// only tests may import).
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	clock := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	sc, _ := simrig.LoadScenario("nominal")
	sc.Noise = 0
	twin := simrig.New(simrig.Opts{Scenario: sc, Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	go twin.Run(ctx)
	path, err := twin.WaitPath(ctx, "")
	if err != nil {
		fmt.Println(err)
		return
	}

	port, err := serial.Open(path, &serial.Mode{BaudRate: 115200})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer port.Close()
	client := modbus.NewClient(port, modbus.ClientOpts{Baud: 115200, Timeout: time.Second})
	r := rig.New(client, rig.DefaultOpts)

	id, err := r.Identity(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.Model, id.CalibrationDue.Format("2006-01-02"), id.Steps, "steps")

	s, err := r.Read(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Status, s.StepState)
	for _, rd := range s.Readings[:2] {
		fmt.Printf("%s %.2f %s %s\n", rd.Channel, rd.Value, rd.Unit, rd.Quality)
	}
	// Output:
	// RT-EC2000-SIM 2027-03-02 3 steps
	// ready idle
	// supply_voltage 12.79 V good
	// motor_current 0.15 A good
}
