package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/onestop-station/onestop/bench/internal/probe"
	"github.com/onestop-station/onestop/lab/ingest"
	_ "modernc.org/sqlite" // to read the lab store's readings table
)

// setup is where the lab's data goes: the embedded broker in the lab process, or mosquitto with
// one or several lab workers (shared subscription of the data topics).
type setup struct {
	name    string // embedded, mosquitto, shared
	workers int
}

var setups = map[string]setup{
	"embedded":  {"embedded", 1},
	"mosquitto": {"mosquitto", 1},
	"shared":    {"shared", 2},
}

type rowOpts struct {
	setup          setup
	agents         int
	rate           float64 // readings/s offered in all; 0: saturation
	window, warmup time.Duration
	cpuprofile     string // per worker: this path with "-w1", "-w2" before its extension
	drain          bool   // after the window, stop feeding and wait until every outbox is acked
	dir            string
}

// result is one row. CPU is of one core (200 % is both of a 2-core machine).
type result struct {
	setup                 setup
	agents                int
	load                  string
	offered, stored       float64 // readings/s over the window
	p50, p99              time.Duration
	latencies             int
	labCPU                []float64 // per worker
	brokerCPU             float64   // mosquitto's; -1 when the broker is in the lab process
	agentsCPU             float64   // this process: the agents and their feeders
	labRSS                float64   // all workers, MiB
	brokerRSS             float64
	batches               float64 // data messages stored per second, all workers
	perBatch              float64
	share                 []int64 // batches per worker in the window
	backlog               int64   // readings in the outboxes waiting for an ack at the window's end
	unstored              int64   // readings appended but not in the lab's store at the window's end
	dropped               int64   // messages the workers' queues refused in the window
	loadAvg               string
	idle                  float64 // of the whole machine over the window, % (idle + iowait)
	appended, storedTotal int64   // totals after a drain (rowOpts.drain)
}

type sample struct {
	at        time.Time
	appended  int64
	labCPU    []time.Duration
	brokerCPU time.Duration
	agentsCPU time.Duration
	idle      int64 // machine-wide idle and iowait ticks, of total
	total     int64
	stats     []ingest.Stats
}

// measure runs one row from scratch: a broker, the lab workers, the agents; warm-up, window,
// then everything stops.
func measure(ctx context.Context, o rowOpts) (result, error) {
	r := result{setup: o.setup, agents: o.agents, load: loadName(o.rate), brokerCPU: -1}
	db := filepath.Join(o.dir, "lab.db")
	var mq *mosquitto
	url := ""
	if o.setup.name != "embedded" {
		var err error
		if mq, err = startMosquitto(o.dir, o.agents); err != nil {
			return r, err
		}
		defer mq.stop()
		url = mq.url
	}
	var workers []*worker
	defer func() {
		for _, w := range workers {
			w.stop()
		}
	}()
	for i := range o.setup.workers {
		args := []string{"--db", db, "--broker", url, "--agents", strconv.Itoa(o.agents),
			"--client-id", fmt.Sprintf("lab-w%d", i+1)}
		if o.setup.workers > 1 {
			args = append(args, "--share-group", "lab")
		}
		if o.cpuprofile != "" {
			args = append(args, "--cpuprofile", profilePath(o.cpuprofile, i))
		}
		w, err := startWorker(filepath.Join(o.dir, fmt.Sprintf("worker%d.log", i+1)), args...)
		if err != nil {
			return r, err
		}
		workers = append(workers, w)
		url = w.url
	}
	f, err := startFleet(o.dir, url, o.agents, o.rate)
	if err != nil {
		return r, err
	}
	defer f.stop()
	if err := sleep(ctx, o.warmup); err != nil {
		return r, err
	}
	a, err := take(mq, workers, f)
	if err != nil {
		return r, err
	}
	if err := sleep(ctx, o.window); err != nil {
		return r, err
	}
	b, err := take(mq, workers, f)
	if err != nil {
		return r, err
	}
	if r.backlog, err = f.depth(ctx); err != nil {
		return r, err
	}
	n, err := countStored(ctx, db)
	if err != nil {
		return r, err
	}
	r.unstored = f.appended() - n // appended read after the count: every stored reading is in it
	for _, w := range workers {
		rss, err := probe.RSSMB(w.pid())
		if err != nil {
			return r, err
		}
		r.labRSS += rss
	}
	if mq != nil {
		if r.brokerRSS, err = probe.RSSMB(mq.pid()); err != nil {
			return r, err
		}
	}
	r.loadAvg = probe.LoadAvg()
	span := b.at.Sub(a.at)
	r.offered = float64(b.appended-a.appended) / span.Seconds()
	var batches, readings int64
	for i := range workers {
		r.labCPU = append(r.labCPU, probe.Pct(b.labCPU[i]-a.labCPU[i], span))
		n := b.stats[i].Batches - a.stats[i].Batches
		r.share = append(r.share, n)
		batches += n
		readings += (b.stats[i].Readings + b.stats[i].Duplicates) - (a.stats[i].Readings + a.stats[i].Duplicates)
		r.dropped += b.stats[i].Dropped - a.stats[i].Dropped
	}
	r.batches = float64(batches) / span.Seconds()
	if batches > 0 {
		r.perBatch = float64(readings) / float64(batches)
	}
	if mq != nil {
		r.brokerCPU = probe.Pct(b.brokerCPU-a.brokerCPU, span)
	}
	r.agentsCPU = probe.Pct(b.agentsCPU-a.agentsCPU, span)
	if b.total > a.total {
		r.idle = 100 * float64(b.idle-a.idle) / float64(b.total-a.total)
	}
	lat, err := probe.Latencies(ctx, db, a.at, b.at, false)
	if err != nil {
		return r, err
	}
	if len(lat) == 0 {
		return r, fmt.Errorf("ingest bench: no reading stored within the window")
	}
	r.latencies = len(lat)
	r.stored = float64(len(lat)) / span.Seconds()
	r.p50, r.p99 = probe.Percentile(lat, 0.50), probe.Percentile(lat, 0.99)
	if err := f.stopFeeding(); err != nil {
		return r, err
	}
	if o.drain {
		r.appended = f.appended()
		if err := waitDrained(ctx, f, 60*time.Second); err != nil {
			return r, err
		}
		if r.storedTotal, err = countStored(ctx, db); err != nil {
			return r, err
		}
	}
	return r, nil
}

func take(mq *mosquitto, workers []*worker, f *fleet) (sample, error) {
	s := sample{at: time.Now(), appended: f.appended()}
	var err error
	if s.agentsCPU, err = probe.CPUTime(os.Getpid()); err != nil {
		return s, err
	}
	if s.idle, s.total, err = machineIdle(); err != nil {
		return s, err
	}
	for _, w := range workers {
		cpu, err := probe.CPUTime(w.pid())
		if err != nil {
			return s, err
		}
		st, err := workerStats(w)
		if err != nil {
			return s, err
		}
		s.labCPU, s.stats = append(s.labCPU, cpu), append(s.stats, st)
	}
	if mq != nil {
		if s.brokerCPU, err = probe.CPUTime(mq.pid()); err != nil {
			return s, err
		}
	}
	return s, nil
}

// workerStats reads a worker's ingest counters from its /api/agents.
func workerStats(w *worker) (ingest.Stats, error) {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + w.httpAddr + "/api/agents")
	if err != nil {
		return ingest.Stats{}, err
	}
	defer resp.Body.Close()
	var body struct {
		Stats ingest.Stats `json:"stats"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return ingest.Stats{}, fmt.Errorf("worker stats: %w", err)
	}
	return body.Stats, nil
}

func waitDrained(ctx context.Context, f *fleet, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		d, err := f.depth(ctx)
		if err != nil {
			return err
		}
		if d == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ingest bench: %d readings still unacknowledged after %v", d, timeout)
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func loadName(rate float64) string {
	if rate == 0 {
		return "max"
	}
	return fmt.Sprintf("%gk/s", rate/1000)
}

func profilePath(base string, worker int) string {
	ext := filepath.Ext(base)
	return fmt.Sprintf("%s-w%d%s", strings.TrimSuffix(base, ext), worker+1, ext)
}

func openDB(path string) (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
}

func countStored(ctx context.Context, dbPath string) (int64, error) {
	db, err := openDB(dbPath)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM readings`).Scan(&n)
	return n, err
}
