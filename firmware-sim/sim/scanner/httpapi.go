package scanner

import (
	_ "embed"
	"net/http"
	"time"

	"github.com/onestop-station/onestop/firmware-sim/sim/simhttp"
)

// faultJSON is the body of POST /fault.
type faultJSON struct {
	Kind    string `json:"kind"`
	Count   int    `json:"count"`
	PauseMS int    `json:"pause_ms"`
	Bytes   int    `json:"bytes"`
	DownMS  int    `json:"down_ms"`
}

//go:embed page.html
var pageBody string

// Handler is the control API (serve it on loopback only: it has no auth):
//
//	GET  /                a control page for a browser (state, next code, trigger, faults)
//	GET  /state           State as JSON
//	GET  /counters        Counters as JSON
//	POST /counters/reset  zero them
//	POST /code            {"data":"…","symbology":"qr"}: the next code emitted
//	POST /trigger         emit the next code now (a code held under the scanner)
//	POST /fault           {"kind":"garbage|split|nosuffix|oversize|hangup|clear",
//	                       "count":N, "pause_ms":N, "bytes":N, "down_ms":N}
func (t *Twin) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", simhttp.Page("扫码器孪生 QR scanner twin", pageBody))
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, t.State()) })
	mux.HandleFunc("GET /counters", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, t.Counters()) })
	mux.HandleFunc("POST /counters/reset", func(w http.ResponseWriter, r *http.Request) {
		t.ResetCounters()
		simhttp.WriteJSON(w, t.Counters())
	})
	mux.HandleFunc("POST /code", t.postCode)
	mux.HandleFunc("POST /trigger", func(w http.ResponseWriter, r *http.Request) {
		if err := t.Trigger(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		simhttp.WriteJSON(w, t.State())
	})
	mux.HandleFunc("POST /fault", t.postFault)
	return mux
}

func (t *Twin) postCode(w http.ResponseWriter, r *http.Request) {
	var c Code
	simhttp.Post(w, r, &c, func() error { return t.SetNext(c) }, t.State)
}

func (t *Twin) postFault(w http.ResponseWriter, r *http.Request) {
	var b faultJSON
	simhttp.Post(w, r, &b, func() error {
		return t.InjectFault(Fault{Kind: FaultKind(b.Kind), Count: b.Count, Bytes: b.Bytes,
			Pause: time.Duration(b.PauseMS) * time.Millisecond, Down: time.Duration(b.DownMS) * time.Millisecond})
	}, t.State)
}
