package idreader

import (
	"sync"

	"github.com/onestop-station/onestop/drivers/idcard"
)

// DefaultSAMID is the 16 bytes the twin answers to 12 FF: 05.01-20120913-0017473839-1345567837.
var DefaultSAMID = idcard.SAMID{0x05, 0x00, 0x01, 0x00, 0x51, 0x05, 0x33, 0x01, 0x2F, 0xA1, 0x0A, 0x01, 0x5D, 0xBC, 0x33, 0x50}

// module is the SAM module and its antenna: the SAM's health and what lies on the reader.
// The RF sequence is the real one: find, then select, then read; a card read once is latched
// (find card fails) until it is lifted and put back.
type module struct {
	mu       sync.Mutex
	samOK    bool
	card     *LoadedCard // on the reader, or the last one lifted (for "put it back")
	present  bool
	found    bool
	selected bool
	latched  bool
}

// outcome is a reply plus what it means for the counters.
type outcome struct {
	resp   idcard.Response
	class  string // "sam", "find", "select", "read", "address", "other"
	isRead bool   // a successful 30 01 / 30 10: the card latches once it is written
}

func fail(class string, sw3 idcard.Status) outcome {
	return outcome{resp: idcard.Response{SW3: sw3}, class: class}
}

// handle answers one command.
func (m *module) handle(cmd idcard.Command) outcome {
	m.mu.Lock()
	defer m.mu.Unlock()
	class := classOf(cmd)
	switch {
	case cmd.Is(idcard.CmdResetSAM):
		m.found, m.selected = false, false
		return m.samReply(nil)
	case cmd.Is(idcard.CmdSAMStatus):
		return m.samReply(nil)
	case cmd.Is(idcard.CmdSAMID):
		return m.samReply(DefaultSAMID[:])
	case class == "other":
		return fail(class, 0x21)
	case !m.samOK:
		return fail(class, 0x60)
	}
	return m.cardCommand(cmd, class)
}

func (m *module) samReply(data []byte) outcome {
	if !m.samOK {
		return fail("sam", 0x60)
	}
	return outcome{resp: idcard.Response{SW3: idcard.StatusOK, Data: data}, class: "sam"}
}

func (m *module) cardCommand(cmd idcard.Command, class string) outcome {
	switch {
	case cmd.Is(idcard.CmdFindCard):
		if !m.present || m.latched {
			return fail(class, 0x80)
		}
		m.found = true
		return outcome{resp: idcard.Response{SW3: idcard.StatusCardFound, Data: make([]byte, 4)}, class: class}
	case cmd.Is(idcard.CmdSelectCard):
		if !m.present || !m.found {
			return fail(class, 0x81)
		}
		m.selected = true
		return outcome{resp: idcard.Response{SW3: idcard.StatusOK, Data: make([]byte, 8)}, class: class}
	case !m.present || !m.selected:
		return fail(class, 0x41)
	case cmd.Is(idcard.CmdReadAddress):
		if m.card.AppendedAddress == nil {
			return fail(class, idcard.StatusEmpty)
		}
		return outcome{resp: idcard.Response{SW3: idcard.StatusOK, Data: m.card.AppendedAddress}, class: class}
	}
	c := m.card.Card
	data := idcard.EncodeReadData(m.card.Text, c.Photo.Reveal())
	if cmd.Is(idcard.CmdReadFP) {
		data = idcard.EncodeReadFPData(m.card.Text, c.Photo.Reveal(), c.Fingerprint.Reveal())
	}
	return outcome{resp: idcard.Response{SW3: idcard.StatusOK, Data: data}, class: class, isRead: true}
}

// classOf groups commands for fault targeting and counters.
func classOf(cmd idcard.Command) string {
	switch {
	case cmd.Is(idcard.CmdResetSAM), cmd.Is(idcard.CmdSAMStatus), cmd.Is(idcard.CmdSAMID):
		return "sam"
	case cmd.Is(idcard.CmdFindCard):
		return "find"
	case cmd.Is(idcard.CmdSelectCard):
		return "select"
	case cmd.Is(idcard.CmdReadBasic), cmd.Is(idcard.CmdReadFP):
		return "read"
	case cmd.Is(idcard.CmdReadAddress):
		return "address"
	}
	return "other"
}

// latch records that a read reached the host: the card stays unfindable until lifted.
func (m *module) latch() {
	m.mu.Lock()
	m.latched, m.found = true, false
	m.mu.Unlock()
}

// place puts c on the reader, replacing any card; nil puts the last card back.
func (m *module) place(c *LoadedCard) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c == nil {
		c = m.card
	}
	if c == nil {
		return false
	}
	m.card, m.present = c, true
	m.found, m.selected, m.latched = false, false, false
	return true
}

// lift takes the card off; it may be put back later.
func (m *module) lift() {
	m.mu.Lock()
	m.present, m.found, m.selected, m.latched = false, false, false, false
	m.mu.Unlock()
}

func (m *module) setSAM(ok bool) {
	m.mu.Lock()
	m.samOK = ok
	m.mu.Unlock()
}
