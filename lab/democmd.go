package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/onestop-station/onestop/lab/demo"
)

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, `end with one JSON line {"produced":N,"stored":N,"duplicates":0,"lost":0,...}`)
	scenario := fs.String("scenario", "nominal", "rig twin scenario: nominal, overtemp-handheld, overvoltage, brake-failure")
	keep := fs.Bool("keep", false, "keep the working folder (databases, logs) and print its path")
	poll := fs.Duration("poll", 100*time.Millisecond, "agent poll interval")
	data := fs.String("data", "onestop-data", "the station's data folder: signing key, report record (lab.db) and reports/ outlive the demo")
	base := fs.String("verify-base", "http://127.0.0.1:8080", "base URL of the verification page in the report's QR code (where `lab serve` listens)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: lab demo [flags]\n\nStarts an embedded broker, a rig twin on a pseudo-terminal, an agent and the lab,\nregisters a job for an electric ride-on car, runs its test plan on the rig step by step,\nreleases it and issues the signed report (under --data/reports), then compares the readings\nthe twin served with those the lab stored. Exit 0 only if every one was stored exactly once\nand the report was issued; the report's verdict (overvoltage fails) does not change the exit status.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	sum, err := demo.Run(ctx, demo.Opts{Scenario: *scenario, Keep: *keep, Poll: *poll, Log: stdout,
		DataDir: *data, VerifyBase: *base})
	printSummary(stdout, sum)
	if err != nil {
		fmt.Fprintln(stderr, "lab demo:", err)
	}
	if *asJSON {
		b, _ := json.Marshal(sum)
		fmt.Fprintln(stdout, string(b))
	}
	if err != nil || !sum.OK {
		return 1
	}
	return 0
}

func printSummary(w io.Writer, s demo.Summary) {
	if len(s.Channels) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "channel\tunit\treadings\tmin\tmax\tlast\t")
		for _, c := range s.Channels {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.2f\t%.2f\t%.2f\t\n", c.Name, c.Unit, c.N, c.Min, c.Max, c.Last)
		}
		tw.Flush()
	}
	verdict := "OK: every reading the rig served is stored exactly once"
	if !s.OK {
		verdict = "FAILED: the lab's database does not match what the rig served"
	}
	fmt.Fprintf(w, "\nscenario %s, %d steps, %.1f s: produced %d, stored %d, duplicates %d, lost %d, redelivered %d\n%s\n",
		s.Scenario, s.Steps, s.Seconds, s.Produced, s.Stored, s.Duplicates, s.Lost, s.Redelivered, verdict)
	if s.Report != "" {
		fmt.Fprintf(w, "job %s released, overall verdict: %s\nreport: %s\nverify: %s  (or: go run ./lab verify %s)\n",
			s.Job, s.Overall, s.Report, s.VerifyURL, s.Report)
	}
	if s.Dir != "" {
		fmt.Fprintln(w, "working folder kept:", s.Dir)
	}
}
