//go:build !race && !arm && !arm64

package pool_test

// scnStopStorm sizes TestScenario10StopHandsBackUnderPreemption. Without the
// race detector a Submit is fast and its window narrow: a round needs a storm
// long enough (several ms) for the OS to preempt submitters in the middle of
// one.
var scnStopStorm = struct{ rounds, submitters, perSubmitter int }{100, 4, 16384}
