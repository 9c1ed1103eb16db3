package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// storeGroup stores messages of agent a1's device rig in one transaction and fails on any error.
func storeGroup(t *testing.T, s *Store, bs ...telemetry.Batch) []BatchOut {
	t.Helper()
	in := make([]BatchIn, len(bs))
	for i, b := range bs {
		in[i] = BatchIn{Agent: "a1", Dev: "rig", Batch: b}
	}
	out, err := s.StoreBatches(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if o.Err != nil {
			t.Fatalf("message %d: %v", i, o.Err)
		}
	}
	return out
}

func wantWatermarks(t *testing.T, out []BatchOut, want ...int64) {
	t.Helper()
	for i, o := range out {
		if o.Watermark != want[i] {
			t.Errorf("message %d: watermark %d, want %d", i, o.Watermark, want[i])
		}
	}
}

// A later message of a group that fills the gap before an earlier one moves the watermark past
// both, and on through readings stored by earlier groups beyond them.
func TestGroupFillsItsOwnGap(t *testing.T) {
	s, _ := openTemp(t)
	wantWatermarks(t, storeGroup(t, s, batch(1, 34, 44)), 0)
	out := storeGroup(t, s, batch(1, 1, 11), batch(1, 23, 33), batch(1, 12, 22))
	wantWatermarks(t, out, 44, 44, 44)
	for i, o := range out {
		if o.Inserted != 11 || o.Duplicates != 0 {
			t.Errorf("message %d: %+v, want 11 inserted", i, o)
		}
	}
	if wm, _ := s.Watermark(context.Background(), "a1", 1); wm != 44 {
		t.Errorf("stored watermark %d, want 44", wm)
	}
}

// Two epochs of one agent in one group keep their own watermarks; a gap filled by a later group
// moves only its epoch.
func TestGroupWithTwoEpochs(t *testing.T) {
	s, _ := openTemp(t)
	out := storeGroup(t, s, batch(1, 1, 11), batch(2, 1, 11), batch(1, 23, 33), batch(2, 12, 22))
	wantWatermarks(t, out, 11, 22, 11, 22)
	out = storeGroup(t, s, batch(2, 23, 23), batch(1, 12, 22))
	wantWatermarks(t, out, 23, 33)
	ctx := context.Background()
	for epoch, want := range map[int64]int64{1: 33, 2: 23} {
		if wm, _ := s.Watermark(ctx, "a1", epoch); wm != want {
			t.Errorf("epoch %d: stored watermark %d, want %d", epoch, wm, want)
		}
	}
}

// Messages of one group that overlap, resend or contradict each other are counted as if stored
// one after the other, whatever their sizes (one statement per size, chunks of insertChunk).
func TestGroupOverlapsAndConflicts(t *testing.T) {
	s, _ := openTemp(t)
	other := batch(1, 5, 7)
	for i := range other.R {
		other.R[i].V += 100
	}
	long := batch(1, 1, insertChunk+50)
	out := storeGroup(t, s, batch(1, 1, 1), batch(1, 1, 11), other, long, batch(1, 1, 1))
	want := []Stored{
		{Inserted: 1},
		{Inserted: 10, Duplicates: 1},
		{Conflicts: 3},
		{Inserted: insertChunk + 50 - 11, Duplicates: 11},
		{Duplicates: 1},
	}
	for i, o := range out {
		want[i].Watermark = insertChunk + 50
		if o.Stored != want[i] {
			t.Errorf("message %d: %+v, want %+v", i, o.Stored, want[i])
		}
	}
	ctx := context.Background()
	if rows, err := s.ConflictRows(ctx, "a1"); err != nil || len(rows) != 3 || rows[0].Reading != other.R[0] {
		t.Errorf("ConflictRows = %+v, %v; want the 3 readings of the contradicting message", rows, err)
	}
	if n, _ := s.Count(ctx); n != insertChunk+50 {
		t.Errorf("Count = %d, want %d", n, insertChunk+50)
	}
}

// An error of the database fails the whole group and leaves nothing of it stored, and the
// prepared statements still work after the schema changed under them.
func TestGroupFailsWhole(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	storeGroup(t, s, batch(1, 1, 11))
	// TEMP: on the writer's one connection only, and gone with it.
	if _, err := s.w.Exec(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON readings WHEN NEW.seq = 30
		BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	out, err := s.StoreBatches(ctx, []BatchIn{
		{Agent: "a1", Dev: "rig", Batch: batch(1, 12, 22)},
		{Agent: "a2", Dev: "rig", Batch: batch(1, 1, 11)},
		{Agent: "a1", Dev: "rig", Batch: batch(1, 23, 33)},
	})
	if err == nil {
		t.Fatalf("group with a refused insert stored: %+v", out)
	}
	// The same in one INSERT for the consecutive messages of a1 (a span).
	out, err = s.StoreBatches(ctx, []BatchIn{
		{Agent: "a2", Dev: "rig", Batch: batch(1, 1, 11)},
		{Agent: "a1", Dev: "rig", Batch: batch(1, 12, 22)},
		{Agent: "a1", Dev: "rig", Batch: batch(1, 23, 33)},
	})
	if err == nil {
		t.Fatalf("span with a refused insert stored: %+v", out)
	}
	if n, _ := s.Count(ctx); n != 11 {
		t.Errorf("Count = %d after a failed group, want 11", n)
	}
	if wm, _ := s.Watermark(ctx, "a1", 1); wm != 11 {
		t.Errorf("watermark %d after a failed group, want 11", wm)
	}
	if ags, _ := s.Agents(ctx); len(ags) != 1 {
		t.Errorf("Agents = %+v, want only a1", ags)
	}
	if _, err := s.w.Exec(`DROP TRIGGER refuse`); err != nil {
		t.Fatal(err)
	}
	wantWatermarks(t, storeGroup(t, s, batch(1, 12, 22), batch(1, 23, 33)), 33, 33)
}

// A closed store refuses to store; reopened, it prepares its statements again.
func TestStoreAfterCloseAndReopen(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	storeGroup(t, s, batch(1, 1, 11))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StoreBatch(ctx, "a1", "rig", batch(1, 12, 22)); err == nil {
		t.Error("closed store stored a batch")
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	wantWatermarks(t, storeGroup(t, s2, batch(1, 12, 22), batch(1, 23, 25)), 25, 25)
}

// Groups stored at once from several goroutines, each needing statements not prepared yet, all
// finish: preparing never waits for a connection a transaction holds while it waits for the lock.
func TestConcurrentGroupsPrepareOnce(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			agent := fmt.Sprintf("a%d", g)
			var in []BatchIn
			for n := int64(1); n <= 12; n++ { // sizes 1..12: every group prepares some
				from := n*(n-1)/2 + 1
				in = append(in, BatchIn{Agent: agent, Dev: "rig", Batch: batch(1, from, from+n-1)})
			}
			out, err := s.StoreBatches(ctx, in)
			if err == nil && out[0].Watermark != 78 {
				err = fmt.Errorf("%s: watermark %d, want 78", agent, out[0].Watermark)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n, _ := s.Count(ctx); n != 8*78 {
		t.Errorf("Count = %d, want %d", n, 8*78)
	}
}

// A group whose context has ended stores nothing.
func TestGroupWithEndedContext(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.StoreBatches(ctx, []BatchIn{{Agent: "a1", Dev: "rig", Batch: batch(1, 1, 11)}}); err == nil {
		t.Error("stored under an ended context")
	}
	if n, _ := s.Count(context.Background()); n != 0 {
		t.Errorf("Count = %d, want 0", n)
	}
}

// Consecutive new messages of one device go in one INSERT; a resend among them sends each
// message on its own, with its own counts.
func TestSpanWithAStoredKey(t *testing.T) {
	s, _ := openTemp(t)
	storeGroup(t, s, batch(1, 15, 15))
	other := batch(1, 25, 25)
	other.R[0].V++
	storeGroup(t, s, other)
	out := storeGroup(t, s, batch(1, 1, 11), batch(1, 12, 22), batch(1, 23, 33), batch(1, 34, 44))
	want := []Stored{{Inserted: 11}, {Inserted: 10, Duplicates: 1}, {Inserted: 10, Conflicts: 1}, {Inserted: 11}}
	for i, o := range out {
		want[i].Watermark = 44
		if o.Stored != want[i] {
			t.Errorf("message %d: %+v, want %+v", i, o.Stored, want[i])
		}
	}
	if rows, _ := s.ConflictRows(context.Background(), "a1"); len(rows) != 1 || rows[0].Seq != 25 {
		t.Errorf("ConflictRows = %+v, want seq 25", rows)
	}
	out = storeGroup(t, s, batch(1, 45, 55), batch(1, 56, 66))
	for i, o := range out {
		if o.Stored != (Stored{Inserted: 11, Watermark: 66}) {
			t.Errorf("new span, message %d: %+v", i, o.Stored)
		}
	}
	if n, _ := s.Count(context.Background()); n != 66 {
		t.Errorf("Count = %d, want 66", n)
	}
}

func TestSpans(t *testing.T) {
	msg := func(agent, dev string, epoch, from, to int64, replay bool) BatchIn {
		b := batch(epoch, from, to)
		b.Replay = replay
		return BatchIn{Agent: agent, Dev: dev, Batch: b}
	}
	in := []BatchIn{
		msg("a1", "rig", 1, 1, 11, false),
		msg("a1", "rig", 1, 12, 22, false),   // follows
		msg("a1", "rig", 1, 24, 34, false),   // a gap
		msg("a1", "rig", 1, 35, 45, true),    // replay
		msg("a1", "rig", 1, 46, 56, true),    // follows
		msg("a1", "scale", 1, 57, 67, true),  // other device
		msg("a2", "scale", 1, 68, 78, true),  // other agent
		msg("a2", "scale", 2, 79, 89, true),  // other epoch
		msg("a2", "scale", 2, 90, 100, true), // invalid, below
		msg("a2", "scale", 2, 101, 111, true),
		msg("a2", "scale", 2, 112, 112+insertChunk-11-1, true), // fills the INSERT
		msg("a2", "scale", 2, 112+insertChunk-11, 112+insertChunk-11, true),
	}
	out := make([]BatchOut, len(in))
	out[8].Err = ErrInvalid
	got := spans(in, out)
	want := []span{{0, 2, 22}, {2, 3, 11}, {3, 5, 22}, {5, 6, 11}, {6, 7, 11}, {7, 8, 11},
		{9, 11, insertChunk}, {11, 12, 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("spans = %v, want %v", got, want)
	}
}
