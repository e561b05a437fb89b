//go:build !race && (arm || arm64)

package pool_test

// The sizes of the randomized scenario tests on ARM, which make test runs
// under qemu-user: every operation is several times slower there.
var (
	// TestScenario10StopHandsBackUnderPreemption: a storm of a few ms (long
	// enough for the OS to preempt submitters in the middle of a Submit)
	// needs fewer tasks.
	scnStopStorm = struct{ rounds, submitters, perSubmitter int }{200, 4, 2048}
	// TestScenario03Resize0DoesNotPause: rounds.
	scnPauseRounds = 600
)
