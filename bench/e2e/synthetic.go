package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sources of load. A load's readings come either from rig twins on PTYs, polled by the agent
// over its real serial stack (twinHost), or from the agent's synthetic rigs (built with -tags
// bench, agent/synthetic.go), which append snapshots with no serial line: that load costs next
// to nothing, so the row measures the pipeline from the outbox on.
type source interface {
	offered(ctx context.Context) (int64, error) // readings produced so far
	pid() int                                   // its own process, 0 when it runs inside the agent
	stop()
}

// synthSource reads what the agent's synthetic rigs appended from its /metrics.
type synthSource struct{ metrics string }

func newSynthSource() (*synthSource, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	return &synthSource{metrics: addr}, nil
}

// env tells the bench build of the agent to run rigs synthetic rigs at poll.
func (s *synthSource) env(rigs int, poll time.Duration) string {
	return fmt.Sprintf("ONESTOP_BENCH_RIGS=%d@%s", rigs, poll)
}

func (s *synthSource) offered(ctx context.Context) (int64, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := s.scrape(ctx)
		if err == nil || time.Now().After(deadline) {
			return n, err
		}
		time.Sleep(100 * time.Millisecond) // the agent's metrics server may not listen yet
	}
}

func (s *synthSource) scrape(ctx context.Context) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.metrics+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("e2e: agent metrics: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "onestop_agent_readings_appended_total "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int64(f), err
		}
	}
	return 0, fmt.Errorf("e2e: agent metrics have no onestop_agent_readings_appended_total")
}

func (s *synthSource) pid() int { return 0 }
func (s *synthSource) stop()    {}
