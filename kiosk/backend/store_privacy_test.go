package backend

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

// personalData is every personal value the tests write: none may appear in the files.
var personalData = []string{
	"张三", "张小宝", "李四", "王五", "陈小明", "赵丽",
	DemoZhangSan, DemoLiSi, DemoWangWu, DemoChenXiaoming, "H12345678",
	"13800000011", "13900000021", "13700000031",
	"6217000000000000011", "6217000000000000021", "6217000000000000031",
	"北京市东城区示例路1号", "荆河街道示例社区", "上海市黄浦区测试大道", "虚构街12号", "例子路66号",
	"370481199205200028", "中国建设银行滕州支行", "滕州市妇幼保健院", "鲁(2019)滕州市不动产权第0000021号", "HK370481000011", "SB370481000011",
}

// assertNoPersonalData reads the database, WAL and journal files raw and fails on any
// personal value found in clear.
func assertNoPersonalData(t *testing.T, path string, extra ...string) {
	t.Helper()
	found := 0
	for _, suffix := range []string{"", "-wal", "-journal"} {
		b, err := os.ReadFile(path + suffix)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		found++
		for _, v := range append(personalData, extra...) {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s%s holds %q in clear", path, suffix, v)
			}
		}
	}
	if found == 0 {
		t.Fatalf("no database file at %s", path)
	}
}

func TestNoPersonalDataInFile(t *testing.T) {
	ctx := context.Background()
	st, c, path := newTestStore(t, StoreOpts{})
	if err := st.SeedLicences(ctx, DemoSeed); err != nil {
		t.Fatal(err)
	}
	r, err := st.Submit(ctx, newbornApp("app-1"))
	if err != nil {
		t.Fatal(err)
	}
	a := newbornApp("app-2")
	a.Applicant = Person{Name: "李四", IDNumber: DemoLiSi}
	a.Subject = &Person{Name: "王五", IDNumber: DemoWangWu, Relation: "spouse"}
	a.Fields = map[string]string{"phone": "13900000021", "address": "上海市黄浦区测试大道200号3室"}
	if _, err := st.Submit(ctx, a); err != nil {
		t.Fatal(err)
	}
	for _, to := range []State{StateAccepted, StateReview, StateCompleted} {
		if err := st.Advance(ctx, r.Tracking, to, "ok"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Licences(ctx, DemoZhangSan, nil); err != nil {
		t.Fatal(err)
	}
	// Check the WAL while the store is open (writes live there first) ...
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no WAL file: %v", err)
	}
	assertNoPersonalData(t, path)
	// ... after a purge, and after Close has checkpointed everything into the main file.
	c.Add(400 * 24 * time.Hour)
	if n, err := st.Purge(ctx, c.Now()); err != nil || n != 1 {
		t.Fatalf("purge = %d, %v", n, err)
	}
	assertNoPersonalData(t, path)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	assertNoPersonalData(t, path)
	// The check itself works: a value written in clear is found.
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte("newborn")) || !bytes.Contains(b, []byte(r.Tracking)) {
		t.Fatal("the raw search finds nothing at all: is it reading the right file?")
	}
}
