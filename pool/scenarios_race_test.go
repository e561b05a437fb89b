//go:build race

package pool_test

// scnStopStorm sizes TestScenario10StopHandsBackUnderPreemption. Under the
// race detector every operation is slower and its windows wider: smaller
// storms suffice, and bigger ones would take too long.
var scnStopStorm = struct{ rounds, submitters, perSubmitter int }{100, 8, 1024}
