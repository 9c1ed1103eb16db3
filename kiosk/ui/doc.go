// Package ui is the kiosk's touch interface in Fyne, the only package of the kiosk that
// imports Fyne (and so the only one that needs cgo). It draws the screen kiosk/flow says the
// visit is on, from a copy of the visit taken each time (so after a wipe no widget can still
// hold a citizen's name or number), routes every tap through the idle timer, turns device
// events from kiosk/devices into flow actions off the UI goroutine, and prints receipts through
// kiosk/receipt.
//
// Text comes from kiosk/i18n in the visit's language; the theme (theme.go) pins a CJK font that
// has Simplified and Traditional glyphs and refuses to start without one, and switches to
// elder sizes (text ≥ 30, touch targets ≥ 60, contrast ≥ 4.5:1) per visit.
package ui
