// Package simhttp holds the JSON plumbing every twin's control API shares,
// so the APIs answer alike: bodies are small JSON objects with no unknown
// fields, replies are indented JSON, refusals are 400 with the reason. It
// also holds the control page every twin serves at / (Page): one skeleton,
// style sheet and script, around each twin's own controls.
package simhttp

import (
	"encoding/json"
	"net/http"
)

// maxBody bounds a request body; a control request is a few fields.
const maxBody = 1 << 16

// ReadJSON decodes r's body into v. On failure it has already answered 400
// and returns false, so a handler just returns.
func ReadJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	// A misspelt field would otherwise be ignored and the request look obeyed.
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		http.Error(w, "bad JSON body: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

// WriteJSON answers v, indented for people reading curl output.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// Refuse answers 400 with err's text: the twin would not do what was asked.
func Refuse(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusBadRequest)
}

// Post is the shape of most control requests: decode the body into v, run
// do, and answer with the twin's state after it, or refuse with do's error.
func Post[S any](w http.ResponseWriter, r *http.Request, v any, do func() error, state func() S) {
	if !ReadJSON(w, r, v) {
		return
	}
	if err := do(); err != nil {
		Refuse(w, err)
		return
	}
	WriteJSON(w, state())
}
