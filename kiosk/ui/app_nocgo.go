//go:build !cgo

package ui

// NewApp fails: Fyne's desktop driver needs cgo. The rest of the kiosk (doctor, backend serve)
// works in such a build.
func NewApp() (App, error) { return nil, ErrNoUI }
