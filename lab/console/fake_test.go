package console_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/onestop-station/onestop/lab/console"
)

// fakeService is an in-memory Service for the handler tests: a few jobs with the workflow's
// states, reports as fixed bytes, events published by the test.
type fakeService struct {
	mu      sync.Mutex
	jobs    map[string]*console.JobView
	pdfs    map[string][]byte
	next    int
	errs    map[string]error // Job(id) fails with this
	subs    map[int]fakeSub
	subID   int
	subbed  chan string // receives the job of every Subscribe
	verify  console.Verification
	vErr    error
	vCalls  []verifyCall
	actions []string // "start J1 by ana" …
}

type fakeSub struct {
	job string
	ch  chan console.Event
}

type verifyCall struct {
	no, h string
	pdf   []byte
}

func newFake() *fakeService {
	return &fakeService{
		jobs:   map[string]*console.JobView{},
		pdfs:   map[string][]byte{},
		errs:   map[string]error{},
		subs:   map[int]fakeSub{},
		subbed: make(chan string, 16),
	}
}

var now0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func (f *fakeService) Plans(ctx context.Context) ([]console.PlanView, error) {
	return []console.PlanView{{
		ID: "rideon-2005", ProductType: "electric_ride_on_car",
		Title: console.Text{Zh: "电动童车", En: "Electric ride-on car"}, Standards: []string{"GB 19865-2005"},
		Steps: []string{"speed"},
		Items: []console.ItemView{{ID: "max_speed", Clause: "5.1", Step: "speed", Unit: "km/h", Limit: "≤ 8"},
			{ID: "marking", Clause: "9", Manual: true, Limit: "1"}},
	}}, nil
}

func (f *fakeService) Jobs(ctx context.Context) ([]console.JobSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []console.JobSummary
	for _, j := range f.jobs {
		out = append(out, j.JobSummary)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out, nil
}

func (f *fakeService) Job(ctx context.Context, id string) (console.JobView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err, ok := f.errs[id]; ok {
		return console.JobView{}, err
	}
	j, ok := f.jobs[id]
	if !ok {
		return console.JobView{}, fmt.Errorf("job %s: %w", id, console.ErrNotFound)
	}
	return *j, nil
}

func (f *fakeService) CreateJob(ctx context.Context, by string, req console.NewJob) (console.JobView, error) {
	if req.Customer.Name == "" {
		return console.JobView{}, fmt.Errorf("%w: customer.name is empty", console.ErrInvalid)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	j := &console.JobView{}
	j.ID = fmt.Sprintf("J%d", f.next)
	j.State, j.Customer, j.Operator, j.Reviewer = "registered", req.Customer.Name, by, req.Reviewer
	j.ProductType, j.Model, j.Agent, j.Dev = req.Product.Type, req.Product.Model, req.Agent, req.Dev
	j.Updated = now0
	f.jobs[j.ID] = j
	return *j, nil
}

// move changes job id from state from to state to, as by.
func (f *fakeService) move(id, by, op, from, to string, check func(*console.JobView) error) (console.JobView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	j, ok := f.jobs[id]
	if !ok {
		return console.JobView{}, fmt.Errorf("job %s: %w", id, console.ErrNotFound)
	}
	if j.State != from {
		return console.JobView{}, fmt.Errorf("%s job %s: is %s: %w", op, id, j.State, console.ErrConflict)
	}
	if check != nil {
		if err := check(j); err != nil {
			return console.JobView{}, err
		}
	}
	j.State = to
	f.actions = append(f.actions, fmt.Sprintf("%s %s by %s", op, id, by))
	return *j, nil
}

func (f *fakeService) Start(ctx context.Context, id, by string) (console.JobView, error) {
	return f.move(id, by, "start", "registered", "testing", nil)
}

func (f *fakeService) Manual(ctx context.Context, id, by, item string, value float64) (console.JobView, error) {
	return f.move(id, by, fmt.Sprintf("manual %s=%g", item, value), "testing", "testing", nil)
}

func (f *fakeService) Submit(ctx context.Context, id, by string) (console.JobView, error) {
	return f.move(id, by, "submit", "testing", "to be verified", nil)
}

func (f *fakeService) Release(ctx context.Context, id, by string) (console.JobView, error) {
	return f.move(id, by, "release", "to be verified", "released", func(j *console.JobView) error {
		if j.Reviewer != "" && j.Reviewer != by {
			return fmt.Errorf("release %s: %s is not its reviewer: %w", id, by, console.ErrForbidden)
		}
		no := "R-" + j.ID
		j.Report = no
		j.Reports = []console.ReportView{{Number: no, Issued: now0, VerifyURL: "https://lab.example/verify/" + no + "?h=0123456789abcdef"}}
		f.pdfs[no] = []byte("%PDF-1.4 report " + no)
		return nil
	})
}

func (f *fakeService) Invalidate(ctx context.Context, id, by, reason string) (console.JobView, error) {
	return f.move(id, by, "invalidate", "released", "invalid", nil)
}

func (f *fakeService) Reissue(ctx context.Context, id, by, reason string) (console.JobView, error) {
	return f.move(id, by, "reissue", "released", "released", nil)
}

func (f *fakeService) ReportPDF(ctx context.Context, no string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.pdfs[no]
	if !ok {
		return nil, fmt.Errorf("report %s: %w", no, console.ErrNotFound)
	}
	return bytes.Clone(b), nil
}

func (f *fakeService) Verify(ctx context.Context, no, h string, pdf []byte) (console.Verification, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.vCalls = append(f.vCalls, verifyCall{no, h, bytes.Clone(pdf)})
	v := f.verify
	v.Number = no
	return v, f.vErr
}

func (f *fakeService) Subscribe(job string) (<-chan console.Event, func()) {
	f.mu.Lock()
	f.subID++
	id := f.subID
	ch := make(chan console.Event, 16)
	f.subs[id] = fakeSub{job, ch}
	f.mu.Unlock()
	select {
	case f.subbed <- job:
	default: // nobody is watching subscriptions
	}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			f.mu.Lock()
			delete(f.subs, id)
			f.mu.Unlock()
		})
	}
}

// publish hands ev to every subscriber of its job and of all jobs; like lab/desk, a subscriber
// that does not keep up loses it.
func (f *fakeService) publish(ev console.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.subs {
		if s.job == "" || s.job == ev.Job {
			select {
			case s.ch <- ev:
			default:
			}
		}
	}
}

func (f *fakeService) subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

func (f *fakeService) lastVerify() verifyCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.vCalls) == 0 {
		return verifyCall{no: "<none>"}
	}
	return f.vCalls[len(f.vCalls)-1]
}

// addJob puts a job in state with operator and reviewer.
func (f *fakeService) addJob(id, state, operator, reviewer string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	j := &console.JobView{}
	j.ID, j.State, j.Operator, j.Reviewer, j.Updated = id, state, operator, reviewer, now0
	f.jobs[id] = j
}

var _ console.Service = (*fakeService)(nil)
