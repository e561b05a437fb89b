package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the tests if a goroutine outlives them: a run of loggrep
// must leave nothing behind, whichever way it ends.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
