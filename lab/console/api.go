package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
)

// maxBody bounds JSON request bodies.
const maxBody = 64 << 10

// nameRE is what job ids and report numbers look like; anything else cannot exist.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// APIError is the body of every error answer of /api/.
type APIError struct {
	Error string `json:"error"` // for people, Chinese then English, or the service's message
	Code  string `json:"code"`  // unauthorized, csrf, role, forbidden, not_found, invalid, conflict, rate_limited, internal …
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) // a failed write means the client left
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, APIError{Error: msg, Code: code})
}

// decodeJSON reads one JSON value of at most limit bytes into v, refusing other content types
// (a cross-site form cannot send JSON without the browser asking first), unknown fields and
// trailing data. It writes the error answer itself.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "invalid", "请求须为 JSON Content-Type must be application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(new(json.RawMessage)) != io.EOF {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, "invalid", "请求过大 Request body too large")
			return false
		}
		writeError(w, http.StatusBadRequest, "invalid", "请求格式错误 Bad request body: "+err.Error())
		return false
	}
	return true
}

// serviceError answers a Service error with its status: the sentinel's status and message, or
// 500 with a generic message and the real error in the log only.
func (c *console) serviceError(w http.ResponseWriter, r *http.Request, op string, err error) {
	var status int
	var code string
	switch {
	case errors.Is(err, ErrNotFound):
		status, code = http.StatusNotFound, "not_found"
	case errors.Is(err, ErrInvalid):
		status, code = http.StatusBadRequest, "invalid"
	case errors.Is(err, ErrConflict):
		status, code = http.StatusConflict, "conflict"
	case errors.Is(err, ErrForbidden):
		status, code = http.StatusForbidden, "forbidden"
	case r.Context().Err() != nil && errors.Is(err, context.Canceled):
		c.log.Debug("console: client left", "op", op)
		return
	default:
		c.internal(w, op, err)
		return
	}
	writeError(w, status, code, err.Error())
}

func (c *console) internal(w http.ResponseWriter, op string, err error) {
	c.log.Error("console: "+op, "error", err)
	writeError(w, http.StatusInternalServerError, "internal", "服务器内部错误 Internal error")
}

// pathName is the path value key if it can name a job or report; otherwise it answers 404.
func pathName(w http.ResponseWriter, r *http.Request, key string) (string, bool) {
	v := r.PathValue(key)
	if !nameRE.MatchString(v) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("没有此编号 No such %s", key))
		return "", false
	}
	return v, true
}

func (c *console) plans(w http.ResponseWriter, r *http.Request, _ session) {
	ps, err := c.svc.Plans(r.Context())
	if err != nil {
		c.serviceError(w, r, "plans", err)
		return
	}
	if ps == nil {
		ps = []PlanView{}
	}
	writeJSON(w, http.StatusOK, ps)
}

func (c *console) jobs(w http.ResponseWriter, r *http.Request, _ session) {
	js, err := c.svc.Jobs(r.Context())
	if err != nil {
		c.serviceError(w, r, "jobs", err)
		return
	}
	if js == nil {
		js = []JobSummary{}
	}
	writeJSON(w, http.StatusOK, js)
}

func (c *console) job(w http.ResponseWriter, r *http.Request, _ session) {
	id, ok := pathName(w, r, "id")
	if !ok {
		return
	}
	j, err := c.svc.Job(r.Context(), id)
	if err != nil {
		c.serviceError(w, r, "job", err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

func (c *console) createJob(w http.ResponseWriter, r *http.Request, s session) {
	var req NewJob
	if !decodeJSON(w, r, &req, maxBody) {
		return
	}
	j, err := c.svc.CreateJob(r.Context(), s.name, req)
	if err != nil {
		c.serviceError(w, r, "create job", err)
		return
	}
	c.log.Info("console: job created", "job", j.ID, "by", s.name)
	w.Header().Set("Location", "/api/jobs/"+j.ID)
	writeJSON(w, http.StatusCreated, j)
}

// action runs one workflow step on the job in the path and answers the job as it is after.
func (c *console) action(w http.ResponseWriter, r *http.Request, s session, op string, do func(ctx context.Context, id string) (JobView, error)) {
	id, ok := pathName(w, r, "id")
	if !ok {
		return
	}
	j, err := do(r.Context(), id)
	if err != nil {
		c.serviceError(w, r, op, err)
		return
	}
	c.log.Info("console: "+op, "job", id, "by", s.name)
	writeJSON(w, http.StatusOK, j)
}

func (c *console) start(w http.ResponseWriter, r *http.Request, s session) {
	c.action(w, r, s, "start", func(ctx context.Context, id string) (JobView, error) {
		return c.svc.Start(ctx, id, s.name)
	})
}

func (c *console) submit(w http.ResponseWriter, r *http.Request, s session) {
	c.action(w, r, s, "submit", func(ctx context.Context, id string) (JobView, error) {
		return c.svc.Submit(ctx, id, s.name)
	})
}

func (c *console) release(w http.ResponseWriter, r *http.Request, s session) {
	c.action(w, r, s, "release", func(ctx context.Context, id string) (JobView, error) {
		return c.svc.Release(ctx, id, s.name)
	})
}

// ManualRequest is the body of POST /api/jobs/{id}/manual.
type ManualRequest struct {
	Item  string   `json:"item"`
	Value *float64 `json:"value"`
}

func (c *console) manual(w http.ResponseWriter, r *http.Request, s session) {
	var req ManualRequest
	if !decodeJSON(w, r, &req, maxBody) {
		return
	}
	if req.Item == "" || req.Value == nil {
		writeError(w, http.StatusBadRequest, "invalid", "须填写项目和数值 item and value are required")
		return
	}
	c.action(w, r, s, "manual", func(ctx context.Context, id string) (JobView, error) {
		return c.svc.Manual(ctx, id, s.name, req.Item, *req.Value)
	})
}

// ReasonRequest is the body of invalidate and reissue.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

func (c *console) reason(w http.ResponseWriter, r *http.Request) (string, bool) {
	var req ReasonRequest
	if !decodeJSON(w, r, &req, maxBody) {
		return "", false
	}
	if req.Reason == "" {
		writeError(w, http.StatusBadRequest, "invalid", "须填写原因 reason is required")
		return "", false
	}
	return req.Reason, true
}

func (c *console) invalidate(w http.ResponseWriter, r *http.Request, s session) {
	reason, ok := c.reason(w, r)
	if !ok {
		return
	}
	c.action(w, r, s, "invalidate", func(ctx context.Context, id string) (JobView, error) {
		return c.svc.Invalidate(ctx, id, s.name, reason)
	})
}

func (c *console) reissue(w http.ResponseWriter, r *http.Request, s session) {
	reason, ok := c.reason(w, r)
	if !ok {
		return
	}
	c.action(w, r, s, "reissue", func(ctx context.Context, id string) (JobView, error) {
		return c.svc.Reissue(ctx, id, s.name, reason)
	})
}

func (c *console) reportPDF(w http.ResponseWriter, r *http.Request, _ session) {
	no, ok := pathName(w, r, "no")
	if !ok {
		return
	}
	pdf, err := c.svc.ReportPDF(r.Context(), no)
	if err != nil {
		c.serviceError(w, r, "report pdf", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="`+no+`.pdf"`)
	h.Set("Content-Length", strconv.Itoa(len(pdf)))
	h.Set("Cache-Control", "no-store")
	w.Write(pdf)
}
