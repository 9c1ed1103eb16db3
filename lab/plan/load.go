package plan

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

//go:embed data/*.toml
var embedded embed.FS

// file is one plan file as written; see data/README.md for every key.
type file struct {
	ID          string     `toml:"id"`
	ProductType string     `toml:"product_type"`
	Title       Text       `toml:"title"`
	Standards   []Standard `toml:"standards"`
	ValidFrom   time.Time  `toml:"valid_from"`
	ValidTo     time.Time  `toml:"valid_to"`
	Steps       []string   `toml:"steps"`
	MaxGapS     float64    `toml:"max_gap_s"`
	Items       []fileItem `toml:"items"`
}

type fileItem struct {
	ID               string     `toml:"id"`
	Clause           string     `toml:"clause"`
	ClauseUnverified bool       `toml:"clause_unverified"`
	Title            Text       `toml:"title"`
	Step             string     `toml:"step"`
	Channels         []string   `toml:"channels"`
	Reduction        string     `toml:"reduction"`
	Then             string     `toml:"then"`
	SettleS          *float64   `toml:"settle_s"`
	Threshold        *float64   `toml:"threshold"`
	Unit             string     `toml:"unit"`
	Limit            *fileLimit `toml:"limit"`
	U                *float64   `toml:"u"`
	Scope            Text       `toml:"scope"`
	LimitUnverified  bool       `toml:"limit_unverified"`
	MaxGapS          float64    `toml:"max_gap_s"`
}

type fileLimit struct {
	Value     *float64 `toml:"value"`
	Direction string   `toml:"direction"`
	PerKg     float64  `toml:"per_kg"`
	AddKg     float64  `toml:"add_kg"`
	AddKg36Up float64  `toml:"add_kg_36m_up"`
}

var idRe = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
var planIDRe = regexp.MustCompile(`^[a-z0-9]+([-_][a-z0-9]+)*$`)

// Load reads every *.toml plan: the embedded ones when dir is "", else those in dir, which
// replace the embedded set entirely. All problems are reported together, each naming the file
// and, where it applies, the item.
func Load(dir string) (*Set, error) {
	var fsys fs.FS = embedded
	root := "data"
	if dir != "" {
		fsys, root = os.DirFS(dir), "."
	}
	names, err := fs.Glob(fsys, path.Join(root, "*.toml"))
	if err != nil {
		return nil, fmt.Errorf("plan: list %s: %w", dir, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("plan: no *.toml plan files in %q", dir)
	}
	sort.Strings(names)
	set := &Set{}
	var errs []error
	chans := rigChannels()
	for _, name := range names {
		base := path.Base(name)
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("plan: %s: %w", base, err))
			continue
		}
		p, ferrs := parse(base, data, chans)
		for _, e := range ferrs {
			errs = append(errs, fmt.Errorf("plan: %s: %w", base, e))
		}
		if p != nil {
			set.Plans = append(set.Plans, p)
		}
	}
	errs = append(errs, checkSet(set)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return set, nil
}

// parse decodes and checks one file. It returns the plan (nil if it could not be decoded) and
// every problem found, each without the "plan: FILE: " prefix.
func parse(name string, data []byte, chans map[string]string) (*Plan, []error) {
	var f file
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		return nil, []error{fmt.Errorf("parse: %w", err)}
	}
	var errs []error
	errs = append(errs, unknownKeys(md, data, f)...)
	p := &Plan{File: name, ID: f.ID, ProductType: f.ProductType, Title: f.Title, Standards: f.Standards,
		Steps: f.Steps}
	errs = append(errs, checkHeader(&f, p)...)
	seen := map[string]bool{}
	for i, fi := range f.Items {
		it, ierrs := buildItem(fi, &f, chans)
		label := fmt.Sprintf("item %q", fi.ID)
		if fi.ID == "" {
			label = fmt.Sprintf("item #%d", i+1)
		}
		if fi.ID != "" && seen[fi.ID] {
			ierrs = append(ierrs, fmt.Errorf("duplicate item id"))
		}
		seen[fi.ID] = true
		for _, e := range ierrs {
			errs = append(errs, fmt.Errorf("%s: %w", label, e))
		}
		p.Items = append(p.Items, it)
	}
	if len(f.Items) == 0 {
		errs = append(errs, fmt.Errorf("no [[items]]"))
	}
	return p, errs
}

// unknownKeys turns MetaData.Undecoded into errors, naming the item (or standard) that holds
// the key: the TOML library reports array-of-table keys without their index.
func unknownKeys(md toml.MetaData, data []byte, f file) []error {
	undec := md.Undecoded()
	if len(undec) == 0 {
		return nil
	}
	var raw map[string]any
	_, _ = toml.Decode(string(data), &raw)
	var errs []error
	for _, k := range undec {
		if len(k) >= 2 && (k[0] == "items" || k[0] == "standards") {
			arr, _ := raw[k[0]].([]map[string]any)
			for i, tbl := range arr {
				if !hasPath(tbl, k[1:]) {
					continue
				}
				label := fmt.Sprintf("standard #%d", i+1)
				if k[0] == "items" && i < len(f.Items) {
					label = fmt.Sprintf("item %q", f.Items[i].ID)
				}
				errs = append(errs, fmt.Errorf("%s: unknown key %q", label, strings.Join(k[1:], ".")))
			}
			continue
		}
		errs = append(errs, fmt.Errorf("unknown key %q", k.String()))
	}
	return errs
}

func hasPath(m map[string]any, keys []string) bool {
	v, ok := m[keys[0]]
	if !ok {
		return false
	}
	if len(keys) == 1 {
		return true
	}
	sub, ok := v.(map[string]any)
	return ok && hasPath(sub, keys[1:])
}

func checkHeader(f *file, p *Plan) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !planIDRe.MatchString(f.ID) {
		bad("id %q: want lowercase letters, digits, - and _", f.ID)
	}
	if !slices.Contains(productTypes, f.ProductType) {
		bad("unknown product_type %q (want %s)", f.ProductType, strings.Join(productTypes, ", "))
	}
	if f.Title.Zh == "" || f.Title.En == "" {
		bad("title needs both zh and en")
	}
	if len(f.Standards) == 0 {
		bad("no [[standards]]")
	}
	for i, s := range f.Standards {
		if s.Code == "" || s.Edition == "" || s.Title.Zh == "" || s.Title.En == "" {
			bad("standard #%d: needs code, edition and title {zh, en}", i+1)
		}
	}
	var err error
	if p.ValidFrom, err = dateKey("valid_from", f.ValidFrom, true); err != nil {
		errs = append(errs, err)
	}
	if p.ValidTo, err = dateKey("valid_to", f.ValidTo, false); err != nil {
		errs = append(errs, err)
	}
	if !p.ValidTo.IsZero() && p.ValidTo.Before(p.ValidFrom) {
		bad("valid_to %s is before valid_from %s", p.ValidTo.Format(time.DateOnly), p.ValidFrom.Format(time.DateOnly))
	}
	seen := map[string]bool{}
	for _, s := range f.Steps {
		if !slices.Contains(rigSteps, s) {
			bad("unknown step %q in steps (the rig's steps: %s)", s, strings.Join(rigSteps, ", "))
		}
		if seen[s] {
			bad("step %q listed twice", s)
		}
		seen[s] = true
	}
	if !(f.MaxGapS > 0) {
		bad("max_gap_s %v: want > 0", f.MaxGapS)
	}
	return errs
}

// dateKey checks a TOML local date (valid_from = 2026-08-01) and returns it as UTC midnight.
func dateKey(key string, t time.Time, required bool) (time.Time, error) {
	if t.IsZero() {
		if required {
			return time.Time{}, fmt.Errorf("%s missing", key)
		}
		return time.Time{}, nil
	}
	if h, m, sec := t.Clock(); h != 0 || m != 0 || sec != 0 || t.Nanosecond() != 0 {
		return time.Time{}, fmt.Errorf("%s %s: want a date without time, like 2026-08-01", key, t.Format(time.RFC3339))
	}
	return dateOf(t), nil
}

// buildItem converts and checks one item.
func buildItem(fi fileItem, f *file, chans map[string]string) (Item, []error) {
	it := Item{ID: fi.ID, Clause: fi.Clause, ClauseUnverified: fi.ClauseUnverified, Title: fi.Title, Step: fi.Step,
		Channels: fi.Channels, Reduction: fi.Reduction, Then: fi.Then, Unit: fi.Unit, Scope: fi.Scope,
		LimitUnverified: fi.LimitUnverified}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !idRe.MatchString(fi.ID) {
		bad("id %q: want lowercase snake_case", fi.ID)
	}
	if fi.Clause == "" && !fi.ClauseUnverified {
		bad("clause missing (set clause_unverified = true if the reference gives none)")
	}
	if fi.Title.Zh == "" {
		bad("title.zh missing")
	}
	if fi.Title.En == "" {
		bad("title.en missing")
	}
	if fi.Scope.Zh == "" || fi.Scope.En == "" {
		bad("scope needs both zh and en")
	}
	gap := fi.MaxGapS
	if gap == 0 {
		gap = f.MaxGapS
	}
	if gap < 0 {
		bad("max_gap_s %v: want > 0", gap)
	}
	it.MaxGap = seconds(gap)
	errs = append(errs, checkReduction(&it, fi, f, chans)...)
	if fi.U == nil {
		bad("u (expanded uncertainty, k = 2) missing")
	} else if *fi.U < 0 {
		bad("u %v: negative", *fi.U)
	} else {
		it.U = *fi.U
	}
	errs = append(errs, checkLimit(&it, fi)...)
	return it, errs
}

func checkReduction(it *Item, fi fileItem, f *file, chans map[string]string) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !slices.Contains(reductions, fi.Reduction) {
		bad("unknown reduction %q (want %s)", fi.Reduction, strings.Join(reductions, ", "))
		return errs
	}
	if fi.Reduction == ReduceManual {
		if fi.Step != "" || len(fi.Channels) > 0 {
			bad("a manual item has no step or channels")
		}
		if !slices.Contains(itemUnits, fi.Unit) {
			bad("unknown unit %q (want %s)", fi.Unit, strings.Join(itemUnits, ", "))
		}
		return errs
	}
	if !slices.Contains(f.Steps, fi.Step) {
		bad("step %q is not one of the plan's steps (%s)", fi.Step, strings.Join(f.Steps, ", "))
	}
	want := 1
	if fi.Reduction == ReduceDiff {
		want = 2
	}
	if len(fi.Channels) != want {
		bad("reduction %q takes exactly %d channel(s), have %d", fi.Reduction, want, len(fi.Channels))
	}
	var units []string
	for _, ch := range fi.Channels {
		u, ok := chans[ch]
		if !ok {
			bad("unknown channel %q", ch)
			continue
		}
		units = append(units, u)
	}
	if fi.Then != "" && fi.Reduction != ReduceDiff {
		bad("then is for diff only")
	}
	if fi.Threshold != nil && fi.Reduction != ReduceTimeAbove {
		bad("threshold is for time_above only")
	}
	steady := fi.Reduction == ReduceSteadyMean || (fi.Reduction == ReduceDiff && fi.Then == ReduceSteadyMean)
	switch {
	case steady && fi.SettleS == nil:
		bad("settle_s missing (steady_mean needs a settle time)")
	case steady && *fi.SettleS < 0:
		bad("settle_s %v: negative", *fi.SettleS)
	case steady:
		it.Settle = seconds(*fi.SettleS)
	case fi.SettleS != nil:
		bad("settle_s is for steady_mean only")
	}
	wantUnit := ""
	if len(units) == want {
		wantUnit = units[0]
	}
	switch fi.Reduction {
	case ReduceTimeAbove:
		wantUnit = "s"
		if fi.Threshold == nil {
			bad("threshold missing (time_above needs one, in the channel's unit)")
		} else {
			it.Threshold = *fi.Threshold
		}
	case ReduceDiff:
		if !slices.Contains([]string{ReduceMax, ReduceMin, ReduceSteadyMean}, fi.Then) {
			bad("then %q: want max, min or steady_mean", fi.Then)
		}
		if len(units) == 2 && units[0] != units[1] {
			bad("diff of channels in different units (%s, %s)", units[0], units[1])
		}
		if wantUnit == "°C" {
			wantUnit = "K"
		}
	}
	if wantUnit != "" && fi.Unit != wantUnit {
		bad("unit %q does not match the channel (want %q)", fi.Unit, wantUnit)
	}
	return errs
}

func checkLimit(it *Item, fi fileItem) []error {
	l := fi.Limit
	if l == nil {
		if !fi.LimitUnverified {
			return []error{fmt.Errorf("limit missing (set limit_unverified = true if the reference gives none)")}
		}
		return nil
	}
	var errs []error
	if l.Direction != DirMax && l.Direction != DirMin {
		errs = append(errs, fmt.Errorf("limit direction %q: want max or min", l.Direction))
	}
	if l.Value == nil && l.PerKg == 0 {
		errs = append(errs, fmt.Errorf("limit has no value"))
	}
	if l.PerKg < 0 || l.AddKg < 0 || l.AddKg36Up < 0 {
		errs = append(errs, fmt.Errorf("limit per_kg, add_kg, add_kg_36m_up: negative"))
	}
	it.Limit = Limit{Direction: l.Direction, PerKg: l.PerKg, AddKg: l.AddKg, AddKg36Up: l.AddKg36Up, set: true}
	if l.Value != nil {
		it.Limit.Value = *l.Value
	}
	return errs
}

// checkSet finds problems between files: duplicate plan ids and overlapping validity.
func checkSet(s *Set) []error {
	var errs []error
	for i, a := range s.Plans {
		for _, b := range s.Plans[i+1:] {
			if a.ID != "" && a.ID == b.ID {
				errs = append(errs, fmt.Errorf("plan: %s: duplicate plan id %q (also in %s)", b.File, b.ID, a.File))
			}
			if a.ProductType == b.ProductType && !a.ValidFrom.IsZero() && !b.ValidFrom.IsZero() && overlap(a, b) {
				errs = append(errs, fmt.Errorf("plan: %s: validity of %q overlaps %q in %s for product type %q",
					b.File, b.ID, a.ID, a.File, a.ProductType))
			}
		}
	}
	return errs
}

func overlap(a, b *Plan) bool {
	aEndsBefore := !a.ValidTo.IsZero() && a.ValidTo.Before(b.ValidFrom)
	bEndsBefore := !b.ValidTo.IsZero() && b.ValidTo.Before(a.ValidFrom)
	return !aEndsBefore && !bEndsBefore
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
