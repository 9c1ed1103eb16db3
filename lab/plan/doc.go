// Package plan holds the lab's test plans as data: for each product type and standard edition,
// which rig steps run, which channels each item reads, how the readings reduce to one result,
// and the limit, unit and expanded uncertainty U (k = 2) it is judged against.
//
// The plans are TOML files embedded from data/ (documented key by key in data/README.md);
// Load("") reads them and Load(dir) reads a directory that replaces them. Load checks every
// file against the rig's channel list (drivers/rig, the names the agent publishes) and its step
// names, and reports all problems at once, each naming the file and the item:
//
//	plan: rideon-gb19865-2005.toml: item "motor_temp_rise": unknown channel "motor_temprature"
//
// (*Set).For picks the plan in force for a product type on a test date, so the switch from
// GB 19865-2005 to GB/T 19865-2024 on 2026-08-01 happens by date, not by a code change.
// (Item).Reduce turns a step's stored samples into a Result and refuses — with ErrBadQuality,
// ErrGap or ErrNoData — rather than evaluating readings that cannot be trusted.
//
// Limits come only from ../shared/reference/lab-standards.md; a limit it marks unverified (or
// does not give) is flagged limit_unverified and prints as "限值待确认 / limit to be confirmed".
// Verdicts and decision rules are not this package's job (see lab/verdict).
package plan
