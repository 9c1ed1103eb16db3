package outbox_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/telemetry"
)

func Example() {
	dir, err := os.MkdirTemp("", "outbox")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ob, err := outbox.Open(filepath.Join(dir, "outbox.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer ob.Close()
	ctx := context.Background()

	// The poller stores a reading before anything is published.
	r := telemetry.Reading{Ch: "motor_temp", T: 1_700_000_000_000_000_000, V: 41.2, U: "°C", Q: "good"}
	from, to, err := ob.Append(ctx, "rig0", []telemetry.Reading{r, r})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("stored seqs", from, "to", to)

	// The forwarder publishes pending rows, then deletes them when the lab's Ack arrives.
	rows, err := ob.Pending(ctx, 0, 100)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pending", len(rows), "from", rows[0].Dev)
	deleted, err := ob.Ack(ctx, ob.Epoch(), rows[len(rows)-1].Seq)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("acked", deleted)
	// Output:
	// stored seqs 1 to 2
	// pending 2 from rig0
	// acked 2
}
