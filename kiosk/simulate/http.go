package simulate

import (
	"net/http"
	"time"

	"github.com/onestop-station/onestop/firmware-sim/sim/simhttp"
)

// handler mounts each twin's control API under its name, and the simulation's own.
func (s *Sim) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/"+IDReader+"/", http.StripPrefix("/"+IDReader, s.reader.Handler()))
	mux.Handle("/"+Printer+"/", http.StripPrefix("/"+Printer, s.printer.Handler()))
	mux.Handle("/"+Scanner+"/", http.StripPrefix("/"+Scanner, s.scanner.Handler()))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		simhttp.WriteJSON(w, map[string]any{
			"dir": s.dir,
			"links": map[string]string{IDReader: s.Link(IDReader), Printer: s.Link(Printer),
				Scanner: s.Link(Scanner)},
			"control": map[string]string{IDReader: "/idreader/", Printer: "/printer/", Scanner: "/scanner/",
				"unplug": "POST /sim/unplug {\"device\":\"printer\",\"down_ms\":3000}"},
		})
	})
	mux.HandleFunc("POST /sim/unplug", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Device string `json:"device"`
			DownMS int64  `json:"down_ms"`
		}
		if !simhttp.ReadJSON(w, r, &req) {
			return
		}
		if err := s.Unplug(req.Device, time.Duration(req.DownMS)*time.Millisecond); err != nil {
			simhttp.Refuse(w, err)
			return
		}
		simhttp.WriteJSON(w, map[string]any{"unplugged": req.Device, "down_ms": req.DownMS})
	})
	return mux
}
