package scanner

import (
	"encoding/json"
	"net/http"
	"time"
)

// faultJSON is the body of POST /fault.
type faultJSON struct {
	Kind    string `json:"kind"`
	Count   int    `json:"count"`
	PauseMS int    `json:"pause_ms"`
	Bytes   int    `json:"bytes"`
	DownMS  int    `json:"down_ms"`
}

// Handler is the control API (serve it on loopback only: it has no auth):
//
//	GET  /state           State as JSON
//	GET  /counters        Counters as JSON
//	POST /counters/reset  zero them
//	POST /code            {"data":"…","symbology":"qr"}: the next code emitted
//	POST /trigger         emit the next code now (a code held under the scanner)
//	POST /fault           {"kind":"garbage|split|nosuffix|oversize|hangup|clear",
//	                       "count":N, "pause_ms":N, "bytes":N, "down_ms":N}
func (t *Twin) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, t.State()) })
	mux.HandleFunc("GET /counters", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, t.Counters()) })
	mux.HandleFunc("POST /counters/reset", func(w http.ResponseWriter, r *http.Request) {
		t.ResetCounters()
		writeJSON(w, t.Counters())
	})
	mux.HandleFunc("POST /code", t.postCode)
	mux.HandleFunc("POST /trigger", func(w http.ResponseWriter, r *http.Request) {
		if err := t.Trigger(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, t.State())
	})
	mux.HandleFunc("POST /fault", t.postFault)
	return mux
}

func (t *Twin) postCode(w http.ResponseWriter, r *http.Request) {
	var c Code
	if !readJSON(w, r, &c) {
		return
	}
	if err := t.SetNext(c); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, t.State())
}

func (t *Twin) postFault(w http.ResponseWriter, r *http.Request) {
	var b faultJSON
	if !readJSON(w, r, &b) {
		return
	}
	f := Fault{Kind: FaultKind(b.Kind), Count: b.Count, Bytes: b.Bytes,
		Pause: time.Duration(b.PauseMS) * time.Millisecond, Down: time.Duration(b.DownMS) * time.Millisecond}
	if err := t.InjectFault(f); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, t.State())
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		http.Error(w, "bad JSON body: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
