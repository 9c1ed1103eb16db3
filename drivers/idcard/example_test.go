package idcard_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/onestop-station/onestop/drivers/conntest"
	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/drivers/serialport"
)

// A kiosk waits for a card, reads it and logs it without personal data. (Needs the reader, so
// it has no Output; `go run ./firmware-sim idreader --card zhangsan --link /tmp/idreader`
// stands in for one.)
func Example() {
	port := serialport.New(serialport.Config{Path: "/dev/serial/by-id/usb-SAM_ID_reader-if00"}, "idreader")
	defer port.Close()
	r := idcard.New(port, idcard.DefaultOpts)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.SAMStatus(ctx); err != nil {
		fmt.Println(err) // e.g. idcard: SAM status: SAM self-test failed (SW3 0x60)
		return
	}
	card, err := r.WaitCard(ctx)
	switch {
	case errors.Is(err, idcard.ErrReadFailed):
		fmt.Println("please lift the card and place it again")
		return
	case err != nil:
		fmt.Println(err)
		return
	}
	slog.New(slog.NewTextHandler(os.Stdout, nil)).Info("card read", "card", card)
}

// Replaying a captured exchange: the driver decodes what the wire carried, no hardware needed.
func ExampleReader_ReadBasic() {
	raw, _ := os.ReadFile("testdata/read_basic_zhangsan.txt")
	ops, _ := conntest.Parse(string(raw))
	r := idcard.New(&conntest.Playback{Ops: ops}, idcard.DefaultOpts)
	ctx := context.Background()

	fmt.Println("SAM:", r.SAMStatus(ctx))
	card, err := r.Read(ctx) // find, select, read basic
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(card) // personal data stays hidden
	fmt.Println(card.Type, card.NationName, card.ValidTo, card.Photo.Len(), card.Validate())
	addr, err := r.ReadAddress(ctx)
	fmt.Printf("appended address: %q %v\n", addr, err)
	fmt.Println(r.FindCard(ctx)) // the module latched the card
	// Output:
	// SAM: <nil>
	// idcard.Card{type=resident, personal data hidden}
	// resident 汉 2035-03-01 1024 <nil>
	// appended address: "" <nil>
	// idcard: find card: no card (SW3 0x80)
}
