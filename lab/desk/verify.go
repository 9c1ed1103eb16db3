package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/onestop-station/onestop/lab/console"
	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/store"
)

// ReportPDF is the signed file of a report exactly as issued.
func (d *Desk) ReportPDF(ctx context.Context, no string) ([]byte, error) {
	r, err := d.o.Records.Report(ctx, no)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("report %q: %w", no, console.ErrNotFound)
	}
	return r.PDF, err
}

// Verify answers the public verification: is no a report this lab issued, does the QR's hash h
// match it, is the uploaded file (if any) the issued file with a good signature, and does the
// report still stand (not superseded by a reissue, not withdrawn with its job).
func (d *Desk) Verify(ctx context.Context, no, h string, pdf []byte) (console.Verification, error) {
	v := console.Verification{Number: no}
	row, err := d.o.Records.Report(ctx, no)
	if errors.Is(err, store.ErrNotFound) {
		v.Status = "unknown"
		v.Message = console.Text{Zh: "本实验室未签发编号为 " + no + " 的报告。", En: "This lab issued no report numbered " + no + "."}
		return v, nil
	}
	if err != nil {
		return v, err
	}
	v.Known, v.Issued, v.SupersededBy = true, row.Issued, row.SupersededBy
	var rep report.Report
	if err := json.Unmarshal(row.Content, &rep); err == nil {
		v.Customer = rep.Customer.Name
		v.Product = rep.Sample.Description
		v.Overall = overallText(rep.Overall)
	}
	if h != "" {
		ok := h == row.Hash
		v.HashOK = &ok
	}
	if pdf != nil {
		sum := sha256.Sum256(pdf)
		got, verr := report.Verify(pdf, d.o.Signer.Public())
		ok := verr == nil && got == no && hex.EncodeToString(sum[:]) == row.FileSHA256
		v.FileOK = &ok
	}
	switch {
	case (v.HashOK != nil && !*v.HashOK) || (v.FileOK != nil && !*v.FileOK):
		v.Status = "altered"
		v.Message = console.Text{Zh: "与本实验室签发的报告不一致：内容已被改动或不是本报告。", En: "This does not match the report the lab issued: it was altered or is another report."}
	case row.Withdrawn != "":
		v.Status = "withdrawn"
		v.Message = console.Text{Zh: "该报告已撤回：" + row.Withdrawn, En: "This report was withdrawn: " + row.Withdrawn}
	case row.SupersededBy != "":
		v.Status = "superseded"
		v.Message = console.Text{Zh: "该报告已被 " + row.SupersededBy + " 取代，请以新报告为准。", En: "This report is superseded by " + row.SupersededBy + "; the new report applies."}
	default:
		v.Status = "valid"
		v.Message = console.Text{Zh: "真实有效：本实验室签发的报告。", En: "Genuine: a report issued by this lab, in force."}
	}
	return v, nil
}
