// Package runner runs a test plan's steps on a rig through lab/command and judges each item from
// the readings the lab stored during the step.
//
// One step: send start_step with the step's number in the rig's programme, poll status until the
// rig says done or aborted (noting every alarm seen, except a latched one left over from an earlier step),
// wait until no reading measured during the step is still in flight (the agent's watermark has
// passed the first reading after the step), then reduce each of the step's items from the stored
// window with plan.Item.Reduce and judge it with lab/verdict under the job's decision rule.
//
// Nothing is evaluated silently: a gap (also at either end of the window), a reading of bad or
// uncertain quality, or an aborted step leaves the item unjudged with the reason (Result.Problem);
// an alarm is listed on the step; an item whose limit is to be confirmed gets its value but no
// verdict. Evaluate is the pure part (stored rows in, results out), tested without a rig.
package runner
