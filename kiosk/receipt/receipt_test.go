package receipt

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

var cst = time.FixedZone("CST", 8*3600)

func sample() Input {
	return Input{
		Lang:          Hans,
		Center:        "滕州市政务服务中心",
		Terminal:      "TZ-01 一楼大厅",
		ItemName:      "新生儿出生一件事",
		ApplicantName: "张三",
		ApplicantID:   "110101199003070011",
		Tracking:      "TZ20260302-000123",
		SubmittedAt:   time.Date(2026, 3, 2, 1, 5, 0, 0, time.UTC),
		PromisedBy:    time.Date(2026, 3, 9, 0, 0, 0, 0, cst),
		ProgressURL:   "https://zwfw.example.cn/p?t=TZ20260302-000123&事项=出生",
		Materials: []Line{
			{Name: "居民户口簿", Covered: true, Source: "山东省电子证照库"},
			{Name: "出生医学证明", Bring: "原件"},
		},
		NextSteps: []string{"请留意短信通知，办结后可邮寄或到窗口领取证件。", "如需补正材料，工作人员将电话联系您。"},
		Ticket:    "A017",
		Loc:       cst,
	}
}

func TestBuildMasksPersonalData(t *testing.T) {
	r, err := Build(sample())
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	name, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("张三"))
	masked, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("张*"))
	if bytes.Contains(b, []byte("110101199003070011")) || bytes.Contains(b, name) {
		t.Error("clear name or ID number in the receipt bytes")
	}
	if !bytes.Contains(b, []byte("110***********0011")) || !bytes.Contains(b, masked) {
		t.Error("masked name or ID number missing")
	}
	if !bytes.Contains(b, []byte("2026-03-02 09:05")) {
		t.Error("submission time not in local time")
	}
}

func TestBuildRefusesIncompleteInput(t *testing.T) {
	for name, f := range map[string]func(*Input){
		"no item":     func(in *Input) { in.ItemName = "" },
		"no tracking": func(in *Input) { in.Tracking = "" },
		"no time":     func(in *Input) { in.SubmittedAt = time.Time{} },
		"pending, no ref": func(in *Input) {
			in.Pending, in.Tracking = true, ""
		},
	} {
		in := sample()
		f(&in)
		if _, err := Build(in); !errors.Is(err, ErrIncomplete) {
			t.Errorf("%s: %v", name, err)
		}
	}
	in := sample()
	in.ProgressURL = "https://x.cn/" + strings.Repeat("长", 2000)
	if _, err := Build(in); err == nil || errors.Is(err, ErrIncomplete) {
		t.Errorf("QR too long for the paper: %v", err)
	}
	if _, err := Ticket(TicketInput{}); !errors.Is(err, ErrIncomplete) {
		t.Errorf("ticket without number: %v", err)
	}
}

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want []string
	}{
		{"", 10, []string{""}},
		{"hello world again", 11, []string{"hello world", "again"}},
		{"一二三四五六", 8, []string{"一二三四", "五六"}},
		{"abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"去 the window", 8, []string{"去 the", "window"}},
	} {
		got := wrap(c.in, c.w)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
		for _, l := range got {
			if width(l) > c.w {
				t.Errorf("line %q wider than %d", l, c.w)
			}
		}
	}
}
