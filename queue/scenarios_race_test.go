//go:build race

package queue_test

// scnEmpty sizes TestScenario05TryPutFullOnEmptyQueue: rounds per case, and
// items per round. Under the race detector a round takes a few hundred ms,
// long enough for the OS to preempt consumers in the middle of a pop.
var scnEmpty = struct{ rounds, items int }{1, 20000}
