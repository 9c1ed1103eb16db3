// Package flow is the state machine of one citizen's visit to a self-service terminal, with no
// UI in it: attract → identify (ID card, resident code or staff) → choose an item → who for →
// consent → materials checklist (e-licences asked only after consent; covered ones are 免提交) →
// short form prefilled from the card and the licences → review → submit → receipt → rating →
// end. Beside the main path: progress query by scanning a receipt, a queue ticket for the
// window, a helper call from any screen, language and elder mode per visit, and Wipe, which the
// idle timer and every end of a visit call so nothing of one citizen reaches the next.
//
// A Flow is safe for concurrent use: kiosk/ui calls it from goroutines (backend calls block on
// the network) and renders View's copy. It writes an audit trail of actions through Audit,
// with no personal data in it: visit ids, item ids, methods, counts, tracking numbers.
package flow
