//go:build race

package queue_test

// The sizes of the randomized scenario tests under the race detector, where
// a round takes a few hundred ms, long enough for the OS to preempt
// goroutines in the middle of an operation, but each round meets fewer
// preempted operations than without it.
var (
	// TestScenario05TryPutFullOnEmptyQueue: rounds per case, items per round.
	scnEmpty = struct{ rounds, items int }{1, 20000}
	// TestScenario05TryGetEmptyOnFullQueue: rounds per witness.
	scnFull = struct{ tryPutRounds, lenRounds int }{8, 8}
)
