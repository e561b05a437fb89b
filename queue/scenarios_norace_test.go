//go:build !race

package queue_test

// The sizes of the randomized scenario tests without the race detector,
// where a round takes a few ms and some are over before the OS has
// preempted anyone: cheap rounds run several times.
var (
	// TestScenario05TryPutFullOnEmptyQueue: rounds per case, items per round.
	scnEmpty = struct{ rounds, items int }{6, 20000}
	// TestScenario05TryGetEmptyOnFullQueue: rounds per witness.
	scnFull = struct{ tryPutRounds, lenRounds int }{2, 8}
)
