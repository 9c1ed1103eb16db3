package job_test

import (
	"fmt"
	"time"

	"github.com/onestop-station/onestop/lab/job"
	"github.com/onestop-station/onestop/lab/verdict"
)

// A pre-test on site: registered, tested, submitted and released by a second person.
func Example() {
	day := time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC)
	j, err := job.New(job.Spec{
		ID:       "J1",
		Customer: job.Customer{Name: "Example Toys Co.", USCC: "9144030071526726XG"},
		Product:  job.Product{Type: "electric ride-on car", Model: "DL-8", MassKg: 18.5, AgeGroup: job.From36Months},
		Sample:   job.Sample{ID: "S1", Received: day},
		Location: "customer site, Tengzhou",
		Mode:     job.PreTest,
		Rig:      job.Rig{ID: "RIG-01"},
		Operator: "alice", Reviewer: "bob",
		Rule: verdict.GuardBand,
	}, "alice", day)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(j.Start("alice", day.Add(time.Hour), day.AddDate(0, 6, 0)))
	fmt.Println(j.Submit("alice", day.Add(2*time.Hour)))
	fmt.Println(j.Release("alice", day.Add(3*time.Hour)))
	fmt.Println(j.Release("bob", day.Add(3*time.Hour)))
	fmt.Println(j.State, len(j.Audit))
	// Output:
	// <nil>
	// <nil>
	// job J1: release: reviewer must not be the operator: alice operated the test
	// <nil>
	// released 4
}
