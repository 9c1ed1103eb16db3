package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/verdict"
)

// Report is everything a test report states, already decided: Render only lays it out.
// Its JSON encoding is the report's canonical content (see Hash).
type Report struct {
	Number   string // unique report number, [A-Za-z0-9._/-]
	Lab      Party  // name and address of the laboratory (§7.8.2.1 b)
	Location string // where the work was done, e.g. "customer site, <address>" (c)
	Customer Customer
	Mode     Bilingual // e.g. {"CCC型式试验", "CCC type test"}
	Methods  []Method  // standards with editions (f)
	Sample   Sample
	Sampling Bilingual    // sampling plan (k); zero prints "samples supplied by the customer"
	Tested   [2]time.Time // first and last date of testing (i)
	Issued   time.Time    // date of issue (j)
	Lines    []Line       // results (m)
	Rule     verdict.Rule // decision rule, stated by Rule.Statement (§7.8.6.2 c)
	// Deviations are additions to, deviations from or exclusions from the method (n); none prints "无 / None".
	Deviations []string
	External   []string // results from external providers (p); none prints "无 / None"
	Overall    verdict.Outcome
	Auth       Authorisation
	Charts     []Chart // a line chart for each temperature and speed item
}

// Bilingual is a text in Chinese and English.
type Bilingual struct{ Zh, En string }

// Party is a name with an address.
type Party struct {
	Name    Bilingual
	Address string
}

// Customer is whom the report is for (§7.8.2.1 e).
type Customer struct {
	Name    string
	USCC    string // unified social credit code
	Contact string // optional
}

// Method is a standard with its edition, e.g. {"GB 19865", "2005", Bilingual{…}}.
type Method struct {
	Code    string
	Edition string
	Title   Bilingual
}

// Sample identifies the item tested (§7.8.2.1 g, h).
type Sample struct {
	ID          string
	Description string // product, model, batch, rated values
	Condition   string // optional, e.g. "new, undamaged"
	Received    time.Time
}

// Line is one result row.
type Line struct {
	Item      string // plan item id
	Clause    string
	Title     Bilingual
	Value     float64
	Unit      string
	LimitText string  // as plan.Item.LimitText prints it, so an unverified limit is never a number
	U         float64 // expanded uncertainty, k = 2, in Unit
	Outcome   verdict.Outcome
	// Problem says why the item has no value (a gap, bad-quality readings, an aborted step):
	// the result prints as "—" and the reason under the deviations.
	Problem string `json:",omitempty"`
}

// LineFor makes the line for a plan item's result judged as o.
func LineFor(it plan.Item, r plan.Result, o verdict.Outcome) Line {
	unit := r.Unit
	if unit == "" {
		unit = it.Unit
	}
	return Line{
		Item: it.ID, Clause: it.ClauseText(""), Title: Bilingual{it.Title.Zh, it.Title.En},
		Value: r.Value, Unit: unit, LimitText: it.LimitText(""), U: it.U, Outcome: o,
	}
}

// Authorisation names who tested and who authorised the report (§7.8.2.1 o).
type Authorisation struct {
	Operator string
	Reviewer string
	Released time.Time
}

// Chart is a small series drawn as a line chart.
type Chart struct {
	Item  string // the line's item id
	Title Bilingual
	Unit  string
	Limit *float64 // drawn as a dashed line when set
	Times []time.Time
	Vals  []float64
}

// Errors of a report that cannot be rendered.
var (
	ErrNumber = errors.New("report: number must be 1–64 of [A-Za-z0-9._/-]")
	ErrChart  = errors.New("report: chart times and values differ in length")
)

var numberRE = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,64}$`)

// Hash is the first 16 hex digits of the SHA-256 of the report's canonical content, its JSON.
func (r Report) Hash() (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("report %s: canonical content: %w", r.Number, err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])[:16], nil
}

// VerifyURL is the URL the report's QR code carries.
func (r Report) VerifyURL(base string) (string, error) {
	h, err := r.Hash()
	if err != nil {
		return "", err
	}
	return base + "/verify/" + r.Number + "?h=" + h, nil
}

func (r Report) check() error {
	if !numberRE.MatchString(r.Number) {
		return fmt.Errorf("%w: %q", ErrNumber, r.Number)
	}
	for _, c := range r.Charts {
		if len(c.Times) != len(c.Vals) {
			return fmt.Errorf("%w: %s", ErrChart, c.Item)
		}
	}
	return nil
}
