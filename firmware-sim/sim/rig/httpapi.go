package rig

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// faultJSON is the body of POST /fault.
type faultJSON struct {
	Kind    string  `json:"kind"`
	Count   int     `json:"count"`
	Rate    float64 `json:"rate"`
	DelayMS int     `json:"delay_ms"`
	Code    int     `json:"code"`
	DownMS  int     `json:"down_ms"`
}

func (f faultJSON) fault() (Fault, error) {
	if f.Code < 0 || f.Code > 255 {
		return Fault{}, fmt.Errorf("code %d out of range", f.Code)
	}
	return Fault{
		Kind: FaultKind(f.Kind), Count: f.Count, Rate: f.Rate,
		Delay: time.Duration(f.DelayMS) * time.Millisecond,
		Code:  modbus.ExceptionCode(f.Code),
		Down:  time.Duration(f.DownMS) * time.Millisecond,
	}, nil
}

// Handler is the control API (serve it on loopback only: it has no auth):
//
//	GET  /counters        Counters as JSON
//	POST /counters/reset  zero them
//	POST /fault           {"kind":"crc|drop|slow|exception|hangup|clear","count":N,"rate":R,"delay_ms":N,"code":N,"down_ms":N}
//	POST /scenario        {"name":"overvoltage"} (an embedded scenario); the model restarts at rest
//	GET  /scenarios       embedded scenario names
//	GET  /state           State as JSON
//	POST /estop           {"on":true|false}
//	POST /sensor          {"channel":"handheld_temp","open":true|false}
func (t *Twin) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /counters", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, t.Counters()) })
	mux.HandleFunc("POST /counters/reset", func(w http.ResponseWriter, r *http.Request) {
		t.ResetCounters()
		writeJSON(w, t.Counters())
	})
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, t.State()) })
	mux.HandleFunc("GET /scenarios", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, ScenarioNames()) })
	mux.HandleFunc("POST /fault", t.postFault)
	mux.HandleFunc("POST /scenario", t.postScenario)
	mux.HandleFunc("POST /estop", t.postEStop)
	mux.HandleFunc("POST /sensor", t.postSensor)
	return mux
}

func (t *Twin) postFault(w http.ResponseWriter, r *http.Request) {
	var body faultJSON
	if !readJSON(w, r, &body) {
		return
	}
	f, err := body.fault()
	if err == nil {
		err = t.InjectFault(f)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, t.State())
}

func (t *Twin) postScenario(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	// Embedded names only: a path would let any local caller make the twin
	// read files.
	var sc *Scenario
	var err error
	if strings.ContainsAny(body.Name, "/\\.") {
		err = fmt.Errorf("scenario %q: only embedded names over HTTP", body.Name)
	} else {
		sc, err = LoadScenario(body.Name)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	t.SetScenario(sc)
	writeJSON(w, t.State())
}

func (t *Twin) postEStop(w http.ResponseWriter, r *http.Request) {
	var body struct {
		On bool `json:"on"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	t.bank.SetEStop(body.On)
	writeJSON(w, t.State())
}

func (t *Twin) postSensor(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Channel string `json:"channel"`
		Open    bool   `json:"open"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if err := t.bank.SetSensorOpen(body.Channel, body.Open); err != nil {
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
