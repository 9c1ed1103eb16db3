package rig

import (
	_ "embed"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
	"github.com/onestop-station/onestop/firmware-sim/sim/simhttp"
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

//go:embed page.html
var pageBody string

// Handler is the control API (serve it on loopback only: it has no auth):
//
//	GET  /                a control page for a browser (state, readings, scenario, E-stop, sensors, faults)
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
	mux.Handle("GET /{$}", simhttp.Page("安全试验台孪生 Ride-on safety rig twin", pageBody))
	mux.HandleFunc("GET /counters", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, t.Counters()) })
	mux.HandleFunc("POST /counters/reset", func(w http.ResponseWriter, r *http.Request) {
		t.ResetCounters()
		simhttp.WriteJSON(w, t.Counters())
	})
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, t.State()) })
	mux.HandleFunc("GET /scenarios", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, ScenarioNames()) })
	mux.HandleFunc("POST /fault", t.postFault)
	mux.HandleFunc("POST /scenario", t.postScenario)
	mux.HandleFunc("POST /estop", t.postEStop)
	mux.HandleFunc("POST /sensor", t.postSensor)
	return mux
}

func (t *Twin) postFault(w http.ResponseWriter, r *http.Request) {
	var body faultJSON
	simhttp.Post(w, r, &body, func() error {
		f, err := body.fault()
		if err != nil {
			return err
		}
		return t.InjectFault(f)
	}, t.State)
}

func (t *Twin) postScenario(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if !simhttp.ReadJSON(w, r, &body) {
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
		simhttp.Refuse(w, err)
		return
	}
	t.SetScenario(sc)
	simhttp.WriteJSON(w, t.State())
}

func (t *Twin) postEStop(w http.ResponseWriter, r *http.Request) {
	var body struct {
		On bool `json:"on"`
	}
	simhttp.Post(w, r, &body, func() error { t.bank.SetEStop(body.On); return nil }, t.State)
}

func (t *Twin) postSensor(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Channel string `json:"channel"`
		Open    bool   `json:"open"`
	}
	simhttp.Post(w, r, &body, func() error { return t.bank.SetSensorOpen(body.Channel, body.Open) }, t.State)
}
