package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/drivers/serialport"
	"github.com/onestop-station/onestop/kiosk/privacy"
)

func idcardCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("idcard", "Checks the reader's SAM, waits for an ID card, reads it and prints its fields.\nName, ID and pass numbers, address and the day of birth are masked unless --unmask; nothing is logged.", stderr)
	port := fs.String("port", "", "serial port of the ID-card reader (required)")
	baud := fs.Int("baud", 115200, "serial speed, 8N1")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait for a card")
	asJSON := fs.Bool("json", false, "print one JSON object")
	unmask := fs.Bool("unmask", false, "show name, ID number and address in full (only with the card holder present)")
	if err := parse(fs, args); err != nil {
		return err
	}
	raw, err := serialport.OpenRaw(serialport.Config{Path: *port, Baud: *baud})
	if err != nil {
		return fail(ExitNoPort, "%v", err)
	}
	defer raw.Close()
	opts := idcard.DefaultOpts
	opts.Baud = *baud
	r := idcard.New(raw, opts)
	if err := r.SAMStatus(ctx); err != nil {
		return cardFailure(err)
	}
	wctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	c, err := r.WaitCard(wctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return fail(ExitNothing, "no card put on the reader within %v", *timeout)
	}
	if err != nil {
		return cardFailure(err)
	}
	fields := cardFields(c, *unmask)
	if *asJSON {
		return printJSON(stdout, fields)
	}
	printCard(stdout, fields)
	return nil
}

// cardFailure sorts a reader error into the exit statuses: silence or garbage is "no answer",
// anything the SAM reported is a device error.
func cardFailure(err error) error {
	var st *idcard.StatusError
	switch {
	case errors.Is(err, serialport.ErrGone), errors.Is(err, serialport.ErrOffline):
		return fail(ExitNoPort, "%v", err)
	case errors.Is(err, idcard.ErrTimeout), errors.Is(err, idcard.ErrChecksum), errors.Is(err, idcard.ErrLength),
		errors.Is(err, idcard.ErrPreamble), errors.Is(err, idcard.ErrTruncated), errors.Is(err, idcard.ErrStrayReply):
		return fail(ExitNoAnswer, "%v (is an ID-card reader on this port, at this speed?)", err)
	case errors.As(err, &st):
		return fail(ExitDevice, "%v", err)
	}
	return fail(ExitFailed, "%v", err)
}

// cardFields are the keys of --json; the type's extra fields appear only when set.
func cardFields(c *idcard.Card, unmask bool) map[string]any {
	name, id, addr, birth, pass := c.Name.Reveal(), c.IDNumber.Reveal(), c.Address.Reveal(), date(c.Birth), c.PassNumber.Reveal()
	if !unmask { // the birth date is the middle of the ID number: shown whole, it would undo the mask
		name, id, addr = privacy.MaskName(name), privacy.MaskIDNumber(id), privacy.MaskAddress(addr)
		birth, pass = privacy.MaskDate(birth), privacy.MaskIDNumber(pass)
	}
	m := map[string]any{
		"type": string(c.Type), "name": name, "sex": string(rune(c.Sex)), "nation": c.Nation,
		"nation_name": c.NationName, "birth": birth, "address": addr, "id_number": id,
		"id_valid": idValid(c), "authority": c.Authority, "valid_from": date(c.ValidFrom),
		"valid_to": validTo(c.ValidTo),
	}
	extra := map[string]string{"english_name": c.EnglishName.Reveal(), "pass_number": pass, "issue_count": c.IssueCount,
		"nationality": c.Nationality, "renewal_count": c.RenewalCount, "card_version": c.CardVersion}
	if !unmask && c.EnglishName.Len() > 0 {
		extra["english_name"] = privacy.MaskName(c.EnglishName.Reveal())
	}
	for k, v := range extra {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

func idValid(c *idcard.Card) bool {
	if c.Type == idcard.ForeignPermanentResident {
		return idcard.ValidatePermitNumber(c.IDNumber.Reveal()) == nil
	}
	return idcard.ValidateIDNumber(c.IDNumber.Reveal()) == nil
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func validTo(e idcard.Expiry) string {
	if e.LongTerm {
		return idcard.LongTerm
	}
	return date(e.Date)
}

func printCard(w io.Writer, m map[string]any) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range []string{"type", "name", "english_name", "sex", "nation", "nation_name", "birth", "address",
		"id_number", "id_valid", "authority", "valid_from", "valid_to", "pass_number", "issue_count",
		"nationality", "renewal_count", "card_version"} {
		if v, ok := m[k]; ok {
			fmt.Fprintf(tw, "%s\t%v\n", k, v)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "身份证阅读器正常 / 身份證閱讀器正常 / ID-card reader OK: card read")
}
