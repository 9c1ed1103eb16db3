// Package desk is the lab's front desk and back office in one: it registers jobs, runs their
// plans on the rig (lab/runner), keeps each job — its workflow and audit trail (lab/job), its run
// steps and judged results — as one record in the lab database, issues the signed report when the
// reviewer releases (lab/report), reissues and withdraws reports, answers the public verification
// and streams events to the console. It implements console.Service.
//
// Record format: one JSON document per job in the jobs table (store.SaveJob), written after every
// change; raw readings stay in the readings table and a step names its window (agent, device,
// from, to). Reports are kept with their canonical content, the signed file and its SHA-256.
//
// Report numbers are OSL-yyyymmdd-nnnn (a counter per day); job ids J-yyyymmdd-nnn.
package desk
