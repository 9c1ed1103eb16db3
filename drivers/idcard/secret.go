package idcard

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Secret holds one personal value read from a card: a name, a number, an address (T string),
// the photo or the fingerprints (T []byte). Printed, logged or encoded it shows only
// "[hidden]" ("" when empty); Reveal gives the clear value to the code that needs it.
//
// Methods are not enough on their own: fmt prints a struct reached through an unexported field
// by reflection, without calling any method. So the value is kept as a *string, which fmt
// prints there as an address whatever the verb (a pointer to a slice it would follow). Secrets
// do not compare with == (compare Reveal()): the pointers would be compared, not the values.
type Secret[T ~string | ~[]byte] struct {
	_ [0]func() // not comparable
	p *string
}

// NewSecret keeps a copy of v; an empty v gives the zero Secret.
func NewSecret[T ~string | ~[]byte](v T) Secret[T] {
	if len(v) == 0 {
		return Secret[T]{}
	}
	s := string(v)
	return Secret[T]{p: &s}
}

// Reveal returns the clear value (a new copy for bytes). Call it where the value is used
// (shown masked, sealed, checked), never to log or print it.
func (s Secret[T]) Reveal() T {
	if s.p == nil {
		var zero T
		return zero
	}
	return T(*s.p)
}

// Len is the value's length in bytes: whether a field was read, without revealing it.
func (s Secret[T]) Len() int {
	if s.p == nil {
		return 0
	}
	return len(*s.p)
}

// String is "[hidden]", or "" for an empty value.
func (s Secret[T]) String() string {
	if s.Len() == 0 {
		return ""
	}
	return "[hidden]"
}

// Format makes every fmt verb, %#v and %x included, print String.
func (s Secret[T]) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.String()) }

// LogValue is String for slog.
func (s Secret[T]) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON is String as a JSON string.
func (s Secret[T]) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText is String, for encoding/xml and other text encoders.
func (s Secret[T]) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
