package scanner

// Text forms, so the settings read from a TOML config ("suffix = \"crlf\"")
// and a Code encodes to JSON with names, not numbers.

func (s Suffix) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Suffix) UnmarshalText(b []byte) (err error) {
	*s, err = ParseSuffix(string(b))
	return err
}

func (d Dialect) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Dialect) UnmarshalText(b []byte) (err error) {
	*d, err = ParseDialect(string(b))
	return err
}

func (c Charset) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

func (c *Charset) UnmarshalText(b []byte) (err error) {
	*c, err = ParseCharset(string(b))
	return err
}

func (s Symbology) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Symbology) UnmarshalText(b []byte) (err error) {
	*s, err = ParseSymbology(string(b))
	return err
}

func (e End) MarshalText() ([]byte, error) { return []byte(e.String()), nil }
