package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestJobsSaveReplaceList(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	if _, err := s.Job(ctx, "J1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing job: %v, want ErrNotFound", err)
	}
	must(t, s.SaveJob(ctx, "J1", "registered", []byte(`{"a":1}`)))
	must(t, s.SaveJob(ctx, "J2", "registered", []byte(`{"b":1}`)))
	must(t, s.SaveJob(ctx, "J1", "testing", []byte(`{"a":2}`)))
	s.Close()
	s, err := Open(path) // what was saved survives a reopen
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	j, err := s.Job(ctx, "J1")
	if err != nil || j.State != "testing" || string(j.Doc) != `{"a":2}` || j.Updated.Before(j.Created) {
		t.Fatalf("J1 = %+v, %v", j, err)
	}
	all, err := s.Jobs(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "J1" {
		t.Fatalf("Jobs = %+v, %v; want J1 (changed last) first of 2", all, err)
	}
	if err := s.SaveJob(ctx, "", "x", nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty id: %v", err)
	}
}

func TestCountersAreSeparateAndMonotonic(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for want := int64(1); want <= 3; want++ {
		n, err := s.Next(ctx, "report-20261130")
		if err != nil || n != want {
			t.Fatalf("Next = %d, %v; want %d", n, err, want)
		}
	}
	if n, _ := s.Next(ctx, "report-20261201"); n != 1 {
		t.Errorf("a new day's counter starts at %d, want 1", n)
	}
}

func TestReportsSupersedeAndWithdraw(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	r1 := ReportRow{Number: "R1", Job: "J1", Hash: "h1", FileSHA256: "f1", Issued: at, Content: []byte("{}"), PDF: []byte("%PDF-1")}
	must(t, s.AddReport(ctx, r1, ""))
	if err := s.AddReport(ctx, r1, ""); err == nil {
		t.Fatal("the same report number stored twice")
	}
	r2 := r1
	r2.Number, r2.Issued, r2.Reason = "R2", at.Add(time.Hour), "customer name corrected"
	if err := s.AddReport(ctx, r2, "R9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("superseding a report that does not exist: %v", err)
	}
	if _, err := s.Report(ctx, "R2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a failed reissue left its report behind: %v", err)
	}
	must(t, s.AddReport(ctx, r2, "R1"))
	got, err := s.Report(ctx, "R1")
	if err != nil || got.SupersededBy != "R2" || string(got.PDF) != "%PDF-1" || !got.Issued.Equal(at) {
		t.Fatalf("R1 = %+v, %v", got, err)
	}
	list, err := s.Reports(ctx, "J1")
	if err != nil || len(list) != 2 || list[0].Number != "R2" || list[0].Reason == "" || len(list[0].PDF) != 0 {
		t.Fatalf("Reports = %+v, %v", list, err)
	}
	must(t, s.WithdrawReports(ctx, "J1", "job invalidated"))
	if got, _ := s.Report(ctx, "R2"); got.Withdrawn != "job invalidated" {
		t.Errorf("R2 withdrawn = %q", got.Withdrawn)
	}
}

func TestFirstAfterAndWatermarkSayWhatIsInFlight(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	mustStore(t, s, "a1", batch(1, 1, 5))  // times 1.7e18 + seq
	mustStore(t, s, "a1", batch(1, 8, 10)) // 6, 7 still in flight
	mid := time.Unix(0, 1_700_000_000_000_000_000+7)
	e, seq, ok, err := s.FirstAfter(ctx, "a1", "rig", mid)
	if err != nil || !ok || e != 1 || seq != 8 {
		t.Fatalf("FirstAfter = %d/%d %v %v, want 1/8", e, seq, ok, err)
	}
	if wm, _ := s.Watermark(ctx, "a1", 1); wm >= seq {
		t.Fatalf("watermark %d already covers %d with 6 and 7 missing", wm, seq)
	}
	mustStore(t, s, "a1", batch(1, 6, 7))
	if wm, _ := s.Watermark(ctx, "a1", 1); wm < seq {
		t.Fatalf("watermark %d after 6, 7 arrived, want ≥ %d", wm, seq)
	}
	if _, _, ok, _ := s.FirstAfter(ctx, "a1", "rig", time.Unix(0, 1_800_000_000_000_000_000)); ok {
		t.Error("FirstAfter found a reading after the last one")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
