package outbox

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestConcurrentAppendPendingAck runs several producers against one forwarder that pages and acks,
// and checks that every reading arrives exactly once, in contiguous seq order, with the seqs its
// Append reported.
func TestConcurrentAppendPendingAck(t *testing.T) {
	const producers, batches, per = 4, 60, 7
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ob := openT(t, filepath.Join(t.TempDir(), "outbox.db"))
	defer closeT(t, ob)

	type span struct{ from, to, firstT int64 }
	spans := make(chan span, producers*batches)
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for b := range batches {
				first := int64((p*batches + b) * per)
				from, to, err := ob.Append(ctx, "rig0", readings(per, first))
				if err != nil {
					t.Errorf("producer %d: %v", p, err)
					return
				}
				spans <- span{from, to, first}
			}
		})
	}
	defer wg.Wait() // on a failed check, stop the producers before the outbox closes
	defer cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(spans); close(done) }()

	seen := forward(t, ctx, ob, done) // seq -> reading offset from t0
	if len(seen) != producers*batches*per {
		t.Fatalf("forwarder saw %d readings, want %d", len(seen), producers*batches*per)
	}
	for s := range spans {
		if s.to-s.from+1 != per {
			t.Errorf("span %d..%d for %d readings", s.from, s.to, per)
		}
		for i := int64(0); i <= s.to-s.from; i++ {
			if got := seen[s.from+i]; got != s.firstT+i {
				t.Errorf("seq %d holds reading %d, want %d", s.from+i, got, s.firstT+i)
			}
		}
	}
	wantDepth(t, ob, 0)
}

// forward plays the agent's forwarder until the producers are done and the outbox is empty.
func forward(t *testing.T, ctx context.Context, ob *Outbox, done <-chan struct{}) map[int64]int64 {
	seen := map[int64]int64{}
	var last int64
	for {
		finished := isClosed(done) // read before Pending, so an empty page after it means the end
		rows, err := ob.Pending(ctx, last, 50)
		if err != nil {
			t.Fatalf("pending: %v", err)
		}
		for _, r := range rows {
			if r.Seq != last+1 {
				t.Fatalf("seq %d follows %d", r.Seq, last)
			}
			if _, dup := seen[r.Seq]; dup {
				t.Fatalf("seq %d delivered twice", r.Seq)
			}
			seen[r.Seq] = r.Reading.T - t0
			last = r.Seq
		}
		switch {
		case len(rows) > 0:
			if _, err := ob.Ack(ctx, ob.Epoch(), last); err != nil {
				t.Fatalf("ack: %v", err)
			}
		case finished:
			return seen
		default:
			time.Sleep(time.Millisecond) // caught up; let the producers run on a busy machine
		}
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// TestCloseDuringAppends closes the outbox while producers append: every Append either succeeds
// (and its rows are in the file after reopening) or fails with ErrClosed; none hangs, none is
// half stored.
func TestCloseDuringAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	ob := openT(t, path)
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := 0
	start := make(chan struct{})
	for p := range 8 {
		wg.Go(func() {
			<-start
			for i := 0; ; i++ {
				_, _, err := ob.Append(context.Background(), "rig0", readings(11, int64(p*100000+i*11)))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("producer %d: %v", p, err)
					return
				}
				mu.Lock()
				stored += 11
				mu.Unlock()
			}
		})
	}
	close(start)
	time.Sleep(50 * time.Millisecond)
	closeT(t, ob)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Appends still waiting 10 s after Close")
	}
	if _, _, err := ob.Append(context.Background(), "rig0", readings(1, 0)); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v, want ErrClosed", err)
	}
	ob = openT(t, path)
	defer closeT(t, ob)
	if stored == 0 {
		t.Fatal("no Append succeeded before Close")
	}
	wantDepth(t, ob, int64(stored))
}
