package telemetry

import (
	"fmt"
	"strings"
)

// Root is the first part of every lab topic; a site's topics are under Root/{site}/.
const Root = "onestop/v1/lab"

// Kind names what a topic carries.
type Kind int

// Topic kinds.
const (
	KindUnknown Kind = iota
	KindStatus
	KindMeta
	KindData
	KindCommand
	KindResult
	KindAck
	KindServiceState
)

var kindNames = [...]string{"unknown", "status", "meta", "data", "cmd", "res", "ack", "service-state"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Topic is a parsed lab topic. Dev is set for meta, data and commands, Name for commands, ID for results.
type Topic struct {
	Site, Agent, Dev, Name, ID string
	Kind                       Kind
}

func agentPrefix(site, agent string) string { return Root + "/" + site + "/agent/" + agent }

// StatusTopic is where an agent keeps its retained online/offline status.
func StatusTopic(site, agent string) string { return agentPrefix(site, agent) + "/status" }

// MetaTopic is where an agent keeps a device's retained description.
func MetaTopic(site, agent, dev string) string {
	return agentPrefix(site, agent) + "/dev/" + dev + "/meta"
}

// DataTopic carries a device's reading batches.
func DataTopic(site, agent, dev string) string {
	return agentPrefix(site, agent) + "/dev/" + dev + "/data"
}

// CommandTopic carries a command for one device of an agent.
func CommandTopic(site, agent, dev, name string) string {
	return agentPrefix(site, agent) + "/dev/" + dev + "/cmd/" + name
}

// ResultTopic carries an agent's answer to the command with this id.
func ResultTopic(site, agent, id string) string { return agentPrefix(site, agent) + "/res/" + id }

// AckTopic carries the lab's storage acknowledgements to one agent.
func AckTopic(site, agent string) string { return agentPrefix(site, agent) + "/ack" }

// ServiceStateTopic is where the lab keeps its retained online/offline state.
func ServiceStateTopic(site string) string { return Root + "/" + site + "/service/state" }

// Subscription filters. site may be "+" for all sites.
func AllStatusFilter(site string) string { return Root + "/" + site + "/agent/+/status" }
func AllMetaFilter(site string) string   { return Root + "/" + site + "/agent/+/dev/+/meta" }
func AllDataFilter(site string) string   { return Root + "/" + site + "/agent/+/dev/+/data" }
func AllResultFilter(site string) string { return Root + "/" + site + "/agent/+/res/+" }

// AgentCommandFilter matches every command for one agent.
func AgentCommandFilter(site, agent string) string { return agentPrefix(site, agent) + "/dev/+/cmd/+" }

// ValidName reports whether s can be one topic level: not empty, no wildcards, separators or NUL.
func ValidName(s string) bool {
	return s != "" && len(s) <= 64 && !strings.ContainsAny(s, "/+#\x00 ")
}

// ParseTopic splits a lab topic into its parts. A "$share/group/" prefix is not expected here:
// MQTT clients deliver messages with the plain topic name.
func ParseTopic(t string) (Topic, error) {
	rest, ok := strings.CutPrefix(t, Root+"/")
	if !ok {
		return Topic{}, fmt.Errorf("telemetry: topic %q: not under %s", t, Root)
	}
	p := strings.Split(rest, "/")
	bad := fmt.Errorf("telemetry: topic %q: unknown shape", t)
	for _, s := range p {
		if !ValidName(s) {
			return Topic{}, bad
		}
	}
	switch {
	case len(p) == 3 && p[1] == "service" && p[2] == "state":
		return Topic{Site: p[0], Kind: KindServiceState}, nil
	case len(p) < 4 || p[1] != "agent":
		return Topic{}, bad
	}
	tp := Topic{Site: p[0], Agent: p[2]}
	switch {
	case len(p) == 4 && p[3] == "status":
		tp.Kind = KindStatus
	case len(p) == 4 && p[3] == "ack":
		tp.Kind = KindAck
	case len(p) == 5 && p[3] == "res":
		tp.Kind, tp.ID = KindResult, p[4]
	case len(p) == 6 && p[3] == "dev" && p[5] == "meta":
		tp.Kind, tp.Dev = KindMeta, p[4]
	case len(p) == 6 && p[3] == "dev" && p[5] == "data":
		tp.Kind, tp.Dev = KindData, p[4]
	case len(p) == 7 && p[3] == "dev" && p[5] == "cmd":
		tp.Kind, tp.Dev, tp.Name = KindCommand, p[4], p[6]
	default:
		return Topic{}, bad
	}
	return tp, nil
}
