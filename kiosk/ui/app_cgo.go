//go:build cgo

package ui

import "fyne.io/fyne/v2/app"

// NewApp makes the Fyne application with its desktop driver (GLFW, which needs cgo).
func NewApp() (App, error) { return app.NewWithID(AppID), nil }
