package demo

import (
	"testing"
	"time"

	"github.com/onestop-station/onestop/lab/labtest"
)

// The same pipeline through Debian's mosquitto with a password file and the lab's ACL policy,
// including a broker crash (SIGKILL, no persistence) mid-stream.
func TestPipelineThroughMosquitto(t *testing.T) {
	url, stop, start := labtest.StartMosquitto(t, map[string]string{LabUser: LabPass, AgentName: AgentPass}, LabUser)
	s := startStack(t, LabOpts{URL: url, LabUser: LabUser, LabPass: LabPass}, AgentOpts{})
	growBy(t, s, 200)
	stop()
	time.Sleep(3 * time.Second)
	start()
	growBy(t, s, 200)
	produced, stored := settle(t, s)
	if produced == 0 || produced != stored {
		t.Errorf("produced %d, stored %d", produced, stored)
	}
	noDuplicates(t, s)
}
