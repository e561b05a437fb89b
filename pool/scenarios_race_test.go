//go:build race

package pool_test

// The sizes of the randomized scenario tests under the race detector. Every
// operation is slower and its windows wider: smaller storms suffice, and
// bigger ones would take too long.
var (
	// TestScenario10StopHandsBackUnderPreemption: a storm of submitters ×
	// perSubmitter tasks, Stop at three quarters, so many rounds.
	scnStopStorm = struct{ rounds, submitters, perSubmitter int }{100, 8, 1024}
	// TestScenario03Resize0DoesNotPause: rounds (a round is about 1 ms).
	scnPauseRounds = 600
)
