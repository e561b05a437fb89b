package mapreduce_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// call of Run, Combine and Map must have joined all it started.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
