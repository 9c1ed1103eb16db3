// Package demo runs the whole on-site pre-test pipeline on one machine — embedded broker, lab
// ingest and store, a rig twin on a pseudo-terminal and an agent as child processes — through a
// short scripted test sequence, and checks that every reading the twin served was stored once.
// `go run ./lab demo` uses it; the end-to-end tests use its Stack to cut power and networks.
package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/onestop-station/onestop/lab/store"
)

// Opts configure a demo run.
type Opts struct {
	Scenario string        // twin scenario (default "nominal")
	Dir      string        // working folder; "" makes a temporary one
	Keep     bool          // keep a temporary folder (its path is printed)
	Poll     time.Duration // agent poll interval (default 100ms)
	Log      io.Writer     // progress lines for people; nil discards
	Tools    *Tools        // prebuilt programs; nil builds them
	// DataDir is the station's data folder: the report signing key, the reports' record
	// (DataDir/lab.db, so `lab serve` verifies them later) and the PDFs under DataDir/reports
	// outlive the demo. Default "onestop-data", as `lab serve`.
	DataDir    string
	VerifyBase string // base of the verify URL in the QR code (default http://127.0.0.1:8080)
	Font       string // report font; "" for the default
}

// Summary is what the demo measured. Produced comes from the twin's counter, Stored from the
// lab's database; Duplicates counts physical readings (device, channel, time) stored more than once.
type Summary struct {
	Produced    int64            `json:"produced"`
	Stored      int64            `json:"stored"`
	Duplicates  int64            `json:"duplicates"`
	Lost        int64            `json:"lost"`
	Redelivered int64            `json:"redelivered"` // deliveries the lab recognised as already stored
	Scenario    string           `json:"scenario"`
	Steps       int              `json:"steps"`
	Seconds     float64          `json:"seconds"`
	Dir         string           `json:"dir,omitempty"`
	OK          bool             `json:"ok"`
	Channels    []ChannelSummary `json:"-"`
	Job         string           `json:"job,omitempty"`
	Overall     string           `json:"overall,omitempty"` // the report's overall verdict
	Report      string           `json:"report,omitempty"`  // absolute path of the signed PDF
	VerifyURL   string           `json:"verify_url,omitempty"`
}

// ChannelSummary is one channel's range over the run, for the human summary.
type ChannelSummary struct {
	Name, Unit     string
	N              int
	Min, Max, Last float64
}

// Run performs the demo. The returned Summary is filled as far as the run got, even with an error.
func Run(ctx context.Context, o Opts) (Summary, error) {
	start := time.Now()
	if o.Scenario == "" {
		o.Scenario = "nominal"
	}
	logw := o.Log
	if logw == nil {
		logw = io.Discard
	}
	say := func(format string, a ...any) {
		fmt.Fprintf(logw, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
	}
	sum := Summary{Scenario: o.Scenario}
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "onestop-demo-")
		if err != nil {
			return sum, err
		}
		dir = d
		if o.Keep {
			sum.Dir = dir
		} else {
			defer os.RemoveAll(dir)
		}
	}
	var tools Tools
	if o.Tools != nil {
		tools = *o.Tools
	} else {
		say("building agent and firmware-sim …")
		t, err := BuildTools(ctx, dir)
		if err != nil {
			return sum, err
		}
		tools = t
	}
	s, err := StartLab(ctx, dir, tools, LabOpts{})
	if err != nil {
		return sum, err
	}
	defer s.Close()
	say("lab: embedded broker on %s, database %s", s.URL, "lab.db")
	twin, err := s.StartTwin(o.Scenario)
	if err != nil {
		return sum, err
	}
	say("rig twin (%s) serving on %s", o.Scenario, twin.Link)
	if _, err := s.StartAgent(AgentOpts{Poll: o.Poll}); err != nil {
		return sum, err
	}
	if _, err := s.WaitStored(ctx, 1, 60*time.Second); err != nil {
		return sum, fmt.Errorf("%w (see %s/agent.log)", err, dir)
	}
	say("agent %s online, readings arriving", AgentName)
	if err := runJob(ctx, s, o, &sum, say); err != nil {
		return sum, err
	}
	return finish(ctx, s, sum, start, say)
}

// finish stops the agent (it drains its outbox first), then compares the twin's count with the database.
func finish(ctx context.Context, s *Stack, sum Summary, start time.Time, say func(string, ...any)) (Summary, error) {
	if err := s.Agent.Stop(40 * time.Second); err != nil {
		return sum, err
	}
	c, err := s.Twin.Counters()
	if err != nil {
		return sum, err
	}
	sum.Produced = c.ReadingsServed
	// The agent exits only after the lab acknowledged everything; the count is final already,
	// but allow the ingest a moment in case it was stopped by its drain timeout.
	s.WaitStored(ctx, sum.Produced, 5*time.Second)
	if sum.Stored, err = s.Store.Count(ctx); err != nil {
		return sum, err
	}
	rows, err := s.Store.Readings(ctx, AgentName, "", time.Unix(0, 0), time.Now().Add(time.Hour))
	if err != nil {
		return sum, err
	}
	sum.Duplicates = naturalDuplicates(rows)
	sum.Channels = summarise(rows)
	sum.Lost = max(sum.Produced-(sum.Stored-sum.Duplicates), 0)
	sum.Redelivered = s.Ingest.Stats().Duplicates
	sum.Seconds = time.Since(start).Round(100 * time.Millisecond).Seconds()
	sum.OK = sum.Produced > 0 && sum.Produced == sum.Stored && sum.Duplicates == 0 && sum.Report != ""
	return sum, nil
}

func naturalDuplicates(rows []store.Row) int64 {
	type key struct {
		dev, ch string
		t       int64
	}
	seen := make(map[key]bool, len(rows))
	var dup int64
	for _, r := range rows {
		k := key{r.Dev, r.Reading.Ch, r.Reading.T}
		if seen[k] {
			dup++
		}
		seen[k] = true
	}
	return dup
}

func summarise(rows []store.Row) []ChannelSummary {
	by := map[string]*ChannelSummary{}
	for _, r := range rows {
		c := by[r.Reading.Ch]
		if c == nil {
			c = &ChannelSummary{Name: r.Reading.Ch, Unit: r.Reading.U, Min: r.Reading.V, Max: r.Reading.V}
			by[r.Reading.Ch] = c
		}
		c.N++
		c.Min, c.Max, c.Last = min(c.Min, r.Reading.V), max(c.Max, r.Reading.V), r.Reading.V
	}
	out := make([]ChannelSummary, 0, len(by))
	for _, c := range by {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// quietLogger keeps the demo's own output readable: only warnings and errors of the lab's parts.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
