// Package watchdog bounds the waits of lull's regression tests that a bug
// would turn into a hang: past Limit the test fails instead of blocking
// until the test binary times out. Limit is a hang guard, never a speed
// limit: correct code takes milliseconds. Only tests import this package.
package watchdog

import (
	"context"
	"testing"
	"time"
)

// Limit bounds every wait that a bug turns into a hang. It is long enough
// for a loaded or emulated machine never to reach it on the passing path.
const Limit = 10 * time.Second

// Ctx returns a context that ends after Limit, cancelled when t ends, for
// the calls of a test that must not block forever.
func Ctx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Limit)
	t.Cleanup(cancel)
	return ctx
}

// Within runs f on a goroutine of its own and fails t if f has not
// returned within limit. A hung f is left behind: the test has failed.
func Within(t testing.TB, limit time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("%s: still blocked after %v", what, limit)
	}
}

// Recv receives from c, failing t if nothing comes within Limit.
func Recv[T any](t testing.TB, what string, c <-chan T) T {
	t.Helper()
	timer := time.NewTimer(Limit)
	defer timer.Stop()
	select {
	case v := <-c:
		return v
	case <-timer.C:
		t.Fatalf("%s: nothing after %v", what, Limit)
		panic("unreachable")
	}
}
