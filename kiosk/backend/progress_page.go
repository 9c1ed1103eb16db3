package backend

import (
	"errors"
	"html/template"
	"net/http"
	"time"
)

// stateText names a state in Chinese and English for the public page.
var stateText = map[State][2]string{
	StateSubmitted: {"已提交", "Submitted"},
	StateAccepted:  {"已受理", "Accepted"},
	StateReview:    {"审核中", "Under review"},
	StateCompleted: {"已办结", "Completed"},
	StateReturned:  {"退回补正", "Returned for more material"},
	StatePending:   {"待发送", "Waiting to be sent"},
}

func stateLabel(s State) [2]string {
	if t, ok := stateText[s]; ok {
		return t
	}
	return [2]string{string(s), string(s)}
}

type pageStep struct {
	Label [2]string
	At    string
	Note  string
}

type pageData struct {
	Status    int
	Found     bool
	Message   [2]string // set when there is no progress to show
	P         Progress
	Label     [2]string
	Submitted string
	Promised  string
	Steps     []pageStep
}

const pageLayout = "2006-01-02 15:04"

// progressTmpl is what a phone shows after scanning a receipt's QR code: the masked
// applicant, the state and the history, nothing more.
var progressTmpl = template.Must(template.New("progress").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>办件进度 Application progress</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;padding:1rem;max-width:40rem;color:#222}
h1{font-size:1.3rem}.en{color:#666;font-size:.9em}.state{font-size:1.4rem;font-weight:bold;color:#0a5}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem;border-bottom:1px solid #ddd;vertical-align:top}
</style></head><body>
<h1>办件进度查询 <span class="en">Application progress</span></h1>
{{if not .Found}}<p>{{index .Message 0}}</p><p class="en">{{index .Message 1}}</p>{{else}}
<p class="state">{{index .Label 0}} <span class="en">{{index .Label 1}}</span></p>
<table>
<tr><th>办件编号 <span class="en">Tracking no.</span></th><td>{{.P.Tracking}}</td></tr>
<tr><th>事项 <span class="en">Item</span></th><td>{{.P.ItemID}}</td></tr>
<tr><th>申请人 <span class="en">Applicant</span></th><td>{{.P.ApplicantMask}}</td></tr>
<tr><th>提交时间 <span class="en">Submitted</span></th><td>{{.Submitted}}</td></tr>
<tr><th>承诺时限 <span class="en">Promised by</span></th><td>{{.Promised}}</td></tr>
</table>
<h2>办理记录 <span class="en">History</span></h2>
<table>{{range .Steps}}
<tr><td>{{.At}}</td><td>{{index .Label 0}} <span class="en">{{index .Label 1}}</span>{{if .Note}}<br>{{.Note}}{{end}}</td></tr>{{end}}
</table>{{end}}
</body></html>
`))

func (s *server) progressPage(w http.ResponseWriter, r *http.Request) {
	d := pageData{Status: http.StatusOK}
	p, err := s.st.Progress(r.Context(), r.PathValue("tracking"))
	switch {
	case err == nil:
		d.Found, d.P, d.Label = true, p, stateLabel(p.State)
		d.Submitted, d.Promised = s.local(p.SubmittedAt), s.local(p.PromisedBy)
		for _, st := range p.Steps {
			d.Steps = append(d.Steps, pageStep{Label: stateLabel(st.State), At: s.local(st.At), Note: st.Note})
		}
	case errors.Is(err, ErrNotFound):
		d.Status = http.StatusNotFound
		d.Message = [2]string{"未找到该办件,请核对办件编号。", "No application has this tracking number; please check it."}
	case errors.Is(err, ErrInvalid):
		d.Status = http.StatusBadRequest
		d.Message = [2]string{"办件编号格式不正确。", "This is not a valid tracking number."}
	default:
		s.log.Error("progress page", "err", err)
		d.Status = http.StatusInternalServerError
		d.Message = [2]string{"系统暂时无法查询,请稍后再试。", "The service is unavailable; please try again later."}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(d.Status)
	if err := progressTmpl.Execute(w, d); err != nil {
		s.log.Error("progress page", "err", err)
	}
}

func (s *server) local(t time.Time) string { return t.In(s.loc).Format(pageLayout) }
