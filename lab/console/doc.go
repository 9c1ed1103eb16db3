// Package console is the lab station's web console: plain HTML, CSS and JavaScript embedded in
// the binary (no front-end build), served with the JSON API it uses (docs/lab-api.md). Technicians
// log in (sessions in memory, CSRF token on every state-changing request, roles operator and
// reviewer); the pages list and create jobs, show a running step's live readings over
// server-sent events, the progress over the plan and the results as they are evaluated, let the
// reviewer release, and download reports. /verify/{no} is the public verification page the
// report's QR code points at. The work itself is done by a Service (lab/desk).
package console
