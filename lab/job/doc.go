// Package job holds a test job — customer, product, sample, rig, people and decision rule — and
// moves it through its workflow, after SENAITE's sample workflow:
//
//	Registered ──Start──► Testing ──Submit──► ToBeVerified ──Release──► Released
//	                                               │                      │
//	                                               └──────Invalidate──────┘──► Invalid (+ a new retest job)
//
// Start refuses a rig whose calibration is overdue; Release needs the job's reviewer, who is never its
// operator (SENAITE's SelfVerificationEnabled = false, second-person verification); Invalidate, as
// SENAITE's create_retest, leaves the old job Invalid and returns a new Registered job that points
// back to it, once. Every transition appends who, what and when to the job's audit trail.
//
// The customer is identified by its unified social credit code (统一社会信用代码, GB 32100-2015),
// whose check character ValidateUSCC verifies.
//
// The package is pure: no storage, no clock (callers pass the time), no I/O.
package job
