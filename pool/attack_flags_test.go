package pool_test

import (
	"context"
	"flag"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// attackLong runs the adversarial tests (attack_*_test.go) for their full
// rounds, as when they were written to find the races they check: minutes
// on 2 CPUs. By default they run a tenth or less, which keeps make test
// and the emulated ARM runs short and still fails within a few runs if a
// race comes back.
var attackLong = flag.Bool("attack.long", false, "run the adversarial tests' full rounds")

// attackRounds returns full with -attack.long, and short otherwise.
func attackRounds(full, short int) int {
	if *attackLong {
		return full
	}
	return short
}

// closeWithin closes p, ignoring its error, and fails t if Close has not
// returned within watchdog.Limit: the end of a round whose checks are done.
func closeWithin(t *testing.T, p *pool.Pool) {
	t.Helper()
	watchdog.Within(t, watchdog.Limit, "Close", func() { _ = p.Close(context.Background()) })
}
