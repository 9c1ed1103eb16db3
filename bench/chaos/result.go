package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Scenario is one fault injected into the running pipeline.
type Scenario struct {
	Name    string
	Fault   string // what is done, one line
	Promise string // what the design promises under it, one line
	Run     func(ctx context.Context, r *run) error
}

// Verdict of one scenario.
type Verdict string

// Verdicts.
const (
	Pass Verdict = "PASS"
	Fail Verdict = "FAIL"
	Skip Verdict = "SKIP" // the fault cannot be made here (e.g. no tmpfs): says why, fails nothing
)

// Result is one line of the table. Produced comes from the twin's counters, Stored and Conflicts
// from the lab's database, Duplicated from physical keys (device, channel, time) in it.
type Result struct {
	Scenario   string   `json:"scenario"`
	Produced   int64    `json:"produced"`
	Stored     int64    `json:"stored"`
	Conflicts  int64    `json:"conflicts"`      // kept apart by the lab under reused keys; not lost
	Lost       int64    `json:"lost"`           // served by the twin, not held by the lab
	Unread     int64    `json:"unread"`         // of Lost: never reached the agent; the rest it had, and losing those always fails
	Allowed    int64    `json:"unread_allowed"` // what the agent may miss: a snapshot on the wire at a kill, a late reply, …
	Duplicated int64    `json:"duplicated"`
	Recovery   float64  `json:"recovery_s"` // fault end → first reading measured after it stored; <0 not measured
	CatchUp    float64  `json:"catch_up_s"` // fault end → the lab holds all the twin served by then; <0 not measured
	Verdict    Verdict  `json:"verdict"`
	Note       string   `json:"note"`
	Checks     []string `json:"failed_checks,omitempty"`
	Promise    string   `json:"promise"`
	Seconds    float64  `json:"seconds"`
	Dir        string   `json:"dir,omitempty"`
	notes      []string
}

func (r *Result) note(format string, a ...any) { r.notes = append(r.notes, fmt.Sprintf(format, a...)) }

// check records a broken promise unless ok.
func (r *Result) check(ok bool, format string, a ...any) {
	if !ok {
		r.Checks = append(r.Checks, fmt.Sprintf(format, a...))
	}
}

func (r Result) fail(msg string) Result {
	r.Checks = append(r.Checks, msg)
	r.decide()
	return r
}

func (r *Result) decide() {
	switch {
	case len(r.Checks) > 0:
		r.Verdict = Fail
	case r.Verdict == "":
		r.Verdict = Pass
	}
	parts := append([]string(nil), r.notes...)
	for _, c := range r.Checks {
		parts = append(parts, "BROKEN: "+c)
	}
	r.Note = strings.Join(parts, "; ")
}

func printTable(w io.Writer, rs []Result) {
	const row = "%-18s %9s %13s %5s %12s %4s %9s %9s  %s\n"
	fmt.Fprintf(w, row, "scenario", "produced", "stored", "lost", "unread(≤ok)", "dup", "recovery", "catch-up", "result")
	for _, r := range rs {
		fmt.Fprintf(w, row, r.Scenario, fmt.Sprint(r.Produced), stored(r), fmt.Sprint(r.Lost), unread(r),
			fmt.Sprint(r.Duplicated), secs(r.Recovery), secs(r.CatchUp), r.Verdict)
	}
	fmt.Fprintln(w)
	for _, r := range rs {
		fmt.Fprintf(w, "%-18s %s\n", r.Scenario+":", r.Note)
	}
}

func stored(r Result) string {
	if r.Conflicts > 0 {
		return fmt.Sprintf("%d+%dc", r.Stored, r.Conflicts)
	}
	return fmt.Sprint(r.Stored)
}

func unread(r Result) string {
	return fmt.Sprintf("%d (≤%d)", r.Unread, r.Allowed)
}

func secs(s float64) string {
	if s < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fs", s)
}

func printList(w io.Writer) {
	for _, s := range scenarios {
		fmt.Fprintf(w, "  %-18s %s\n  %-18s promise: %s\n", s.Name, s.Fault, "", s.Promise)
	}
}
