package broker

import (
	"strings"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// CanWrite reports whether u may publish to topic (a topic name, never a filter).
func (u User) CanWrite(topic string) bool {
	if strings.ContainsAny(topic, "+#") {
		return false
	}
	if u.Role == RoleLab {
		return covers(u.labPattern(), topic)
	}
	if u.Role != RoleAgent {
		return false
	}
	tp, err := telemetry.ParseTopic(topic)
	if err != nil || tp.Agent != u.Name || (u.Site != "" && tp.Site != u.Site) {
		return false
	}
	switch tp.Kind {
	case telemetry.KindStatus, telemetry.KindMeta, telemetry.KindData, telemetry.KindResult:
		return true
	}
	return false
}

// CanRead reports whether u may subscribe to filter, or receive a message on a topic name:
// every topic the filter can match must be one the user may read.
func (u User) CanRead(filter string) bool {
	switch u.Role {
	case RoleLab:
		return covers(u.labPattern(), unshare(filter))
	case RoleAgent:
		if strings.HasPrefix(filter, "$share/") {
			return false // an agent has nothing to share load on
		}
		for _, p := range u.agentReadPatterns() {
			if covers(p, filter) {
				return true
			}
		}
	}
	return false
}

// labPattern is a lab user's part of the tree: one site or the whole root.
func (u User) labPattern() string {
	if u.Site == "" {
		return telemetry.Root + "/#"
	}
	return telemetry.Root + "/" + u.Site + "/#"
}

func (u User) agentReadPatterns() []string {
	site := u.Site
	if site == "" {
		site = "+"
	}
	return []string{
		telemetry.AgentCommandFilter(site, u.Name),
		telemetry.AckTopic(site, u.Name),
		telemetry.ServiceStateTopic(site),
	}
}

// clientIDOK keeps agents from taking over another client's session by reusing its client id.
func (u User) clientIDOK(id string) bool {
	if u.Role == RoleLab {
		return true
	}
	return id == u.Name || strings.HasPrefix(id, u.Name+"/")
}

// unshare strips a "$share/{group}/" prefix: a shared subscription reads what its filter reads.
func unshare(filter string) string {
	rest, ok := strings.CutPrefix(filter, "$share/")
	if !ok {
		return filter
	}
	_, f, ok := strings.Cut(rest, "/")
	if !ok {
		return "" // a group without a filter covers nothing
	}
	return f
}

// covers reports whether every topic matched by filter is also matched by pattern, so that a
// wildcard subscription cannot reach past what the pattern grants.
func covers(pattern, filter string) bool {
	if filter == "" || strings.HasPrefix(filter, "$") {
		return false
	}
	p, f := strings.Split(pattern, "/"), strings.Split(filter, "/")
	for i, pl := range p {
		if pl == "#" {
			return true // "a/#" also matches "a" itself, as MQTT says
		}
		if i >= len(f) {
			return false
		}
		switch fl := f[i]; {
		case fl == "#":
			return false
		case pl == "+":
		case pl != fl:
			return false
		}
	}
	return len(f) == len(p)
}
