package printer

import (
	"net/http"
	"os"
	"strconv"
	"strings"
)

// serveReceiptFile answers GET /receipts/{file} for file "N.png" or "N.txt":
// receipt N's picture or transcript. Only files of receipts this twin wrote
// are served, found by number in its list, so no request names a path.
func (t *Twin) serveReceiptFile(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	num, ext, ok := strings.Cut(file, ".")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n <= 0 || num != strconv.Itoa(n) || ext != "png" && ext != "txt" {
		http.Error(w, "printer twin: want /receipts/N.png or /receipts/N.txt", http.StatusBadRequest)
		return
	}
	var rc *Receipt
	for _, c := range t.Receipts() {
		if c.N == n {
			rc = &c
			break
		}
	}
	if rc == nil {
		http.Error(w, "printer twin: no receipt "+num+" printed since the twin started", http.StatusNotFound)
		return
	}
	path, ctype := rc.PNG, "image/png"
	if ext == "txt" {
		path, ctype = rc.Text, "text/plain; charset=utf-8"
	}
	f, err := os.Open(path)
	if err != nil {
		http.Error(w, "printer twin: receipt "+num+": "+err.Error(), http.StatusNotFound)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		http.Error(w, "printer twin: receipt "+num+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", fi.ModTime(), f)
}
