package console

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
)

// MaxUpload is the largest PDF the verification page accepts.
const MaxUpload = 10 << 20

// hashRE is what a QR code's h may look like (the report's hash is 16 hex digits today).
var hashRE = regexp.MustCompile(`^[0-9A-Za-z]{0,128}$`)

//go:embed templates/verify.html
var templateFiles embed.FS

var verifyTmpl = template.Must(template.ParseFS(templateFiles, "templates/verify.html"))

// statusTexts are the big words of the verification page.
var statusTexts = map[string]Text{
	"valid":      {"有效", "Valid"},
	"superseded": {"已被取代", "Superseded"},
	"withdrawn":  {"已撤回", "Withdrawn"},
	"unknown":    {"未知", "Unknown"},
	"altered":    {"已被篡改", "Altered"},
}

type verifyView struct {
	Number   string
	Action   string // the upload form's URL, keeping h
	V        *Verification
	Status   string // CSS class: one of statusTexts' keys or "error"
	Word     Text
	Issued   string
	Hash     *Text // what the QR hash check says, when one was given
	File     *Text // what the file check says, after an upload
	Error    *Text
	MaxUpMiB int
}

func (c *console) verifyJSON(w http.ResponseWriter, r *http.Request) {
	no, h, ok := verifyArgs(r)
	if !ok {
		writeError(w, http.StatusBadRequest, "invalid", "报告编号或校验码格式错误 Bad report number or hash")
		return
	}
	v, err := c.svc.Verify(r.Context(), no, h, nil)
	if err != nil {
		c.serviceError(w, r, "verify", err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (c *console) verifyPage(w http.ResponseWriter, r *http.Request) {
	c.verify(w, r, nil)
}

// verifyUpload checks an uploaded PDF: a form's multipart field "file", or a raw
// application/pdf body.
func (c *console) verifyUpload(w http.ResponseWriter, r *http.Request) {
	pdf, status, msg := readUpload(w, r)
	if status != 0 {
		c.renderVerify(w, status, verifyView{Number: r.PathValue("no"), Action: verifyAction(r), Status: "error", Error: &msg})
		return
	}
	c.verify(w, r, pdf)
}

func (c *console) verify(w http.ResponseWriter, r *http.Request, pdf []byte) {
	view := verifyView{Number: r.PathValue("no"), Action: verifyAction(r)}
	no, h, ok := verifyArgs(r)
	if !ok {
		view.Status, view.Error = "error", &Text{"报告编号或校验码格式错误", "Bad report number or hash"}
		c.renderVerify(w, http.StatusBadRequest, view)
		return
	}
	v, err := c.svc.Verify(r.Context(), no, h, pdf)
	if err != nil {
		status := http.StatusInternalServerError
		view.Status, view.Error = "error", &Text{"暂时无法核验，请稍后再试", "Verification is unavailable; try again later"}
		switch {
		case errors.Is(err, ErrInvalid):
			status, view.Error = http.StatusBadRequest, &Text{"无法核验此请求", "This request cannot be verified: " + err.Error()}
		case errors.Is(err, ErrNotFound):
			status, view.Status, view.Error = http.StatusNotFound, "unknown", nil
			view.Word = statusTexts["unknown"]
		default:
			c.log.Error("console: verify", "report", no, "error", err)
		}
		c.renderVerify(w, status, view)
		return
	}
	view.V = &v
	view.Status = v.Status
	if word, ok := statusTexts[v.Status]; ok {
		view.Word = word
	} else {
		view.Status, view.Word = "error", Text{"无法核验", "Cannot verify"}
	}
	if !v.Issued.IsZero() {
		view.Issued = v.Issued.Local().Format("2006-01-02 15:04 MST")
	}
	if v.HashOK != nil {
		view.Hash = okText(*v.HashOK, Text{"二维码校验码与签发记录一致", "The QR code's hash matches the issued report"},
			Text{"二维码校验码与签发记录不符", "The QR code's hash does not match the issued report"})
	}
	if pdf != nil && v.FileOK != nil {
		view.File = okText(*v.FileOK, Text{"上传的文件与签发的报告逐字节一致，签名有效", "The uploaded file is the issued report, byte for byte, and its signature is valid"},
			Text{"上传的文件不是签发的报告（已被修改或不是本实验室签发）", "The uploaded file is not the issued report (changed, or not issued by this lab)"})
	}
	c.renderVerify(w, http.StatusOK, view)
}

func okText(ok bool, yes, no Text) *Text {
	if ok {
		return &yes
	}
	return &no
}

func (c *console) renderVerify(w http.ResponseWriter, status int, view verifyView) {
	if len(view.Number) > 64 {
		view.Number = view.Number[:64] + "…"
	}
	if view.Status == "error" && view.Word == (Text{}) {
		view.Word = Text{"无法核验", "Cannot verify"}
	}
	view.MaxUpMiB = MaxUpload >> 20
	var buf bytes.Buffer
	if err := verifyTmpl.Execute(&buf, view); err != nil {
		c.internal(w, "verify page", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func verifyArgs(r *http.Request) (no, h string, ok bool) {
	no, h = r.PathValue("no"), r.URL.Query().Get("h")
	return no, h, nameRE.MatchString(no) && hashRE.MatchString(h)
}

// verifyAction is the page's own URL for the upload form, keeping the QR's hash.
func verifyAction(r *http.Request) string {
	u := "/verify/" + url.PathEscape(r.PathValue("no"))
	if h := r.URL.Query().Get("h"); h != "" && hashRE.MatchString(h) {
		u += "?h=" + url.QueryEscape(h)
	}
	return u
}

// readUpload returns the uploaded file, or the status and message to answer with.
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, int, Text) {
	tooBig := Text{"文件过大（最大 10 MB）", "File too large (at most 10 MB)"}
	// Room for the multipart framing around the file, and no more.
	r.Body = http.MaxBytesReader(w, r.Body, MaxUpload+64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader
	switch mt {
	case "application/pdf":
		src = r.Body
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, http.StatusBadRequest, Text{"上传格式错误", "Bad upload"}
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
					return nil, http.StatusRequestEntityTooLarge, tooBig
				}
				return nil, http.StatusBadRequest, Text{"请选择要核验的 PDF 文件", "Choose the PDF file to verify"}
			}
			if p.FormName() == "file" {
				src = p
				break
			}
		}
	default:
		return nil, http.StatusUnsupportedMediaType, Text{"请上传 PDF 文件", "Upload a PDF file"}
	}
	pdf, err := io.ReadAll(io.LimitReader(src, MaxUpload+1))
	switch {
	case len(pdf) > MaxUpload:
		return nil, http.StatusRequestEntityTooLarge, tooBig
	case err != nil:
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, http.StatusRequestEntityTooLarge, tooBig
		}
		return nil, http.StatusBadRequest, Text{"上传未完成", "The upload did not complete"}
	case len(pdf) == 0:
		return nil, http.StatusBadRequest, Text{"文件为空", "The file is empty"}
	}
	return pdf, 0, Text{}
}
