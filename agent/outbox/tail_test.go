package outbox

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
)

// Pending pages served from the in-memory tail are exactly what the database holds: compared with
// the SQL page for many starts and several limits, as rows are appended, acknowledged and capped.
func TestTailPagesAsTheDatabase(t *testing.T) {
	o := quiet
	o.MaxRows = 300
	ob := must(OpenWith(filepath.Join(t.TempDir(), "outbox.db"), o))
	defer closeT(t, ob)
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		last, err := ob.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for after := int64(0); after <= last+1; after += 1 + after%13 { // starts near the ends and a sample between
			for _, limit := range []int{1, 7, 1000} {
				got, err := ob.Pending(ctx, after, limit)
				if err != nil {
					t.Fatal(err)
				}
				want, err := ob.selectPending(ctx, after, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("%s: Pending(%d, %d) gave %d rows, the database %d", when, after, limit, len(got), len(want))
				}
				if len(got) > 0 && !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: Pending(%d, %d) = %+v..., the database %+v...", when, after, limit, got[0], want[0])
				}
			}
		}
	}
	for i := range 20 {
		appendT(t, ob, "rig0", readings(11, int64(i*11)))
		appendT(t, ob, "rig1", readings(3, int64(i*3)))
	}
	check("after appends")
	if _, err := ob.Ack(ctx, ob.Epoch(), 100); err != nil {
		t.Fatal(err)
	}
	check("after an ack")
	for i := range 20 { // past MaxRows: the oldest go
		appendT(t, ob, "rig2", readings(13, int64(i*13)))
	}
	check("after the row cap")
	if _, err := ob.Ack(ctx, ob.Epoch(), 1<<40); err != nil { // clamped to what was handed out
		t.Fatal(err)
	}
	check("after acking everything handed out")
}

func TestTailKeepsOneRun(t *testing.T) {
	var tl tail
	row := func(seq int64) Row { return Row{Seq: seq, Dev: "d"} }
	tl.add([]Row{row(5), row(6), row(7)}, 0)
	if rows, ok := tl.page(4, 10); !ok || len(rows) != 3 || rows[0].Seq != 5 {
		t.Errorf("page(4) = %v, %v", rows, ok)
	}
	if _, ok := tl.page(3, 10); ok {
		t.Error("page(3) served from a tail starting at 5")
	}
	if rows, ok := tl.page(7, 10); !ok || len(rows) != 0 {
		t.Errorf("page(7) = %v, %v: want none, from the tail", rows, ok)
	}
	tl.add([]Row{row(9)}, 0) // a gap: the tail starts again at 9
	if _, ok := tl.page(6, 10); ok {
		t.Error("after a gap, page(6) still served from the tail")
	}
	tl.trim(9)
	if _, ok := tl.page(9, 10); ok {
		t.Error("an empty tail answered")
	}
	for s := int64(10); s < 10+3*tailMax; s++ {
		tl.add([]Row{row(s)}, 0)
	}
	if n := len(tl.rows); n > 2*tailMax || tl.rows[n-1].Seq != 10+3*tailMax-1 {
		t.Errorf("tail holds %d rows ending at %d", n, tl.rows[n-1].Seq)
	}
}
