package outbox

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// t0 is a fixed reading time so rows can be recognised by T.
const t0 = int64(1_700_000_000_000_000_000)

// readings makes n valid readings whose T values are t0+first, t0+first+1, ...
func readings(n int, first int64) []telemetry.Reading {
	rs := make([]telemetry.Reading, n)
	for i := range rs {
		rs[i] = telemetry.Reading{Ch: "motor_temp", T: t0 + first + int64(i), V: 41.5 + float64(i),
			U: "°C", Q: telemetry.QualityGood}
	}
	return rs
}

var quiet = Opts{Logger: slog.New(slog.DiscardHandler)}

func openT(t testing.TB, path string) *Outbox {
	t.Helper()
	ob, err := OpenWith(path, quiet)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return ob
}

func closeT(t testing.TB, ob *Outbox) {
	t.Helper()
	if err := ob.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

// must unwraps a result in the test's own goroutine; the panic fails the test with a stack trace.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func appendT(t testing.TB, ob *Outbox, dev string, rs []telemetry.Reading) (int64, int64) {
	t.Helper()
	from, to, err := ob.Append(context.Background(), dev, rs)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return from, to
}

func wantDepth(t *testing.T, ob *Outbox, want int64) {
	t.Helper()
	ctx := context.Background()
	if got := must(ob.Depth(ctx)); got != want {
		t.Errorf("Depth = %d, want %d", got, want)
	}
	var n int64 // Depth relies on the rows being one seq range; check it against a real count
	if err := ob.db.QueryRowContext(ctx, `SELECT count(*) FROM readings`).Scan(&n); err != nil || n != want {
		t.Errorf("count(*) = %d, %v; want %d", n, err, want)
	}
}

func TestAppendPendingAck(t *testing.T) {
	ctx := context.Background()
	ob := openT(t, filepath.Join(t.TempDir(), "outbox.db"))
	defer closeT(t, ob)

	if from, to := appendT(t, ob, "rig0", readings(13, 0)); from != 1 || to != 13 {
		t.Fatalf("first append = %d..%d, want 1..13", from, to)
	}
	if from, to := appendT(t, ob, "hipot1", readings(5, 100)); from != 14 || to != 18 {
		t.Fatalf("second append = %d..%d, want 14..18", from, to)
	}
	wantDepth(t, ob, 18)
	if got := must(ob.Oldest(ctx)); !got.Equal(time.Unix(0, t0)) {
		t.Errorf("Oldest = %v", got)
	}

	rows := must(ob.Pending(ctx, 0, 100))
	if len(rows) != 18 {
		t.Fatalf("Pending = %d rows, want 18", len(rows))
	}
	want := Row{Seq: 14, Dev: "hipot1", Reading: readings(1, 100)[0]}
	if rows[13] != want {
		t.Errorf("row 13 = %+v, want %+v", rows[13], want)
	}
	if page := must(ob.Pending(ctx, 10, 4)); len(page) != 4 || page[0].Seq != 11 || page[3].Seq != 14 {
		t.Errorf("Pending(10, 4) = %+v", page)
	}

	if n := must(ob.Ack(ctx, ob.Epoch(), 13)); n != 13 {
		t.Errorf("Ack deleted %d, want 13", n)
	}
	if n := must(ob.Ack(ctx, ob.Epoch(), 13)); n != 0 {
		t.Errorf("repeated Ack deleted %d, want 0", n)
	}
	wantDepth(t, ob, 5)
	if rows := must(ob.Pending(ctx, 0, 100)); len(rows) != 5 || rows[0].Seq != 14 {
		t.Errorf("Pending after ack = %+v", rows)
	}
	if n := must(ob.Ack(ctx, ob.Epoch(), 18)); n != 5 {
		t.Errorf("Ack deleted %d, want 5", n)
	}
	wantDepth(t, ob, 0)
	if got := must(ob.Oldest(ctx)); !got.IsZero() {
		t.Errorf("Oldest of empty outbox = %v", got)
	}
}

func TestSeqNeverReused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "outbox.db")
	ob := openT(t, path)
	appendT(t, ob, "rig0", readings(10, 0))
	must(ob.Pending(ctx, 0, 100))
	if n := must(ob.Ack(ctx, ob.Epoch(), 10)); n != 10 {
		t.Fatalf("Ack deleted %d", n)
	}
	if from, to := appendT(t, ob, "rig0", readings(2, 10)); from != 11 || to != 12 {
		t.Errorf("append after ack-all = %d..%d, want 11..12", from, to)
	}
	must(ob.Pending(ctx, 0, 100))
	must(ob.Ack(ctx, ob.Epoch(), 12))
	closeT(t, ob)

	ob = openT(t, path)
	defer closeT(t, ob)
	wantDepth(t, ob, 0)
	if s := must(ob.LastSeq(ctx)); s != 12 {
		t.Errorf("LastSeq after reopen = %d, want 12", s)
	}
	if from, to := appendT(t, ob, "rig0", readings(3, 12)); from != 13 || to != 15 {
		t.Errorf("append after reopen = %d..%d, want 13..15", from, to)
	}
}

func TestEpoch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "outbox.db")
	before := time.Now().UnixMilli()
	ob := openT(t, path)
	e1 := ob.Epoch()
	if e1 < before || e1 > time.Now().UnixMilli() {
		t.Errorf("epoch %d is not the creation time in Unix ms (around %d)", e1, before)
	}
	closeT(t, ob)

	ob = openT(t, path)
	if ob.Epoch() != e1 {
		t.Errorf("epoch after reopen = %d, want %d", ob.Epoch(), e1)
	}
	closeT(t, ob)

	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(f)
	}
	ob = openT(t, path)
	defer closeT(t, ob)
	if ob.Epoch() <= e1 {
		t.Errorf("epoch of a replaced file = %d, want > %d", ob.Epoch(), e1)
	}
}

func TestAckOtherEpoch(t *testing.T) {
	ctx := context.Background()
	ob := openT(t, filepath.Join(t.TempDir(), "outbox.db"))
	defer closeT(t, ob)
	appendT(t, ob, "rig0", readings(4, 0))
	must(ob.Pending(ctx, 0, 10))
	for _, e := range []int64{ob.Epoch() - 1, ob.Epoch() + 1, 0} {
		if n, err := ob.Ack(ctx, e, 100); n != 0 || err != nil {
			t.Errorf("Ack(epoch %d) = %d, %v; want 0, nil", e, n, err)
		}
	}
	wantDepth(t, ob, 4)
}

func TestAckBeyondHighest(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "outbox.db")
	ob := openT(t, path)
	appendT(t, ob, "rig0", readings(5, 0))
	must(ob.Pending(ctx, 0, 10))
	if n := must(ob.Ack(ctx, ob.Epoch(), 1000)); n != 5 {
		t.Errorf("Ack beyond highest deleted %d, want 5", n)
	}
	// Rows appended after that ack was sent were never published: a redelivered copy must spare them.
	appendT(t, ob, "rig0", readings(3, 5))
	if n := must(ob.Ack(ctx, ob.Epoch(), 1000)); n != 0 {
		t.Errorf("redelivered ack deleted %d unpublished rows", n)
	}
	wantDepth(t, ob, 3)
	closeT(t, ob)

	// After a restart the lab may ack rows the previous run published, without a Pending first.
	ob = openT(t, path)
	defer closeT(t, ob)
	if n := must(ob.Ack(ctx, ob.Epoch(), 7)); n != 2 {
		t.Errorf("Ack after reopen deleted %d, want 2", n)
	}
	wantDepth(t, ob, 1)
}

func TestAppendRejectsInvalid(t *testing.T) {
	ctx := context.Background()
	ob := openT(t, filepath.Join(t.TempDir(), "outbox.db"))
	defer closeT(t, ob)
	nan := readings(3, 0)
	nan[1].V = math.NaN()
	noQ := readings(1, 0)
	noQ[0].Q = ""
	for name, c := range map[string]struct {
		dev string
		rs  []telemetry.Reading
	}{"nan": {"rig0", nan}, "quality": {"rig0", noQ}, "dev": {"rig/0", readings(1, 0)}, "nodev": {"", nil}} {
		if _, _, err := ob.Append(ctx, c.dev, c.rs); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Append error = %v, want ErrInvalid", name, err)
		}
	}
	if from, to, err := ob.Append(ctx, "rig0", nil); from != 0 || to != 0 || err != nil {
		t.Errorf("empty Append = %d, %d, %v", from, to, err)
	}
	wantDepth(t, ob, 0)
	if from, _ := appendT(t, ob, "rig0", readings(1, 0)); from != 1 {
		t.Errorf("rejected appends consumed seqs: next is %d", from)
	}
}

func TestMaxRows(t *testing.T) {
	ctx := context.Background()
	o := quiet
	o.MaxRows = 10
	ob := must(OpenWith(filepath.Join(t.TempDir(), "outbox.db"), o))
	defer closeT(t, ob)
	for i := range 3 {
		appendT(t, ob, "rig0", readings(7, int64(i*7)))
	}
	appendT(t, ob, "rig0", readings(4, 21))
	wantDepth(t, ob, 10)
	if ob.Dropped() != 15 {
		t.Errorf("Dropped = %d, want 15", ob.Dropped())
	}
	rows := must(ob.Pending(ctx, 0, 100))
	if rows[0].Seq != 16 || rows[9].Seq != 25 || rows[0].Reading.T != t0+15 {
		t.Errorf("kept rows %d..%d, want the newest 16..25", rows[0].Seq, rows[9].Seq)
	}
}

func TestPragmas(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		sync Sync
		want int
	}{{"", 1}, {SyncFull, 2}} {
		o := quiet
		o.Synchronous = c.sync
		ob := must(OpenWith(filepath.Join(t.TempDir(), "outbox.db"), o))
		var mode string
		var sync, busy int
		row := ob.db.QueryRowContext(ctx, `SELECT (SELECT journal_mode FROM pragma_journal_mode),
			(SELECT synchronous FROM pragma_synchronous), (SELECT timeout FROM pragma_busy_timeout)`)
		if err := row.Scan(&mode, &sync, &busy); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || sync != c.want || busy != 5000 {
			t.Errorf("Synchronous %q: journal_mode %s, synchronous %d, busy_timeout %d", c.sync, mode, sync, busy)
		}
		closeT(t, ob)
	}
}

func TestOpenRejectsOpts(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []Opts{{Synchronous: "OFF"}, {MaxRows: -1}} {
		if _, err := OpenWith(filepath.Join(dir, "outbox.db"), o); err == nil {
			t.Errorf("OpenWith(%+v) accepted", o)
		}
	}
	for _, p := range []string{"", ":memory:", filepath.Join(dir, "a?b.db")} {
		if _, err := Open(p); err == nil {
			t.Errorf("Open(%q) accepted", p)
		}
	}
}

func TestOpenMissingDirIsNotCorruption(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	if _, err := OpenWith(filepath.Join(dir, "outbox.db"), quiet); err == nil {
		t.Fatal("Open in a missing directory succeeded")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open created or moved something: %v", err)
	}
}

// corruptFiles lists the quarantined files beside path.
func corruptFiles(t *testing.T, path string) []string {
	t.Helper()
	m, err := filepath.Glob(path + ".corrupt-*")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCorruptFileQuarantined(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	ob := openT(t, path)
	e1 := ob.Epoch()
	appendT(t, ob, "rig0", readings(3, 0))
	closeT(t, ob)

	garbage := bytes.Repeat([]byte("not a database \x00\xff"), 600)
	if err := os.WriteFile(path, garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	ob = openT(t, path)
	defer closeT(t, ob)
	if ob.Epoch() <= e1 {
		t.Errorf("epoch after quarantine = %d, want > %d", ob.Epoch(), e1)
	}
	wantDepth(t, ob, 0)
	if from, _ := appendT(t, ob, "rig0", readings(1, 0)); from != 1 {
		t.Errorf("new outbox starts at seq %d, want 1", from)
	}
	moved := corruptFiles(t, path)
	if len(moved) != 1 {
		t.Fatalf("quarantined files = %v, want one", moved)
	}
	if got, err := os.ReadFile(moved[0]); err != nil || !bytes.Equal(got, garbage) {
		t.Errorf("quarantined file does not hold the garbage (%v)", err)
	}
}

func TestCorruptPageQuarantined(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	ob := openT(t, path)
	e1 := ob.Epoch()
	for i := range 20 {
		appendT(t, ob, "rig0", readings(100, int64(i*100)))
	}
	closeT(t, ob) // the last close checkpoints the WAL into the file

	// Overwrite the middle of the database with garbage: the header is intact, the b-trees are not.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st := must(f.Stat())
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 3*4096), st.Size()/2); err != nil {
		t.Fatal(err)
	}
	f.Close()

	ob = openT(t, path)
	defer closeT(t, ob)
	if ob.Epoch() <= e1 {
		t.Errorf("epoch after quarantine = %d, want > %d", ob.Epoch(), e1)
	}
	wantDepth(t, ob, 0)
	if moved := corruptFiles(t, path); len(moved) != 1 {
		t.Errorf("quarantined files = %v, want one", moved)
	}
}
