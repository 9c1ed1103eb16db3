package outbox

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// TestPendingHandsOutOnlyFlushedRows: with synchronous=NORMAL a commit may still be only in the
// OS's cache, so Pending flushes before it hands out a row it has not flushed yet — once per new
// batch, not per row and not again for rows handed out before — and Open flushes what an earlier
// process left. With synchronous=FULL every commit is already on disk: no extra flush.
func TestPendingHandsOutOnlyFlushedRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ob.db")
	ob, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := telemetry.Reading{Ch: "speed", T: 1, V: 1, U: "km/h", Q: telemetry.QualityGood}
	if _, _, err := ob.Append(ctx, "rig0", []telemetry.Reading{r, r, r}); err != nil {
		t.Fatal(err)
	}
	if ob.durable.Load() != 0 {
		t.Fatalf("durable = %d before any flush", ob.durable.Load())
	}
	before := ob.syncs.Load()
	rows, err := ob.Pending(ctx, 0, 10)
	if err != nil || len(rows) != 3 {
		t.Fatalf("Pending = %d rows, %v", len(rows), err)
	}
	if ob.syncs.Load() != before+1 || ob.durable.Load() != 3 {
		t.Fatalf("after handing out 1..3: %d flushes (want %d), durable %d (want 3)", ob.syncs.Load(), before+1, ob.durable.Load())
	}
	if _, err := ob.Pending(ctx, 0, 10); err != nil || ob.syncs.Load() != before+1 {
		t.Errorf("handing out the same rows again flushed again (%d)", ob.syncs.Load())
	}
	ob.Append(ctx, "rig0", []telemetry.Reading{r})
	if _, err := ob.Pending(ctx, 3, 10); err != nil || ob.syncs.Load() != before+2 || ob.durable.Load() != 4 {
		t.Errorf("a new row: %d flushes, durable %d", ob.syncs.Load(), ob.durable.Load())
	}
	ob.Close()

	ob, err = Open(path) // rows left by the last run are flushed at Open
	if err != nil {
		t.Fatal(err)
	}
	if ob.durable.Load() != 4 || ob.syncs.Load() != 1 {
		t.Errorf("after reopen: durable %d, %d flushes; want 4, 1", ob.durable.Load(), ob.syncs.Load())
	}
	ob.Close()

	full, err := OpenWith(filepath.Join(t.TempDir(), "full.db"), Opts{Synchronous: SyncFull})
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	full.Append(ctx, "rig0", []telemetry.Reading{r})
	if _, err := full.Pending(ctx, 0, 10); err != nil || full.syncs.Load() != 0 {
		t.Errorf("FULL: %d extra flushes, %v", full.syncs.Load(), err)
	}
}
