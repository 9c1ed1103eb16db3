package broker

import (
	"fmt"
	"strings"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// MosquittoACL writes the same policy as the embedded broker in mosquitto's acl_file syntax, for
// a lab that joins an external mosquitto: labUsers get the site's whole tree, every other user
// is an agent limited by "%u" patterns to its own topics of that site. site "" means any site
// (and the lab users get the whole root). Passwords go in a separate password_file made with
// mosquitto_passwd. Mosquitto cannot tie client ids to user names, nor limit failed logins:
// docs/operations.md says what that leaves open.
func MosquittoACL(site string, labUsers []string) string {
	var b strings.Builder
	b.WriteString("# OneStop lab ACL (lab/broker.MosquittoACL)\n")
	lab := telemetry.Root + "/#"
	if site == "" {
		site = "+"
	} else {
		lab = telemetry.Root + "/" + site + "/#"
	}
	agent := telemetry.Root + "/" + site + "/agent/%u"
	for _, p := range []string{"/status", "/dev/+/meta", "/dev/+/data", "/res/+"} {
		fmt.Fprintf(&b, "pattern write %s%s\n", agent, p)
	}
	for _, p := range []string{"/dev/+/cmd/+", "/ack"} {
		fmt.Fprintf(&b, "pattern read %s%s\n", agent, p)
	}
	fmt.Fprintf(&b, "pattern read %s\n", telemetry.ServiceStateTopic(site))
	for _, u := range labUsers {
		fmt.Fprintf(&b, "\nuser %s\ntopic readwrite %s\n", u, lab)
	}
	return b.String()
}
