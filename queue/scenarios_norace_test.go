//go:build !race

package queue_test

// scnEmpty sizes TestScenario05TryPutFullOnEmptyQueue: rounds per case, and
// items per round. Without the race detector a round takes a few ms; some
// are over before the OS has preempted anyone, so each case runs a few.
var scnEmpty = struct{ rounds, items int }{3, 20000}
