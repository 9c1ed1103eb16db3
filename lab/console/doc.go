// Package console is the lab station's web console: plain HTML, CSS and JavaScript embedded in
// the binary (no front-end build), served with the JSON API it uses (docs/lab-api.md). Technicians
// log in (sessions in memory, CSRF token on every state-changing request, roles operator and
// reviewer); the pages list and create jobs, show a running step's live readings over
// server-sent events, the progress over the plan and the results as they are evaluated, let the
// reviewer release, and download reports. /verify/{no} is the public verification page the
// report's QR code points at. The work itself is done by a Service (lab/desk).
//
// New returns one http.Handler for all of it; mount it at "/" beside the station's own
// GET /api/agents and GET /healthz (more specific patterns win). Streams end when their client
// leaves, so give the http.Server a BaseContext that is cancelled on shutdown, or Close it.
//
// Elements a browser test can rely on (static/index.html, static/console.js):
//
//	login          #login-view #login-form #login-name #login-password #login-submit #login-error
//	header         #user-box #user-name #user-role[data-role] #logout
//	jobs list      #jobs-view #jobs tbody tr[data-id][data-state] (a link to #/jobs/{id}) #jobs-refresh #jobs-error
//	new job        #new-job-toggle (operators only) form#new-job with fields named like NewJob's JSON
//	               ("customer.name", "product.type", "sample_id", "agent", "rule" …) #new-job-submit #new-job-error
//	job detail     #job-view (at #/jobs/{id}) #job-title #job-state[data-state] #job-fields #job-error
//	actions        #job-start #job-submit #job-release #job-invalidate #job-reissue #job-reason (hidden unless allowed)
//	progress       progress#progress[data-done][data-total][data-running] #progress-text
//	manual entry   #manual-entry tr[data-item] with input[data-item] and button[data-item]
//	live readings  #live-status #live-readings tbody tr[data-ch] #chart-channel canvas#chart[data-ch][data-points]
//	results        #results tbody tr[data-item][data-outcome]; #steps tr[data-step]; #audit
//	reports        #reports li[data-report]; #report-download and #report-verify for the newest
//	agents         #agents tbody tr[data-agent][data-online] #agents-error
//	verify page    #verify-number #verify-status[data-status] #verify-superseded #verify-message
//	               #verify-details #verify-hash #verify-file #verify-error form#verify-upload #verify-file-input
package console
