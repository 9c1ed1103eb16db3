package simulate

import (
	"io"
	"net/http"
	"strings"
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
		if strings.Contains(r.Header.Get("Accept"), "text/html") {
			// A browser: links to each twin's control page.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, indexPage)
			return
		}
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

// indexPage is what a browser gets at the control URL.
const indexPage = `<!doctype html><html lang="zh-Hans"><meta charset="utf-8">
<title>OneStop 模拟设备 Simulated devices</title>
<style>body{font:18px sans-serif;margin:2em}a{display:block;margin:.6em 0;font-size:1.3em}</style>
<h1>模拟设备 Simulated devices</h1>
<p>放卡、拿卡、扫码、缺纸：打开各设备的控制页。Place or lift a card, scan a code, run out of paper:</p>
<a href="/idreader/">身份证阅读器 ID-card reader</a>
<a href="/printer/">凭条打印机 Receipt printer</a>
<a href="/scanner/">扫码器 QR scanner</a>
</html>`
