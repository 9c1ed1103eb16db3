package idreader

// State is the twin's view of itself for GET /state and tests. It names the card file, never
// its personal data.
type State struct {
	Path     string         `json:"path"`
	SAMOK    bool           `json:"sam_ok"`
	Card     string         `json:"card"`    // card on the reader, or last lifted
	Present  bool           `json:"present"` // a card lies on the reader
	Found    bool           `json:"found"`
	Selected bool           `json:"selected"`
	Latched  bool           `json:"latched"` // read once; not found again until lifted
	Faults   map[string]int `json:"faults_pending"`
}

// State returns the current state.
func (t *Twin) State() State {
	m := t.mod
	m.mu.Lock()
	s := State{SAMOK: m.samOK, Present: m.present, Found: m.found, Selected: m.selected, Latched: m.latched}
	if m.card != nil {
		s.Card = m.card.Name
	}
	m.mu.Unlock()
	s.Path = t.Path()
	s.Faults = t.faults.pending()
	return s
}
