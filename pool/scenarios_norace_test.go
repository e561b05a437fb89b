//go:build !race && !arm && !arm64

package pool_test

// The sizes of the randomized scenario tests without the race detector.
var (
	// TestScenario10StopHandsBackUnderPreemption: a Submit is fast and its
	// window narrow: a round needs a storm long enough (several ms) for the
	// OS to preempt submitters in the middle of one.
	scnStopStorm = struct{ rounds, submitters, perSubmitter int }{150, 4, 16384}
	// TestScenario03Resize0DoesNotPause: rounds (a round is about 50 µs,
	// and few meet the race).
	scnPauseRounds = 2000
)
