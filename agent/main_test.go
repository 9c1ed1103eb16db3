//go:build !bench

package main

import "testing"

// The agent built without the bench tag (every real build) has no synthetic rigs, so it can never
// publish invented readings (synthetic.go).
func TestNoSyntheticRigsWithoutBenchTag(t *testing.T) {
	if synthetic != nil {
		t.Fatal("synthetic rigs compiled into a build without -tags bench")
	}
}
