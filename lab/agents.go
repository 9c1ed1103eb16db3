package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/onestop-station/onestop/lab/ingest"
)

func agents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("agents", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080", "HTTP address of the running lab station")
	asJSON := fs.Bool("json", false, "print the station's JSON as is")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: lab agents [flags]\n\nLists the agents a running lab station knows: state, epoch, version, last seen, readings stored,\nlag, and a WARNING line for each agent lagging past the station's threshold.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url+"/api/agents", nil)
	if err != nil {
		return usageError{err}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w at %s: %v", errNoStation, *url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s/api/agents: %s", *url, resp.Status)
	}
	var body struct {
		Agents []ingest.AgentInfo `json:"agents"`
		Stats  ingest.Stats       `json:"stats"`
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := stdout.Write(raw)
		return err
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return fmt.Errorf("%s/api/agents: %w", *url, err)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "AGENT\tSTATE\tEPOCH\tVERSION\tLAST SEEN\tSTORED\tDUPLICATES\tCONFLICTS\tLAG\tWAITING")
	for _, a := range body.Agents {
		seen := "-"
		if !a.LastSeen.IsZero() {
			seen = a.LastSeen.Local().Format(time.DateTime)
		}
		lag := lagCell(a)
		if a.Lagging {
			lag += " !"
		}
		waiting := "-"
		if !a.LagAt.IsZero() {
			waiting = fmt.Sprint(a.Depth)
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", a.Name, a.State, a.Epoch, a.Version, seen, a.Readings, a.Duplicates, a.Conflicts, lag, waiting)
	}
	w.Flush()
	fmt.Fprintf(stdout, "%d agents; %d readings stored since the station started\n", len(body.Agents), body.Stats.Readings)
	for _, a := range body.Agents {
		if a.Lagging {
			fmt.Fprintf(stdout, "WARNING: agent %s is %s behind (threshold %gs): its newest stored reading is %.1fs old, the oldest it still holds %.1fs, %d readings waiting; reports wait for a step's readings in flight\n",
				a.Name, lagCell(a), body.Stats.LagThresholdS, a.LagS, a.OldestAgeS, a.Depth)
		}
	}
	for _, a := range body.Agents {
		if a.Lost > 0 {
			fmt.Fprintf(stdout, "WARNING: agent %s could not keep %d readings its rigs sent (its outbox refused them, e.g. a full disk): the data has a gap there\n", a.Name, a.Lost)
		}
	}
	if body.Stats.Conflicts > 0 {
		fmt.Fprintf(stdout, "WARNING: %d readings arrived under keys already stored with other content (an agent's outbox went back in time); they are kept in the conflicts table\n", body.Stats.Conflicts)
	}
	return nil
}

// lagCell is how far behind the station an agent is: the larger of the age of its newest stored
// reading and of the oldest one it still holds; "-" while neither is known.
func lagCell(a ingest.AgentInfo) string {
	if a.NewestSample.IsZero() && a.LagAt.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%.1fs", max(a.LagS, a.OldestAgeS))
}

var errNoStation = errors.New("no lab station answering")
