package idreader

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
	Sticky  bool   `json:"sticky"`
	DelayMS int    `json:"delay_ms"`
	On      string `json:"on"`
}

// cardInfo is one entry of GET /cards: file name and what it exercises, no personal data.
type cardInfo struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	Description  string `json:"description"`
	Fingerprints int    `json:"fingerprints"`
	Address      bool   `json:"appended_address"`
}

//go:embed page.html
var pageBody string

// Handler is the control API (serve it on loopback only: it has no auth):
//
//	GET  /                a control page for a browser (state, cards, SAM, faults)
//	GET  /state           State as JSON
//	GET  /counters        Counters as JSON; POST /counters/reset zeroes them
//	GET  /cards           the embedded cards
//	POST /card            {"name":"lisi"} places a card (fresh, not latched);
//	                      {"present":false} lifts it (releases the latch); {"present":true} puts it back
//	POST /sam             {"ok":false} fails the SAM self-test (SW3 0x60), {"ok":true} heals it
//	POST /fault           {"kind":"checksum|truncated|read_failure|slow|no_reply|clear",
//	                       "count":N, "sticky":bool, "delay_ms":N, "on":"any|sam|find|select|read|address"}
func (t *Twin) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", simhttp.Page("身份证阅读器孪生 ID card reader twin", pageBody))
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, t.State()) })
	mux.HandleFunc("GET /counters", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, t.Counters()) })
	mux.HandleFunc("POST /counters/reset", func(w http.ResponseWriter, r *http.Request) {
		t.ResetCounters()
		simhttp.WriteJSON(w, t.Counters())
	})
	mux.HandleFunc("GET /cards", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, cardList()) })
	mux.HandleFunc("POST /card", t.postCard)
	mux.HandleFunc("POST /sam", t.postSAM)
	mux.HandleFunc("POST /fault", t.postFault)
	return mux
}

func cardList() []cardInfo {
	var out []cardInfo
	for _, n := range CardNames() {
		if c, err := LoadCard(n); err == nil {
			out = append(out, cardInfo{n, c.File.Type, c.File.Description, c.File.Fingerprints, c.AppendedAddress != nil})
		}
	}
	return out
}

func (t *Twin) postCard(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name    string `json:"name"`
		Present *bool  `json:"present"`
	}
	if !simhttp.ReadJSON(w, r, &body) {
		return
	}
	var err error
	switch {
	case body.Present != nil && !*body.Present:
		t.LiftCard()
	case body.Name != "" || body.Present != nil:
		err = t.PlaceCard(body.Name)
	default:
		http.Error(w, `want {"name":"…"} or {"present":true|false}`, http.StatusBadRequest)
		return
	}
	if err != nil {
		simhttp.Refuse(w, err)
		return
	}
	simhttp.WriteJSON(w, t.State())
}

func (t *Twin) postSAM(w http.ResponseWriter, r *http.Request) {
	var body struct {
		OK bool `json:"ok"`
	}
	simhttp.Post(w, r, &body, func() error { t.SetSAM(body.OK); return nil }, t.State)
}

func (t *Twin) postFault(w http.ResponseWriter, r *http.Request) {
	var b faultJSON
	simhttp.Post(w, r, &b, func() error {
		return t.InjectFault(Fault{Kind: FaultKind(b.Kind), Count: b.Count, Sticky: b.Sticky,
			Delay: time.Duration(b.DelayMS) * time.Millisecond, On: b.On})
	}, t.State)
}
