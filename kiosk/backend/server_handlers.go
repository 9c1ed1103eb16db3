package backend

import (
	"net/http"
	"strconv"
)

// LicenceQuery is the body of POST /v1/licences/query.
type LicenceQuery struct {
	HolderID string   `json:"holder_id"`
	Types    []string `json:"types,omitempty"`
}

// LicenceList is its answer.
type LicenceList struct {
	Licences []Licence `json:"licences"`
}

// AdvanceRequest is the body of POST /v1/applications/{tracking}/advance.
type AdvanceRequest struct {
	To   State  `json:"to"`
	Note string `json:"note,omitempty"`
}

// PopularList is the answer of GET /v1/popular.
type PopularList struct {
	Items []string `json:"items"`
}

// defaultPopular is n when the query leaves it out.
const defaultPopular = 8

func (s *server) health(w http.ResponseWriter, r *http.Request) {
	if err := s.st.Ping(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *server) licences(w http.ResponseWriter, r *http.Request, _ string) {
	var q LicenceQuery
	if !s.decode(w, r, &q) {
		return
	}
	ls, err := s.st.Licences(r.Context(), q.HolderID, q.Types)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, LicenceList{Licences: ls})
}

func (s *server) submit(w http.ResponseWriter, r *http.Request, who string) {
	var a Application
	if !s.decode(w, r, &a) {
		return
	}
	a.Terminal = who
	rc, err := s.st.Submit(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rc)
}

func (s *server) progress(w http.ResponseWriter, r *http.Request, _ string) {
	p, err := s.st.Progress(r.Context(), r.PathValue("tracking"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *server) advance(w http.ResponseWriter, r *http.Request, _ string) {
	var a AdvanceRequest
	if !s.decode(w, r, &a) {
		return
	}
	tracking := r.PathValue("tracking")
	if err := s.st.Advance(r.Context(), tracking, a.To, a.Note); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.st.Progress(r.Context(), tracking)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *server) ticket(w http.ResponseWriter, r *http.Request, who string) {
	var t TicketRequest
	if !s.decode(w, r, &t) {
		return
	}
	t.Terminal = who
	tk, err := s.st.TakeTicket(r.Context(), t)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tk)
}

func (s *server) helper(w http.ResponseWriter, r *http.Request, who string) {
	var h HelpRequest
	if !s.decode(w, r, &h) {
		return
	}
	h.Terminal = who
	hc, err := s.st.CallHelper(r.Context(), h)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, hc)
}

func (s *server) rate(w http.ResponseWriter, r *http.Request, who string) {
	var rt Rating
	if !s.decode(w, r, &rt) {
		return
	}
	rt.Terminal = who
	if err := s.st.Rate(r.Context(), rt); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) popular(w http.ResponseWriter, r *http.Request, _ string) {
	n := defaultPopular
	if v := r.URL.Query().Get("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, CodeInvalid, "n must be a whole number ≥ 0")
			return
		}
	}
	ids, err := s.st.Popular(r.Context(), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, PopularList{Items: ids})
}

// resolveCode answers who a resident code names. The answer is personal data: it is never
// logged, and the request log has the path only.
func (s *server) resolveCode(w http.ResponseWriter, r *http.Request, _ string) {
	var q ResolveCodeRequest
	if !s.decode(w, r, &q) {
		return
	}
	name, id, err := s.st.ResolveCode(r.Context(), q.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ResolvedIdentity{Name: name, IDNumber: id})
}
