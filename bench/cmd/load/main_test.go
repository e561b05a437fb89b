package main

import (
	"runtime"
	"testing"

	"go.uber.org/goleak"
)

// TestRun runs commands under load: their exit status comes back, a command
// that cannot start is an error, and the loops are gone once run returns.
func TestRun(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer goleak.VerifyNone(t) // the loops end with their run
	for _, c := range []struct {
		argv []string
		code int
	}{
		{[]string{"true"}, 0},
		{[]string{"sh", "-c", "exit 3"}, 3},
	} {
		code, err := run(2, c.argv)
		if err != nil || code != c.code {
			t.Errorf("%q: got %d, %v; want %d, nil", c.argv, code, err, c.code)
		}
	}
	if code, err := run(1, []string{"/nonexistent/command"}); err == nil || code != 1 {
		t.Errorf("a command that cannot start: got %d, %v; want 1 and an error", code, err)
	}
}
