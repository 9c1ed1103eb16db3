// Package i18n holds the kiosk's own user-facing text in Simplified Chinese (the default),
// Traditional Chinese and English. Catalogue items carry their own three names
// (kiosk/catalogue.Text); everything else a screen or receipt says is a key here.
//
// The language is chosen per visit (a citizen taps 中文/繁體/English), so text is looked up
// with the visit's Lang each time a screen is built, never cached in a global locale: Fyne's
// own lang package cannot switch at run time.
package i18n

import (
	"fmt"
	"sort"
)

// Lang is a language tag the kiosk speaks.
type Lang string

const (
	Hans Lang = "zh-Hans" // 简体中文, the default
	Hant Lang = "zh-Hant" // 繁體中文
	En   Lang = "en"      // English
)

// Langs lists the languages in the order the switch shows them.
var Langs = []Lang{Hans, Hant, En}

// Parse returns the Lang for s, or Hans for anything unknown.
func Parse(s string) Lang {
	for _, l := range Langs {
		if string(l) == s {
			return l
		}
	}
	return Hans
}

// Name is the language's name in itself, for the switch.
func (l Lang) Name() string {
	switch l {
	case Hant:
		return "繁體中文"
	case En:
		return "English"
	}
	return "简体中文"
}

func (l Lang) index() int {
	switch l {
	case Hant:
		return 1
	case En:
		return 2
	}
	return 0
}

// T returns the text for key in l, formatted with args (fmt verbs). A missing key comes back
// as "⟦key⟧", so a screen shows the slip instead of an empty label and tests can find it.
func T(l Lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	s := m[l.index()]
	if s == "" {
		s = m[0]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key exists.
func Has(key string) bool { _, ok := messages[key]; return ok }

// Keys lists every key, sorted (for tests and the admin screen).
func Keys() []string {
	out := make([]string, 0, len(messages))
	for k := range messages {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Level names a 好差评 rating level (5 非常满意 … 1 非常不满意).
func Level(l Lang, level int) string { return T(l, fmt.Sprintf("rate.%d", level)) }
