package printer

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/onestop-station/onestop/firmware-sim/sim/simhttp"
)

// State is the twin as GET /state shows it.
type State struct {
	panel
	Online   bool   `json:"online"`
	Path     string `json:"path"`
	OutDir   string `json:"out_dir"`
	Receipts int    `json:"receipts"`
}

// State returns the paper, cover, faults and where the twin serves.
func (t *Twin) State() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return State{panel: t.panel, Online: !t.panel.offline(), Path: t.port.Path(), OutDir: t.opts.OutDir, Receipts: len(t.receipts)}
}

// Counters returns the tallies so far.
func (t *Twin) Counters() Counters {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cnt
}

// ResetCounters zeroes the tallies.
func (t *Twin) ResetCounters() {
	t.mu.Lock()
	t.cnt = Counters{}
	t.mu.Unlock()
}

// Receipts lists the receipts written since the twin started.
func (t *Twin) Receipts() []Receipt {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Receipt(nil), t.receipts...)
}

// SetPaper is the technician at the paper roll: "ok", "near_end" or "out".
func (t *Twin) SetPaper(p Paper) error {
	if !p.valid() {
		return fmt.Errorf("printer twin: paper %q: want ok, near_end or out", p)
	}
	return t.change(func(pn *panel) error { pn.Paper = p; return nil }, false)
}

// SetCover opens or closes the cover.
func (t *Twin) SetCover(open bool) error {
	return t.change(func(pn *panel) error { pn.CoverOpen = open; return nil }, false)
}

// InjectFault arms a fault (see Fault).
func (t *Twin) InjectFault(f Fault) error {
	if err := t.change(f.apply, false); err != nil {
		return fmt.Errorf("printer twin: %w", err)
	}
	return nil
}

// Command carries out one line a technician typed: "paper ok|near_end|out",
// "cover open|closed", "fault KIND [COUNT]", "state", "counters". It
// returns a line to print.
func (t *Twin) Command(line string) (string, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "", nil
	}
	var err error
	switch {
	case f[0] == "paper" && len(f) == 2:
		err = t.SetPaper(Paper(f[1]))
	case f[0] == "cover" && len(f) == 2 && (f[1] == "open" || f[1] == "closed"):
		err = t.SetCover(f[1] == "open")
	case f[0] == "fault" && (len(f) == 2 || len(f) == 3):
		fl := Fault{Kind: f[1]}
		if len(f) == 3 {
			if fl.Count, err = strconv.Atoi(f[2]); err != nil {
				return "", fmt.Errorf("printer twin: fault count %q: %w", f[2], err)
			}
		}
		err = t.InjectFault(fl)
	case f[0] == "counters":
		b, _ := json.Marshal(t.Counters())
		return string(b), nil
	case f[0] == "state":
	default:
		return "", fmt.Errorf("printer twin: %q: want paper ok|near_end|out, cover open|closed, fault KIND [COUNT], state or counters", line)
	}
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(t.State())
	return string(b), nil
}

//go:embed page.html
var pageBody string

// Handler is the control API (serve it on loopback only: it has no auth):
//
//	GET  /                a control page for a browser (state, paper, cover, faults, receipts)
//	GET  /state           State as JSON
//	GET  /counters        Counters as JSON
//	POST /counters/reset  zero them
//	GET  /receipts        the receipts written since the twin started, with their PNG and text paths
//	GET  /receipts/N.png  receipt N's picture; /receipts/N.txt its transcript
//	POST /paper           {"state":"ok|near_end|out"}
//	POST /cover           {"open":true|false}
//	POST /fault           {"kind":"no_reply|garbage|cutter|unrecoverable|clear","count":N}
func (t *Twin) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", simhttp.Page("小票打印机孪生 Receipt printer twin", pageBody))
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, t.State()) })
	mux.HandleFunc("GET /counters", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, t.Counters()) })
	mux.HandleFunc("POST /counters/reset", func(w http.ResponseWriter, r *http.Request) {
		t.ResetCounters()
		simhttp.WriteJSON(w, t.Counters())
	})
	mux.HandleFunc("GET /receipts", func(w http.ResponseWriter, r *http.Request) { simhttp.WriteJSON(w, t.Receipts()) })
	mux.HandleFunc("GET /receipts/{file}", t.serveReceiptFile)
	mux.HandleFunc("POST /paper", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			State Paper `json:"state"`
		}
		simhttp.Post(w, r, &body, func() error { return t.SetPaper(body.State) }, t.State)
	})
	mux.HandleFunc("POST /cover", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Open bool `json:"open"`
		}
		simhttp.Post(w, r, &body, func() error { return t.SetCover(body.Open) }, t.State)
	})
	mux.HandleFunc("POST /fault", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Kind  string `json:"kind"`
			Count int    `json:"count"`
		}
		simhttp.Post(w, r, &body, func() error { return t.InjectFault(Fault{Kind: body.Kind, Count: body.Count}) }, t.State)
	})
	return mux
}
