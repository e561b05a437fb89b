//go:build !race && (arm || arm64)

package pool_test

// scnStopStorm sizes TestScenario10StopHandsBackUnderPreemption on ARM, which
// make test runs under qemu-user: there every operation is several times
// slower, so a storm of a few ms (long enough for the OS to preempt
// submitters in the middle of a Submit) needs fewer tasks.
var scnStopStorm = struct{ rounds, submitters, perSubmitter int }{200, 4, 2048}
