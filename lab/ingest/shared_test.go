package ingest_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/publish"
	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/ingest"
	"github.com/onestop-station/onestop/lab/labtest"
	"github.com/onestop-station/onestop/lab/store"
	_ "modernc.org/sqlite"
)

// TestSharedWorkersMosquitto is the scale-out path for real: two lab workers, each with its own
// handle on one database file (as two processes would have), share the data through
// "$share/lab/…" on mosquitto, and a real agent (outbox + publisher; imported by this test only)
// sends snapshots. Every reading is stored exactly once, the agent's outbox drains on the acks of
// either worker, both workers share the batches, and both see the agent's status: the retained
// one when a worker joins later, and its "offline" when it stops.
func TestSharedWorkersMosquitto(t *testing.T) {
	url, _, _ := labtest.StartMosquitto(t, map[string]string{"lab": "lab-pw", "a1": agentPW}, "lab")
	c := creds{url, "lab", "lab-pw"}
	db := filepath.Join(t.TempDir(), "lab.db")
	var workers [2]*ingest.Ingest
	startWorker := func(i int) {
		st, err := store.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		workers[i] = startIngest(t, c, st, func(o *ingest.Opts) {
			o.ShareGroup, o.ClientID = "lab", "lab-w"+string(rune('1'+i))
		})
	}
	startWorker(0)

	ob, err := outbox.Open(filepath.Join(t.TempDir(), "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	// BatchMax 11: one message per snapshot, so the workers see interleaved batches and each
	// one's own commits leave gaps only the other can fill. No periodic status: the second
	// worker must learn the agent's presence from the retained one.
	pub := publish.New(ob, publish.Opts{Site: site, Agent: "a1", BrokerURL: url, Username: "a1",
		Password: agentPW, BatchMax: 11, AckTimeout: 5 * time.Second, LagEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pub.Run(ctx) }()
	stopped := false
	stopAgent := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	defer stopAgent()
	online := func(w *ingest.Ingest) func() bool {
		return func() bool {
			a, ok := w.Agent("a1")
			return ok && a.Online && a.Epoch == ob.Epoch()
		}
	}
	labtest.Eventually(t, wait, "the first worker does not see the agent online", online(workers[0]))
	startWorker(1) // a worker added later, to scale out
	labtest.Eventually(t, 5*time.Second, "the added worker does not see the agent's retained status", online(workers[1]))

	const snapshots, per = 200, 11
	for i := range snapshots {
		rs := make([]telemetry.Reading, per)
		for j := range rs {
			rs[j] = telemetry.Reading{Ch: "ch" + string(rune('a'+j)), T: time.Now().UnixNano(), V: float64(i), U: "V", Q: "good"}
		}
		if _, _, err := ob.Append(ctx, "rig", rs); err != nil {
			t.Fatal(err)
		}
		pub.Notify()
		if i%20 == 0 {
			time.Sleep(5 * time.Millisecond) // some messages queue up, some arrive alone
		}
	}
	labtest.Eventually(t, wait, "outbox not drained by the workers' acks", func() bool {
		d, err := ob.Depth(ctx)
		return err == nil && d == 0
	})

	st := workers[0].Stats()
	s2 := workers[1].Stats()
	if st.Readings+s2.Readings != snapshots*per {
		t.Errorf("workers stored %d + %d readings new, want %d in all", st.Readings, s2.Readings, snapshots*per)
	}
	if st.Batches == 0 || s2.Batches == 0 {
		t.Errorf("one worker took every batch (%d and %d): the share group did not split them", st.Batches, s2.Batches)
	}
	n, distinct := countRows(t, db)
	if n != snapshots*per || distinct != n {
		t.Errorf("database holds %d rows, %d distinct seqs; want %d once each", n, distinct, snapshots*per)
	}
	stopAgent() // it publishes "offline": a status every worker must see, not one of them
	for _, w := range workers {
		labtest.Eventually(t, wait, "a worker still shows the stopped agent online", func() bool {
			a, ok := w.Agent("a1")
			return ok && !a.Online
		})
	}
	for i, w := range workers {
		if s := w.Stats(); s.StoreErrors != 0 || s.Dropped != 0 || s.BadPayloads != 0 {
			t.Errorf("worker %d stats %+v: want no store errors, drops or bad payloads", i+1, s)
		}
	}
}

func countRows(t *testing.T, path string) (rows, distinct int64) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.QueryRow(`SELECT count(*), count(DISTINCT seq) FROM readings WHERE agent = 'a1'`).Scan(&rows, &distinct)
	if err != nil {
		t.Fatal(err)
	}
	return rows, distinct
}

func TestShareGroupMustBeOneLevel(t *testing.T) {
	for _, g := range []string{"a/b", "+", "lab#"} {
		_, err := ingest.Start(context.Background(), ingest.Opts{BrokerURL: "tcp://127.0.0.1:1", Site: site,
			Store: openStore(t), ShareGroup: g})
		if !errors.Is(err, ingest.ErrOpts) {
			t.Errorf("share group %q: err %v, want ErrOpts", g, err)
		}
	}
}
