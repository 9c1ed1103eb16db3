package scanner

// Counters tally what the twin did, for tests and the control API.
type Counters struct {
	Triggers     int `json:"triggers"`      // start commands obeyed
	Stops        int `json:"stops"`         // stop commands obeyed
	Codes        int `json:"codes"`         // codes emitted (faulty ones included)
	Bytes        int `json:"bytes"`         // bytes written to the line
	Replies      int `json:"replies"`       // answers to commands
	Refused      int `json:"refused"`       // of which ENQ or NAK
	UnknownBytes int `json:"unknown_bytes"` // host bytes that were no command
	Faults       int `json:"faults"`        // emissions shaped by a fault
	Hangups      int `json:"hangups"`
	WriteErrors  int `json:"write_errors"`
}

func (t *Twin) count(f func(*Counters)) {
	t.mu.Lock()
	f(&t.counters)
	t.mu.Unlock()
}

// Counters returns the tallies so far.
func (t *Twin) Counters() Counters {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counters
}

// ResetCounters zeroes the tallies.
func (t *Twin) ResetCounters() {
	t.mu.Lock()
	t.counters = Counters{}
	t.mu.Unlock()
}

// State is the twin's configuration and what it will do next.
type State struct {
	Path    string   `json:"path"`
	Dialect string   `json:"dialect"`
	Suffix  string   `json:"suffix"`
	AIM     bool     `json:"aim"`
	Charset string   `json:"charset"`
	EveryMS int64    `json:"every_ms"`
	Next    Code     `json:"next"`
	Queue   int      `json:"queue"`
	Faults  []string `json:"faults_pending"`
}

// State returns the current state.
func (t *Twin) State() State {
	s := State{
		Path:    t.Path(),
		Dialect: t.opts.Dialect.String(),
		Suffix:  t.opts.Suffix.String(),
		AIM:     t.opts.AIM,
		Charset: t.opts.Charset.String(),
		EveryMS: t.opts.Every.Milliseconds(),
		Next:    t.peekCode(),
		Faults:  []string{},
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s.Queue = len(t.queue)
	for _, f := range t.faults {
		for range f.Count {
			s.Faults = append(s.Faults, string(f.Kind))
		}
	}
	return s
}
