package broker

import "testing"

func TestCovers(t *testing.T) {
	cases := []struct {
		pattern, filter string
		want            bool
	}{
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"a/#", "a/+/c", true},
		{"a/#", "#", false},
		{"a/#", "+/b", false},
		{"a/+/c", "a/b/c", true},
		{"a/+/c", "a/+/c", true},
		{"a/+/c", "a/#", false},
		{"a/+/c", "a/b", false},
		{"a/+/c", "a/b/c/d", false},
		{"a/b", "a/+", false},
		{"a/b", "a/b", true},
		{"+/b", "$SYS/b", false},
		{"a/#", "", false},
	}
	for _, c := range cases {
		if got := covers(c.pattern, c.filter); got != c.want {
			t.Errorf("covers(%q, %q) = %v, want %v", c.pattern, c.filter, got, c.want)
		}
	}
}

func TestAgentRights(t *testing.T) {
	a := User{Name: "a1", Role: RoleAgent}
	p := "onestop/v1/lab/s1/agent/"
	writes := map[string]bool{
		p + "a1/status":                   true,
		p + "a1/dev/rig/meta":             true,
		p + "a1/dev/rig/data":             true,
		p + "a1/res/42":                   true,
		p + "a2/dev/rig/data":             false, // another agent
		p + "a1/ack":                      false, // only the lab acknowledges
		p + "a1/dev/rig/cmd/start":        false, // only the lab commands
		"onestop/v1/lab/s1/service/state": false,
		p + "a1/dev/rig/data/x":           false,
		"elsewhere/a1":                    false,
	}
	for topic, want := range writes {
		if got := a.CanWrite(topic); got != want {
			t.Errorf("agent write %s = %v, want %v", topic, got, want)
		}
	}
	reads := map[string]bool{
		p + "a1/dev/+/cmd/+":              true,
		p + "a1/dev/rig/cmd/start":        true,
		p + "a1/ack":                      true,
		"onestop/v1/lab/+/service/state":  true,
		"onestop/v1/lab/s1/service/state": true,
		p + "a1/#":                        false,
		p + "+/ack":                       false,
		p + "a2/ack":                      false,
		p + "a1/dev/rig/data":             false,
		"#":                               false,
		"$share/g/" + p + "a1/ack":        false,
	}
	for filter, want := range reads {
		if got := a.CanRead(filter); got != want {
			t.Errorf("agent read %s = %v, want %v", filter, got, want)
		}
	}
}

func TestSiteAndLabRights(t *testing.T) {
	a := User{Name: "a1", Role: RoleAgent, Site: "s1"}
	if a.CanWrite("onestop/v1/lab/s2/agent/a1/status") || a.CanRead("onestop/v1/lab/+/agent/a1/ack") {
		t.Error("site-bound agent reaches another site")
	}
	lab := User{Name: "lab", Role: RoleLab}
	for _, f := range []string{"onestop/v1/lab/s1/agent/+/dev/+/data", "$share/lab/onestop/v1/lab/s1/agent/+/status", "onestop/v1/lab/#"} {
		if !lab.CanRead(f) {
			t.Errorf("lab cannot read %s", f)
		}
	}
	for _, f := range []string{"#", "$SYS/#", "other/x", "$share/lab"} {
		if lab.CanRead(f) {
			t.Errorf("lab can read %s", f)
		}
	}
	if !lab.CanWrite("onestop/v1/lab/s1/agent/a1/ack") || lab.CanWrite("other/x") {
		t.Error("lab write rights wrong")
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if !checkPassword(h, "s3cret") || checkPassword(h, "s3cret ") || checkPassword(h, "") {
		t.Error("checkPassword wrong")
	}
	h2, _ := HashPassword("s3cret")
	if h == h2 {
		t.Error("hashes are not salted")
	}
	for _, bad := range []string{"", "s3cret", "pbkdf2-sha256$1$AA$AA", "pbkdf2-sha256$x$AA$AA", "md5$1$2$3"} {
		if checkPassword(bad, "s3cret") {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
}

func TestUserValidate(t *testing.T) {
	h, _ := HashPassword("x")
	for _, u := range []User{
		{Name: "a+", Role: RoleAgent, Hash: h},
		{Name: "a/b", Role: RoleAgent, Hash: h},
		{Name: "a", Role: "admin", Hash: h},
		{Name: "a", Role: RoleAgent, Hash: "plain"},
		{Name: "a", Role: RoleAgent, Hash: "pbkdf2-sha256$1$AA$AA"}, // too few iterations
		{Name: "a", Role: RoleAgent, Hash: "pbkdf2-sha256$20000$AA"},
		{Name: "a", Role: RoleAgent, Site: "#", Hash: h},
	} {
		if u.Validate() == nil {
			t.Errorf("user %+v accepted", u)
		}
	}
}
